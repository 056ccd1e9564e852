#!/usr/bin/env bash
# Runs boxq on this machine in the foreground: prepares what is missing (scripts/setup.sh
# --for run: JDK >= 21, Docker engine unless DOCKER_HOST, Redis with AOF on 6379 unless
# REDIS_URL, sandbox images), builds server/target/boxq.jar when the sources are newer, and runs
# the server in the repo (PORT defaults to 8080). Variables come from the environment, else from
# the repo's .env, as the server reads them. When BOXQ_ADMIN_KEY is set in neither, the server
# makes one up and prints it. Ctrl-C stops the server, then whatever setup started for it. Extra
# arguments go to the server.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
unset BOXQ_STARTED # only what *this* script's setup starts gets stopped here
java_pid=""
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$java_pid" ]] && kill -0 "$java_pid" 2>/dev/null; then
        kill -TERM "$java_pid" 2>/dev/null || true
        wait "$java_pid" 2>/dev/null || true
    fi
    # shellcheck disable=SC2119
    boxq_stop_started
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The server reads .env here too; the script needs these of it before it starts the server.
boxq_dotenv_defaults .env PORT REDIS_URL DOCKER_HOST

# shellcheck source=scripts/setup.sh
source scripts/setup.sh --for run
BOXQ_LOG_PREFIX="run"

jar=server/target/boxq.jar
newer=""
if [[ -f "$jar" ]]; then
    newer=$(find pom.xml core api executor scheduler server -name target -prune -o \
        -type f -newer "$jar" -print 2>/dev/null | head -n1 || true)
fi
if [[ ! -f "$jar" || -n "$newer" ]]; then
    boxq_log "building $jar"
    ./mvnw -B -ntp -q -DskipTests -pl server -am package
fi
[[ -f "$jar" ]] || boxq_die "the build did not produce $jar"

export REDIS_URL
[[ -n "${DOCKER_HOST:-}" ]] && export DOCKER_HOST
# As the server decides: a variable set in the environment, even empty, hides .env's.
if [[ -n "${BOXQ_ADMIN_KEY+set}" ]]; then
    if [[ -n "${BOXQ_ADMIN_KEY// /}" ]]; then
        boxq_log "admin key: BOXQ_ADMIN_KEY from the environment"
    else
        boxq_log "admin key: BOXQ_ADMIN_KEY is empty; the server makes one up for this run and prints it"
    fi
elif [[ -n "$(boxq_dotenv_value .env BOXQ_ADMIN_KEY || true)" ]]; then
    boxq_log "admin key: BOXQ_ADMIN_KEY from .env"
else
    boxq_log "admin key: BOXQ_ADMIN_KEY is not set; the server makes one up for this run and prints it"
fi
boxq_log "boxq on http://127.0.0.1:${PORT:-8080} (redis $(boxq_redact_url "$REDIS_URL")); Ctrl-C stops it"

# Not exec: this shell stays to stop what setup started. Java runs as a background child
# (so the INT/TERM traps fire at once) and is waited for; the traps forward SIGTERM to it.
trap 'kill -TERM "$java_pid" 2>/dev/null || true' INT TERM
java -jar "$jar" "$@" &
java_pid=$!
java_rc=0
while :; do
    wait "$java_pid" && java_rc=0 || java_rc=$?
    kill -0 "$java_pid" 2>/dev/null || break # else wait was cut short by a signal: wait again
done
java_pid=""
exit "$java_rc"
