#!/bin/sh
# Resize: the SIGWINCH path redraws at 40x16 and the screens keep what
# matters in view, at 40x12 the count falls back to plain digits, back at 80x24 to
# block digits, and scans keep working.
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
scan "$(unit 1)"
wait_for "OK: 1 in"
tm resize-window -x 40 -y 16
wait_for "Aggregation: box               operator"
wait_for "Box 046004390000000013"
# every screen still shows what matters at 40x16
key Escape
key 4
# the open box blocks an acceptance: it says so and offers to go to it
wait_for "Pack 046004390000000013 is open: close"
key Escape
wait_for "Not done"
wait_for "Delivery number"
key Escape
key 6
wait_for "Code  _"
key Escape
key 1
wait_for "Box 046004390000000013"
scan "$(unit 2)"
wait_for "OK: 2 in"
tm resize-window -x 40 -y 12
wait_for "Count: 2/3"
tm resize-window -x 80 -y 24
wait_for "Aggregation: box                                                       operator"
wait_gone "Count:"
