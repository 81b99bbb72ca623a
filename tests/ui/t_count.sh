#!/bin/sh
# Stock count on the console: s from the menu, scan the pallet to count,
# scan one box whole and one unit of the other, finish: the missing units
# (with their box) and an extra scan are listed; a matching count says so.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
pal=$(sscc 100)
b1=$(sscc 101)
b2=$(sscc 102)
{ echo "code,parent"; echo "$pal,"; echo "$b1,$pal"; echo "$b2,$pal"
  for n in 1 2; do printf '%s,%s\n' "$(unit_ki $n)" "$b1"; done
  for n in 3 4 5; do printf '%s,%s\n' "$(unit_ki $n)" "$b2"; done
  printf '%s,\n' "$(unit_ki 9)"; } > "$T/stock.csv"
SKLAD_PIN=$ADMIN_PIN "$SKLAD_BIN" stock load "$T/stock.csv" --db "$DB" \
	>/dev/null || fail "stock load"
start
login operator 1111
wait_for "s  Stock count"
key s
wait_for "Scan the label of the pallet or box to count"
scan "$pal"
wait_for "Counting $pal"
scan "$b1"
wait_for "OK: 1 scanned"
scan "$(unit 3)"
wait_for "OK: 2 scanned"
scan "$(unit 9)"
wait_for "OK: 3 scanned"
key f
wait_for "Expected 5 units, found 3, missing 2, extra scans 1"
wait_for "missing 010460043993125621DEMO000000004 in $b2"
wait_for "extra 010460043993125621DEMO000000009: loose stock"
keys Enter
key n
wait_for "Scan the label of the pallet or box to count"
scan "$b1"
scan "$(unit 1)"
wait_for "OK: 1 scanned"
scan "$(unit 2)"
wait_for "OK: 2 scanned"
key f
wait_for "The count matches: 2 units."
