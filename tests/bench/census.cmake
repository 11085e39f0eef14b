# The census load generator (issue 5; checked against the store since issue 10). Figures come
# from the release preset:
#   build/release/tests/bench/bench_census
# Its prefilled 5-million-session store is cached in <build>/bench-cache/ (prefilled_store.h).
# ctest only runs it briefly (--smoke) to show it works; no timing is asserted.
add_executable(bench_census bench_census.cpp census_phase.cpp census_load.cpp ack_audit.cpp
  store_check.cpp store_ceiling.cpp prefilled_store.cpp server_process.cpp negative_control.cpp
  money_check.cpp auth_phase.cpp)
target_compile_features(bench_census PRIVATE cxx_std_20)
target_link_libraries(bench_census PRIVATE gm_test_agent gm_host_store)
target_compile_definitions(bench_census PRIVATE GM_SERVER="$<TARGET_FILE:gatemeter-server>"
  GM_BENCH_CACHE_DIR="${CMAKE_BINARY_DIR}/bench-cache")
add_dependencies(bench_census gatemeter-server)
add_test(NAME bench.census_load_generator_smoke COMMAND bench_census --smoke)
set_tests_properties(bench.census_load_generator_smoke PROPERTIES TIMEOUT 120)
# The negative control: a corrupted ack and three damaged rows must be caught and fail the run.
add_test(NAME bench.census_check_fails_on_a_bad_ack_and_a_damaged_store
  COMMAND bench_census --smoke --negative-control)
set_tests_properties(bench.census_check_fails_on_a_bad_ack_and_a_damaged_store PROPERTIES
  TIMEOUT 120
  PASS_REGULAR_EXPRESSION "refused by the agent's checks: bad_tag=1.*1 missing, 1 behind their ack, 0 at a seq never sent, 1 with other totals.*FAIL: A: the acks do not say.*FAIL: A: the store does not hold")

# The RADIUS accounting load generator (host/radius/): build/release/tests/bench/bench_radius.
add_executable(bench_radius bench_radius.cpp server_process.cpp)
target_compile_features(bench_radius PRIVATE cxx_std_20)
target_link_libraries(bench_radius PRIVATE gm_radius gm_host_store)
target_compile_definitions(bench_radius PRIVATE GM_SERVER="$<TARGET_FILE:gatemeter-server>")
add_dependencies(bench_radius gatemeter-server)
add_test(NAME bench.radius_load_generator_smoke COMMAND bench_radius --smoke)
set_tests_properties(bench.radius_load_generator_smoke PROPERTIES TIMEOUT 120)
