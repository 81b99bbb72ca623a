#!/bin/sh
# Outbox: a closed box's document, its state in plain words.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
admin_exec "box open" "scan $(unit 1)" "close" >/dev/null
start
login operator 1111
key 7
wait_for "AGGREGATION_DOCUMENT"
wait_for "waiting to be sent"
