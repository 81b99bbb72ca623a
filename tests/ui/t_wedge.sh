#!/bin/sh
# The keyboard wedge: a code typed into the terminal at scanner speed
# (one burst, GS as the byte 0x1d, Enter) is a scan; the same keys typed
# slowly are typing.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
login operator 1111
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
tm send-keys -l "010460043993125621DEMO000000001" \; send-keys -H 1d \; \
	send-keys -l "91EE06" \; send-keys -H 1d \; \
	send-keys -l "92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=" \; \
	send-keys Enter
wait_for "OK: 1 in 046004390000000013"
screen | grep -q "DEMO000000001 -> " || fail "not in the last scans"
key Escape
key 6
wait_for "Scan, or type a code"
# typed slowly: letters go into the field, no scan happens
type_slowly "0460043900"
wait_for "Code  0460043900"
type_slowly "00000013"
keys Enter
wait_for "Inside it: 1"
