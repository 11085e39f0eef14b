# Power-cut torture of the flash journal under the agent (issue 4).
add_executable(journal_torture_test journal_torture_test.cpp)
target_compile_features(journal_torture_test PRIVATE cxx_std_20)
target_link_libraries(journal_torture_test PRIVATE gm_core gm_sim_flash)
add_test(NAME fault.journal_power_cut_torture COMMAND journal_torture_test)
add_test(NAME fault.journal_power_cut_torture_8_byte_words
         COMMAND journal_torture_test --operations=4000 --seed=7 --word=8)
set_tests_properties(fault.journal_power_cut_torture fault.journal_power_cut_torture_8_byte_words
                     PROPERTIES TIMEOUT 900)
# About the seconds each takes (system.cmake says why).
set_tests_properties(fault.journal_power_cut_torture PROPERTIES COST 65)
set_tests_properties(fault.journal_power_cut_torture_8_byte_words PROPERTIES COST 25)

# The simulator killed with SIGKILL mid-run recovers from its flash file.
add_test(NAME fault.sim_gateway_killed_recovers_from_flash_file
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/sim_kill_test.sh $<TARGET_FILE:gatemeter-sim>)
set_tests_properties(fault.sim_gateway_killed_recovers_from_flash_file PROPERTIES TIMEOUT 60)
