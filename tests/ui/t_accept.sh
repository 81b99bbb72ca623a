#!/bin/sh
# Acceptance: a delivery of one box (3 units) and 2 loose units; the box
# SSCC counts its units, a surplus code is an error, partial finish asks
# first (y) and puts the document in the outbox.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
BOX=$(sscc 5)
{
	echo "$BOX"
	for i in 11 12 13; do printf '\t%s\n' "$(unit $i)"; done
	unit 14; echo
	unit 15; echo
	list_head 17
} > "$T/delivery.txt"
admin_exec "delivery import $T/delivery.txt" | grep -q '"delivery":1' ||
	fail "import"
start
login operator 1111
key 4
wait_for "Delivery number"
keys 1 Enter
wait_for "Delivery 1"
wait_for "Missing: 6"
scan "$BOX"
wait_for "Matched: 4 codes"
wait_for "$BOX matched: 4 codes"
wait_for "Missing: 2"
scan "$(unit 14)"
wait_for "Missing: 1"
scan "$(unit 99)"
wait_for "ERROR"
wait_for "not in this delivery"
wait_for "Not in this delivery (surplus): set it aside"
keys Enter
wait_for "Surplus: 1"
wait_for "DEMO000000099"
key p
wait_for "Finish in part: 1 missing code will be rejected. Finish?"
key y
wait_for "Acceptance finished in part"
key Escape
key 7
wait_for "Outbox"
wait_for "   1 [0-9.]* [0-9:]* Acceptance IN-17 *to export"
# the ':' prompt imports a second delivery and names its number
{ unit 31; echo; list_head 31; } > "$T/second.txt"
key Escape
wait_for "main menu"
keys F7
type_slowly "delivery import $T/second.txt"
keys Enter
wait_for "Delivery 2 imported"
