#!/bin/sh
# A pallet: open it, open a box on it, fill and close the box, close the
# pallet; the pallet holds the box.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
login operator 1111
key 2
wait_for "No pallet is open"
key n
wait_for "Pallet 046004390000000013"
key b
wait_for "Box 046004390000000020"
wait_for "on 046004390000000013"
scan "$(unit 1)"
wait_for "OK: 1 in 046004390000000020"
key c
wait_for "Close box 046004390000000020 with 1 of 3?"
key y
wait_for "Box 046004390000000020 closed with 1"
wait_for "Pallet 046004390000000013"
key c
wait_for "Close pallet 046004390000000013 with 1 inside?"
key y
wait_for "Pallet 046004390000000013 closed with 1"
admin_exec "where $(unit_ki 1)" | grep -q '"parents":\["046004390000000020","046004390000000013"\]' ||
	fail "the unit is not in the box on the pallet"
