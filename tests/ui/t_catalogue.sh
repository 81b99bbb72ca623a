#!/bin/sh
# Product names on screens: with a catalogue imported, the look-up screen
# shows the product's name beside its GTIN, and the packing screen's last
# scans show the name beside each code; goods loaded as stock on hand
# (never packed or received here) are found in their box.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
printf 'gtin;name;unit\n04600439931256;"Молоко 3,2%%, 1 л";шт\n' > "$T/cat.csv"
SKLAD_PIN=$ADMIN_PIN "$SKLAD_BIN" catalogue import "$T/cat.csv" --db "$DB" \
	>/dev/null || fail "catalogue import"
box=$(sscc 5)
{ echo "code,parent"; echo "$box,"
  for n in 11 12; do printf '%s,%s\n' "$(unit_ki $n)" "$box"; done; } \
	> "$T/stock.csv"
SKLAD_PIN=$ADMIN_PIN "$SKLAD_BIN" stock load "$T/stock.csv" --db "$DB" \
	>/dev/null || fail "stock load"
start
login operator 1111
key 6
wait_for "Scan, or type a code"
scan "$(unit 11)"
wait_for "Product: Молоко 3,2%, 1 л (GTIN 04600439931256)"
wait_for "In $box"
wait_for "loaded into stock"
key Escape
wait_for "main menu\|Главное меню"
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
scan "$(unit 1)"
wait_for "OK: 1 in 046004390000000013"
screen | grep "DEMO000000001" | grep -q "Молоко 3,2%, 1 л" ||
	fail "no product name beside the scanned code"
