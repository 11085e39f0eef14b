# Sourced by the tests that run a private Debian FreeRADIUS beside gatemeter: its config in a
# folder of the test's own (nothing of /etc/freeradius but the dictionary), on 127.0.0.1.
# Uses the caller's pids (array).
#   free_port [IP]                 a free UDP port on IP (127.0.0.1)
#   freeradius_conf DIR < BODY     DIR/radiusd.conf: the common preamble, then BODY (modules,
#                                  clients, home servers, `server default { ... }`)
#   start_freeradius DIR           checks the config, starts it, waits until it is ready
free_port() {
  python3 -c 'import socket, sys; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "${1:-127.0.0.1}"
}
freeradius_conf() {
  local d=$1
  mkdir -p "$d/log" "$d/run"
  {
    cat <<CONF
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
sbindir = \${exec_prefix}/sbin
logdir = $d/log
raddbdir = $d
radacctdir = $d/log
name = freeradius
confdir = \${raddbdir}
modconfdir = \${confdir}/mods-config
run_dir = $d/run
db_dir = $d
libdir = /usr/lib/freeradius
pidfile = \${run_dir}/\${name}.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
log {
  destination = stdout
  colourise = no
}
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}
\$INCLUDE /etc/freeradius/3.0/dictionary
CONF
    cat
  } >"$d/radiusd.conf"
}
start_freeradius() {
  local d=$1
  timeout 20 freeradius -XC -d "$d" >"$d/check.log" 2>&1 || { echo "FreeRADIUS config:"; tail -20 "$d/check.log"; exit 1; }
  freeradius -f -d "$d" -l stdout >"$d/freeradius.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q 'Ready to process requests' "$d/freeradius.log" && return 0; sleep 0.1; done
  echo "FreeRADIUS did not start:"; cat "$d/freeradius.log"; exit 1
}
