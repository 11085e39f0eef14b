# The PostgreSQL store's throughput probe (issue 11), run by hand, from the release preset:
#   build/release/tests/bench/pg_store_probe [--kind sqlite] [--deltas] ...
# It starts a private cluster of its own (tests/support/pg_cluster.h). Not a test; no timing is
# asserted anywhere.
add_executable(pg_store_probe pg_store_probe.cpp)
target_compile_features(pg_store_probe PRIVATE cxx_std_20)
target_link_libraries(pg_store_probe PRIVATE gm_host_store gm_test_database)
