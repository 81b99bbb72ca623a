# tests/vm/: the scanner layer against real kernel input devices, under
# qemu (DESIGN.md, "How it is tested"). `make check` runs check-vm.
VM_CHECK := check-vm
VM_BINS := $(O)/tests/vm/vm_scanners $(O)/tests/vm/slow_fsync.so
VM_COUNT ?= 1000

# The preload shim that slows fsync (storage of a rugged terminal).
$(O)/tests/vm/slow_fsync.so: tests/vm/slow_fsync.c
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) -std=gnu11 $(WARNINGS) $(CFLAGS) -shared -fPIC -o $@ $< -ldl

.PHONY: check-vm bench-vm
check-vm: $(O)/sklad $(VM_BINS)
	$(Q)SKLAD_BUILD=$(abspath $(O)) sh tests/vm/run-vm.sh test

# Timings are figures, never pass/fail.
bench-vm: $(O)/sklad $(VM_BINS)
	$(Q)SKLAD_BUILD=$(abspath $(O)) VM_TIMEOUT=3600 \
		sh tests/vm/run-vm.sh bench $(VM_COUNT)
