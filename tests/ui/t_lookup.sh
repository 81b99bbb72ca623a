#!/bin/sh
# Lookup: a scanned unit shows its box and its history; a typed SSCC
# shows what is inside; an unknown code is an error.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
admin_exec "box open" "scan $(unit 1)" "close" >/dev/null
start
login operator 1111
key 6
wait_for "Scan, or type a code"
scan "$(unit 1)"
wait_for "In 046004390000000013"
wait_for "packed"
wait_for "State: in stock"
keys 046004390000000013 Enter
wait_for "Inside it: 1"
scan "$(unit 2)"
wait_for "ERROR"
