#!/bin/sh
# SIGTERM ends the console in order: curses is left, the exit is clean;
# the ':' prompt runs workflow commands.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
login operator 1111
key 1
wait_for "No box is open"
key :
wait_for "^: *$"
type_slowly "set capacity 2"
keys Enter
wait_for "Done: set capacity 2"
key n
wait_for "Box 046004390000000013"
scan "$(unit 1)"
wait_for "OK: 1 in"
wait_for "/"
pid=$(tm list-panes -F '#{pane_pid}')
kill -TERM "$(pgrep -P "$pid" -x sklad || pgrep -P "$(pgrep -P "$pid")" -x sklad)" ||
	fail "no sklad process"
wait_for "EXITED 0"
screen | grep -q "stopped by signal 15" || fail "no exit message"
