#!/bin/sh
# `make run`: open the console on a demo database. On first use it
# creates the database in $SKLAD_DEMO_DIR (default
# ~/.local/share/sklad-demo): the site, users operator (PIN 1111) and
# supervisor (PIN 2222), and a demo delivery of six units (four in a
# supplier's box) imported as delivery 1. Scans come from a FIFO that
# packaging/demo-scan.sh writes, or from the keyboard (wedge: type or
# paste a code quickly and press Enter).
#
# What it must not do: touch an existing demo database, or anything
# outside the demo folder.
set -eu
O=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
. "$here/demo-codes.sh"
bin=$(cd "$O" && pwd)/sklad
export SKLAD_LOCALEDIR="${SKLAD_LOCALEDIR:-$(cd "$O" && pwd)/locale}"

DEMO_ADMIN_PIN=${DEMO_ADMIN_PIN:-9999}

setup() {
	mkdir -p "$DEMO_DIR"
	# The demo's admin PIN is no secret: this database is for trying out.
	SKLAD_PIN=$DEMO_ADMIN_PIN "$bin" init --db "$DEMO_DB" \
		--inn 7700000001 --gcp 4600439 --box-capacity 5 \
		--admin admin >/dev/null
	{
		echo "$DEMO_SUPPLIER_BOX"
		for i in 1 2 3 4; do printf '\t%s\n' "$(demo_delivered $i)"; done
		for i in 5 6; do printf '%s\n' "$(demo_delivered $i)"; done
		printf '# sender_inn: 7700000002\n# number: UPD-17\n'
		printf '# date: %s\n' "$(date -u +%Y-%m-%d)"
	} > "$DEMO_DIR/delivery.txt"
	printf '%s\n' "user add operator operator 1111" \
		"user add supervisor supervisor 2222" \
		"delivery import $DEMO_DIR/delivery.txt" |
		SKLAD_PIN=$DEMO_ADMIN_PIN "$bin" exec --db "$DEMO_DB" \
		--user admin >/dev/null
	echo "sklad demo: database created in $DEMO_DIR"
}

[ -f "$DEMO_DB" ] || setup
[ -p "$DEMO_FIFO" ] || mkfifo "$DEMO_FIFO"
cat <<MSG
sklad demo: log in as operator (PIN 1111), supervisor (PIN 2222) or
admin (PIN $DEMO_ADMIN_PIN).
Scan from another terminal:  sh packaging/demo-scan.sh unit 1 unit 2 close
Starting the console...
MSG
exec "$bin" --db "$DEMO_DB" --scanner "fifo:$DEMO_FIFO" --user operator
