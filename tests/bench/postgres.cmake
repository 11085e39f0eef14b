# The PostgreSQL store's throughput probe (issue 11), run by hand, from the release preset:
#   build/release/tests/bench/pg_store_probe [--kind sqlite] [--deltas] ...
# It starts a private cluster of its own (tests/support/pg_cluster.h). Not a test; no timing is
# asserted anywhere.
add_executable(pg_store_probe pg_store_probe.cpp)
target_compile_features(pg_store_probe PRIVATE cxx_std_20)
target_link_libraries(pg_store_probe PRIVATE gm_host_store gm_test_database)
# The census on PostgreSQL (issue 11): bench_census's phases against gatemeter-server nodes over
# a private cluster it starts, with one census node and with three. Figures come from the
# release preset:
#   build/release/tests/bench/bench_census_pg
# ctest runs it briefly (--smoke) to show it works, and skips it (77) where no PostgreSQL
# server is installed; no timing is asserted.
add_executable(bench_census_pg bench_census_pg.cpp pg_census_phase.cpp pg_usage.cpp
  census_phase.cpp census_load.cpp ack_audit.cpp store_check.cpp store_ceiling.cpp
  prefilled_store.cpp server_process.cpp negative_control.cpp)
target_compile_features(bench_census_pg PRIVATE cxx_std_20)
target_link_libraries(bench_census_pg PRIVATE gm_test_agent gm_host_store gm_test_database)
target_compile_definitions(bench_census_pg PRIVATE GM_SERVER="$<TARGET_FILE:gatemeter-server>")
add_dependencies(bench_census_pg gatemeter-server)
add_test(NAME bench.census_pg_smoke COMMAND bench_census_pg --smoke)
set_tests_properties(bench.census_pg_smoke PROPERTIES TIMEOUT 120 SKIP_RETURN_CODE 77)
