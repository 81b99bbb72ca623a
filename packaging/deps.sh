#!/bin/sh
# The Debian 12 packages sklad needs to build, test and run: one list.
#
#   deps.sh list      print the list
#   deps.sh missing   print what is not installed (exit 1 if anything is)
#   deps.sh install   apt-get install what is missing (as root), or print
#                     the exact command to run (exit 1)
#   deps.sh ensure    nothing if all is there, else the same as install
set -u

PACKAGES="
make gcc pkg-config git
libncurses-dev libevdev-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev
libjansson-dev libdmtx-dev libcrypt-dev libssl-dev gettext
libcmocka-dev clang libclang-rt-14-dev tmux
qemu-system-x86 linux-image-amd64 busybox-static
python3 libengine-gost-openssl libinih-dev
cpio curl
libzint-dev libpng-dev libfreetype-dev fonts-dejavu-core
python3-zxing-cpp python3-pil
"

missing() {
	for p in $PACKAGES; do
		s=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
		case "$s" in *" installed") ;; *) echo "$p" ;; esac
	done
}

install() {
	m=$(missing | tr '\n' ' ')
	[ -z "$m" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "sklad needs these Debian packages: $m" >&2
		echo "Run as root:  apt-get update && apt-get install -y $m" >&2
		return 1
	fi
	echo "Installing: $m"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq || return 1
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $m >/dev/null || return 1
}

case "${1:-}" in
list) echo $PACKAGES | tr ' ' '\n' ;;
missing) m=$(missing); [ -z "$m" ] || { echo "$m"; exit 1; } ;;
install|ensure) install ;;
*) echo "usage: deps.sh list|missing|install|ensure" >&2; exit 2 ;;
esac
