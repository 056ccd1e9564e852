#!/usr/bin/env bash
# Prepares this machine for boxq, idempotently: JDK >= 21, Debian packages, Docker engine,
# Redis, sandbox images; for tests also Node.js and python3 for the clients' suites, and `npm ci`
# in clients/typescript.
#
#   source scripts/setup.sh --for test   throwaway Redis on 127.0.0.1:6390 (unless REDIS_URL)
#   source scripts/setup.sh --for run    REDIS_URL (from the environment, else the repo's .env),
#                                        else Redis on 6379 (started with AOF if nothing answers
#                                        there); DOCKER_HOST likewise
#   scripts/setup.sh [--for test|run]    same work, without exporting anything to your shell
#
# Sourcing exports JAVA_HOME, PATH, MAVEN_OPTS (JDK >= 24) and REDIS_URL, sets BOXQ_STARTED
# (names of what setup started in this shell; not exported) and defines boxq_stop_started
# (stops exactly those; see lib.sh).
# Always pass --for when sourcing: `source` without arguments hands the caller's own
# positional parameters to this script.
#
# When sourced, the work runs in a child bash under `set -euo pipefail` and only the results
# come back, so your shell's options stay as they were and a failure returns non-zero instead
# of killing your shell.

if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
    # --- sourced -------------------------------------------------------------------------
    # shellcheck source=scripts/lib.sh
    source "$(dirname "${BASH_SOURCE[0]}")/lib.sh" || return 1
    _boxq_setup_env=$(mktemp "${TMPDIR:-/tmp}/boxq-setup.XXXXXX") || return 1
    _boxq_setup_rc=0
    # BOXQ_STARTED goes to the child only (not exported further): a test.sh started from a
    # shell that sourced setup must not stop what that shell's setup started.
    BOXQ_STARTED="${BOXQ_STARTED:-}" "${BASH:-bash}" "${BASH_SOURCE[0]}" \
        --env-file "$_boxq_setup_env" "$@" || _boxq_setup_rc=$?
    # Even after a failure the file says what was started, so the caller can stop it.
    # shellcheck disable=SC1090
    source "$_boxq_setup_env"
    rm -f "$_boxq_setup_env"
    unset _boxq_setup_env
    return "$_boxq_setup_rc"
fi

# --- executed (also the child of the sourced case) ---------------------------------------
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mode=run
env_file=""
while (($# > 0)); do
    case $1 in
        --for)
            [[ $# -ge 2 ]] || boxq_die "--for needs test or run"
            mode=$2
            shift 2
            ;;
        --for=*)
            mode=${1#--for=}
            shift
            ;;
        --env-file)
            env_file=$2
            shift 2
            ;;
        -h | --help)
            sed -n '2,19p' "${BASH_SOURCE[0]}"
            exit 0
            ;;
        *) boxq_die "unknown argument: $1 (usage: source scripts/setup.sh [--for test|run])" ;;
    esac
done
[[ "$mode" == test || "$mode" == run ]] || boxq_die "--for must be test or run, not '$mode'"

ok=0
write_env() {
    [[ -n "$env_file" ]] || return 0
    {
        printf 'BOXQ_STARTED=%q\n' "${BOXQ_STARTED:-}"
        ((ok)) || return 0
        printf 'export JAVA_HOME=%q\n' "$JAVA_HOME"
        printf 'export PATH=%q\n' "$new_path"
        [[ -n "${MAVEN_OPTS:-}" ]] && printf 'export MAVEN_OPTS=%q\n' "$MAVEN_OPTS"
        printf 'export REDIS_URL=%q\n' "$REDIS_URL"
        printf 'export BOXQ_REDIS_URL_SET=%q\n' "${BOXQ_REDIS_URL_SET:-}"
    } >"$env_file"
}
trap write_env EXIT

mkdir -p "$BOXQ_STATE_DIR"
exec 9>"$BOXQ_STATE_DIR/setup.lock"
if ! flock -n 9; then
    boxq_log "another setup is running; waiting for it"
    flock 9
fi

orig_path=$PATH
PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" # dockerd and debootstrap live in sbin

# 1. JDK
boxq_find_jdk
export JAVA_HOME=$BOXQ_JAVA_HOME
case ":$orig_path:" in
    ":$JAVA_HOME/bin:"*) new_path=$orig_path ;;
    *) new_path="$JAVA_HOME/bin:$orig_path" ;;
esac
PATH="$JAVA_HOME/bin:$PATH"
if ((BOXQ_JAVA_MAJOR >= 24)); then
    case " ${MAVEN_OPTS:-} " in
        *" --sun-misc-unsafe-memory-access=allow "*) ;;
        *) MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow" ;;
    esac
    export MAVEN_OPTS
fi
boxq_log "java $BOXQ_JAVA_MAJOR at $JAVA_HOME"

# The server reads the repo's .env (run.sh starts it in the repo): what the environment does not
# set comes from there, so setup neither starts a Redis nor a dockerd that .env points away from.
# Tests never read it (their Redis is a throwaway one).
if [[ "$mode" == run ]]; then
    boxq_dotenv_defaults "$BOXQ_ROOT/.env" REDIS_URL DOCKER_HOST
fi

# 2. Packages (only what is missing; apt-get update only when something is)
pkgs=()
add_pkg() { case " ${pkgs[*]:-} " in *" $1 "*) ;; *) pkgs+=("$1") ;; esac; }
command -v docker >/dev/null 2>&1 || add_pkg docker.io
if boxq_docker_host_is_local; then
    command -v dockerd >/dev/null 2>&1 || add_pkg docker.io # a docker client alone is no engine
fi
if boxq_redis_url_is_users "$mode"; then
    command -v redis-cli >/dev/null 2>&1 || add_pkg redis-tools
else
    { command -v redis-server && command -v redis-cli; } >/dev/null 2>&1 || add_pkg redis-server
fi
command -v debootstrap >/dev/null 2>&1 || add_pkg debootstrap
boxq_busybox_static_ok || add_pkg busybox-static
# The in-container agent is C built static against musl (executor/src/main/c; docs/architecture.md)
command -v musl-gcc >/dev/null 2>&1 || add_pkg musl-tools
# gVisor, the runsc runtime (ALLOWED_RUNTIMES); the dockerd setup starts gets it (boxq_dockerd_runtime_args)
if boxq_docker_host_is_local; then
    command -v runsc >/dev/null 2>&1 || add_pkg runsc
fi
if [[ "$mode" == test ]]; then
    # The failover ITs run a primary, a replica and three Sentinels (scripts/redis-ha.sh)
    command -v redis-sentinel >/dev/null 2>&1 || add_pkg redis-sentinel
    command -v docker-compose >/dev/null 2>&1 || add_pkg docker-compose # test.sh validates docker-compose.yml
    # DashboardIT renders the dashboard in headless Chromium; DashboardLiveIT drives it through chromedriver
    command -v chromium >/dev/null 2>&1 || add_pkg chromium
    command -v chromedriver >/dev/null 2>&1 || add_pkg chromium-driver
    # The client module's ITs run the Python client's unittest and the TypeScript client's node --test
    command -v python3 >/dev/null 2>&1 || add_pkg python3
    command -v node >/dev/null 2>&1 || add_pkg nodejs
    command -v npm >/dev/null 2>&1 || add_pkg npm
fi
if ((${#pkgs[@]} > 0)); then
    boxq_install_packages "${pkgs[@]}"
fi

# 3. Docker engine
boxq_setup_docker

# 4. Redis
boxq_setup_redis "$mode"

# 5. Sandbox images
missing=()
for img in "${BOXQ_IMAGES[@]}"; do
    boxq_image_exists "$img" || missing+=("$img")
done
if ((${#missing[@]} > 0)); then
    boxq_log "building sandbox image(s): ${missing[*]}"
    for img in "${missing[@]}"; do
        "$BOXQ_ROOT/scripts/build-sandbox-image.sh" --only "${img#*:}"
    done
else
    boxq_log "sandbox images present: ${BOXQ_IMAGES[*]}"
fi

# 6. The TypeScript client's dev dependency (standardwebhooks, which its verifier is tested against)
if [[ "$mode" == test ]]; then
    boxq_check_node
    boxq_npm_ci "$BOXQ_ROOT/clients/typescript"
fi

ok=1
boxq_log "ready (--for ${mode}; started by setup in this shell: ${BOXQ_STARTED:-nothing})"
