# The census load generator (issue 5). Figures come from the release preset:
#   build/release/tests/bench/bench_census
# ctest only runs it briefly (--smoke) to show it works; no timing is asserted.
add_executable(bench_census bench_census.cpp)
target_compile_features(bench_census PRIVATE cxx_std_20)
target_link_libraries(bench_census PRIVATE gm_test_agent gm_host_store)
target_compile_definitions(bench_census PRIVATE GM_SERVER="$<TARGET_FILE:gatemeter-server>")
add_dependencies(bench_census gatemeter-server)
add_test(NAME bench.census_load_generator_smoke COMMAND bench_census --smoke)
set_tests_properties(bench.census_load_generator_smoke PROPERTIES TIMEOUT 120)
