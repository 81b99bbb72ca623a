#!/bin/sh
# Lookup: a scanned unit shows its box and its history; a typed SSCC
# shows what is inside; a refused attempt reads as a refusal (in red),
# never as if it happened; an unknown code is an answer, not an error to
# acknowledge.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
admin_exec "box open" "scan $(unit 1)" "scan $(unit 1)" "close" >/dev/null
{ unit 5; echo; unit 7; echo; list_head 5; } > "$T/delivery.txt"
admin_exec "delivery import $T/delivery.txt" "accept open 1" \
	"scan $(unit 5)" "scan $(unit 6)" "cancel" >/dev/null
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
scan "$(unit 1)"
wait_for "refused: packed 046004390000000013: Already in"
tm capture-pane -e -p | grep "refused: packed" | grep -q "$(printf '\033')\[[0-9;]*41m" ||
	fail "the refusal is not shown apart in red"
screen | grep "refused" | grep -vq "refused:" && fail "a refusal without its word"
scan "$(unit 2)"
wait_for "DEMO000000002 has never been scanned here"
screen | grep -q "ERROR" && fail "an unknown code held as an error"
# a code scanned at an acceptance still open is found, not in stock yet
# (never "never scanned here"); what the deliveries say of codes not in
# stock: expected, counted as surplus
scan "$(unit 5)"
wait_for "State: being accepted, not in stock yet"
wait_for "acceptance of delivery 1: matched."
wait_for "scanned in acceptance"
screen | grep -q "never been scanned" && fail "an acknowledged acceptance scan reads as never scanned"
scan "$(unit 7)"
wait_for "Expected in delivery 1 ([^)]*), not found at its"
scan "$(unit 6)"
wait_for "delivery 1: surplus, not in the"
# scans go on at once: no acknowledgement was needed
scan "$(unit 1)"
wait_for "In 046004390000000013"
