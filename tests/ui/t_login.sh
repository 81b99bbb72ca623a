#!/bin/sh
# Login: a wrong PIN is an error held until a key; the right one opens
# the menu; a badge scan fills in the name.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
keys operator Enter 9999 Enter
wait_for "ERROR"
wait_for "Wrong user name or PIN"
wait_sound error 1
keys Space
wait_gone "ERROR"
scan "supervisor"
wait_for "Name  supervisor"
keys 2222 Enter
wait_for "main menu"
wait_for "Logged in as supervisor (supervisor)"
keys F12
wait_for "log in"
keys F10
wait_for "EXITED 0"
