#!/usr/bin/env bash
# A three-node Lars cluster on this machine, launched with Maven (mvn exec:java), on a shared
# MySQL/MariaDB database (SPEC 10).
#
#   LARS_DB_URL=jdbc:mysql://127.0.0.1:3306/lars_cluster deploy/local-cluster.sh start|stop|status
#
# node 1: dns, reporter, admin, agent; nodes 2 and 3: agent only. See deploy/README.md for the
# ports. Environment:
#   LARS_DB_URL, LARS_DB_USER (default root), LARS_DB_PASSWORD (default empty)  the shared database
#   LARS_PORT_OFFSET   added to every port below (default 0), to run next to something else
#   LARS_MVN_FLAGS     extra Maven flags, e.g. -o for offline (default none)
#   LARS_NODE_HEAP     heap of each node's JVM (default 384m)
# PIDs and logs go to deploy/run/ (not versioned); `stop` ends exactly the PIDs recorded there.
set -euo pipefail

DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PROJECT_DIR="$(dirname "$DEPLOY_DIR")"
RUN_DIR="$DEPLOY_DIR/run"
OFFSET="${LARS_PORT_OFFSET:-0}"
MVN_FLAGS="${LARS_MVN_FLAGS:-}"
HEAP="${LARS_NODE_HEAP:-384m}"
READY_TIMEOUT_S=180

# port(node, base): node 1 uses the base port, node 2 base+1, node 3 base+2 (agent: +1000 per node).
remote_port() { echo $((2550 + $1 + OFFSET)); }
management_port() { echo $((8557 + $1 + OFFSET)); }
agent_ports() { local b=$((7888 + 1000 * $1 + OFFSET)); echo "$b,$((b + 1)),$((b + 2))"; }
DNS_PORT=$((7778 + OFFSET))
REPORTER_PORT=$((7779 + OFFSET))
ADMIN_PORT=$((8080 + OFFSET))
SEED="127.0.0.1:$(remote_port 1)"

node_args() {
  local n=$1
  local common="--cluster-port $(remote_port "$n") --seed $SEED --management-port $(management_port "$n") --agent-ports $(agent_ports "$n")"
  if [ "$n" = 1 ]; then
    echo "node --roles dns,reporter,admin,agent $common --dns-port $DNS_PORT --reporter-port $REPORTER_PORT --admin-port $ADMIN_PORT"
  else
    echo "node --roles agent $common --dns-addr 127.0.0.1:$DNS_PORT --reporter-addr 127.0.0.1:$REPORTER_PORT"
  fi
}

pid_of() { cat "$RUN_DIR/node$1.pid" 2>/dev/null || true; }

# True when the recorded PID is alive and still one of our nodes (not a reused PID).
running() {
  local pid; pid=$(pid_of "$1")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "exec:java"
}

start_node() {
  local n=$1
  if running "$n"; then
    echo "node $n already running (pid $(pid_of "$n"))"
    return
  fi
  local args; args=$(node_args "$n")
  echo "node $n: lars $args"
  (cd "$PROJECT_DIR" && MAVEN_OPTS="-Xmx$HEAP" exec mvn -q $MVN_FLAGS exec:java -Dexec.args="$args") \
    > "$RUN_DIR/node$n.log" 2>&1 &
  echo $! > "$RUN_DIR/node$n.pid"
}

await_ready() {
  local n=$1 waited=0
  until grep -q "lars node ready" "$RUN_DIR/node$n.log" 2>/dev/null; do
    if ! running "$n"; then
      echo "node $n stopped while starting; last lines of $RUN_DIR/node$n.log:" >&2
      tail -20 "$RUN_DIR/node$n.log" >&2
      exit 1
    fi
    if [ "$waited" -ge "$READY_TIMEOUT_S" ]; then
      echo "node $n not ready after ${READY_TIMEOUT_S}s; see $RUN_DIR/node$n.log" >&2
      exit 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  grep "lars node ready" "$RUN_DIR/node$n.log" | tail -1
}

start() {
  if [ -z "${LARS_DB_URL:-}" ]; then
    echo "LARS_DB_URL is not set. The three nodes need one shared MySQL/MariaDB database" >&2
    echo "(an H2 file cannot be shared between processes), e.g.:" >&2
    echo "  mysql -uroot -e 'CREATE DATABASE IF NOT EXISTS lars_cluster'" >&2
    echo "  LARS_DB_URL=jdbc:mysql://127.0.0.1:3306/lars_cluster LARS_DB_USER=root $0 start" >&2
    exit 2
  fi
  case "$LARS_DB_URL" in
    jdbc:mysql:*) ;;
    *) echo "LARS_DB_URL must be a jdbc:mysql:// URL (MySQL or MariaDB), got '$LARS_DB_URL'" >&2; exit 2 ;;
  esac
  export LARS_DB_USER="${LARS_DB_USER:-root}" LARS_DB_PASSWORD="${LARS_DB_PASSWORD:-}"
  mkdir -p "$RUN_DIR"
  echo "compiling once (mvn -q $MVN_FLAGS compile)"
  (cd "$PROJECT_DIR" && mvn -q $MVN_FLAGS compile)
  # Node 1 is the seed and runs the migrations; the others join once it is up.
  start_node 1
  await_ready 1
  start_node 2
  start_node 3
  await_ready 2
  await_ready 3
  echo "logs: $RUN_DIR/node{1,2,3}.log"
}

stop() {
  for n in 3 2 1; do
    local pid; pid=$(pid_of "$n")
    if running "$n"; then
      echo "stopping node $n (pid $pid)"
      kill -TERM "$pid"
    fi
  done
  for n in 3 2 1; do
    local pid; pid=$(pid_of "$n") waited=0
    while running "$n" && [ "$waited" -lt 60 ]; do
      sleep 1
      waited=$((waited + 1))
    done
    if running "$n"; then
      echo "node $n (pid $pid) did not stop in 60s; still running" >&2
    else
      rm -f "$RUN_DIR/node$n.pid"
    fi
  done
}

status() {
  for n in 1 2 3; do
    if running "$n"; then
      echo "node $n: running, pid $(pid_of "$n"), remoting $(remote_port "$n"), management $(management_port "$n"), agent udp $(agent_ports "$n")"
    else
      echo "node $n: not running"
    fi
  done
  local shown=""
  for n in 1 2 3; do
    if running "$n"; then
      local m; m=$(management_port "$n")
      if [ -z "$shown" ]; then
        echo
        echo "== members, as node $n sees them (GET http://127.0.0.1:$m/cluster/members)"
        fetch "http://127.0.0.1:$m/cluster/members" members_summary
        shown=yes
      fi
      echo
      echo "== LoadBalance shards hosted by node $n (GET http://127.0.0.1:$m/cluster/shards/LoadBalance)"
      fetch "http://127.0.0.1:$m/cluster/shards/LoadBalance" shards_summary
    fi
  done
  [ -n "$shown" ] || echo "no node is running"
}

# fetch URL SUMMARY: prints the JSON answer through SUMMARY, or the answer as it came if it is
# not the expected JSON (e.g. {"message":"Shard Region LoadBalance is not started"}).
fetch() {
  local body
  body=$(curl -s --max-time 5 "$1") || { echo "  (no answer from $1)"; return; }
  echo "$body" | "$2" 2>/dev/null || echo "  $body"
}

shards_summary() {
  if command -v python3 >/dev/null; then
    python3 -c '
import json, sys
d = json.load(sys.stdin)
# Akka Management 1.4 lists the shards of the local region under "regions".
shards = sorted((s["shardId"], s["numEntities"]) for s in d["regions"])
print("  %d shards, %d entities: %s" % (len(shards), sum(n for _, n in shards),
      " ".join("%s(%d)" % s for s in shards) or "-"))
'
  else
    return 1
  fi
}

members_summary() {
  if command -v python3 >/dev/null; then
    python3 -c '
import json, sys
d = json.load(sys.stdin)
print("leader:", d.get("leader"), " oldest:", d.get("oldest"))
for m in d["members"]:
    print("  %-28s %-8s roles=%s" % (m["node"], m["status"], ",".join(r for r in m["roles"] if not r.startswith("dc-"))))
for m in d.get("unreachable", []):
    print("  unreachable:", m["node"], "observed by", ",".join(m["observedBy"]))
'
  else
    return 1
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
