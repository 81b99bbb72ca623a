# Debian packages of sklad (included by the Makefile).
#
#   make deb         build/deb/sklad_VERSION_amd64.deb (the build machine's
#                    architecture), lintian-checked
#   make deb-arm64   build/deb/sklad_VERSION_arm64.deb, cross-built with
#                    Debian's multiarch toolchain, then smoke-tested under
#                    qemu-user (packaging/smoke.sh)
#   make check-deb   install the package into a throw-away copy of this
#                    system and check it (packaging/check-deb.sh), in the
#                    qemu VM of tests/vm where no mount namespace may be
#                    made (packaging/check-deb-vm.sh)
#
# The packages need more Debian packages than make check does: they are
# listed in packaging/deps.sh (deb, arm64) and installed by these targets.
# The source is the worktree's files that git tracks or would track (so
# uncommitted edits are in, build output is not), with debian/ from
# packaging/debian and the changelog made from VERSION and the commit.

DEB_DIR := $(O)/deb
DEB_SRC := $(DEB_DIR)/sklad-$(VERSION)
DEB_HOST := $(shell dpkg --print-architecture 2>/dev/null)
DEB_JOBS ?= 2
LINTIAN ?= lintian --fail-on error,warning

.PHONY: deb deb-arm64 check-deb deb-stage

deb-stage:
	$(Q)rm -rf $(DEB_SRC) && mkdir -p $(DEB_SRC)
	$(Q)git ls-files -z --cached --others --exclude-standard | \
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null | \
		tar -xf - -C $(DEB_SRC)
	$(Q)rm -rf $(DEB_SRC)/build $(DEB_SRC)/debian
	$(Q)cp -r packaging/debian $(DEB_SRC)/debian
	$(Q)cp packaging/sysusers/sklad.conf $(DEB_SRC)/debian/sklad.sysusers
	$(Q){ echo "sklad ($(VERSION)) unstable; urgency=medium"; echo; \
	  echo "  * Release $(VERSION), built from commit $(COMMIT)."; echo; \
	  echo " -- $$(sed -n 's/^Maintainer: //p' packaging/debian/control)  $$(git log -1 --format=%cD 2>/dev/null || date -R)"; \
	} > $(DEB_SRC)/debian/changelog

# $(1): architecture, $(2): dpkg-buildpackage's extra options
define deb_build
	$(Q)sh packaging/deps.sh ensure $(3)
	$(Q)$(MAKE) --no-print-directory deb-stage
	$(quiet) DEB $(DEB_DIR)/sklad_$(VERSION)_$(1).deb
	$(Q)cd $(DEB_SRC) && SKLAD_COMMIT=$(COMMIT) \
		DEB_BUILD_OPTIONS="parallel=$(DEB_JOBS) $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -b -us -uc $(2) > ../build-$(1).log 2>&1 || \
		{ tail -40 ../build-$(1).log; exit 1; }
	$(quiet) LINTIAN $(DEB_DIR)/sklad_$(VERSION)_$(1).changes
	$(Q)$(LINTIAN) $(DEB_DIR)/sklad_$(VERSION)_$(1).changes
endef

deb:
	$(call deb_build,$(DEB_HOST),,deb)

deb-arm64:
	$(Q)dpkg --print-foreign-architectures | grep -qx arm64 || \
		if [ "$$(id -u)" = 0 ]; then \
			dpkg --add-architecture arm64 && apt-get update -qq; \
		else \
			echo "make deb-arm64 needs, as root: dpkg --add-architecture arm64 && apt-get update"; \
			exit 1; \
		fi
	$(call deb_build,arm64,-aarm64,arm64)
	$(Q)rm -rf $(DEB_DIR)/root-arm64 && \
		dpkg-deb -x $(DEB_DIR)/sklad_$(VERSION)_arm64.deb $(DEB_DIR)/root-arm64
	$(Q)file -b $(DEB_DIR)/root-arm64/usr/bin/sklad | grep -q 'ARM aarch64' || \
		{ echo "deb-arm64: usr/bin/sklad is not an arm64 program"; exit 1; }
	$(quiet) SMOKE "$(DEB_DIR)/root-arm64/usr/bin/sklad under qemu-aarch64"
# then put back this machine's packages: libzint-dev is not multi-arch, its
# arm64 copy replaced the native one and a plain make would no longer link
	$(Q)SKLAD_LOCALEDIR=$(abspath $(DEB_DIR))/root-arm64/usr/share/locale \
		sh packaging/smoke.sh $(DEB_DIR)/root-arm64/usr/bin/sklad \
		qemu-aarch64-static; rc=$$?; \
		sh packaging/deps.sh ensure && exit $$rc

# Where this machine may make a mount namespace with an overlay, right
# here (seconds); else inside the scanner tests' qemu VM (about a minute
# more under TCG). CHECK_DEB_VM=1 asks for the VM.
check-deb: deb
	$(Q)if [ -z "$(CHECK_DEB_VM)" ] && unshare --mount sh -c \
	    'd=$$(mktemp -d) && mount -t tmpfs t "$$d" && mkdir "$$d/u" "$$d/w" "$$d/m" && mount -t overlay o -o "lowerdir=/,upperdir=$$d/u,workdir=$$d/w" "$$d/m"; rc=$$?; umount -R "$$d" 2>/dev/null; rmdir "$$d"; exit $$rc' \
	    2>/dev/null; then \
		sh packaging/check-deb.sh $(DEB_DIR)/sklad_$(VERSION)_$(DEB_HOST).deb; \
	else \
		SKLAD_BUILD=$(abspath $(O)) sh packaging/check-deb-vm.sh \
			$(DEB_DIR)/sklad_$(VERSION)_$(DEB_HOST).deb; \
	fi
