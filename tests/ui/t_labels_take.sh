#!/bin/sh
# A pack whose count changed by take-out gets a new label with the new
# count when the operator leaves it, once (not one per code taken out).
# Must not: sleep for a fixed time to wait for the screen, or leave the
# fake printer running (the trap kills it).
. "$(dirname "$0")/lib.sh"
PR="$T/printer"
mkdir -p "$PR"
python3 "$SKLAD_SRC/tests/ui/fake_printer.py" "$PR" &
PRINTER_PID=$!
trap 'kill $PRINTER_PID 2>/dev/null; cleanup' EXIT INT TERM
end=$(( $(date +%s) + WAIT_SECONDS ))
until [ -s "$PR/port" ]; do
	[ "$(date +%s)" -ge "$end" ] && fail "the fake printer did not start"
	sleep 0.02
done
cat > "$T/labels.conf" <<CONF
[labels]
printer = z
confirm = no
[printer z]
uri = tcp:127.0.0.1:$(cat "$PR/port")
size = 58x40
text = fonts
CONF
make_db
admin_exec "box open" "scan $(unit 1)" "scan $(unit 2)" "scan $(unit 3)" |
	grep -q '"closed":true' || fail "setting up a closed box"
BOX=046004390000000013
start --labels-config "'$T/labels.conf'"
login supervisor 2222
key 3
wait_for "Full: each scanned pack"
key m
wait_for "Partial: take codes out"
scan "$BOX"
wait_for "Pack $BOX: now scan the codes"
scan "$(unit 2)"
wait_for "OK: 2 in $BOX"
scan "$(unit 3)"
wait_for "OK: 1 in $BOX"
[ -e "$PR/job.1" ] && fail "a label before the operator left the pack"
key n
end=$(( $(date +%s) + WAIT_SECONDS ))
until [ -f "$PR/job.1" ]; do
	[ "$(date +%s)" -ge "$end" ] && fail "no new label after the take-out"
	sleep 0.02
done
grep -q "Box: 1 pcs." "$PR/job.1" || fail "the new label does not say 1"
"$SKLAD_BIN" label list --db "$DB" --json | grep -c '"reason":"take"' |
	grep -qx 1 || fail "not exactly one take label"
