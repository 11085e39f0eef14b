# The census killed with SIGKILL mid-stream keeps every acknowledged record, and the agent's
# resends complete the rest with exact totals (issue 5).
add_executable(census_crash_test census_crash_test.cpp)
target_compile_features(census_crash_test PRIVATE cxx_std_20)
target_link_libraries(census_crash_test PRIVATE gm_test_agent gm_host_store)
add_dependencies(census_crash_test gatemeter-server)
add_test(NAME fault.census_killed_mid_stream_keeps_every_acknowledged_record
         COMMAND census_crash_test $<TARGET_FILE:gatemeter-server>)
set_tests_properties(fault.census_killed_mid_stream_keeps_every_acknowledged_record
                     PROPERTIES TIMEOUT 300)
