#!/bin/sh
# Labels at a packing station: a box that closes gets its label printed on
# a (fake) 9100 printer, byte for byte what `sklad label print` draws; the
# operator scans it back to confirm; a wrong label is an error hold; with
# the printer away the job stays queued, the console keeps working, and
# the label prints once the printer is back.
# F11 on the lookup screen prints any pack's label again.
# Must not: sleep for a fixed time to wait for the screen, or leave the
# fake printer running (the trap kills it).
. "$(dirname "$0")/lib.sh"
PR="$T/printer"
mkdir -p "$PR"
printer_start() {
	rm -f "$PR/port"
	python3 "$SKLAD_SRC/tests/ui/fake_printer.py" "$PR" ${1:-} &
	PRINTER_PID=$!
	end=$(( $(date +%s) + WAIT_SECONDS ))
	until [ -s "$PR/port" ]; do
		[ "$(date +%s)" -ge "$end" ] && fail "the fake printer did not start"
		sleep 0.02
	done
	PORT=$(cat "$PR/port")
}
trap 'kill $PRINTER_PID 2>/dev/null; cleanup' EXIT INT TERM
wait_file() {
	end=$(( $(date +%s) + WAIT_SECONDS ))
	until [ -f "$1" ]; do
		[ "$(date +%s)" -ge "$end" ] && fail "no $1"
		sleep 0.02
	done
}
# The GS1-128 of a ZPL label drawn as a printer would, read by zxing-cpp.
printed_sscc() {
	/usr/bin/python3 "$SKLAD_SRC/tests/label_raster.py" "$1" "$T/printed.png" &&
		/usr/bin/python3 "$SKLAD_SRC/tests/zxing_read.py" "$T/printed.png" Code128
}
printer_start
cat > "$T/labels.conf" <<CONF
[labels]
printer = zebra
print_on = close
confirm = yes
station = pack-7
[printer zebra]
uri = tcp:127.0.0.1:$PORT
format = zpl
size = 58x40
dpi = 203
timeout_ms = 1000
CONF
make_db
start --labels-config "'$T/labels.conf'"
login operator 1111
key 1
wait_for "No box is open"
key n
wait_for "Box 046004390000000013"
scan "$(unit 1)"
scan "$(unit 2)"
scan "$(unit 3)"
wait_for "Box 046004390000000013 closed with 3"
wait_for "Label of 046004390000000013 printed: scan it to confirm"
# its DataMatrix in half blocks beside the box
screen | grep -q "▀\|▄" || fail "no preview of the DataMatrix"
wait_file "$PR/job.1"
# exactly what sklad label print draws for that box
"$SKLAD_BIN" label print --db "$DB" --config "$T/labels.conf" \
	--sscc 046004390000000013 --size 58x40 --operator operator \
	--out "$T/want.zpl" || fail "label print"
cmp -s "$T/want.zpl" "$PR/job.1" || fail "the printer got other bytes"
# and a printer would print what a scanner reads back as that SSCC
printed_sscc "$PR/job.1" | grep -qx "Code128 ]C1 00046004390000000013" ||
	fail "the printed bars are not the box's SSCC"
# a wrong label: error hold, the box is not labelled
scan "$(sscc 77)"
wait_for "Wrong label: this is 046100000000000779"
"$SKLAD_BIN" label list --db "$DB" --json | grep -q '"confirmed_at":""' ||
	fail "confirmed by a wrong label"
# acknowledged by a command barcode read with its AIM identifier (]d1:
# a plain DataMatrix, as sklad label sheet prints them)
scan "]d1SKLAD:ACK"
wait_gone "Wrong label"
# the right one, with the AIM identifier a GS1-128 reader sends
scan "]C100046004390000000013"
wait_for "Label of 046004390000000013 confirmed"
"$SKLAD_BIN" label list --db "$DB" --json | grep -q '"state":"printed".*"confirmed_at":"2' ||
	fail "the label is not confirmed in the database"
# the printer goes away: the next box's label waits in the queue
kill $PRINTER_PID
wait $PRINTER_PID 2>/dev/null
key n
wait_for "Box 046004390000000020"
scan "$(unit 4)"
scan "$(unit 5)"
scan "$(unit 6)"
wait_for "stays queued"
"$SKLAD_BIN" label list --db "$DB" --json | grep -q '"sscc":"046004390000000020","printer":"zebra","format":"zpl","reason":"close","state":"queued"' ||
	fail "the job is not queued"
scan "]C0SKLAD:ACK"
wait_gone "stays queued"
# the console goes on working meanwhile
key n
wait_for "Box 046004390000000037"
scan "$(unit 7)"
wait_for "OK: 1 in 046004390000000037"
# back on the same port: the queued label prints by itself
rm -f "$PR"/job.*
printer_start "$PORT"
WAIT_SECONDS=25 wait_file "$PR/job.1"
WAIT_SECONDS=5 wait_for "Label of 046004390000000020 printed"
"$SKLAD_BIN" label list --db "$DB" --json | grep -q '"sscc":"046004390000000020".*"state":"printed"' ||
	fail "the queued job did not print"
# any pack's label again from the lookup screen (F11): a unit's box
rm -f "$PR"/job.*
scan "]C100046004390000000020"
wait_for "Label of 046004390000000020 confirmed"
key Escape
wait_for "main menu\|Главное меню"
key 6
wait_for "Scan, or type a code"
scan "$(unit 2)"
wait_for "In 046004390000000013"
key F11
end=$(( $(date +%s) + WAIT_SECONDS ))
until ls "$PR"/job.* >/dev/null 2>&1; do
	[ "$(date +%s)" -ge "$end" ] && fail "F11 printed nothing"
	sleep 0.02
done
printed_sscc "$(ls "$PR"/job.* | head -1)" |
	grep -qx "Code128 ]C1 00046004390000000013" || fail "reprinted another label"
"$SKLAD_BIN" label list --db "$DB" --sscc 046004390000000013 --json |
	grep -q '"reason":"reprint","state":"printed"' || fail "no reprint job"
# the reprint is scanned back like any fresh label; then a lookup of the
# box shows its label symbol in half blocks
WAIT_SECONDS=10 wait_for "Label of 046004390000000013 printed"
scan "046004390000000013"
wait_for "Label of 046004390000000013 confirmed"
scan "046004390000000013"
wait_for "Kind: box"
screen | grep -q "▀\|▄" || fail "no label symbol on the lookup screen"
