#!/bin/sh
# mkinitramfs: build the tiny initramfs that boots the scanner test VM.
#
#   mkinitramfs.sh OUT.cpio.gz KVER
#
# Contents: busybox-static, the kernel modules the VM needs (overlay for
# make check-deb's throw-away root; copied from
# /lib/modules/KVER of the installed linux-image package) and tests/vm/init.
# It holds no test programs: those run from the host's root file system,
# shared read-only over 9p. Must not touch anything outside a temp folder
# and OUT.
set -eu
out=$1
kver=$2
here=$(cd "$(dirname "$0")" && pwd)
mods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev
virtio_pci 9pnet 9pnet_virtio netfs fscache 9p evdev uinput overlay"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/lib/modules" "$tmp/proc" "$tmp/sys" "$tmp/dev" \
	"$tmp/host"
bb=/bin/busybox
# a static binary has no program interpreter
[ -x "$bb" ] && ! readelf -l "$bb" 2>/dev/null | grep -q INTERP || {
	echo "mkinitramfs: $bb is not static; install busybox-static" >&2
	exit 1
}
cp "$bb" "$tmp/bin/busybox"
for m in $mods; do
	f=$(find "/lib/modules/$kver/kernel" -name "$m.ko" -o -name "$m.ko.xz" \
		-o -name "$m.ko.zst" | head -1)
	[ -n "$f" ] || { echo "mkinitramfs: module $m not found" >&2; exit 1; }
	case "$f" in
	*.xz) xz -dc "$f" >"$tmp/lib/modules/$m.ko" ;;
	*.zst) zstd -qdc "$f" >"$tmp/lib/modules/$m.ko" ;;
	*) cp "$f" "$tmp/lib/modules/$m.ko" ;;
	esac
done
echo "$mods" | tr '\n' ' ' >"$tmp/lib/modules/order"
cp "$here/init" "$tmp/init"
chmod 755 "$tmp/init" "$tmp/bin/busybox"
mkdir -p "$(dirname "$out")"
(cd "$tmp" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out.tmp"
mv "$out.tmp" "$out"
