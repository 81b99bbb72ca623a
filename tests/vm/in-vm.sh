#!/bin/sh
# in-vm.sh: what the test VM runs once it has chrooted into the host's
# root (see tests/vm/init). Arguments: BUILD_DIR MODE [N]
#   MODE test    the scanner tests (vm_scanners); N: only the tests whose
#                name contains N, with sklad's output shown
#   MODE bench   the scanner bench with N codes (vm_scanners bench N)
# Must not write anywhere but /tmp and /dev (the root is read-only).
set -u
build=$1
mode=${2:-test}
export SKLAD_BIN="$build/sklad" SKLAD_BUILD="$build"
if [ ! -c /dev/uinput ]; then
	echo "in-vm: /dev/uinput is missing (uinput module not loaded?)"
	echo "0 passed, 1 failed"
	exit 1
fi
mkdir -p /dev/input/by-id
case "$mode" in
test) [ -n "${3:-}" ] && export VM_VERBOSE=1
	exec "$build/tests/vm/vm_scanners" ${3:-} ;;
bench) exec "$build/tests/vm/vm_scanners" bench "${3:-1000}" ;;
*) echo "in-vm: unknown mode $mode"; exit 2 ;;
esac
