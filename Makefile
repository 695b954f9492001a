# Detached seccomp filters: the bench.
#
#   make check         build everything, run host tests + every VM test, print a summary
#   make check DEBUG=1 same on the debug kernel (KASAN, lockdep, kmemleak, UBSAN)
#   make demo          boot the patched kernel and run scripts/demo/smoke.c
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

# The kernel tree. Left at its default, the bench owns it (unpack + apply
# kernel-patches/); given on the command line, it is used as-is.
ifeq ($(origin KSRC),undefined)
KSRC := $(BUILD)/linux
KSRC_MANAGED := 1
else
override KSRC := $(abspath $(KSRC))
KSRC_MANAGED := 0
endif

ifeq ($(DEBUG),1)
KOUT := $(BUILD)/kernel-debug
KFRAGS := $(REPO)/scripts/config/minimal.config $(REPO)/scripts/config/debug.config
VMFLAGS := --debug
else
KOUT := $(BUILD)/kernel
KFRAGS := $(REPO)/scripts/config/minimal.config
VMFLAGS :=
endif
BZIMAGE := $(KOUT)/arch/x86/boot/bzImage
HDRS := $(BUILD)/headers/include
TESTBIN := $(BUILD)/tests/bin
RESULTS := $(BUILD)/results
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
export BUILD KSRC KSRC_MANAGED REPO

KMAKE = $(MAKE) -C $(KSRC) O=$(KOUT) ARCH=x86_64 CC="$(KCC)" HOSTCC=gcc

TEST_CC ?= gcc
TEST_CFLAGS ?= -O2 -g -Wall -static -Wl,-no-as-needed
TEST_LIBS := -lseccomp -luring -ljson-c -lcap -lpthread

.PHONY: all deps kernel-tree kernel-config kernel headers tests kselftests \
        selftests libsfd demo-bin check host-check vm-check demo export-patches \
        gates bench clean distclean help

all: kernel tests

help:
	@sed -n "3,10p" Makefile

# ---------------------------------------------------------------- dependencies
DEPS := linux-source-6.12 qemu-system-x86 busybox-static flex bison bc \
        libelf-dev libssl-dev cpio libseccomp-dev libcap-dev liburing-dev \
        libjson-c-dev sparse ccache dwarves rsync kmod pkg-config
deps:
	@DEPS="$(DEPS)" $(REPO)/scripts/deps

# ---------------------------------------------------------------- kernel tree
kernel-tree: deps
	@$(REPO)/scripts/kernel-tree prepare

export-patches:
	@$(REPO)/scripts/kernel-tree export

# ---------------------------------------------------------------- kernel
# .config is regenerated whenever a fragment changes; kbuild only rebuilds
# what the changed options touch.
$(KOUT)/.config: $(KFRAGS) $(REPO)/scripts/kconfig-merge
	@KCC="$(KCC)" $(REPO)/scripts/kconfig-merge $(KSRC) $(KOUT) $(KFRAGS)

kernel-config: kernel-tree
	@$(MAKE) --no-print-directory $(KOUT)/.config

kernel: kernel-config
	@echo "  KERNEL  $(KSRC) -> $(KOUT) (make -j$(JOBS))"
	@$(KMAKE) -j$(JOBS) bzImage
	@echo "  KERNEL  $(BZIMAGE): $$(cat $(KOUT)/include/config/kernel.release)"

headers: kernel-tree
	@echo "  HEADERS $(HDRS)"
	@$(MAKE) -s -C $(KSRC) O=$(BUILD)/headers-build ARCH=x86_64 HOSTCC=gcc \
		INSTALL_HDR_PATH=$(BUILD)/headers headers_install

# ---------------------------------------------------------------- tests
# The kernel tree's seccomp selftests: TEST_GEN_PROGS of its Makefile, minus the
# benchmark, built static against the installed headers.
KST_DIR = $(KSRC)/tools/testing/selftests/seccomp
kselftests: headers
	@mkdir -p $(TESTBIN); rm -f $(TESTBIN)/.list.new; touch $(TESTBIN)/.list.new
	@progs=$$($(REPO)/scripts/kselftest-progs $(KST_DIR)) || exit 1; \
	for p in $$progs; do \
	  [ "$$p" = seccomp_benchmark ] && continue; \
	  src=$(KST_DIR)/$$p.c; out=$(TESTBIN)/$$p; \
	  [ -f $$src ] || { echo "kselftests: $$src missing (listed in TEST_GEN_PROGS)" >&2; exit 1; }; \
	  if [ -z "$$(find $$out -newer $$src 2>/dev/null)" ] || \
	     [ -n "$$(find $(KST_DIR) $(REPO)/uapi $(HDRS)/linux/seccomp.h -name '*.h' -newer $$out 2>/dev/null)" ]; then \
	    echo "  CC      $$out"; \
	    $(TEST_CC) $(TEST_CFLAGS) -I$(HDRS) -I$(KSRC)/tools/testing/selftests -I$(REPO)/uapi \
	      -o $$out $$src $(TEST_LIBS) || exit 1; \
	  fi; \
	  echo $$p >> $(TESTBIN)/.list.new; \
	done; mv $(TESTBIN)/.list.new $(BUILD)/tests/kselftests.list

libsfd:
	@if [ -f $(REPO)/libsfd/Makefile ]; then $(MAKE) --no-print-directory -C $(REPO)/libsfd; fi

selftests: headers libsfd
	@$(MAKE) --no-print-directory -C $(REPO)/selftests OUT=$(TESTBIN) HDRS=$(HDRS) KSRC=$(KSRC) \
		CC="$(TEST_CC)" LIST=$(BUILD)/tests/selftests.list

demo-bin: headers
	@mkdir -p $(BUILD)/demo
	@$(TEST_CC) $(TEST_CFLAGS) -I$(HDRS) -I$(REPO)/uapi -o $(BUILD)/demo/smoke $(REPO)/scripts/demo/smoke.c

tests: kselftests selftests

# ---------------------------------------------------------------- check
# Host tests first (libsfd's `check` target, if any), then ONE VM boot that runs
# every test binary; scripts/tap-summary prints the per-binary summary and the
# final "N passed, N failed, N skipped" line.
check: kernel tests
	@mkdir -p $(RESULTS); rm -f $(RESULTS)/summary
	@$(MAKE) --no-print-directory host-check vm-check
	@$(REPO)/scripts/tap-summary --expect $(BUILD)/tests/kselftests.list \
		--expect $(BUILD)/tests/selftests.list $(RESULTS)/host.log $(RESULTS)/vm.log \
		| tee $(RESULTS)/summary.tmp; rc=$${PIPESTATUS[0]}; \
	mv $(RESULTS)/summary.tmp $(RESULTS)/summary; exit $$rc

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
	@mkdir -p $(RESULTS); rm -f $(RESULTS)/vm.log
	@echo "  VM      $(BZIMAGE): running $$(cat $(BUILD)/tests/*.list | tr '\n' ' ')"
	@BZIMAGE=$(BZIMAGE) $(REPO)/scripts/vm-run $(VMFLAGS) --timeout $(CHECK_TIMEOUT) \
	  --log $(RESULTS)/vm.log \
	  --file $(REPO)/scripts/guest-run-tests:/bin/run-tests \
	  -- run-tests $$(cat $(BUILD)/tests/*.list) || true

# ---------------------------------------------------------------- demo
demo: kernel demo-bin
	@BZIMAGE=$(BZIMAGE) $(REPO)/scripts/vm-run $(VMFLAGS) --file $(BUILD)/demo/smoke:/bin/smoke -- smoke

# ---------------------------------------------------------------- bench
# Docker's default profile (or PROFILE=path) applied to N containers three
# ways, in TCG and icount VMs; results in build/bench, method in
# docs/benchmarks.md.
PROFILE ?= $(firstword $(wildcard $(REPO)/../shared/profiles/docker-default.json) \
		       $(REPO)/libsfd/profiles/sfd-test.json)
BENCH_N ?= 200
bench: kernel libsfd
	@BZIMAGE=$(BZIMAGE) $(REPO)/scripts/bench/run --profile $(PROFILE) --n $(BENCH_N)

# ---------------------------------------------------------------- gates
# The kernel series' quality gates, on kernel-patches/ in a worktree of the
# tree at 'base' (build/gates); see scripts/gates.
gates: kernel-tree
	@KCC="$(KCC)" $(REPO)/scripts/gates all

# ---------------------------------------------------------------- cleaning
clean:
	rm -rf $(BUILD)/tests $(BUILD)/results $(BUILD)/demo
	@if [ -f $(REPO)/libsfd/Makefile ]; then $(MAKE) -C $(REPO)/libsfd clean; fi

# Removes kernel builds too, but never the kernel tree (it may hold your commits).
distclean: clean
	rm -rf $(BUILD)/kernel $(BUILD)/kernel-debug $(BUILD)/headers $(BUILD)/headers-build \
		$(BUILD)/gates
