#!/bin/sh
# The Debian 12 packages sklad needs to build, test and run: one list,
# and two more that only the packaging targets need, so that make check
# does not pull them in.
#
#   deps.sh list [SET]      print the list
#   deps.sh missing [SET]   print what is not installed (exit 1 if any)
#   deps.sh install [SET]   apt-get install what is missing (as root), or
#                           print the exact command to run (exit 1)
#   deps.sh ensure [SET]    nothing if all is there, else as install
#
# SET: none for make check's list; "deb" adds what make deb and make
# check-deb need; "arm64" adds the cross toolchain, the arm64 -dev
# libraries (multiarch: dpkg --add-architecture arm64 first) and
# qemu-user for make deb-arm64.
set -u

PACKAGES="
make gcc pkg-config git
libncurses-dev libevdev-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev
libjansson-dev libdmtx-dev libcrypt-dev libssl-dev gettext
libcmocka-dev clang libclang-rt-14-dev tmux
qemu-system-x86 linux-image-amd64 busybox-static
python3 libengine-gost-openssl libinih-dev libxml2-dev
cpio curl
libzint-dev libpng-dev libfreetype-dev fonts-dejavu-core
python3-zxing-cpp python3-pil
"

# make deb, make check-deb: Debian's packaging tools and what the install
# test runs (systemd-analyze, udevadm, man, bash completion, unshare).
PACKAGES_DEB="
debhelper dpkg-dev fakeroot lintian file
systemd udev man-db bash-completion util-linux
"

# make deb-arm64: the same, cross-built for arm64 and run under qemu-user.
PACKAGES_ARM64="
crossbuild-essential-arm64 qemu-user-static
libncurses-dev:arm64 libevdev-dev:arm64 libsqlite3-dev:arm64
libcurl4-openssl-dev:arm64 libjansson-dev:arm64 libdmtx-dev:arm64
libcrypt-dev:arm64 libssl-dev:arm64 libinih-dev:arm64
libxml2-dev:arm64 libzint-dev:arm64 libpng-dev:arm64 libfreetype-dev:arm64
"

case "${2:-}" in
"") ;;
deb) PACKAGES="$PACKAGES $PACKAGES_DEB" ;;
arm64) PACKAGES="$PACKAGES $PACKAGES_DEB $PACKAGES_ARM64" ;;
*) echo "deps.sh: unknown set '$2' (deb, arm64)" >&2; exit 2 ;;
esac

# A package without ":ARCH" must be there for this machine's architecture
# (or "all"): an arm64 copy of a library that is not multi-arch, such as
# libzint-dev, replaces the native one.
missing() {
	native=$(dpkg --print-architecture)
	for p in $PACKAGES; do
		case "$p" in
		*:*) want=" ${p#*:}" ;;
		*) want=" $native| all" ;;
		esac
		dpkg-query -W -f='${Status} ${Architecture}\n' "${p%%:*}" \
			2>/dev/null | grep -qE "^install ok installed(${want})\$" ||
			echo "$p"
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
*) echo "usage: deps.sh list|missing|install|ensure [deb|arm64]" >&2
   exit 2 ;;
esac
