#!/bin/sh
# `make run`: show what sklad does on this build. The console (an ncurses
# screen on a demo database) takes this place once it exists; until then
# this shows the help and parses one marking code of each kind.
set -u
O=${1:-build}
export SKLAD_LOCALEDIR="$PWD/$O/locale"
bin="$O/sklad"
GS=$(printf '\035')

"$bin" --help
echo
echo "Example: sklad mark parse, one scan per line (GS is the byte 0x1D):"
printf '%s\n' \
	"]d20104600439931256215bCz6iW;XX9N3${GS}91EE06${GS}92Ut5XWNVZgr4oj7ajvGHT7rsF9Lv+fe2ssUlhbMMxdnA=" \
	"010460043993125621JgXJ5.T${GS}8005112000${GS}930001${GS}923zbrLA==${GS}24014276281" \
	"04606203084623+A13gPh-4Hi7uGl" \
	"00123456789012345675" \
	"0104600439931256215bCz6iW;XX9N391EE06" \
	"0104600439931256215bCзщ6iW" |
	"$bin" mark parse
exit 0
