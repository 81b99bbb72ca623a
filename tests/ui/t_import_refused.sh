#!/bin/sh
# An import typed at the ':' prompt reads only a regular file: /dev/zero
# and a FIFO nobody writes are refused at once with the file named (the
# console neither hangs nor grows), and a file that is no delivery is
# refused by its line without a word of it on the screen; scans go on.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
mkfifo "$T/fifo"
printf 'root:$y$j9T$SECRETHASH:19000:0:99999:7:::\n' > "$T/shadow"
start
login operator 1111
key 1
wait_for "No box is open"
keys F7
type_slowly "delivery import /dev/zero"
keys Enter
wait_for "/dev/zero is not a regular file"
keys Enter
wait_gone "/dev/zero is not"
keys F7
type_slowly "delivery import $T/fifo"
keys Enter
wait_for "fifo is not a regular file"
keys Enter
wait_gone "fifo is not"
keys F7
type_slowly "delivery import $T/shadow"
keys Enter
wait_for "Line 1: expected a marking code"
screen | grep -q "SECRETHASH\|root:" && fail "the refusal shows the file"
keys Enter
wait_gone "Line 1: expected"
key n
wait_for "Box 046004390000000013"
scan "$(unit 1)"
wait_for "OK: 1 in"
