#!/bin/sh
# Outbox: a closed box's document: its type in words, the box it is
# about, when it was made, its state in plain words; Enter shows it all.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
admin_exec "box open" "scan $(unit 1)" "close" >/dev/null
start
login operator 1111
key 7
wait_for "   1 [0-9.]* [0-9:]* Aggregation 046004390000000013"
wait_for "waiting to be sent"
# Enter: the document in full, Esc back to the list
key Enter
wait_for "Document 1: Aggregation (AGGREGATION_DOCUMENT)"
wait_for "About: 046004390000000013"
wait_for "Made [0-9.]* [0-9:]*, 1 code$"
wait_for "Waits to be sent"
key Escape
wait_for "Enter: details"
