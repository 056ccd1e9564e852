#!/usr/bin/env bash
# The project's test command (what .ci/run runs): installs and starts what is missing
# (scripts/setup.sh --for test: JDK >= 21, Docker engine, throwaway Redis on 127.0.0.1:6390,
# sandbox images, Node.js and python3, npm ci in clients/typescript), validates docker-compose.yml, runs
# `./mvnw -B -ntp verify` (unit tests via surefire, *IT via failsafe; the client module's ITs also run
# the Python client's `python3 -m unittest` and the TypeScript client's `node --test` against a live boxq),
# fails when the run left containers labelled boxq.managed=true behind, and stops what setup
# started. Extra arguments go to Maven (e.g. scripts/test.sh -pl core -am).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib.sh
source scripts/lib.sh
unset BOXQ_STARTED # only what *this* script's setup starts gets stopped here
on_exit() {
    local rc=$?
    trap - EXIT INT TERM
    # shellcheck disable=SC2119
    boxq_stop_started
    exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# shellcheck source=scripts/setup.sh
source scripts/setup.sh --for test
BOXQ_LOG_PREFIX="test"

export REDIS_URL
[[ -n "${DOCKER_HOST:-}" ]] && export DOCKER_HOST

managed_containers() { docker ps -aq --no-trunc --filter label=boxq.managed=true 2>/dev/null | sort; }

# Containers that were there before (a boxq server running on the same engine, say) are not
# this run's leaks and are left alone.
before=$(managed_containers)

boxq_log "docker-compose config (docker-compose.yml)"
BOXQ_ADMIN_KEY=compose-config-check docker-compose -f docker-compose.yml config -q

boxq_log "./mvnw -B -ntp verify $* (REDIS_URL=$REDIS_URL)"
mvn_rc=0
./mvnw -B -ntp verify "$@" || mvn_rc=$?

# The same promises under gVisor (docs/architecture.md, "Runtimes"): a chosen subset of the hardening,
# agent and sandbox ITs again with runsc as the test servers' and agent boxes' runtime
# (BOXQ_TEST_RUNTIME; RuntimeChoiceIT covers runsc in the main run). Only on a whole run that passed.
RUNSC_ITS='HardeningIT#commands_run_as_nobody+the_root_is_read_only*+the_only_network_interface*+commands_have_no_capabilities*'
RUNSC_ITS+=',SandboxFilesIT#a_file_written*+an_uploaded_file*+every_byte_value*+symlinks_pointing_out*'
RUNSC_ITS+=',AgentCommandRunnerIT#stdout_and_stderr*+stdin_bytes*+stats_come*+the_timeout_kills*+a_command_that_kills_the_agent*'
RUNSC_ITS+='+output_stops*+cancel_from*+every_byte*'
if ((mvn_rc == 0 && $# == 0)) && docker info --format '{{json .Runtimes}}' 2>/dev/null | grep -q '"runsc"'; then
    boxq_log "under runsc: $RUNSC_ITS"
    BOXQ_TEST_RUNTIME=runsc ./mvnw -B -ntp verify -pl core,api,executor,scheduler,server -Dtest=NONE \
        -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test="$RUNSC_ITS" || mvn_rc=$?
fi

after=$(managed_containers)
leaked=$(comm -13 <(printf '%s\n' "$before" | sed '/^$/d') <(printf '%s\n' "$after" | sed '/^$/d'))
if [[ -n "$leaked" ]]; then
    boxq_err "containers labelled boxq.managed=true left behind by the tests:"
    # shellcheck disable=SC2086
    docker ps -a --no-trunc --filter label=boxq.managed=true \
        --format '{{.ID}}  {{.Image}}  {{.Status}}  {{.Names}}  {{.Labels}}' | grep -F -f <(printf '%s\n' "$leaked") >&2 || true
    # shellcheck disable=SC2086
    docker rm -f $leaked >/dev/null 2>&1 || true
    boxq_err "removed them; failing the run"
    ((mvn_rc != 0)) || mvn_rc=1
fi

if ((mvn_rc == 0)); then
    boxq_log "passed"
else
    boxq_err "failed (status $mvn_rc)"
fi
exit "$mvn_rc"
