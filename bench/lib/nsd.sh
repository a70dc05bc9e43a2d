# The NSD rig of the benchmark scripts, sourced (not run):
#
#   source bench/lib/nsd.sh
#   nsd_install                          # apt-get install nsd when missing (root)
#   nsd_netns "$0" "$@"                  # re-run the script in a loopback-only
#                                        # network namespace (once; exec)
#   nsd_start DIR IP PORT ZONES          # config in DIR, serve every ZONES/*.zone
#   nsd_wait NAME                        # until NSD answers NAME's SOA
#   nsd_queries                          # NSD's own query counter so far
#   nsd_rcode NAME TYPE                  # "RCODE ANSWERS" of one question
#   nsd_stop                             # in the script's EXIT trap
#
# One configuration for every script: authoritative only, one server process
# (it answers far over 100,000 queries/s here: the client is the bottleneck),
# no IPv6, refuse-any, response rate limiting OFF (rrl-ratelimit: 0 and
# rrl-whitelist-ratelimit: 0; NSD's default of 200 error answers/s per source
# throttles a fast client's NXDOMAIN and REFUSED answers, which measures NSD's
# abuse protection, not sendlint), remote control on a socket in DIR (for the
# query counter), log in DIR/nsd.log. A zone is named after its file:
# `ZONES/acme.test.zone` serves `acme.test`.

NSD_PID=
NSD_CONF=
NSD_IP=
NSD_PORT=

nsd_bin() {
  command -v nsd || echo /usr/sbin/nsd
}

nsd_install() {
  if ! command -v nsd >/dev/null 2>&1 && [ ! -x /usr/sbin/nsd ]; then
    echo "installing nsd…" >&2
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nsd >/dev/null
  fi
}

# nsd_netns SCRIPT ARGS…: unless already inside, exec SCRIPT in a fresh
# network namespace with only loopback (nothing leaves 127.0.0.0/8, and
# port 53 is free). Exported variables go along.
nsd_netns() {
  if [ -z "${SENDLINT_BENCH_NETNS:-}" ]; then
    exec env SENDLINT_BENCH_NETNS=1 unshare -n bash "$@"
  fi
  ip link set lo up
}

# nsd_start DIR IP PORT ZONES: writes DIR/nsd.conf and starts NSD in the background.
nsd_start() {
  local dir=$1 f name
  NSD_IP=$2
  NSD_PORT=$3
  local zones=$4
  NSD_CONF="$dir/nsd.conf"
  {
    cat <<EOF
server:
    ip-address: $NSD_IP@$NSD_PORT
    port: $NSD_PORT
    do-ip6: no
    zonesdir: "$zones"
    username: ""
    chroot: ""
    pidfile: "$dir/nsd.pid"
    database: ""
    zonelistfile: "$dir/zone.list"
    xfrdfile: "$dir/xfrd.state"
    xfrdir: "$dir"
    logfile: "$dir/nsd.log"
    verbosity: 0
    server-count: 1
    refuse-any: yes
    # rate limiting off: see bench/lib/nsd.sh
    rrl-ratelimit: 0
    rrl-whitelist-ratelimit: 0
remote-control:
    control-enable: yes
    control-interface: "$dir/nsd.ctl"
EOF
    for f in "$zones"/*.zone; do
      name=${f##*/}
      printf 'zone:\n    name: "%s"\n    zonefile: "%s"\n' "${name%.zone}" "$name"
    done
  } >"$NSD_CONF"
  "$(nsd_bin)" -d -c "$NSD_CONF" 2>>"$dir/nsd.log" &
  NSD_PID=$!
}

# nsd_rcode NAME TYPE: the response code NSD gives (0 NOERROR, 3 NXDOMAIN,
# 5 REFUSED) and the answer count, e.g. "0 1"; TYPE is numeric (1 A, 6 SOA).
nsd_rcode() {
  python3 - "$NSD_IP" "$NSD_PORT" "$1" "$2" <<'EOF'
import socket, struct, sys
ip, port, name, qtype = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
q = struct.pack(">HHHHHH", 7, 0, 1, 0, 0, 0) + b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", qtype, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5); s.sendto(q, (ip, port))
r = s.recv(4096); print(r[3] & 15, struct.unpack(">H", r[6:8])[0])
EOF
}

# nsd_queries: NSD's num.queries so far (every question that reached it).
nsd_queries() {
  nsd-control -c "$NSD_CONF" stats_noreset 2>/dev/null | sed -n 's/^num.queries=//p'
}

# nsd_wait NAME: until NSD answers NAME's SOA and its counters (two minutes
# at most); exits 2 with NSD's log when it died.
nsd_wait() {
  local log=${NSD_CONF%/*}/nsd.log
  for _ in $(seq 1 600); do
    if ! kill -0 "$NSD_PID" 2>/dev/null; then
      echo "nsd exited:" >&2
      cat "$log" >&2 || true
      exit 2
    fi
    if [ "$(nsd_rcode "$1" 6 2>/dev/null)" = "0 1" ] && [ -n "$(nsd_queries)" ]; then
      return 0
    fi
    sleep 0.2
  done
  echo "nsd does not answer for $1" >&2
  exit 2
}

nsd_stop() {
  if [ -n "$NSD_PID" ]; then
    kill "$NSD_PID" 2>/dev/null || true
    wait "$NSD_PID" 2>/dev/null || true
    NSD_PID=
  fi
}

nsd_version() {
  "$(nsd_bin)" -v 2>&1 | head -1 | awk '{print $3}'
}
