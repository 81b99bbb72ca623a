#!/bin/sh
# Nothing is stranded: after SIGHUP (an SSH session dropped) and a new
# start, the console brings back what this user had open: a box on a
# pallet, then an acceptance, then a shipment, each on its screen and
# going on where it stopped. The open-work screen lists every open pack,
# acceptance and shipment with who opened it; an empty pack is cancelled
# there, not someone else's by an operator; a shipment with nothing on it
# is dropped when left, and the same receiver and number goes on with the
# open shipment instead of opening a second one.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
{ unit 11; echo; unit 12; echo; list_head 1; } > "$T/delivery.txt"
admin_exec "delivery import $T/delivery.txt" | grep -q '"delivery":1' ||
	fail "import"
PALLET=046004390000000013
BOX=046004390000000020

# Drop the console as a lost SSH session does, and start it again.
hangup() {
	pid=$(tm list-panes -F '#{pane_pid}')
	kill -HUP "$(pgrep -P "$pid" -x sklad ||
		pgrep -P "$(pgrep -P "$pid")" -x sklad)" || fail "no sklad"
	wait_for "stopped by signal 1"
	tm kill-server
	start
	wait_for "Name"
	keys operator Enter
	keys 1111 Enter
	wait_for "Brought back"
}

start
login operator 1111
# --- a box on a pallet
key 2
wait_for "No pallet is open"
key n
wait_for "Pallet $PALLET is open"
key b
wait_for "Box $BOX is open"
scan "$(unit 1)"
wait_for "OK: 1 in $BOX"
hangup
wait_for "Brought back: box $BOX on pallet $PALLET"
wait_for "Box $BOX"
wait_for "on $PALLET"
scan "$(unit 2)"
wait_for "OK: 2 in $BOX"
key c
wait_for "Close box $BOX with 2 of 3?"
key y
wait_for "Box $BOX closed with 2"
wait_for "Pallet $PALLET"
key c
wait_for "Close pallet $PALLET with 1 inside?"
key y
wait_for "Pallet $PALLET closed with 1"

# --- an acceptance
key Escape
wait_for "main menu"
key 4
wait_for "Delivery number"
keys 1 Enter
wait_for "Missing: 2"
scan "$(unit 11)"
wait_for "Missing: 1"
hangup
wait_for "Brought back: the acceptance of delivery 1"
wait_for "Missing: 1"
scan "$(unit 12)"
wait_for "Missing: 0"
key Escape
wait_for "main menu"

# --- a shipment
key 5
wait_for "Receiver INN"
type_slowly 7700000002
key Tab
type_slowly UPD-9
key Enter
wait_for "Shipment open"
scan "$PALLET"
wait_for "OK: 1 on the shipment"
hangup
wait_for "Brought back: shipment 1 to 7700000002, UPD-9"
wait_for "Units in them: 2"
# left and opened again under the same receiver and number: the same one
key Escape
wait_for "main menu"
key 5
wait_for "Receiver INN"
type_slowly 7700000002
key Tab
type_slowly UPD-9
key Enter
wait_for "Shipment 1 was open already"
# an empty shipment left with Esc does not stay behind
key Escape
wait_for "main menu"
key 5
wait_for "Receiver INN"
type_slowly 7700000002
key Tab
type_slowly UPD-EMPTY
key Enter
wait_for "Shipment open"
key Escape
wait_for "main menu"

# --- the open-work screen: everything open, with who opened it
admin_exec "box open" >/dev/null
OTHER=046004390000000037
key Escape
key o
wait_for "Open work"
wait_for "Box $OTHER 0/3 *admin"
wait_for "Acceptance 1 (IN-1): 2/2 *operator"
wait_for "Shipment 1 to 7700000002, UPD-9: 2 units *operator"
screen | grep -q "UPD-EMPTY" && fail "the empty shipment stayed behind"
# someone else's empty box: an operator may not cancel it
key x
wait_for "Someone else opened this pack"
key Enter
wait_gone "Someone else"
admin_exec "where $OTHER" | grep -q '"state":"open"' || fail "cancelled"
# the operator's own empty box is cancelled from the pack screen
key Escape
wait_for "main menu"
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000044 is open"
key x
wait_for "Pack 046004390000000044 cancelled"
admin_exec "where 046004390000000044" | grep -q '"state":"disbanded"' ||
	fail "the empty box was not cancelled"
