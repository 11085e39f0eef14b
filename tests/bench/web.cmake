# The web console's figure (issue 15): 1,000 event-stream pages while the census commits
# 100,000 records/s, from the release preset:
#   build/release/tests/bench/bench_web [--clients=N] [--seconds=S] [--rate=RECORDS_PER_S]
# ctest only runs it briefly (--smoke) to show it works; no timing is asserted.
find_package(Boost 1.74 REQUIRED)
find_package(Threads REQUIRED)
add_executable(bench_web bench_web.cpp sse_fleet.cpp census_load.cpp ack_audit.cpp
  prefilled_store.cpp server_process.cpp)
target_compile_features(bench_web PRIVATE cxx_std_20)
target_link_libraries(bench_web PRIVATE gm_test_agent gm_host_store Boost::boost
  Threads::Threads)  # OpenSSL through gm_test_agent
# GCC 12 reports Boost 1.74's coroutine frames as mismatched new/delete (host/CMakeLists.txt).
target_compile_options(bench_web PRIVATE $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)
target_compile_definitions(bench_web PRIVATE GM_SERVER="$<TARGET_FILE:gatemeter-server>"
  GM_CENSUSCTL="$<TARGET_FILE:censusctl>")
add_dependencies(bench_web gatemeter-server censusctl)
add_test(NAME bench.web_smoke COMMAND bench_web --smoke)
set_tests_properties(bench.web_smoke PROPERTIES TIMEOUT 180)
