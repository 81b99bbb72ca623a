#!/bin/sh
# run-vm.sh: boot Debian's kernel under qemu (TCG, no KVM needed) with a
# tiny initramfs, share this machine's root read-only over 9p, and run
# tests/vm/in-vm.sh inside with /dev/uinput; relay the serial console.
#
#   run-vm.sh test [NAME]   the scanner tests (make check-vm); with NAME
#                           only those whose name contains it, verbose
#   run-vm.sh bench [N]     the scanner bench (make bench-vm)
#
# Environment: SKLAD_BUILD (build folder with sklad and tests/vm/, default
# build), VM_TIMEOUT (seconds before the VM is killed, default 900).
# Fails loudly (exit 1) if the VM cannot boot, times out, or the run does
# not end with "N passed, 0 failed"; it never skips. Writes only under
# SKLAD_BUILD/vm.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
build=${SKLAD_BUILD:-$src/build}
mode=${1:-test}
count=${2:-}
[ "$mode" = bench ] && count=${count:-1000}
fail() { echo "check-vm: $*" >&2; exit 1; }

# The kernel of the installed linux-image-amd64, not the running one.
kver=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null |
	sed -n 's/.*linux-image-\([^ ,]*\).*/\1/p')
[ -n "$kver" ] || kver=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V |
	tail -1 | sed 's|/boot/vmlinuz-||')
kernel=/boot/vmlinuz-$kver
[ -n "$kver" ] && [ -r "$kernel" ] ||
	fail "no readable kernel image for '$kver' (install linux-image-amd64; /boot/vmlinuz-* must be readable)"
[ -d "/lib/modules/$kver" ] || fail "no /lib/modules/$kver"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing"
[ -x "$build/sklad" ] && [ -x "$build/tests/vm/vm_scanners" ] ||
	fail "build $build/sklad and $build/tests/vm/vm_scanners first"

mkdir -p "$build/vm"
initrd=$build/vm/initramfs-$kver.gz
if [ ! -s "$initrd" ] || [ "$here/init" -nt "$initrd" ] ||
   [ "$here/mkinitramfs.sh" -nt "$initrd" ]; then
	sh "$here/mkinitramfs.sh" "$initrd" "$kver" || fail "cannot build $initrd"
fi

log=$build/vm/$mode.log
echo "  VM     $kernel, $mode; console in $log"
timeout --kill-after=10 "${VM_TIMEOUT:-900}" qemu-system-x86_64 \
	-machine q35 -accel tcg,thread=multi -cpu max -smp 2 -m 1024 \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 quiet loglevel=3 panic=-1 sklad.test=$here/in-vm.sh sklad.args=$build,$mode,$count" \
	-virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
	</dev/null 2>&1 | tr -d '\r' | tee "$log" | grep -v '^VM-EXIT'
grep -q '^VM-EXIT ' "$log" ||
	fail "the VM did not finish: no boot, a crash or the ${VM_TIMEOUT:-900} s timeout (see $log)"
[ "$mode" = bench ] && exit 0
grep -q '^VM-EXIT 0$' "$log" || fail "tests failed in the VM (see $log)"
grep -Eq '^[0-9]+ passed, 0 failed$' "$log" ||
	fail "no closing 'N passed, 0 failed' line from the VM (see $log)"
