#!/usr/bin/env bash
# Benchmarks services/api on this host, under the real pm2-runtime and ecosystem.config.cjs:
#   (a) GET /work throughput, 2 workers vs 1              goal >= 1.7x
#   (b) GET /whoami throughput, metrics on vs off         goal >= 0.97
#       (b') per-request logs on (LOG_LEVEL=debug) vs off, for the logging choice (docs/figures.md)
#   (c) idle RSS per worker (VmRSS, 30 s after start)     goal <= 80 MB
#   (d) process start -> ready per worker                 goal <= 2 s
# and prints a Markdown table with the machine and the date.
#
#   tools/bench/api.sh                                  # ~6 minutes
#   BENCH_ROUNDS=4 BENCH_BURST=1 tools/bench/api.sh     # quick look
#
# How A and B are compared: both variants run at the same time (two pm2-runtimes on two ports), and wrk
# loads them in turns, BENCH_ROUNDS rounds of one BENCH_BURST-second burst each, A B B A A B ... An idle variant
# costs nothing, and a burst of background load on a shared machine hits both sides alike. A/B is
# total requests A / total requests B. Beside req/s the table shows the workers' CPU time per request
# (from /proc/<pid>/stat), which other processes disturb less. Load goes to 127.0.0.1 only, and every
# run is bounded by wrk's duration.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
api="$root/services/api"
rounds=${BENCH_ROUNDS:-16}
burst=${BENCH_BURST:-2}
idle_seconds=${BENCH_IDLE_SECONDS:-30}
port_a=${BENCH_PORT:-3917}
port_b=$((port_a + 1))
metrics_base_a=${BENCH_METRICS_PORT_BASE:-39400}
metrics_base_b=$((metrics_base_a + 10))

log() { printf '==> %s\n' "$*" >&2; }

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null; }

log "building services/api"
(cd "$api" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && npm run --silent build)

work_dir=$(mktemp -d)
declare -A runtime_pid=()

stop_runtime() { # <name>
  local pid=${runtime_pid[$1]:-}
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -INT "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true # its process group: pm2-runtime and workers
  fi
  unset "runtime_pid[$1]"
}
stop_all() { local name; for name in "${!runtime_pid[@]}"; do stop_runtime "$name"; done; }
trap 'stop_all; rm -rf "$work_dir"' EXIT

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
ready_count() { grep -c '"msg":"worker ready"' "$work_dir/$1.log" || true; }
worker_pids() { grep '"msg":"worker ready"' "$work_dir/$1.log" | sed -E 's/.*"pid":([0-9]+).*/\1/'; }

# start_runtime <name> <port> <metrics-base> <workers> [ENV=value ...]: waits until every worker is ready.
start_runtime() {
  local name=$1 port=$2 base=$3 workers=$4 p start_ns
  shift 4
  for p in "$port" $(seq "$base" $((base + workers - 1))); do
    if port_in_use "$p"; then
      log "port $p is already in use: a leftover process would poison the figures. Stop it first."
      exit 1
    fi
  done
  mkdir -p "$work_dir/pm2-$name"
  : >"$work_dir/$name.log"
  start_ns=$(date +%s%N)
  # setsid: own process group, so stop_runtime can kill pm2-runtime and its workers together.
  (cd "$api" && exec env PM2_HOME="$work_dir/pm2-$name" PORT="$port" WORKERS="$workers" \
    METRICS_WORKER_PORT_BASE="$base" REPLICA="bench-$name" LOG_LEVEL=info "$@" \
    setsid node node_modules/pm2/bin/pm2-runtime start ecosystem.config.cjs >>"$work_dir/$name.log" 2>&1) &
  runtime_pid[$name]=$!
  for _ in $(seq 1 300); do
    [ "$(ready_count "$name")" -ge "$workers" ] && break
    sleep 0.05
  done
  if [ "$(ready_count "$name")" -lt "$workers" ]; then
    log "$name: workers did not become ready within 15 s:"; tail -20 "$work_dir/$name.log" >&2; exit 1
  fi
  all_ready_ms=$((($(date +%s%N) - start_ns) / 1000000))
}

# cpu_ticks <name>: user+system CPU ticks of the runtime's workers (fields 14 and 15 of stat).
cpu_ticks() {
  local pid total=0
  while read -r pid; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done < <(worker_pids "$1")
  echo "$total"
}

# burst <port> <path> <seconds>: prints the number of 2xx responses of one wrk run.
burst() {
  local out
  out=$(wrk -t1 -c16 -d"$3s" "http://127.0.0.1:$1$2")
  if grep -q 'Non-2xx' <<<"$out"; then log "non-2xx responses:"; echo "$out" >&2; exit 1; fi
  awk '/requests in/ {print $1}' <<<"$out"
}

# compare <label> <path> <workersA> "<envA>" <workersB> "<envB>": sets req_a, req_b (req/s),
# cpu_a, cpu_b (worker CPU us per request) and the ratios rps_ratio (A/B) and cpu_ratio (B/A CPU per
# request, i.e. the throughput ratio that CPU cost implies).
compare() {
  local label=$1 path=$2 wa=$3 ea=$4 wb=$5 eb=$6 i side n_a=0 n_b=0 t_a=0 t_b=0 before
  # shellcheck disable=SC2086 # the env lists are word lists on purpose
  start_runtime a "$port_a" "$metrics_base_a" "$wa" $ea
  # shellcheck disable=SC2086
  start_runtime b "$port_b" "$metrics_base_b" "$wb" $eb
  burst "$port_a" "$path" 2 >/dev/null # warm-up: let the JIT settle in both
  burst "$port_b" "$path" 2 >/dev/null
  for i in $(seq 1 "$rounds"); do
    # A B, then B A: whichever goes first in a round must not always be the same variant.
    for side in $( ((i % 2)) && echo a b || echo b a); do
      if [ "$side" = a ]; then
        before=$(cpu_ticks a); n_a=$((n_a + $(burst "$port_a" "$path" "$burst"))); t_a=$((t_a + $(cpu_ticks a) - before))
      else
        before=$(cpu_ticks b); n_b=$((n_b + $(burst "$port_b" "$path" "$burst"))); t_b=$((t_b + $(cpu_ticks b) - before))
      fi
    done
    log "$label round $i/$rounds: A $n_a requests, B $n_b requests so far"
  done
  stop_runtime a; stop_runtime b
  local hz seconds=$((rounds * burst))
  hz=$(getconf CLK_TCK)
  req_a=$(awk -v n="$n_a" -v s="$seconds" 'BEGIN {printf "%.0f", n / s}')
  req_b=$(awk -v n="$n_b" -v s="$seconds" 'BEGIN {printf "%.0f", n / s}')
  cpu_a=$(awk -v t="$t_a" -v n="$n_a" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  cpu_b=$(awk -v t="$t_b" -v n="$n_b" -v hz="$hz" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')
  rps_ratio=$(awk -v a="$n_a" -v b="$n_b" 'BEGIN {printf "%.3f", a / b}')
  cpu_ratio=$(awk -v a="$cpu_a" -v b="$cpu_b" 'BEGIN {printf "%.3f", b / a}')
}

verdict() { awk -v v="$1" -v goal="$2" -v dir="$3" 'BEGIN {ok = (dir == ">=") ? v >= goal : v <= goal; print ok ? "yes" : "**NO**"}'; }
max_of() { printf '%s\n' "$@" | sort -g | tail -1; }

# The machine's own ceiling for (a): one CPU-bound node process vs two at once (no HTTP, no pm2).
# On VMs whose two vCPUs share a physical core, or with other jobs running, this is well below 2.
machine_scaling() {
  local spin='const end = Date.now() + 5000; let n = 0; while (Date.now() < end) { let s = 0; for (let i = 0; i < 1e6; i++) s += i; n++; } console.log(n);'
  local one two_a two_b
  one=$(node -e "$spin")
  two_a=$(mktemp)
  node -e "$spin" >"$two_a" &
  two_b=$(node -e "$spin")
  wait
  awk -v one="$one" -v a="$(cat "$two_a")" -v b="$two_b" 'BEGIN {printf "%.3f", (a + b) / one}'
  rm -f "$two_a"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

log "(c)+(d) start-up and RSS, 2 workers (RSS 2 s after ready, then after ${idle_seconds} s idle)"
start_runtime a "$port_a" "$metrics_base_a" 2
two_workers_ready_ms=$all_ready_ms
pids=() startup=() rss_fresh=() rss_idle=()
while read -r pid ms; do pids+=("$pid"); startup+=("$ms"); done \
  < <(grep '"msg":"worker ready"' "$work_dir/a.log" | sed -E 's/.*"pid":([0-9]+).*"startupMs":([0-9]+).*/\1 \2/')
vm_rss_mb() { awk '/^VmRSS/ {printf "%.1f", $2/1024}' "/proc/$1/status"; }
sleep 2
for pid in "${pids[@]}"; do rss_fresh+=("$(vm_rss_mb "$pid")"); done
# "Idle": V8's memory reducer shrinks the heap some seconds after start-up allocation stops.
sleep $((idle_seconds - 2))
for pid in "${pids[@]}"; do rss_idle+=("$(vm_rss_mb "$pid")"); done
stop_runtime a

log "(a0) this machine's CPU scaling: 2 spinning node processes vs 1"
machine_ratio=$(machine_scaling)

log "(a) /work: 2 workers vs 1 worker"
compare work /work 2 "" 1 ""
work=("$req_a" "$req_b" "$rps_ratio" "$cpu_a" "$cpu_b")
# With a whole core per worker, 2 workers would serve 2 x (CPU per request of 1 worker / of 2 workers).
work_cpu_scaling=$(awk -v one="$cpu_b" -v two="$cpu_a" 'BEGIN {printf "%.3f", 2 * one / two}')
work_share=$(awk -v r="$rps_ratio" -v m="$machine_ratio" 'BEGIN {printf "%.3f", r / m}')

log "(b) /whoami: METRICS_ENABLED=true vs false, 1 worker each"
compare metrics /whoami 1 "METRICS_ENABLED=true" 1 "METRICS_ENABLED=false"
metrics=("$req_a" "$req_b" "$rps_ratio" "$cpu_a" "$cpu_b" "$cpu_ratio")

log "(b') /whoami: LOG_LEVEL=debug (a log line per request) vs info, 1 worker each"
compare logs /whoami 1 "LOG_LEVEL=debug" 1 "LOG_LEVEL=info"
logs=("$req_a" "$req_b" "$rps_ratio" "$cpu_a" "$cpu_b" "$cpu_ratio")

cat <<EOF

## services/api benchmark

| measure | A | B | ratio | goal | met |
| --- | ---: | ---: | ---: | --- | --- |
| (a) GET /work req/s: A = 2 workers, B = 1 worker | ${work[0]} | ${work[1]} | ${work[2]} | >= 1.7 | $(verdict "${work[2]}" 1.7 '>=') |
| (a0) this machine: 2 CPU-bound node processes vs 1 (ceiling for (a)) | | | $machine_ratio | | |
| (a') (a) / (a0): share of the machine's ceiling reached | | | $work_share | | |
| (a'') worker CPU us per /work request; 2 x B/A = (a) with a free core per worker | ${work[3]} | ${work[4]} | $work_cpu_scaling | | |
| (b) GET /whoami req/s, 1 worker: A = METRICS_ENABLED=true, B = false | ${metrics[0]} | ${metrics[1]} | ${metrics[2]} | >= 0.97 | $(verdict "${metrics[2]}" 0.97 '>=') |
| (b) worker CPU us per request (ratio B/A) | ${metrics[3]} | ${metrics[4]} | ${metrics[5]} | >= 0.97 | $(verdict "${metrics[5]}" 0.97 '>=') |
| (b') GET /whoami req/s, 1 worker: A = LOG_LEVEL=debug (request logs), B = info | ${logs[0]} | ${logs[1]} | ${logs[2]} | | |
| (b') worker CPU us per request (ratio B/A) | ${logs[3]} | ${logs[4]} | ${logs[5]} | | |
| (c) RSS per worker, MB, after ${idle_seconds} s idle (2 workers) | ${rss_idle[*]} | | max $(max_of "${rss_idle[@]}") | <= 80 | $(verdict "$(max_of "${rss_idle[@]}")" 80 '<=') |
| (c') RSS per worker, MB, 2 s after ready | ${rss_fresh[*]} | | max $(max_of "${rss_fresh[@]}") | | |
| (d) process start -> ready per worker, ms | ${startup[*]} | | max $(max_of "${startup[@]}") | <= 2000 | $(verdict "$(max_of "${startup[@]}")" 2000 '<=') |

- A and B ran side by side and were loaded in turns (A B, B A, ...): $rounds bursts of ${burst} s each per side, \`wrk -t1 -c16\`, after a 2 s warm-up, on 127.0.0.1, under pm2-runtime with services/api/ecosystem.config.cjs.
- pm2-runtime spawn -> both workers ready: ${two_workers_ready_ms} ms (pm2 starts the workers one after another, waiting for each one's 'ready').
- Machine: $(nproc) CPUs ($(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)), Node $(node --version), load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg).
- Date: $(date -u +%Y-%m-%dT%H:%MZ).
EOF
