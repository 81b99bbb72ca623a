#!/bin/sh
# A keyboard-wedge scan that stalls (a laggy SSH link) never acts as
# command keys: on every screen (menu, box, pallet, disaggregation,
# acceptance, shipment) codes whose serial holds c n f p q b m : ? r j
# are typed with a 400 ms pause after each of those characters and with a
# 2 s pause after c n f p q (and, on the menu, after the digits); each is
# taken whole as the one scan it is, or refused whole, and nothing else
# changes: no pack closed or opened, no acceptance or shipment finished,
# no mode switched, no screen left.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
WAIT_SECONDS=30
LETTERS="cnfpqbm:?rj"
make_db
BOX=046004390000000013
admin_exec "box open" "scan $(wunit 1)" "scan $(wunit 2)" "scan $(unit 3)" \
	"take $BOX $(wunit 1)" "take $BOX $(wunit 2)" | tail -n 1 |
	grep -q '"count":1' || fail "setting up loose units and a box"
{ wunit 11; echo; wunit 12; echo; unit 13; echo; list_head 1; } > "$T/delivery.txt"
admin_exec "delivery import $T/delivery.txt" | grep -q '"delivery":1' ||
	fail "import"

# The number of documents in the outbox: an irreversible act makes one.
ndocs() { admin_exec docs | grep -o '"type"' | wc -l; }
# Fail unless the outbox holds n documents.
docs_are() { [ "$(ndocs)" -eq "$1" ] || fail "$2 (outbox: $(ndocs))"; }
# The where JSON of a code.
where() { admin_exec "where $1"; }
ack() { wait_for "Press a key"; key Enter; wait_gone "Press a key"; }

start
login supervisor 2222
docs_are 3 "setting up"

# --- menu: a digit is a command there; the whole scan is one refusal
wedge_scan "$(wunit 41)" 0.4 "${LETTERS}123456789"
wait_for "Nothing is open"
ack
screen | grep -q "main menu" || fail "a character of the scan left the menu"
wedge_scan "$(wunit 42)" 2 "cq9"
wait_for "Nothing is open"
ack
screen | grep -q "main menu" || fail "a character of the scan left the menu"

# --- box
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000020 is open"
NEWBOX=046004390000000020
wedge_scan "$(wunit 21)" 0.4 "$LETTERS"
wait_for "OK: 1 in $NEWBOX"
wedge_scan "$(wunit 22)" 2 "cnfpq"
wait_for "OK: 2 in $NEWBOX"
screen | grep -q "Close box" && fail "a 'c' from the scan asks to close"
where $NEWBOX | grep -q '"state":"open".*"children":2' ||
	fail "the box is not open with the 2 scanned units"
docs_are 3 "a document was made while scanning into the box"
# closing it takes a key on its own and a yes
key c
wait_for "Close box $NEWBOX with 2 of 3?"
key y
wait_for "Box $NEWBOX closed with 2"
docs_are 4 "the confirmed close made no document"

# --- pallet: a unit is refused whole, a box label with a pause goes on
key Escape
wait_for "main menu"
key 2
wait_for "No pallet is open"
key n
wait_for "Pallet 046004390000000037 is open"
PALLET=046004390000000037
wedge_scan "$(wunit 31)" 0.4 "$LETTERS"
wait_for "A unit cannot go straight onto a pallet"
ack
wedge_scan "$(wunit 32)" 2 "cnfpq"
wait_for "A unit cannot go straight onto a pallet"
ack
screen | grep -q "Aggregation: pallet" || fail "the pallet screen was left"
where $PALLET | grep -q '"state":"open".*"children":0' ||
	fail "the pallet changed"
wedge_scan "$NEWBOX" 0.4 "2"
wait_for "OK: 1 in $PALLET"
where 046004390000000044 | grep -q '"ok":false' ||
	fail "a 'b' or 'n' of the scans opened a pack"
key c
wait_for "Close pallet $PALLET with 1 inside?"
key y
wait_for "Pallet $PALLET closed with 1"
docs_are 5 "the pallet's document"

# --- disaggregation, full: units are refused whole, the mode stays
key Escape
wait_for "main menu"
key 3
wait_for "Full: each scanned pack"
wedge_scan "$(wunit 51)" 0.4 "$LETTERS"
wait_for "Scan the SSCC label of the box or pallet"
ack
wedge_scan "$(wunit 52)" 2 "cnfpq"
wait_for "Scan the SSCC label of the box or pallet"
ack
screen | grep -q "Full: each scanned pack" || fail "an 'm' switched the mode"
# a label asks first; another key is no
scan "$BOX"
wait_for "Take $BOX apart (1 inside)?"
key x
wait_for "Not done"
where $BOX | grep -q '"state":"closed"' || fail "the box was taken apart"
docs_are 5 "a document was made on the disaggregation screen"

# --- acceptance: scans with pauses match, nothing finishes
key Escape
wait_for "main menu"
key 4
wait_for "Delivery number"
keys 1 Enter
wait_for "Missing: 3"
wedge_scan "$(wunit 11)" 0.4 "$LETTERS"
wait_for "Missing: 2"
wedge_scan "$(wunit 12)" 2 "cnfpq"
wait_for "Missing: 1"
screen | grep -q "Finish" && fail "an 'f' or 'p' of the scan asks to finish"
screen | grep -q "Acceptance" || fail "the acceptance screen was left"
docs_are 5 "the acceptance was finished"

# --- shipment: scans with pauses go on it, nothing finishes
key Escape
wait_for "main menu"
key 5
wait_for "Receiver INN"
type_slowly 7700000002
key Tab
type_slowly UPD-1
key Enter
wait_for "Shipment open"
wedge_scan "$(wunit 1)" 0.4 "$LETTERS"
wait_for "OK: 1 on the shipment"
wedge_scan "$(wunit 2)" 2 "cnfpq"
wait_for "OK: 2 on the shipment"
screen | grep -q "Finish shipment" && fail "an 'f' of the scan asks to finish"
screen | grep -q "Shipment" || fail "the shipment screen was left"
where "$(wunit_ki 1)" | grep -q '"state":"in_stock"' ||
	fail "the shipment was finished"
docs_are 5 "the shipment was finished"
