# scanners/: input devices, keystroke decoding, marking-code parsing.
# Lowest layer: libc (and libevdev in the device files) only.
scanners-y += scanners/err.o scanners/gs1.o scanners/mark.o scanners/mark_text.o
scanners-y += scanners/keymap.o
