# Detached seccomp filters: the bench.
#
#   make check         every kernel of KVERS (6.12, 7.2): build, host tests, one VM boot
#                      per kernel, per-kernel summaries and one total line
#   make check KVER=7.2  one kernel only (any target takes KVER; default 6.12;
#                      KSRC=tree also means one kernel)
#   make check DEBUG=1 same on the debug kernel (KASAN, lockdep, kmemleak, UBSAN)
#   make demo          a container manager's day with sfdctl, in the VM (mk/demo.mk)
#   make gates         checkpatch --strict, each patch builds, sparse/W=1 deltas
#   make bench         detached vs per-container filters, TCG and icount (docs/benchmarks.md)
#
# All output goes to $(BUILD); docs/bench.md describes the pieces.

SHELL := /bin/bash
BUILD ?= $(CURDIR)/build
override BUILD := $(abspath $(BUILD))
DEBUG ?= 0
JOBS ?= $(shell nproc)
REPO := $(CURDIR)

# The kernels. KVER picks one (Debian's linux-source-KVER + kernel-patches/KVER/,
# an empty or missing series dir = the base kernel); every single-kernel target
# defaults to 6.12. `make check` without KVER checks every kernel of KVERS.
# 6.12 keeps the unsuffixed paths (build/linux, build/kernel, build/headers,
# build/tests); any other version gets "-KVER" (build/linux-7.2, build/kernel-7.2,
# build/kernel-7.2-debug, build/headers-7.2, build/tests-7.2).
# (scripts/vm-run and scripts/kernel-tree derive the same names from KVER.)
KVERS := 6.12 7.2
ifeq ($(origin KVER)$(origin KSRC),undefinedundefined)
CHECK_ALL := 1
endif
KVER ?= 6.12
override KVER := $(strip $(KVER))
KSFX := $(if $(filter 6.12,$(KVER)),,-$(KVER))
SERIES := $(filter-out %/0000-cover-letter.patch,\
            $(wildcard $(REPO)/kernel-patches/$(KVER)/0[0-9][0-9][0-9]-*.patch))

# The kernel tree. Left at its default, the bench owns it (unpack + apply
# kernel-patches/KVER/); given on the command line, it is used as-is.
ifeq ($(origin KSRC),undefined)
KSRC := $(BUILD)/linux$(KSFX)
KSRC_MANAGED := 1
else
override KSRC := $(abspath $(KSRC))
KSRC_MANAGED := 0
endif
KSTAMP := $(BUILD)/series$(KSFX).stamp

ifeq ($(DEBUG),1)
KOUT := $(BUILD)/kernel$(KSFX)-debug
KFRAGS := $(REPO)/scripts/config/minimal.config $(wildcard $(REPO)/scripts/config/$(KVER).config) \
          $(REPO)/scripts/config/debug.config
VMFLAGS := --debug
KTAG := $(KVER)-debug
else
KOUT := $(BUILD)/kernel$(KSFX)
KFRAGS := $(REPO)/scripts/config/minimal.config $(wildcard $(REPO)/scripts/config/$(KVER).config)
VMFLAGS :=
KTAG := $(KVER)
endif
BZIMAGE := $(KOUT)/arch/x86/boot/bzImage
HDRS := $(BUILD)/headers$(KSFX)/include
TESTS := $(BUILD)/tests$(KSFX)
TESTBIN := $(TESTS)/bin
RESULTS := $(BUILD)/results
KRESULTS := $(RESULTS)/$(KTAG)
CHECK_TIMEOUT ?= 3000

# Reproducible, cacheable kernel builds: ccache with paths relative to the build
# root, fixed timestamp/user/host so a fresh clone on this machine hits the cache.
# Decided when a recipe runs, not when make starts: on a fresh machine ccache
# only exists once `make deps` has installed it, and the compiler command must
# be the same on the first run as on every later one, or kbuild rebuilds all.
KCC = $(if $(shell command -v ccache 2>/dev/null),ccache gcc,gcc)
export CCACHE_BASEDIR := $(BUILD)
export CCACHE_NOHASHDIR := 1
export CCACHE_SLOPPINESS := time_macros,include_file_mtime,include_file_ctime
export KBUILD_BUILD_TIMESTAMP := 2025-01-01
export KBUILD_BUILD_USER := bench
export KBUILD_BUILD_HOST := bench
export BUILD REPO
# Per-kernel settings go to the scripts explicitly, not through make's
# environment: `make check` runs a sub-make per kernel, which must not inherit
# the first kernel's tree as if KSRC had been given.
KENV = KVER=$(KVER) KSRC=$(KSRC) KSRC_MANAGED=$(KSRC_MANAGED) KSTAMP=$(KSTAMP)

KMAKE = $(MAKE) -C $(KSRC) O=$(KOUT) ARCH=x86_64 CC="$(KCC)" HOSTCC=gcc

TEST_CC ?= gcc
TEST_CFLAGS ?= -O2 -g -Wall -static -Wl,-no-as-needed
TEST_LIBS := -lseccomp -luring -ljson-c -lcap -lpthread

.PHONY: all deps kernel-source kernel-tree kernel-config kernel kernel-locked headers tests kselftests \
        selftests libsfd check check-all check-one check-kernel host-check \
        vm-check export-patches gates bench clean distclean help

all: kernel tests

help:
	@sed -n "3,12p" Makefile

# ---------------------------------------------------------------- dependencies
DEPS := linux-source-6.12 qemu-system-x86 busybox-static flex bison bc \
        libelf-dev libssl-dev cpio libseccomp-dev libcap-dev liburing-dev \
        libjson-c-dev sparse ccache dwarves rsync kmod pkg-config
deps:
	@DEPS="$(DEPS)" $(REPO)/scripts/deps

# ---------------------------------------------------------------- fragments
# Each mk/NAME.mk adds one part of the bench (its own targets, DEPS += the
# packages it needs). A fragment whose programs run in `make check` appends a
# target to TEST_TARGETS: `make tests` builds it, and it must leave the
# programs in $(TESTBIN) and their names, one a line, in $(TESTS)/NAME.list;
# vm-check runs every name of every $(TESTS)/*.list in the one VM boot. It
# also appends NAME to TEST_LISTS, so that the summary counts a program of
# the list that never ran as a failure.
TEST_TARGETS :=
TEST_LISTS :=
include $(sort $(wildcard $(REPO)/mk/*.mk))

# ---------------------------------------------------------------- kernel tree
# The source: /usr/src/linux-source-KVER.tar.xz from the system (6.12, make
# deps) or, for a version Debian 12 lacks (7.2), the package from Debian sid
# unpacked into $(BUILD)/src without installing anything (scripts/kernel-source).
kernel-source: deps
	@$(REPO)/scripts/kernel-source $(KVER)

kernel-tree: deps
	@$(KENV) $(REPO)/scripts/kernel-tree prepare

export-patches:
	@$(KENV) $(REPO)/scripts/kernel-tree export

# ---------------------------------------------------------------- kernel
# .config is regenerated whenever a fragment changes; kbuild only rebuilds
# what the changed options touch.
$(KOUT)/.config: $(KFRAGS) $(REPO)/scripts/kconfig-merge
	@KCC="$(KCC)" $(REPO)/scripts/kconfig-merge $(KSRC) $(KOUT) $(KFRAGS)

# Two bench runs on one output dir (two engineers, or make check beside make
# kernel) would corrupt it (a config step rebuilds scripts/basic/fixdep under a
# running build): configuring and building hold a lock on the output dir.
KLOCK = mkdir -p $(KOUT) && flock $(KOUT)/.bench.lock

kernel-config: kernel-tree
	@$(KLOCK) $(MAKE) --no-print-directory $(KOUT)/.config

kernel: kernel-tree
	@$(KLOCK) $(MAKE) --no-print-directory kernel-locked

kernel-locked:
	@$(MAKE) --no-print-directory $(KOUT)/.config
	@echo "  KERNEL  $(KSRC) -> $(KOUT) (make -j$(JOBS))"
	@$(KMAKE) -j$(JOBS) bzImage
	@echo "  KERNEL  $(BZIMAGE): $$(cat $(KOUT)/include/config/kernel.release)"

headers: kernel-tree
	@echo "  HEADERS $(HDRS)"
	@$(MAKE) -s -C $(KSRC) O=$(BUILD)/headers-build$(KSFX) ARCH=x86_64 HOSTCC=gcc \
		INSTALL_HDR_PATH=$(BUILD)/headers$(KSFX) headers_install

# ---------------------------------------------------------------- tests
# The kernel tree's seccomp selftests: TEST_GEN_PROGS of its Makefile, minus the
# benchmark, built static against the installed headers, with the harness's
# default time limit per test raised for TCG (scripts/kselftest-prelude.h).
KST_DIR = $(KSRC)/tools/testing/selftests/seccomp
KST_PRELUDE = $(REPO)/scripts/kselftest-prelude.h
kselftests: headers
	@mkdir -p $(TESTBIN); rm -f $(TESTBIN)/.list.new; touch $(TESTBIN)/.list.new
	@progs=$$($(REPO)/scripts/kselftest-progs $(KST_DIR)) || exit 1; \
	for p in $$progs; do \
	  [ "$$p" = seccomp_benchmark ] && continue; \
	  src=$(KST_DIR)/$$p.c; out=$(TESTBIN)/$$p; \
	  [ -f $$src ] || { echo "kselftests: $$src missing (listed in TEST_GEN_PROGS)" >&2; exit 1; }; \
	  if [ -z "$$(find $$out -newer $$src 2>/dev/null)" ] || \
	     [ -n "$$(find $(KST_DIR) $(REPO)/uapi $(HDRS)/linux/seccomp.h $(KST_PRELUDE) -name '*.h' -newer $$out 2>/dev/null)" ]; then \
	    echo "  CC      $$out"; \
	    $(TEST_CC) $(TEST_CFLAGS) -include $(KST_PRELUDE) -I$(HDRS) -I$(KSRC)/tools/testing/selftests -I$(REPO)/uapi \
	      -o $$out $$src $(TEST_LIBS) || exit 1; \
	  fi; \
	  echo $$p >> $(TESTBIN)/.list.new; \
	done; mv $(TESTBIN)/.list.new $(TESTS)/kselftests.list

libsfd:
	@if [ -f $(REPO)/libsfd/Makefile ]; then $(MAKE) --no-print-directory -C $(REPO)/libsfd; fi

# The project's detached-filter tests need the series. For a kernel whose series
# is empty (kernel-patches/KVER/ has no patch) and whose tree lacks the feature,
# they are not built, and only the tree's own seccomp selftests run.
BASE_ONLY_MSG := kernel-patches/$(KVER)/ is empty: base Linux $(KVER) without detached filters; \
	only the tree's own seccomp selftests run (not selftests/*.c)
base_only = [ -z "$(SERIES)" ] && ! grep -qs SECCOMP_FILTER_FLAG_DETACHED $(KSRC)/include/uapi/linux/seccomp.h

selftests: headers libsfd
	@mkdir -p $(TESTS)
	@if $(base_only); then \
	  echo "  SELFTEST $(BASE_ONLY_MSG)"; : > $(TESTS)/selftests.list; \
	else \
	  $(MAKE) --no-print-directory -C $(REPO)/selftests OUT=$(TESTBIN) HDRS=$(HDRS) KSRC=$(KSRC) \
		CC="$(TEST_CC)" LIST=$(TESTS)/selftests.list; \
	fi

tests: kselftests selftests $(TEST_TARGETS)

# ---------------------------------------------------------------- check
# Host tests first (libsfd's `check` target, if any, once), then ONE VM boot
# per kernel that runs every test binary of that kernel; scripts/tap-summary
# prints each kernel's results under its own heading and ends with the single
# line "N passed, N failed, N skipped" over everything.
# Results: $(RESULTS)/host.log, $(RESULTS)/KVER[-debug]/{vm.log,summary},
# and the last run's whole summary in $(RESULTS)/summary (.ci/run repeats it).
ifeq ($(CHECK_ALL),1)
check: check-all
else
check: check-one
endif

# the tap-summary arguments of one kernel's results
ksummary_args = --section "Linux $(1)$(if $(filter 1,$(DEBUG)), debug) ($(BUILD)/kernel$(if $(filter 6.12,$(1)),,-$(1))$(if $(filter 1,$(DEBUG)),-debug))" \
	--note-file $(RESULTS)/$(1)$(if $(filter 1,$(DEBUG)),-debug)/note \
	$(foreach l,kselftests selftests $(TEST_LISTS),--expect $(BUILD)/tests$(if $(filter 6.12,$(1)),,-$(1))/$(l).list) \
	$(RESULTS)/$(1)$(if $(filter 1,$(DEBUG)),-debug)/vm.log

check-one: kernel tests
	@mkdir -p $(RESULTS); rm -f $(RESULTS)/summary
	@$(MAKE) --no-print-directory host-check vm-check
	@$(REPO)/scripts/tap-summary --section "host tests" $(RESULTS)/host.log \
		$(call ksummary_args,$(KVER)) | tee $(RESULTS)/summary.tmp; rc=$${PIPESTATUS[0]}; \
	cp $(RESULTS)/summary.tmp $(KRESULTS)/summary; mv $(RESULTS)/summary.tmp $(RESULTS)/summary; exit $$rc

# Every kernel in turn, even when one of them fails to build (its missing VM
# log then counts as a failure in the summary).
check-all: deps
	@mkdir -p $(RESULTS); rm -f $(RESULTS)/summary
	@$(MAKE) --no-print-directory host-check
	@for v in $(KVERS); do \
	  echo "  ======  Linux $$v"; \
	  $(MAKE) --no-print-directory check-kernel KVER=$$v || \
	    echo "  ======  Linux $$v: build or VM run failed (counted in the summary)"; \
	done
	@$(REPO)/scripts/tap-summary --section "host tests" $(RESULTS)/host.log \
		$(foreach v,$(KVERS),$(call ksummary_args,$(v))) \
		| tee $(RESULTS)/summary.tmp; rc=$${PIPESTATUS[0]}; \
	mv $(RESULTS)/summary.tmp $(RESULTS)/summary; exit $$rc

# One kernel: build it and its tests, boot it once (no host tests, no summary).
check-kernel:
	@rm -rf $(KRESULTS); mkdir -p $(KRESULTS)
	@$(MAKE) --no-print-directory kernel tests
	@$(MAKE) --no-print-directory vm-check

host-check:
	@mkdir -p $(RESULTS); : > $(RESULTS)/host.log
	@if [ -f $(REPO)/libsfd/Makefile ] && grep -q '^check:' $(REPO)/libsfd/Makefile; then \
	  echo "  HOST    make -C libsfd check"; \
	  echo "@@TEST-BEGIN libsfd-host@@" >> $(RESULTS)/host.log; \
	  $(MAKE) --no-print-directory -C $(REPO)/libsfd check >> $(RESULTS)/host.log 2>&1; rc=$$?; \
	  echo "@@TEST-END libsfd-host $$rc@@" >> $(RESULTS)/host.log; \
	  sed '/^@@TEST-/d' $(RESULTS)/host.log; \
	else echo "  HOST    no libsfd check target: no host tests"; fi

vm-check:
	@mkdir -p $(KRESULTS); rm -f $(KRESULTS)/vm.log $(KRESULTS)/note
	@if $(base_only); then echo "  NOTE    $(BASE_ONLY_MSG)"; echo "$(BASE_ONLY_MSG)" > $(KRESULTS)/note; fi
	@echo "  VM      $(BZIMAGE): running $$(cat $(TESTS)/*.list | tr '\n' ' ')"
	@BZIMAGE=$(BZIMAGE) $(REPO)/scripts/vm-run $(VMFLAGS) --timeout $(CHECK_TIMEOUT) \
	  --tests $(TESTBIN) --log $(KRESULTS)/vm.log \
	  --file $(REPO)/scripts/guest-run-tests:/bin/run-tests \
	  -- run-tests $$(cat $(TESTS)/*.list) || true

# ---------------------------------------------------------------- gates
# The kernel series' quality gates, on kernel-patches/KVER/ in a worktree of
# the tree at 'base' (build/gates, build/gates-KVER); see scripts/gates.
gates: kernel-tree
	@$(KENV) KCC="$(KCC)" GATES=$(BUILD)/gates$(KSFX) $(REPO)/scripts/gates all

# ---------------------------------------------------------------- cleaning
clean:
	rm -rf $(BUILD)/tests $(BUILD)/tests-* $(BUILD)/results $(BUILD)/demo $(BUILD)/demo-*
	@if [ -f $(REPO)/libsfd/Makefile ]; then $(MAKE) -C $(REPO)/libsfd clean; fi

# Removes kernel builds too, but never a kernel tree (build/linux*: it may hold
# your commits), nor the downloaded source packages (build/src).
distclean: clean
	rm -rf $(BUILD)/kernel $(BUILD)/kernel-* $(BUILD)/headers $(BUILD)/headers-* \
		$(BUILD)/gates $(BUILD)/gates-*
