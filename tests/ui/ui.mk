# tests/ui/: the console end to end, in private tmux servers (DESIGN.md,
# "How it is tested"). `make check` runs check-ui.
UI_CHECK := check-ui

.PHONY: check-ui
check-ui: $(O)/sklad locale
	$(Q)$(TEST_ENV) sh tests/ui/run.sh
