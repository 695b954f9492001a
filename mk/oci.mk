# Real OCI runtimes on the patched kernel (docs/runtimes.md): Debian 12's
# crun and runc, unmodified, in the guest; scripts/oci/ drives their
# lifecycle and attaches detached filters to the containers with sfdctl
# (libsfd/sfdctl, built by mk/demo.mk's sfdctl target).
#
#   make oci-tests     the guest programs; `make check` runs the oci-runtimes test
#   make oci-bench     container start to workload exec, runtime's own seccomp
#                      vs create + attach + start (TCG and icount; OCI_BENCH_N=)

DEPS += crun runc
TEST_TARGETS += oci-tests
TEST_LISTS += oci

OCI_SRC := $(REPO)/scripts/oci
OCI_OUT = $(TESTS)/oci
OCI_RUNTIMES := /usr/bin/crun /usr/sbin/runc
# Docker's profile in config.json's linux.seccomp form (the benchmark's
# profile); the project's own test profile if Docker's is not there.
OCI_DOCKER := $(wildcard $(REPO)/../shared/profiles/docker-default.json)
OCI_BENCH_N ?= 9

.PHONY: oci-tests oci-bench

oci-tests: headers sfdctl
	@mkdir -p $(OCI_OUT) $(TESTBIN)
	@if $(base_only); then \
	  echo "  OCI     $(BASE_ONLY_MSG)"; : > $(TESTS)/oci.list; exit 0; \
	fi; \
	set -e; \
	for p in oci-wait oci-probe; do \
	  echo "  CC      $(OCI_OUT)/$$p"; \
	  $(TEST_CC) $(TEST_CFLAGS) -Wextra -o $(OCI_OUT)/$$p $(OCI_SRC)/$$p.c; \
	done; \
	if [ -n "$(OCI_DOCKER)" ]; then \
	  $(OCI_SRC)/docker-to-oci $(OCI_DOCKER) $(OCI_OUT)/docker-default.json 2>/dev/null; \
	else cp $(OCI_SRC)/profiles/deny-mkdir.json $(OCI_OUT)/docker-default.json; fi; \
	cp $(OCI_SRC)/test-runtimes $(TESTBIN)/oci-runtimes; \
	{ for f in oci-wait oci-probe; do echo "$(OCI_OUT)/$$f:/bin/$$f"; done; \
	  echo "$(SFDCTL_DIR)/sfdctl.static:/bin/sfdctl"; \
	  for f in oci-manager oci-demo oci-bench; do echo "$(OCI_SRC)/$$f:/bin/$$f"; done; \
	  echo "$(OCI_SRC)/lib.sh:/lib/oci/lib.sh"; \
	  echo "$(OCI_SRC)/profiles:/etc/oci/profiles"; \
	  echo "$(OCI_OUT)/docker-default.json:/etc/oci/docker-default.json"; \
	} > $(TESTBIN)/.vmrun-files; \
	: > $(TESTBIN)/.vmrun-bins; \
	for r in $(OCI_RUNTIMES); do \
	  if [ -x $$r ]; then echo $$r >> $(TESTBIN)/.vmrun-bins; \
	  else echo "  OCI     $$r not installed (make deps): its tests will skip"; fi; \
	done; \
	echo oci-runtimes > $(TESTS)/oci.list

# The guest's TSC: the host's under TCG (rate measured here by sfdctl),
# the virtual clock under icount (1 tick per ns).
oci-bench: kernel tests
	@mkdir -p $(BUILD)/oci-bench$(KSFX)
	@set -o pipefail; tcg=$$($(SFDCTL_DIR)/sfdctl info --clock | sed -n 's/^tsc_mhz: \([0-9.]*\).*/\1/p'); \
	tcg=$$(awk -v m="$$tcg" 'BEGIN { printf "%.6f", m / 1000 }'); \
	for mode in tcg icount; do \
	  rate=$$([ $$mode = icount ] && echo 1.0 || echo $$tcg); \
	  echo "  OCI     bench ($$mode, TSC $$rate ticks/ns): $(OCI_BENCH_N) containers per runtime and way"; \
	  BZIMAGE=$(BZIMAGE) $(REPO)/scripts/vm-run $(VMFLAGS) $$([ $$mode = icount ] && echo --icount) \
	    --timeout 5400 --tests $(TESTBIN) --log $(BUILD)/oci-bench$(KSFX)/$$mode.log \
	    -- oci-bench -n $(OCI_BENCH_N) -t $$rate | tee $(BUILD)/oci-bench$(KSFX)/$$mode.txt || exit 1; \
	done
