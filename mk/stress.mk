# Stress and security tests (selftests/stress/, docs/permission-matrix.md):
# the permission matrix, the attach fuzzer and the races.
#
#   make check        runs their quick form (1/20 of the iterations) with the
#                     other tests, on the normal kernels
#   make stress       the full form on both debug kernels (KASAN, lockdep,
#                     kmemleak, UBSAN): builds them, boots each once, prints
#                     every count, fails on any mismatch or kernel report
#   make stress KVER=7.2   one debug kernel
#   make stress STRESS_PROGS="attach_races"   some of the programs only
#
# `make check DEBUG=1` leaves the quick form out (its races take over 20
# minutes on a debug kernel under TCG): `make stress` is the debug run.
#
# Results: $(RESULTS)/KVER-debug/stress.log and $(RESULTS)/stress-summary.
STRESS_FULL = $(TESTS)/stress-full
STRESS_TIMEOUT ?= 14400
STRESS_TEST_TIMEOUT ?= 10800
# The programs a stress run boots with (names without stress_); default all.
STRESS_PROGS ?=

TEST_TARGETS += stress-tests
TEST_LISTS += stress

.PHONY: stress stress-tests stress-build stress-vm stress-summary

stress-tests: headers
	@mkdir -p $(TESTS)
	@if $(base_only); then \
	  echo "  STRESS  $(BASE_ONLY_MSG)"; : > $(TESTS)/stress.list; \
	else \
	  $(MAKE) --no-print-directory -C $(REPO)/selftests/stress OUT=$(TESTBIN) \
		FULL_OUT=$(STRESS_FULL) HDRS=$(HDRS) KSRC=$(KSRC) CC="$(TEST_CC)" \
		LIST=$(TESTS)/stress.list DOC=$(REPO)/docs/permission-matrix.md; \
	fi
ifeq ($(DEBUG),1)
	@echo "  STRESS  quick form not listed for the debug kernel: make stress runs the full one"
	@: > $(TESTS)/stress.list
endif

# the tap-summary arguments of one kernel's stress run: its log, and the
# programs that run booted with (stress-vm writes them next to the log)
stress_summary_args = --section "stress, Linux $(1) debug ($(BUILD)/kernel$(if $(filter 6.12,$(1)),,-$(1))-debug)" \
	--expect $(RESULTS)/$(1)-debug/stress.expect \
	$(RESULTS)/$(1)-debug/stress.log

# Both kernels are built first, one after the other (each build takes both
# cores); then their VMs run at the same time. A race mostly keeps one vCPU
# busy, so two VMs share the two cores with little loss, and the whole
# stress run takes about as long as its slower kernel. The output keeps each
# program's counts and failures; the whole TAP is in the logs.
STRESS_KVERS = $(if $(filter 1,$(CHECK_ALL)),$(KVERS),$(KVER))

stress:
	@mkdir -p $(RESULTS); start=$$(date +%s); failed=""; \
	for v in $(STRESS_KVERS); do \
	  echo "  ======  stress, Linux $$v debug: build"; \
	  $(MAKE) --no-print-directory stress-build KVER=$$v DEBUG=1 || failed="$$failed $$v"; \
	done; \
	for v in $(STRESS_KVERS); do \
	  case " $$failed " in *" $$v "*) \
	    echo "  ======  Linux $$v debug: build failed (counted in the summary)"; continue;; esac; \
	  echo "  ======  stress, Linux $$v debug: VM started (log: $(RESULTS)/$$v-debug/stress.log)"; \
	  $(MAKE) --no-print-directory stress-vm KVER=$$v DEBUG=1 > $(RESULTS)/stress-vm-$$v.out 2>&1 & \
	done; \
	wait; \
	echo "  STRESS  VMs done after $$(( $$(date +%s) - start ))s"; \
	$(MAKE) --no-print-directory stress-summary

# The counts and failures of the last stress run of each kernel, then the
# summary (exit status 1 on any failure, missing program or kernel report).
stress-summary:
	@for v in $(STRESS_KVERS); do \
	  echo "  ======  stress, Linux $$v debug: $(RESULTS)/$$v-debug/stress.log"; \
	  grep -aE '^(# [^ ]|not ok|run-tests:|@@VMRUN-RESULT@@)' \
	    $(RESULTS)/$$v-debug/stress.log 2>/dev/null | grep -v '^# Starting'; \
	done; \
	$(REPO)/scripts/tap-summary $(foreach v,$(STRESS_KVERS),$(call stress_summary_args,$(v))) \
		| tee $(RESULTS)/stress-summary; exit $${PIPESTATUS[0]}

# One debug kernel: stress-build builds it and the stress programs,
# stress-vm boots it once with them.
stress-build: kernel stress-tests

stress-vm:
	@mkdir -p $(KRESULTS); rm -f $(KRESULTS)/stress.log
	@if $(base_only); then echo "stress: $(BASE_ONLY_MSG)" >&2; exit 1; fi
	@if [ -n "$(STRESS_PROGS)" ]; then printf 'stress_%s\n' $(STRESS_PROGS); \
	  else cat $(STRESS_FULL)/stress.list; fi > $(KRESULTS)/stress.expect
	@for p in $$(cat $(KRESULTS)/stress.expect); do [ -x $(STRESS_FULL)/$$p ] || \
	  { echo "stress: no program $$p in $(STRESS_FULL) (STRESS_PROGS names: $$(sed 's/^stress_//' $(STRESS_FULL)/stress.list | tr '\n' ' '))" >&2; exit 2; }; done
	@echo "  VM      $(BZIMAGE): running $$(tr '\n' ' ' < $(KRESULTS)/stress.expect)"
	@BZIMAGE=$(BZIMAGE) $(REPO)/scripts/vm-run --debug --timeout $(STRESS_TIMEOUT) --test-timeout $(STRESS_TEST_TIMEOUT) \
	  --tests $(STRESS_FULL) --log $(KRESULTS)/stress.log \
	  --file $(REPO)/scripts/guest-run-tests:/bin/run-tests \
	  -- run-tests $$(cat $(KRESULTS)/stress.expect) || true
