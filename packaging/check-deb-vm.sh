#!/bin/sh
# check-deb-vm.sh: run packaging/check-deb.sh inside the scanner tests'
# qemu VM (tests/vm: Debian's kernel, this machine's root shared read-only
# over 9p, root inside), for build machines whose containers may not make
# mount namespaces or overlays (make check-deb falls back to it).
#
#   check-deb-vm.sh DEB
#
# Environment: SKLAD_BUILD (default build), VM_TIMEOUT (default 1800 s:
# dpkg under TCG over 9p took 10 min here).
# Writes only under SKLAD_BUILD/vm.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build=${SKLAD_BUILD:-$here/build}
fail() { echo "check-deb-vm: $*" >&2; exit 1; }
[ $# = 1 ] && [ -f "$1" ] || fail "usage: check-deb-vm.sh DEB"
deb=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")

kver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/.*linux-image-\([^ ,]*\).*/\1/p')
kernel=/boot/vmlinuz-$kver
[ -n "$kver" ] && [ -r "$kernel" ] || fail "no kernel image (linux-image-amd64)"
mkdir -p "$build/vm"
initrd=$build/vm/initramfs-$kver.gz
vm=$here/tests/vm
if [ ! -s "$initrd" ] || [ "$vm/init" -nt "$initrd" ] ||
   [ "$vm/mkinitramfs.sh" -nt "$initrd" ]; then
	sh "$vm/mkinitramfs.sh" "$initrd" "$kver" || fail "cannot build $initrd"
fi
log=$build/vm/check-deb.log
echo "  VM     check-deb in $kernel; console in $log"
timeout --kill-after=10 "${VM_TIMEOUT:-1800}" qemu-system-x86_64 \
	-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 1024 \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 sklad.test=$here/packaging/check-deb.sh sklad.args=$deb" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	</dev/null 2>&1 | tr -d '\r' | tee "$log" | grep -v '^VM-EXIT'
grep -q '^VM-EXIT ' "$log" || fail "the VM did not finish (see $log)"
grep -q '^VM-EXIT 0$' "$log" || fail "the install test failed in the VM (see $log)"
grep -q '^check-deb: all passed$' "$log" || fail "no 'all passed' (see $log)"
