# Sourced by system tests: a private PostgreSQL cluster in a temporary folder, on 127.0.0.1
# and a free port, removed by pg_stop. As root the server runs as `postgres` (it refuses root).
# Exits 77 (ctest's skip) when the server binaries are missing: they come with Debian's
# `postgresql`, which toolchain/install-deps.sh installs.
#   pg_start    sets pg_spec ("postgresql:host=127.0.0.1 port=P dbname=gm user=postgres")
#   pg_stop
pg_dir=""
pg_start() {
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ ! -x "${pg_bin:-/nonexistent}/initdb" ]; then
    echo "SKIP: the PostgreSQL server is not installed (apt-get install postgresql)"
    exit 77
  fi
  pg_dir=$(mktemp -d /tmp/gm-pg-XXXXXX)
  pg_as=()
  if [ "$(id -u)" = 0 ]; then
    chown postgres "$pg_dir"
    pg_as=(runuser -u postgres --)
  fi
  "${pg_as[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U postgres >"$pg_dir/initdb.log" 2>&1 ||
    { cat "$pg_dir/initdb.log"; exit 1; }
  pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 \
    -o "-k $pg_dir -p $pg_port -c listen_addresses=127.0.0.1" start >/dev/null ||
    { cat "$pg_dir/server.log"; exit 1; }
  "${pg_as[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -qc \
    "CREATE DATABASE gm" >/dev/null
  pg_spec="postgresql:host=127.0.0.1 port=$pg_port dbname=gm user=postgres"
}
pg_stop() {
  [ -n "$pg_dir" ] || return 0
  "${pg_as[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
  pg_dir=""
}
