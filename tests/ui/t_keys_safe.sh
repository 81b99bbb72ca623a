#!/bin/sh
# Acts that cannot be undone ask first and take only a deliberate key:
# closing a part-full box (c, or с in the Russian layout; x says no, y or
# н yes), quitting with a box open (F10). Command keys work in the Russian
# layout (т is n). Text pasted at the ':' prompt is text, never a scan:
# with its Enter it runs, without one it waits for Enter.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
BOX=046004390000000013
start
login operator 1111
key 1
wait_for "No box is open"
key т
wait_for "Box $BOX is open"
scan "$(unit 1)"
wait_for "OK: 1 in $BOX"
key с
wait_for "Close box $BOX with 1 of 3?"
key x
wait_for "Not done"
admin_exec "where $BOX" | grep -q '"state":"open"' || fail "closed on x"
key с
wait_for "Close box $BOX with 1 of 3?"
key н
wait_for "Box $BOX closed with 1"
# a pasted command with its Enter runs; no scan, no error
key :
wait_for "^: *$"
send_piece "set capacity 5" enter
wait_for "Done: set capacity 5"
screen | grep -q "ERROR" && fail "the paste was taken as a scan"
[ "$(sounds error)" -eq 0 ] || fail "the paste sounded an error"
# pasted without Enter it stays on the prompt line until Enter
key :
wait_for "^: *$"
send_piece "where $BOX"
wait_for "^:where $BOX"
key Enter
wait_for "$BOX: closed"
# quitting with a box open asks; x keeps the console running
key n
wait_for "Box 046004390000000020 is open"
keys F10
wait_for "Pack 046004390000000020 is open. Quit anyway?"
key x
wait_for "Not done"
screen | grep -q "EXITED" && fail "quit on x"
keys F10
wait_for "Quit anyway?"
key y
wait_for "EXITED 0"
