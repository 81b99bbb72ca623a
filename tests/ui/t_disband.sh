#!/bin/sh
# Disaggregation: an operator may not take a box apart; a supervisor
# takes one out of a box (partial), then the whole box apart (full).
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
admin_exec "box open" "scan $(unit 1)" "scan $(unit 2)" "close" |
	grep -q '"closed":true' || fail "setting up a closed box"
BOX=046004390000000013
start
login operator 1111
key 3
wait_for "Full: each scanned pack"
scan "$BOX"
wait_for "Take $BOX apart"
key y
wait_for "ERROR"
keys Enter
keys F12
login supervisor 2222
key 3
wait_for "Full: each scanned pack"
key m
wait_for "Partial: take codes out"
scan "$BOX"
wait_for "Pack $BOX: now scan the codes"
scan "$(unit 2)"
wait_for "OK: 1 in $BOX"
admin_exec "where $(unit_ki 2)" | grep -q '"parents":\[\]' ||
	fail "the unit is still in the box"
key m
wait_for "Partial: put codes"
key m
wait_for "Full: each scanned pack"
scan "$BOX"
wait_for "Take $BOX apart (1 inside)?"
scan "SKLAD:YES"
wait_for "Pack $BOX taken apart"
admin_exec "where $BOX" | grep -q '"state":"disbanded"' ||
	fail "the box is not disbanded"
