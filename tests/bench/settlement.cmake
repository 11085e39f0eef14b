# The settlement close of one period of raw roaming records (issue 14), from the release preset:
#   build/release/tests/bench/bench_settlement [--records=N] [--store=sqlite|postgresql]
# It runs the real settlectl; ctest runs it briefly (--smoke) to show it works. No timing is
# asserted.
add_executable(bench_settlement bench_settlement.cpp)
target_compile_features(bench_settlement PRIVATE cxx_std_20)
target_link_libraries(bench_settlement PRIVATE gm_settlement_store gm_host_store gm_test_database)
target_compile_definitions(bench_settlement PRIVATE GM_SETTLECTL="$<TARGET_FILE:settlectl>")
add_dependencies(bench_settlement settlectl)
add_test(NAME bench.settlement_close_smoke COMMAND bench_settlement --smoke)
set_tests_properties(bench.settlement_close_smoke PROPERTIES TIMEOUT 120)
