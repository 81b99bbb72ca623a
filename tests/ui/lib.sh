# tests/ui/lib.sh: helpers for the console's end-to-end tests.
#
# Each test runs the real build/sklad inside a private tmux server
# (tmux -L, no configuration, fixed 80x24), types with send-keys, scans by
# writing lines into a FIFO scanner, and waits by polling capture-pane
# until the expected text shows or a timeout passes; never a fixed sleep.
# The server and the temporary folder go away in a trap.
#
# What it must not do: touch anything outside its temporary folder, or
# leave a tmux server or a console behind.

set -u
SKLAD_SRC=${SKLAD_SRC:-$(cd "$(dirname "$0")/../.." && pwd)}
SKLAD_BIN=${SKLAD_BIN:-$SKLAD_SRC/build/sklad}
SKLAD_LOCALEDIR=${SKLAD_LOCALEDIR:-$SKLAD_SRC/build/locale}
export SKLAD_LOCALEDIR
WAIT_SECONDS=${WAIT_SECONDS:-10}
GS=$(printf '\035')
T=$(mktemp -d "${TMPDIR:-/tmp}/sklad-ui.XXXXXX")
SOCK="sklad-ui-$$"
DB="$T/sklad.db"
FIFO="$T/scan.fifo"
SOUNDS="$T/sounds"

tm() { tmux -L "$SOCK" "$@"; }

cleanup() {
	tm kill-server 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	echo "--- screen:" >&2
	tm capture-pane -p >&2 2>/dev/null
	exit 1
}

# A unit code of the demo product: GTIN 04600439931256, serial DEMO<n>,
# crypto key and tail after GS.
unit() {
	printf '010460043993125621DEMO%09d%s91EE06%s92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=' \
		"$1" "$GS" "$GS"
}
# Its identification code (what documents and lookups show).
# The header lines a plain delivery list must carry; $1 makes the number.
list_head() {
	printf '# sender_inn: 7700000002\n# number: IN-%s\n# date: %s\n' \
		"$1" "$(date -u +%Y-%m-%d)"
}
unit_ki() { printf '010460043993125621DEMO%09d' "$1"; }
# A valid SSCC under another company's prefix (a supplier's label).
sscc() { "$SKLAD_BIN" sscc make --gcp 4610000 "$1"; }

# A database with the site, its admin (PIN ADMIN_PIN), an operator (PIN
# 1111) and a supervisor (PIN 2222); boxes hold 3 units.
ADMIN_PIN=4321
make_db() {
	SKLAD_PIN=$ADMIN_PIN "$SKLAD_BIN" init --db "$DB" --inn 7700000001 \
		--gcp 4600439 --box-capacity 3 >/dev/null || fail "sklad init"
	admin_exec "user add operator operator 1111" \
		"user add supervisor supervisor 2222" >/dev/null
}

# Run workflow commands as admin; prints the JSON lines.
admin_exec() {
	for l in "$@"; do printf '%s\n' "$l"; done |
		SKLAD_PIN=$ADMIN_PIN "$SKLAD_BIN" exec --db "$DB" --user admin
}

# Start the console in the tmux server: extra arguments go to sklad.
# The shell around it reports how it ended, for the exit tests.
start() {
	rm -f "$SOUNDS"
	# A server just killed (t_restart) may still be going away: a client
	# that reaches it then gets "server exited unexpectedly"; try again.
	tries=0
	until tm new-session -d -x 80 -y 24 "$(env_prefix) '$SKLAD_BIN' \
--db '$DB' --scanner 'fifo:$FIFO' --sound-cmd 'echo >>$SOUNDS' $*; \
echo \"EXITED \$?\"; sleep 600"; do
		tries=$((tries + 1))
		[ "$tries" -ge 20 ] && fail "tmux new-session"
		sleep 0.1
	done
	tm set-option -g window-size manual >/dev/null
	wait_for "log in\|Вход"
}
env_prefix() { printf 'env %s' "${UI_ENV:-}"; }

screen() { tm capture-pane -p; }

# Wait until the screen shows text (a grep basic regex).
wait_for() {
	end=$(( $(date +%s) + WAIT_SECONDS ))
	while :; do
		if screen | grep -q -- "$1"; then
			return 0
		fi
		[ "$(date +%s)" -ge "$end" ] && fail "waited for '$1'"
		sleep 0.02
	done
}

# Wait until the screen no longer shows text.
wait_gone() {
	end=$(( $(date +%s) + WAIT_SECONDS ))
	while screen | grep -q -- "$1"; do
		[ "$(date +%s)" -ge "$end" ] && fail "'$1' did not go away"
		sleep 0.02
	done
}

# Scan: one line into the FIFO scanner (never blocks forever).
scan() {
	timeout 5 sh -c 'printf "%s\n" "$1" > "$2"' sh "$1" "$FIFO" ||
		fail "the console does not read its FIFO"
}

keys() { tm send-keys "$@"; }
# Type text as a person would: one key at a time, slower than a scanner.
type_slowly() {
	printf '%s\n' "$1" | fold -w1 | while IFS= read -r c; do
		tm send-keys -l "$c"
		sleep 0.08
	done
}

login() {
	wait_for "Name\|Имя"
	keys "$1" Enter
	keys "$2" Enter
	wait_for "main menu\|Главное меню"
}

# The number of sound events of a kind so far.
sounds() { grep -c "^$1\$" "$SOUNDS" 2>/dev/null || true; }

# Wait until the sound command has played kind at least n times.
wait_sound() {
	end=$(( $(date +%s) + WAIT_SECONDS ))
	while [ "$(sounds "$1")" -lt "$2" ]; do
		[ "$(date +%s)" -ge "$end" ] && fail "no '$1' sound ($2)"
		sleep 0.02
	done
}

# Send one piece of a wedge scan in a single tmux command (GS as the byte
# 0x1d), so its keys arrive together as a scanner's do; with a second
# argument "enter", Enter ends it in the same command.
send_piece() {
	piece=$1 end=${2:-}
	set --
	while [ -n "$piece" ]; do
		seg=${piece%%"$GS"*}
		[ $# -gt 0 ] && set -- "$@" \;
		if [ -n "$seg" ]; then
			set -- "$@" send-keys -l "$seg"
		fi
		[ "$seg" = "$piece" ] && break
		[ -n "$seg" ] && set -- "$@" \;
		set -- "$@" send-keys -H 1d
		piece=${piece#*"$GS"}
	done
	if [ -n "$end" ]; then
		[ $# -gt 0 ] && set -- "$@" \;
		set -- "$@" send-keys Enter
	fi
	[ $# -eq 0 ] || tm "$@"
}

# A keyboard-wedge scan that stalls: type CODE into the terminal as a
# scanner over a laggy SSH link does, pausing SECONDS after each
# character listed in CHARS, Enter at the end. The pauses are the input
# under test, not waits for the screen.
wedge_scan() {
	code=$1 stall=$2 chars=$3
	printf '%s\n' "$code" | awk -v set="$chars" '{
		p = ""
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1); p = p c
			if (index(set, c) > 0) { print p; p = "" }
		}
		print p }' > "$T/pieces"
	n=$(wc -l < "$T/pieces")
	i=0
	while IFS= read -r piece; do
		i=$((i + 1))
		if [ "$i" -eq "$n" ]; then
			send_piece "$piece" enter
		else
			send_piece "$piece"
			sleep "$stall"
		fi
	done < "$T/pieces"
}

# A unit whose serial holds the console's command keys: c n f p q b m : ?
# r j and the digits of n.
wunit() {
	printf '010460043993125621cnfpqbm:?rj%02d%s91EE06%s92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=' \
		"$1" "$GS" "$GS"
}
wunit_ki() { printf '010460043993125621cnfpqbm:?rj%02d' "$1"; }

# One key pressed on its own, as a person does: the console takes a key
# as a command only with no other key just before it. The pause keeps it
# apart from the key sent before it; it is input pacing, not a wait.
key() {
	sleep 0.15
	tm send-keys "$1"
}
