#!/usr/bin/env bash
# First get_host of fresh modules, one fresh MariaDB database and node per run (docs/BENCHMARKS.md,
# "First get_host of fresh modules"). Run at the repository root after
#   mvn -B package -DskipTests && mvn -B dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
# Usage: fresh-modules.sh ROUNDS [JAR...]   (default JAR: target/lars.jar; several jars run interleaved)
# Env: N modules measured (100), W warm-up modules (100). Ports 18888-18890, 18778-18779, 18080, 18558.
set -u
rounds=${1:-3}
shift || true
jars=("$@")
[[ ${#jars[@]} -gt 0 ]] || jars=(target/lars.jar)
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for r in $(seq 1 "$rounds"); do
  for jar in "${jars[@]}"; do
    mariadb -uroot -h127.0.0.1 -e 'DROP DATABASE IF EXISTS lars_bench_fresh; CREATE DATABASE lars_bench_fresh'
    rm -rf "$work/data"
    (cd "$work" && LARS_DB_URL=jdbc:mysql://127.0.0.1:3306/lars_bench_fresh LARS_DB_USER=root LARS_DB_PASSWORD= \
      exec java -Xms512m -Xmx1g -jar "$root/$jar" node --port 0 --management-port 18558 --dns-port 18778 \
      --reporter-port 18779 --admin-port 18080 --agent-ports 18888,18889,18890 > node.out 2> node.err) &
    pid=$!
    for _ in $(seq 1 240); do grep -q "lars node ready" "$work/node.out" 2>/dev/null && break; sleep 0.5; done
    token=$(cat "$work/data/admin-token")
    for m in $(seq 1000 1009); do for h in $(seq 1 10); do
      curl -s -o /dev/null -H "Authorization: Bearer $token" \
        -d "{\"modid\":$m,\"cmdid\":1,\"ip\":\"10.0.0.$h\",\"port\":9001}" http://127.0.0.1:18080/api/routes
    done; done
    sleep 2
    "${LARS_BENCH_TOOLS:-/tmp}/lars_qps" -t 2 -s 4 -m 1000 -p 18888 -q > /dev/null
    echo "round $r $jar load=$(cut -d' ' -f1 /proc/loadavg) $(java -cp "target/test-classes:target/classes:$(cat target/cp.txt)" \
      io.lars.bench.FreshModulesBench http://127.0.0.1:18080 "$work/data/admin-token" 18888 "${N:-100}" 50000 "${W:-100}" \
      2>&1 | grep RESULT)"
    kill "$pid"
    wait "$pid" 2>/dev/null
  done
done
