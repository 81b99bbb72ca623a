# sklad: one GNU Makefile for the program, its tests, fuzzers and benchmarks.
#
#   make            build build/sklad
#   make run        install missing packages, build, start sklad
#   make check      install missing packages, build, run every test
#   make asan       every test under AddressSanitizer + UBSan (build/asan/),
#                   then each fuzz target over its committed corpus
#   make fuzz       each libFuzzer target for FUZZ_SECONDS (clang)
#   make bench      figures beside their baselines
#   make soak       long runs: many stations on one store, power loss
#   make check-layers   each third-party header only in its module
#   make install / uninstall   honour PREFIX and DESTDIR
#   make deb / deb-arm64   the Debian packages (packaging/deb.mk)
#   make check-deb      install the amd64 package into a throw-away root
#
# Each folder lists its objects in its own module.mk (Kbuild style); this
# file holds only the rules. V=1 shows the commands.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
LOCALEDIR ?= $(PREFIX)/share/locale
# Where systemd and udev look for units and rules shipped by packages
# (Debian 12 keeps them in /lib: debian/rules says so).
SYSTEMDDIR ?= $(PREFIX)/lib/systemd/system
UDEVDIR ?= $(PREFIX)/lib/udev/rules.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
# The units and the config name these paths; they are not under PREFIX.
SYSCONFDIR ?= /etc
DESTDIR ?=
PKG_CONFIG ?= pkg-config
CFLAGS ?= -O2 -g
CLANG ?= clang
FUZZ_SECONDS ?= 30

# O is the build folder; SAN=1 builds with ASan + UBSan.
O ?= build
SAN ?=

# The release number lives in VERSION; the commit is added when built from
# git, so a binary names both ("sklad 0.9.0 (commit 174d0f3)").
# A build outside git (the Debian package's) is given COMMIT.
VERSION := $(shell cat VERSION 2>/dev/null || echo 0)
ifeq ($(origin COMMIT),undefined)
COMMIT := $(shell git describe --always --dirty 2>/dev/null)
endif

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wundef -Wformat=2
PKGS := ncursesw libevdev sqlite3 libcurl jansson libdmtx openssl inih \
	libpng freetype2 libxml-2.0
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libzint (Debian 2.11) ships no pkg-config file.
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null) -lzint
TEST_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
ifeq ($(SAN),1)
CFLAGS += $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)
endif

ALL_CFLAGS := -std=gnu11 $(WARNINGS) $(CFLAGS) -I. $(PKG_CFLAGS) \
	-DSKLAD_LOCALEDIR='"$(LOCALEDIR)"' \
	-MMD -MP

ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-6s %s\n'
endif

# Module object lists (scanners-y, labels-y, store-y, sync-y, console-y), tests,
# fuzz targets and benchmarks come from the folders themselves.
scanners-y :=
labels-y :=
store-y :=
sync-y :=
console-y :=
unit-tests :=
fuzz-targets :=
benches :=
soaks :=
include scanners/module.mk labels/module.mk store/module.mk sync/module.mk console/module.mk
include tests/module.mk
# Optional parts add themselves: tests/vm/vm.mk sets VM_CHECK := check-vm.
VM_CHECK :=
-include tests/vm/vm.mk
UI_CHECK :=
-include tests/ui/ui.mk

# Archives in dependency order: what links later is used by what came before.
MODULES := console sync store labels scanners
archive = $(O)/lib$(1).a
ARCHIVES := $(foreach m,$(MODULES),$(if $($(m)-y),$(call archive,$(m))))

.PHONY: all run check check-unit asan fuzz fuzz-replay bench soak check-layers deps \
	install uninstall clean locale pot
.DEFAULT_GOAL := all
# Keep objects of tests and tools between runs.
.SECONDARY:

all: $(O)/sklad locale

$(O)/%.o: %.c
	$(quiet) CC $@
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

define module_rule
$(call archive,$(1)): $(addprefix $(O)/,$($(1)-y))
	$$(quiet) AR $$@
	$$(Q)rm -f $$@ && $$(AR) rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(if $($(m)-y),$(eval $(call module_rule,$(m)))))

# version.h is rewritten only when the version or commit changed, so a new
# commit rebuilds main.o and nothing else.
$(O)/version.h: FORCE
	@mkdir -p $(@D)
	@printf '#define SKLAD_VERSION "%s"\n#define SKLAD_COMMIT "%s"\n' \
		'$(VERSION)' '$(COMMIT)' > $@.tmp
	@cmp -s $@.tmp $@ 2>/dev/null && rm -f $@.tmp || mv $@.tmp $@
.PHONY: FORCE
FORCE:
$(O)/console/main.o: $(O)/version.h
$(O)/console/main.o: ALL_CFLAGS += -I$(O)

$(O)/sklad: $(O)/console/main.o $(ARCHIVES)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) -lcrypt

# Translations: po/LANG.po -> $(O)/locale/LANG/LC_MESSAGES/sklad.mo
LANGS := $(basename $(notdir $(wildcard po/*.po)))
MO_FILES := $(foreach l,$(LANGS),$(O)/locale/$(l)/LC_MESSAGES/sklad.mo)
locale: $(MO_FILES)
# `make pot` refreshes the template and merges it into every translation.
pot:
	xgettext --keyword=_ --keyword=N_ --keyword=dgettext:2 \
		--from-code=UTF-8 --package-name=sklad -o po/sklad.pot \
		$$(git ls-files '*.c')
	for l in $(LANGS); do msgmerge -q -U --backup=none po/$$l.po po/sklad.pot; done
$(O)/locale/%/LC_MESSAGES/sklad.mo: po/%.po
	$(quiet) MSGFMT $@
	@mkdir -p $(@D)
	$(Q)msgfmt --check -o $@ $<

# Tests: one cmocka program per module, linked against the same archives.
$(O)/tests/%: $(O)/tests/%.o $(ARCHIVES)
	$(quiet) LINK $@
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(TEST_LIBS) -lcrypt

UNIT_BINS := $(addprefix $(O)/tests/unit/,$(unit-tests))

# The tests find the binary and the translations through the environment.
TEST_ENV := SKLAD_BIN=$(abspath $(O)/sklad) \
	SKLAD_LOCALEDIR=$(abspath $(O)/locale) SKLAD_SRC=$(CURDIR)

check-unit: $(O)/sklad locale $(UNIT_BINS)
	$(Q)$(TEST_ENV) sh tests/run-tests.sh $(UNIT_BINS)

# check and run first make sure the Debian packages are there, then build
# in a fresh make so that pkg-config sees what was just installed.
check:
	$(Q)sh packaging/deps.sh ensure
	$(Q)$(MAKE) --no-print-directory check-layers
	$(Q)$(MAKE) --no-print-directory check-unit
	$(Q)$(if $(VM_CHECK),$(MAKE) --no-print-directory $(VM_CHECK))
	$(Q)$(if $(UI_CHECK),$(MAKE) --no-print-directory $(UI_CHECK))

asan:
	$(Q)sh packaging/deps.sh ensure
	$(Q)$(MAKE) --no-print-directory O=$(O)/asan SAN=1 check-unit
	$(Q)$(MAKE) --no-print-directory fuzz-replay

run:
	$(Q)sh packaging/deps.sh ensure
	$(Q)$(MAKE) --no-print-directory all
	$(Q)sh packaging/run-demo.sh $(O)

deps:
	$(Q)sh packaging/deps.sh install

# Fuzzing: clang's libFuzzer, with ASan and UBSan, straight from sources.
FUZZ_FLAGS := -std=gnu11 -g -O1 -I. -fsanitize=fuzzer,address,undefined \
	-DSKLAD_LOCALEDIR='"/nonexistent"'
$(O)/fuzz/%: tests/fuzz/%.c $(filter-out $(scanners-dev-y:.o=.c),$(scanners-y:.o=.c)) $(fuzz-extra-src)
	$(quiet) FUZZ $@
	@mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_FLAGS) -o $@ $^ $(fuzz-extra-libs)

fuzz: $(addprefix $(O)/fuzz/,$(fuzz-targets))
	$(Q)for t in $(fuzz-targets); do \
		mkdir -p $(O)/fuzz/corpus-$$t; \
		echo "  FUZZ   $$t for $(FUZZ_SECONDS)s"; \
		$(O)/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
			$(O)/fuzz/corpus-$$t tests/fuzz/corpus/$$t 2>$(O)/fuzz/$$t.log \
			|| { tail -40 $(O)/fuzz/$$t.log; exit 1; }; \
		grep -E '^stat::(number_of_executed_units|peak_rss_mb)' \
			$(O)/fuzz/$$t.log; \
	done

# Every fuzz target builds and runs its committed corpus once (ASan and
# UBSan): a target that no longer links, or an input that crashes again,
# fails CI instead of waiting for the next long fuzzing run.
fuzz-replay: $(addprefix $(O)/fuzz/,$(fuzz-targets))
	$(Q)for t in $(fuzz-targets); do \
		$(O)/fuzz/$$t -runs=0 tests/fuzz/corpus/$$t \
			2>$(O)/fuzz/$$t.replay.log \
			|| { tail -40 $(O)/fuzz/$$t.replay.log; exit 1; }; \
		echo "  REPLAY $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs"; \
	done

# Benchmarks run from the default optimised build (never under SAN=1).
BENCH_BINS := $(addprefix $(O)/tests/bench/,$(benches))
bench: $(O)/sklad $(BENCH_BINS)
	$(Q)for b in $(BENCH_BINS); do $(TEST_ENV) $$b || exit 1; done

# Soaks: minutes of load and faults, figures beside baselines; they fail
# only on a broken promise (an acknowledged scan lost), never on time.
SOAK_BINS := $(addprefix $(O)/tests/bench/,$(soaks))
soak: $(O)/sklad locale $(SOAK_BINS)
	$(Q)for b in $(SOAK_BINS); do $(TEST_ENV) $$b || exit 1; done
	$(Q)$(TEST_ENV) python3 tests/bench/soak_consoles.py

# Each third-party header has one home (DESIGN.md, Layout).
check-layers:
	$(Q)sh tests/check-layers.sh

# The units name /usr/bin/sklad (the package's path): installed
# elsewhere, they are rewritten to name $(BINDIR)/sklad.
UNITS := sklad-sync.service sklad-sync.timer sklad-backup.service \
	sklad-backup.timer
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5
	install -m 755 $(O)/sklad $(DESTDIR)$(BINDIR)/sklad
	install -m 644 packaging/man/sklad.1 $(DESTDIR)$(MANDIR)/man1/sklad.1
	install -m 644 packaging/man/sklad.conf.5 \
		$(DESTDIR)$(MANDIR)/man5/sklad.conf.5
	install -d $(DESTDIR)$(SYSTEMDDIR) $(DESTDIR)$(UDEVDIR)
	for u in $(UNITS); do \
		sed 's|/usr/bin/sklad|$(BINDIR)/sklad|g' packaging/systemd/$$u \
			> $(DESTDIR)$(SYSTEMDDIR)/$$u && \
		chmod 644 $(DESTDIR)$(SYSTEMDDIR)/$$u || exit 1; \
	done
	install -m 644 packaging/udev/70-sklad-scanners.rules $(DESTDIR)$(UDEVDIR)/
	install -d $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) \
		$(DESTDIR)$(COMPLETIONDIR)
	install -m 644 packaging/sysusers/sklad.conf $(DESTDIR)$(SYSUSERSDIR)/sklad.conf
	install -m 644 packaging/tmpfiles/sklad.conf $(DESTDIR)$(TMPFILESDIR)/sklad.conf
	install -m 644 packaging/bash-completion/sklad $(DESTDIR)$(COMPLETIONDIR)/sklad
	# the config: never over one that is there (the package's is a
	# conffile, which dpkg looks after)
	install -d $(DESTDIR)$(SYSCONFDIR)/sklad
	test -e $(DESTDIR)$(SYSCONFDIR)/sklad/sync.conf || \
		install -m 640 packaging/sync.conf $(DESTDIR)$(SYSCONFDIR)/sklad/sync.conf
	for l in $(LANGS); do \
		install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES; \
		install -m 644 $(O)/locale/$$l/LC_MESSAGES/sklad.mo \
			$(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/sklad.mo; \
	done

# Leaves the config and the databases: they are the site's, not ours.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/sklad $(DESTDIR)$(MANDIR)/man1/sklad.1 \
		$(DESTDIR)$(MANDIR)/man5/sklad.conf.5
	for u in $(UNITS); do rm -f $(DESTDIR)$(SYSTEMDDIR)/$$u; done
	rm -f $(DESTDIR)$(UDEVDIR)/70-sklad-scanners.rules \
		$(DESTDIR)$(SYSUSERSDIR)/sklad.conf \
		$(DESTDIR)$(TMPFILESDIR)/sklad.conf \
		$(DESTDIR)$(COMPLETIONDIR)/sklad
	for l in $(LANGS); do \
		rm -f $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/sklad.mo; \
	done

# Debian packages and their install test.
-include packaging/deb.mk

clean:
	rm -rf $(O)

-include $(shell find $(O) -path '$(O)/deb' -prune -o -name '*.d' -type f -print 2>/dev/null)
