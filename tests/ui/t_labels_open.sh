#!/bin/sh
# Labels printed when a box opens (print_on = open): the fresh label must
# be scanned back before the first unit; a unit scanned first is an error
# hold and is not packed.
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
printer = tsc
print_on = open
[printer tsc]
uri = tcp:127.0.0.1:$(cat "$PR/port")
format = tspl
size = 58x40
CONF
make_db
start --labels-config "'$T/labels.conf'"
login operator 1111
key 1
wait_for "No box is open"
key n
wait_for "Label of 046004390000000013 printed: scan it to confirm"
head -c 20 "$PR/job.1" | grep -q "^SIZE 58 mm,40 mm" || fail "no TSPL label"
# a unit before the label: refused, held, not packed
scan "$(unit 1)"
wait_for "The label of 046004390000000013 must be scanned first"
scan "SKLAD:ACK"
wait_gone "must be scanned first"
admin_exec "where 046004390000000013" | grep -q '"children":0' ||
	fail "the unit went in before the label was confirmed"
scan "046004390000000013"
wait_for "Label of 046004390000000013 confirmed"
scan "$(unit 1)"
wait_for "OK: 1 in 046004390000000013"
