#!/bin/sh
# The scanners screen lists the FIFO and the wedge and tests a scan
# without recording it; the site screen shows the settings.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
login operator 1111
key 8
wait_for "fifo:"
wait_for "keyboard wedge"
scan "$(unit 1)"
wait_for "Reads well: 010460043993125621DEMO000000001"
wait_for "1 scan, last"
# a scanner that drops GS: the whole advice shows, to its last words
scan "$(unit 2 | tr -d "$GS")"
wait_for "Turn on \"FNC1 as"
wait_for "in the scanner settings."
admin_exec "where $(unit_ki 1)" | grep -q '"ok":false' ||
	fail "a test scan was recorded"
key Escape
key 9
wait_for "7700000001"
wait_for "4600439"
