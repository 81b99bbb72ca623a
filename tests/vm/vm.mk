# tests/vm/: the scanner layer against real kernel input devices, under
# qemu (DESIGN.md, "How it is tested"). `make check` runs check-vm.
VM_CHECK := check-vm
VM_BINS := $(O)/tests/vm/vm_scanners
VM_COUNT ?= 1000

.PHONY: check-vm bench-vm
check-vm: $(O)/sklad $(VM_BINS)
	$(Q)SKLAD_BUILD=$(abspath $(O)) sh tests/vm/run-vm.sh test

# Timings are figures, never pass/fail.
bench-vm: $(O)/sklad $(VM_BINS)
	$(Q)SKLAD_BUILD=$(abspath $(O)) VM_TIMEOUT=3600 \
		sh tests/vm/run-vm.sh bench $(VM_COUNT)
