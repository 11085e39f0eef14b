# The whole path under chaos (issue 6): simulated gateways against the real servers.
if(TARGET gatemeter-server AND TARGET censusctl AND TARGET gatemeter-sim)
  add_test(NAME fault.chaos_20_gateways_exact_totals
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/chaos_test.sh $<TARGET_FILE:gatemeter-server>
                   $<TARGET_FILE:censusctl> $<TARGET_FILE:gatemeter-sim>
                   $<TARGET_FILE:gatemeter-compare>)
  set_tests_properties(fault.chaos_20_gateways_exact_totals PROPERTIES TIMEOUT 420)
endif()
