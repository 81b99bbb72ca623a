#!/bin/sh
# Acceptance lists: the chooser lists the deliveries with their sender,
# progress and deadline (red once passed), Up/Down and Enter open one;
# the open delivery shows its deadline, the missing codes (top level
# first, Up/Down scroll) and the surplus scans of every session (Tab).
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
ESC=$(printf '\033')
# 1: an old transfer document from a known sender, long overdue
printf '[{"number":"r-1","senderInn":"7700000099","docDate":"2020-03-05T10:00:00.000Z","body":{"document_num":"TN-OLD","transfer_date":"2020-03-06","products":[{"uit_code":"%s"},{"uit_code":"%s"}]}}]\n' \
	"$(unit_ki 1)" "$(unit_ki 2)" > "$T/old.json"
# 2: a box of 3 and 30 loose units, imported today
BOX=$(sscc 7)
{
	echo "$BOX"
	for i in 11 12 13; do printf '\t%s\n' "$(unit_ki $i)"; done
	i=100
	while [ $i -lt 130 ]; do unit_ki $i; echo; i=$((i + 1)); done
	list_head 130
} > "$T/new.txt"
admin_exec "delivery import $T/old.json" "delivery import $T/new.txt" \
	"accept open 2" "scan $(unit 999)" "cancel" >/dev/null
start
login operator 1111
key 4
wait_for "Delivery number"
wait_for "TN-OLD"
wait_for "7700000099"
wait_for "2020-03-11"
wait_for "0/34"
# the passed deadline is red
tm capture-pane -e -p | grep "2020-03-11" | grep -q "$ESC\[[0-9;]*41m" ||
	fail "the passed deadline is not red"
# newest first: Down chooses the old one
keys Down Enter
wait_for "Delivery 1 "
wait_for "TN-OLD"
wait_for "Accept by: 2020-03-11 (the deadline has passed)"
wait_for "Missing 1-2 / 2"
key Escape
key Escape
key 4
wait_for "Delivery number"
keys Enter
wait_for "Delivery 2 "
wait_for "Missing 1-"
wait_for "/ 34"
# top level first: the box label, then the loose units, then the inner ones
screen | grep -A1 "Missing 1-" | grep -q "$BOX" || fail "box not first"
# the surplus of an earlier session is listed
wait_for "Surplus 1-1 / 1"
wait_for "+ 010460043993125621DEMO000000999"
scan "$BOX"
wait_for "Matched: 4 codes"
wait_for "Missing 1-"
wait_for "/ 30"
screen | grep -A1 "Missing 1-" | grep -q "DEMO000000100" ||
	fail "the found box is still listed first"
# Up/Down scroll the missing list
keys Down Down
wait_for "Missing 3-"
keys Up
wait_for "Missing 2-"
# Tab: the surplus list has the focus; a new surplus scan joins it
scan "$(unit 998)"
wait_for "ERROR"
keys Enter
wait_for "Surplus 1-2 / 2"
key Tab
keys Down
wait_for "Surplus 2-2 / 2"
