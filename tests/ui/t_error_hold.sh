#!/bin/sh
# An error holds further scans until acknowledged: the held scan is not
# recorded, SKLAD:ACK releases the hold, and the error has its own sound.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
login operator 1111
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
scan "$(unit 1)"
wait_for "OK: 1 in"
scan "$(unit 1)"
wait_for "ERROR"
wait_for "Already in this pack"
wait_sound error 1
scan "$(unit 2)"
wait_for "(1 scan not taken)"
wait_sound error 2
scan "SKLAD:ACK"
wait_gone "ERROR"
wait_for "1 scan during the error was not recorded"
admin_exec "where $(unit_ki 2)" | grep -q '"ok":false' ||
	fail "a held scan was recorded"
scan "$(unit 2)"
wait_for "OK: 2 in"
# garbage is refused with the parser's reason
scan "hello world"
wait_for "ERROR"
keys Enter
wait_gone "ERROR"
