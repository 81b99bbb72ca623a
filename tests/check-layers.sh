#!/bin/sh
# Each third-party header has one home, and dependencies point one way:
# console -> sync -> store -> scanners, console -> labels -> scanners
# (DESIGN.md, Layout).
# Prints every violation and exits 1 if there is any.
set -u
bad=0
# $1: header regex, $2: folders allowed to include it
only_in() {
	hits=$(grep -rnE "^#[[:space:]]*include[[:space:]]*<($1)" \
		console labels scanners store sync --include='*.c' --include='*.h' |
		grep -vE "^($2)/" || true)
	if [ -n "$hits" ]; then
		echo "check-layers: <$1...> belongs in $2 only:"
		echo "$hits" | sed 's/^/  /'
		bad=1
	fi
}
only_in 'n?curses(w)?\.h|ncursesw/' 'console'
only_in 'dmtx\.h|zint\.h|png\.h|ft2build\.h|freetype/' 'labels'
only_in 'libevdev' 'scanners'
only_in 'sqlite3\.h' 'store'
only_in 'curl/|openssl/' 'sync'
only_in 'jansson\.h' 'console|store|sync'
only_in 'libxml/' 'store'
only_in 'ini\.h' 'sync|labels'

# $1: folder, $2: folders it must not include from
no_upward() {
	hits=$(grep -rnE "^#[[:space:]]*include[[:space:]]*\"($2)/" "$1" \
		--include='*.c' --include='*.h' || true)
	if [ -n "$hits" ]; then
		echo "check-layers: $1/ must not depend on $2:"
		echo "$hits" | sed 's/^/  /'
		bad=1
	fi
}
no_upward scanners 'console|sync|store'
no_upward store 'console|sync|labels'
no_upward labels 'console|sync|store'
no_upward sync 'console|labels'
[ "$bad" = 0 ] && echo "check-layers: ok"
exit "$bad"
