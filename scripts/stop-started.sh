#!/usr/bin/env bash
# Stops what scripts/setup.sh started (recorded in .boxq/started/), and nothing else.
#
# usage: scripts/stop-started.sh            every recorded process (dockerd, redis-6390, ...)
#        scripts/stop-started.sh NAME...    only those records
# For dockerd, containers labelled boxq.managed=true are removed first. Each process gets
# SIGTERM and is waited for (30 s, then SIGKILL); its record is removed. A record whose pid is
# gone or now belongs to another program is just deleted.
set -euo pipefail

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BOXQ_LOG_PREFIX=stop

if (($# > 0)); then
    boxq_stop_started "$@"
else
    found=0
    for f in "$BOXQ_STARTED_DIR"/*.pid; do [[ -e "$f" ]] && found=1; done
    if ((found == 0)); then
        boxq_log "nothing recorded as started by setup"
        exit 0
    fi
    boxq_stop_started --all
fi
