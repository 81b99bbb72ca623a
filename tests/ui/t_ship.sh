#!/bin/sh
# Shipment: receiver and document number typed, a closed box scanned,
# finish puts the document in the outbox.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
admin_exec "box open" "scan $(unit 1)" "scan $(unit 2)" "close" |
	grep -q '"closed":true' || fail "setting up a closed box"
start
login operator 1111
key 5
wait_for "Receiver INN"
# typed by hand into the first field, the second one scanned
type_slowly 7700000002
wait_for "Receiver INN *7700000002_"
keys Tab
wait_for "Document number *_"
scan "UPD-17/2026"
wait_for "Shipment open"
scan "046004390000000013"
wait_for "OK: 1 on the shipment"
wait_for "Units in them: 2"
wait_for "Shipment 1 to 7700000002, document UPD-17/2026"
# the scan's line shows its own units
screen | grep -q "046004390000000013 2 units" || fail "the scan's count"
key f
wait_for "Finish shipment 1: 2 units leave?"
key Enter
wait_for "Shipped: 2 units"
admin_exec "where $(unit_ki 1)" | grep -q '"state":"shipped"' ||
	fail "the unit is not shipped"
