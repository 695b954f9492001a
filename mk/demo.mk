# make demo: a container manager's day with detached seccomp filters, told by
# scripts/demo/demo.sh with sfdctl (libsfd/sfdctl) on the patched kernel in the
# bench VM; its quick TAP form and a test of every sfdctl verb run in `make check`.
#
#   make demo                        the project's libsfd/profiles/container.json
#   make demo PROFILE=path.json      any OCI/Docker seccomp profile
#   make demo KVER=7.2               on the mainline kernel (DEBUG=1: debug kernel)
#   make demo DEMO_RUNS=51           timed runs per way in the last step
#
# The guest has no usable clocksource: its timings use the TSC (QEMU TCG's
# is the host's), at the rate `sfdctl info --clock` measures on the host.
#
# DEMO_VMFILES: more "--file HOST:GUEST" for the guest.  A /bin/oci-demo there
# runs as the demo's last chapter (the real-runtime chapter of scripts/oci/).

DEMO_PROFILE := $(if $(filter command line environment,$(origin PROFILE)),$(abspath $(PROFILE)),$(REPO)/libsfd/profiles/container.json)
DEMO_OUT = $(BUILD)/demo$(KSFX)
SFDCTL_DIR := $(REPO)/libsfd/sfdctl
DEMO_RUNS ?= 31
DEMO_VMFILES ?=

.PHONY: sfdctl demo demo-bin demo-tests

# sfdctl for the host and, fully static, for the guest.
sfdctl: libsfd
	@$(MAKE) --no-print-directory -C $(SFDCTL_DIR) sfdctl sfdctl.static

demo-bin: sfdctl
	@mkdir -p $(DEMO_OUT)
	@install -m 755 $(SFDCTL_DIR)/sfdctl.static $(DEMO_OUT)/sfdctl

demo: kernel demo-bin
	@if $(base_only); then echo "demo: $(BASE_ONLY_MSG)" >&2; exit 1; fi
	@[ -f "$(DEMO_PROFILE)" ] || { echo "demo: PROFILE=$(DEMO_PROFILE): no such file" >&2; exit 2; }
	@BZIMAGE=$(BZIMAGE) $(REPO)/scripts/vm-run $(VMFLAGS) --timeout 1200 \
	  --file $(DEMO_OUT)/sfdctl:/bin/sfdctl \
	  --file $(REPO)/scripts/demo/demo.sh:/bin/sfd-demo \
	  --file $(DEMO_PROFILE):/etc/sfd/$(notdir $(DEMO_PROFILE)) $(DEMO_VMFILES) \
	  -- env SFDCTL=/bin/sfdctl SFDCTL_TSC_MHZ=$$($(SFDCTL_DIR)/sfdctl info --clock | sed -n 's/^tsc_mhz: \([0-9.]*\).*/\1/p') \
	  /bin/sfd-demo --runs $(DEMO_RUNS) /etc/sfd/$(notdir $(DEMO_PROFILE))

# In `make check`: the demo with --tap (one test per step, few timed runs),
# sfdctl-verbs (every verb, and the demo's answers to bad input) and
# sfdctl-cli (libsfd/sfdctl's host tests of usage errors and exit codes).
# vm-run copies only executable files of $(TESTBIN) into the guest, so the
# profile goes there with mode 755; it is data, not in the list.
demo-tests: sfdctl
	@mkdir -p $(TESTBIN)
	@if $(base_only); then : > $(TESTS)/demo.list; else \
	  install -m 755 $(SFDCTL_DIR)/sfdctl.static $(TESTBIN)/sfdctl && \
	  install -m 755 $(REPO)/scripts/demo/demo.sh $(TESTBIN)/sfd-demo && \
	  install -m 755 $(REPO)/scripts/demo/sfdctl-verbs.sh $(TESTBIN)/sfdctl-verbs && \
	  install -m 755 $(SFDCTL_DIR)/tests/cli.sh $(TESTBIN)/sfdctl-cli && \
	  install -m 755 $(REPO)/libsfd/profiles/container.json $(TESTBIN)/sfd-container.json && \
	  printf '#!/bin/sh\nexec /tests/sfd-demo --tap --runs 5 /tests/sfd-container.json\n' \
	    > $(TESTBIN)/sfd-demo-tap && chmod 755 $(TESTBIN)/sfd-demo-tap && \
	  printf 'sfd-demo-tap\nsfdctl-verbs\nsfdctl-cli\n' > $(TESTS)/demo.list; fi

TEST_TARGETS += demo-tests
TEST_LISTS += demo
