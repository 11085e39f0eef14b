# The agent's memory, flash-wear and recovery figures (issue 4). Run from the release preset:
#   build/release/tests/bench/bench_journal
add_executable(journal_recovery_probe journal_recovery_probe.cpp)
target_compile_features(journal_recovery_probe PRIVATE cxx_std_20)
target_link_libraries(journal_recovery_probe PRIVATE gm_store gm_sim_flash)

add_executable(agent_tick_probe agent_tick_probe.cpp)
target_compile_features(agent_tick_probe PRIVATE cxx_std_20)
target_link_libraries(agent_tick_probe PRIVATE gm_core gm_sim_flash)

add_executable(bench_journal bench_journal.cpp)
target_compile_features(bench_journal PRIVATE cxx_std_20)
target_link_libraries(bench_journal PRIVATE gm_core gm_sim_flash)
target_compile_definitions(bench_journal PRIVATE
  GM_RECOVERY_PROBE="$<TARGET_FILE:journal_recovery_probe>"
  GM_TICK_PROBE="$<TARGET_FILE:agent_tick_probe>")
add_dependencies(bench_journal journal_recovery_probe agent_tick_probe)
