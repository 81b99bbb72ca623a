# scanners/: input devices, keystroke decoding, marking-code parsing.
# Lowest layer: libc (and libevdev in the device files) only.
scanners-y += scanners/err.o scanners/gs1.o scanners/mark.o scanners/mark_text.o
scanners-y += scanners/keymap.o
# Device files need libevdev; the fuzz rule compiles scanners-y without it,
# so they are listed apart and filtered out there.
scanners-dev-y += scanners/evdev.o scanners/evdev_sys.o
scanners-y += $(scanners-dev-y)
scanners-y += scanners/wedge.o
