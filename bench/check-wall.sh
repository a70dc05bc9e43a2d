#!/usr/bin/env bash
# Wall time of one `sendlint check` from zone files, release build, process
# start to exit (target: under 2.5 ms).
#
#   bench/check-wall.sh                       # this tree's release build
#   BEFORE=/work/bin/sendlint-before bench/check-wall.sh   # and a baseline, same run
#   RUNS=400 BIN=path/to/sendlint bench/check-wall.sh      # no build
#
# The commands run interleaved (one of each per round), so load from other
# processes falls on all of them alike; `/bin/true` shows what starting a
# process costs on this machine. Medians are quoted; hyperfine is not needed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${BIN:-}" ]]; then
  cargo build --release -q -p sendlint-cli
  BIN=target/release/sendlint
fi
RUNS=${RUNS:-200}
ARGS=(check mail.acme.test --selector sf1 --public-key-file fixtures/keys/sf1-2048.b64 --zone fixtures/demo/zones --format json)

python3 - "$RUNS" "$BIN" "${BEFORE:-}" "${ARGS[@]}" <<'PY'
import os, statistics, sys, time

runs, after, before, args = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
cmds = [("/bin/true", ["/bin/true"])]
if before:
    cmds.append((before, [before] + args))
cmds.append((after, [after] + args))
# process start and argument parsing alone, for scale
cmds.append((after + " --version", [after, "--version"]))
devnull = os.open(os.devnull, os.O_WRONLY)
fa = [(os.POSIX_SPAWN_DUP2, devnull, 1)]

cpu = {name: [] for name, _ in cmds}

def once(name, argv):
    t = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
    _, status, ru = os.wait4(pid, 0)
    dt = time.perf_counter() - t
    cpu[name].append(ru.ru_utime + ru.ru_stime)
    code = os.waitstatus_to_exitcode(status)
    # check exits 0 (ready) or 1 (findings); anything else is a broken run
    if code not in (0, 1):
        sys.exit(f"{name} exited {code}")
    return dt

for name, argv in cmds:  # warm-up: page cache, binary mapped
    for _ in range(5):
        once(name, argv)
times = {name: [] for name, _ in cmds}
for _ in range(runs):
    for name, argv in cmds:
        times[name].append(once(name, argv))
med = {}
for name, _ in cmds:
    t = sorted(times[name])
    med[name] = statistics.median(t)
    p90 = t[int(len(t) * 0.9) - 1]
    c = statistics.median(cpu[name][5:])  # the warm-up runs left out
    print(f"{name[-50:]:<50} wall median {med[name]*1000:7.3f} ms  (min {t[0]*1000:.3f}, p90 {p90*1000:.3f})  CPU median {c*1000:.3f} ms  n={len(t)}")
if before:
    print(f"after/before median: {med[after]/med[before]:.3f}")
PY
