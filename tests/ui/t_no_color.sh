#!/bin/sh
# NO_COLOR: the error bar is still unmissable (reverse video), but no
# colour is sent; without NO_COLOR the bar is red.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
UI_ENV="NO_COLOR=1 TERM=xterm-256color"
start
keys operator Enter 9999 Enter
wait_for "ERROR"
attrs=$(tm capture-pane -e -p)
printf '%s' "$attrs" | grep -q "$(printf '\033')\[[0-9;]*7m" ||
	fail "no reverse video on the error bar"
printf '%s' "$attrs" | grep -q "$(printf '\033')\[[0-9;]*4[0-7]m" &&
	fail "colours sent although NO_COLOR is set"
tm kill-server
SOCK="$SOCK-color"	# a new server: the old one may still be exiting
UI_ENV="TERM=xterm-256color"
start
keys operator Enter 9999 Enter
wait_for "ERROR"
tm capture-pane -e -p | grep -q "$(printf '\033')\[[0-9;]*41m" ||
	fail "the error bar is not red"
