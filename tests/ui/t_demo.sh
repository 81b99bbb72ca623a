#!/bin/sh
# `make run`'s demo, as a newcomer uses it: the demo database is made on
# first use, and with packaging/demo-scan.sh one packs a box, takes it
# apart, accepts the demo delivery and looks up a code.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
export SKLAD_DEMO_DIR="$T/demo"
O=$(dirname "$SKLAD_BIN")
ds() { sh "$SKLAD_SRC/packaging/demo-scan.sh" "$@" || fail "demo-scan $*"; }
tm new-session -d -x 80 -y 24 "cd '$SKLAD_SRC' && SKLAD_DEMO_DIR='$SKLAD_DEMO_DIR' sh packaging/run-demo.sh '$O'; echo \"EXITED \$?\"; sleep 600" ||
	fail "tmux"
wait_for "Name  operator"
keys 1111 Enter
wait_for "main menu"
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
ds unit 1 unit 2 close
wait_for "Box 046004390000000013 closed with 2"
keys F12
wait_for "log in"
keys supervisor Enter 2222 Enter
wait_for "main menu"
key 3
wait_for "Full: each scanned pack"
ds 046004390000000013
wait_for "Take 046004390000000013 apart (2 inside)?"
key y
wait_for "Pack 046004390000000013 taken apart"
key Escape
key 4
wait_for "Delivery number"
keys 1 Enter
wait_for "Missing: 7"
ds supplier-box delivered 5
wait_for "Missing: 1"
ds delivered 6
wait_for "Missing: 0"
key f
wait_for "Finish the acceptance of delivery 1 with 7 of 7 matched?"
key y
wait_for "Acceptance finished"
key Escape
key 6
wait_for "Scan, or type a code"
ds delivered 2
wait_for "In 046100000000000052"
keys F10
wait_for "EXITED 0"
# a second start keeps the database
tm respawn-pane -k "cd '$SKLAD_SRC' && SKLAD_DEMO_DIR='$SKLAD_DEMO_DIR' sh packaging/run-demo.sh '$O'"
wait_for "Name  operator"
