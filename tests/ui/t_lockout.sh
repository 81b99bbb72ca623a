#!/bin/sh
# Lockout: five wrong PINs lock the account, even the right PIN is then
# refused with the reason; a supervisor unlocks it and the operator gets
# in. The ':' prompt shows a PIN typed into it as stars.
# Must not: sleep for a fixed time to wait for the screen, or outlive its
# tmux server (lib.sh polls, and kills the server in a trap).
. "$(dirname "$0")/lib.sh"
make_db
start
keys operator Enter
for i in 1 2 3 4; do
	keys 9999 Enter
	wait_for "Wrong user name or PIN"
	keys Space
	wait_gone "ERROR"
done
keys 9999 Enter
wait_for "locked until"
keys Space
wait_gone "ERROR"
keys 1111 Enter
wait_for "locked until"
keys Space
wait_gone "ERROR"
printf 'user unlock operator\n' |
	SKLAD_PIN=2222 "$SKLAD_BIN" exec --db "$DB" --user supervisor |
	grep -q '"ok":true' || fail "supervisor could not unlock"
keys 1111 Enter
wait_for "main menu"
keys F7
type_slowly "user pin operator 4567"
wait_for ":user pin operator \*\*\*\*"
screen | grep -q 4567 && fail "the PIN shows on the prompt"
keys Enter
wait_for "Done: user pin operator"
keys F10
wait_for "EXITED 0"
