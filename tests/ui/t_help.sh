#!/bin/sh
# Help lists the keys, the command barcodes and the ':' commands, scrolls
# to its last line and no further; at 20x6 every screen still shows its
# title and key line, and an answer waits at the bottom without writing
# over them.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
login operator 1111
key ?
wait_for "Keys and commands"
wait_for "F10 *quit sklad"
i=0
while [ $i -lt 15 ]; do keys Down; i=$((i + 1)); done
wait_for "Command barcodes:"
wait_for "SKLAD:YES *yes to the question"
# scroll down far past the end: the last line stays at the bottom
while [ $i -lt 80 ]; do keys Down; i=$((i + 1)); done
wait_for "login NAME PIN"
screen | sed -n 22p | grep -q "login NAME PIN" ||
	fail "the list did not end on its last line"
keys Up
wait_gone "login NAME PIN"
screen | grep -q "user add NAME ROLE" || fail "Up did not scroll back by one"
# at 20x6: title, the last line and nothing written over
tm resize-window -x 20 -y 6
wait_for "Keys and commands"
wait_for "Up/Down: scroll  Esc"
# narrow: a key and its meaning on one line, neither cut to nothing
while [ $i -lt 200 ]; do keys Up; i=$((i + 1)); done
wait_for "F10: quit sklad"
key Escape
wait_for "sklad: main menu"
wait_for "1-9: choose  o: open"
key 1
wait_for "Aggregation: box"
wait_for "n/F2: new box  c/F4:"
key n
wait_for "Count: 0/3"
scan "$(unit 1)"
wait_for "Count: 1/3"
wait_for "OK: 1 in"
screen | sed -n 5p | grep -q "n/F2: new box" || fail "the key line was overwritten"
