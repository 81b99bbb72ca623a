#!/bin/sh
# packaging/demo-scan.sh WORD...: "scan" demo codes into the console that
# `make run` opened, by writing them into its FIFO scanner, one per word:
#
#   unit N         unit N of our own stock (to pack into boxes)
#   delivered N    unit N of the demo delivery (1-4 in the box, 5-6 loose)
#   supplier-box   the SSCC of the supplier's box in the demo delivery
#   close | ack | cancel   the command barcodes SKLAD:CLOSE, ...
#   list           print the codes instead of scanning them
#   anything else  scanned as it is (an SSCC you read off the screen)
#
# Example: sh packaging/demo-scan.sh unit 1 unit 2 unit 3 close
#
# What it must not do: wait forever when no console reads the FIFO.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/demo-codes.sh"

[ $# -gt 0 ] || { sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 2; }
out=scan
[ "$1" = list ] && { out=print; shift; }
[ "$out" = print ] || [ -p "$DEMO_FIFO" ] ||
	{ echo "demo-scan: no demo console FIFO; run 'make run' first" >&2; exit 1; }

emit() {
	if [ "$out" = print ]; then
		printf '%s\n' "$1" | tr '\035' '~'
	else
		timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$1" "$DEMO_FIFO" ||
			{ echo "demo-scan: is the console running?" >&2; exit 1; }
	fi
}

while [ $# -gt 0 ]; do
	case $1 in
	unit) emit "$(demo_unit "$2")"; shift ;;
	delivered) emit "$(demo_delivered "$2")"; shift ;;
	supplier-box) emit "$DEMO_SUPPLIER_BOX" ;;
	close|ack|cancel) emit "SKLAD:$(echo "$1" | tr a-z A-Z)" ;;
	*) emit "$1" ;;
	esac
	shift
done
