# Stress and security tests (selftests/stress/, docs/permission-matrix.md):
# the permission matrix, the attach fuzzer and the races.
#
#   make check        runs their quick form (1/20 of the iterations) with the
#                     other tests, on the normal kernels
#   make stress       the full form on both debug kernels (KASAN, lockdep,
#                     kmemleak, UBSAN): builds them, boots each once, prints
#                     every count, fails on any mismatch or kernel report
#   make stress KVER=7.2   one debug kernel
#
# `make check DEBUG=1` leaves the quick form out (its races take over 20
# minutes on a debug kernel under TCG): `make stress` is the debug run.
#
# Results: $(RESULTS)/KVER-debug/stress.log and $(RESULTS)/stress-summary.
STRESS_FULL = $(TESTS)/stress-full
STRESS_TIMEOUT ?= 7200
STRESS_TEST_TIMEOUT ?= 3600

TEST_TARGETS += stress-tests
TEST_LISTS += stress

.PHONY: stress stress-tests stress-one stress-kernel

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

# the tap-summary arguments of one kernel's stress run
stress_summary_args = --section "stress, Linux $(1) debug ($(BUILD)/kernel$(if $(filter 6.12,$(1)),,-$(1))-debug)" \
	--expect $(BUILD)/tests$(if $(filter 6.12,$(1)),,-$(1))/stress-full/stress.list \
	$(RESULTS)/$(1)-debug/stress.log

ifeq ($(CHECK_ALL),1)
stress:
	@mkdir -p $(RESULTS); start=$$(date +%s); \
	for v in $(KVERS); do \
	  echo "  ======  stress, Linux $$v debug"; \
	  $(MAKE) --no-print-directory stress-kernel KVER=$$v DEBUG=1 || \
	    echo "  ======  Linux $$v debug: build or VM run failed (counted in the summary)"; \
	done; \
	$(REPO)/scripts/tap-summary $(foreach v,$(KVERS),$(call stress_summary_args,$(v))) \
		| tee $(RESULTS)/stress-summary; rc=$${PIPESTATUS[0]}; \
	echo "  STRESS  $$(( $$(date +%s) - start ))s"; exit $$rc
else
stress:
	@mkdir -p $(RESULTS); start=$$(date +%s); \
	$(MAKE) --no-print-directory stress-kernel KVER=$(KVER) DEBUG=1 || true; \
	$(REPO)/scripts/tap-summary $(call stress_summary_args,$(KVER)) \
		| tee $(RESULTS)/stress-summary; rc=$${PIPESTATUS[0]}; \
	echo "  STRESS  $$(( $$(date +%s) - start ))s"; exit $$rc
endif

# One debug kernel: build it and the stress programs, boot it once.
stress-kernel: kernel stress-tests
	@mkdir -p $(KRESULTS); rm -f $(KRESULTS)/stress.log
	@if $(base_only); then echo "stress: $(BASE_ONLY_MSG)" >&2; exit 1; fi
	@echo "  VM      $(BZIMAGE): running $$(cat $(STRESS_FULL)/stress.list | tr '\n' ' ')"
	@BZIMAGE=$(BZIMAGE) $(REPO)/scripts/vm-run --debug --timeout $(STRESS_TIMEOUT) --test-timeout $(STRESS_TEST_TIMEOUT) \
	  --tests $(STRESS_FULL) --log $(KRESULTS)/stress.log \
	  --file $(REPO)/scripts/guest-run-tests:/bin/run-tests \
	  -- run-tests $$(cat $(STRESS_FULL)/stress.list) || true
