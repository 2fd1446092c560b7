#!/usr/bin/env bash
# Side-by-side closed-loop and paced runs of a Lars agent and the no-logic ceiling with the shared C
# client (docs/BENCHMARKS.md, "agent after issue 13"). The agent must already run on AGENT_PORT..+2
# with routes for modules 1000..1009 cmdid 1; the ceiling is started on 8888-8890 for its turns.
# Usage: agent-vs-ceiling.sh ROUNDS SECONDS [AGENT_PORT] [THREADS...]
# Prints one line per run: round, target, threads, the client's summary line.
set -euo pipefail
rounds=${1:-3}
seconds=${2:-8}
agent_port=${3:-18888}
shift 3 || true
threads=("$@")
[[ ${#threads[@]} -gt 0 ]] || threads=(1 2 10)
tools=${LARS_BENCH_TOOLS:-/tmp}
[[ -x $tools/lars_qps && -x $tools/udp_ceiling ]] || {
  echo "build the shared tools first: cc -O2 -pthread ../shared/bench/lars_qps.c -o $tools/lars_qps (and udp_ceiling)" >&2
  exit 2
}
for r in $(seq 1 "$rounds"); do
  for t in "${threads[@]}"; do
    echo "round $r agent threads $t $("$tools/lars_qps" -t "$t" -s "$seconds" -m 1000 -p "$agent_port" -q | tail -1)"
    "$tools/udp_ceiling" >/dev/null 2>&1 &
    ceiling=$!
    sleep 0.5
    echo "round $r ceiling threads $t $("$tools/lars_qps" -t "$t" -s "$seconds" -m 1000 -p 8888 -q | tail -1)"
    kill "$ceiling"
    wait "$ceiling" 2>/dev/null || true
  done
  echo "round $r agent paced10k $("$tools/lars_qps" -t 10 -s "$seconds" -r 10000 -m 1000 -p "$agent_port" -q | tail -1)"
  "$tools/udp_ceiling" >/dev/null 2>&1 &
  ceiling=$!
  sleep 0.5
  echo "round $r ceiling paced10k $("$tools/lars_qps" -t 10 -s "$seconds" -r 10000 -m 1000 -p 8888 -q | tail -1)"
  kill "$ceiling"
  wait "$ceiling" 2>/dev/null || true
done
