# The benchmark: detached vs per-container filters, TCG and icount
# (scripts/bench/, docs/benchmarks.md).
#
#   make bench   sfd-bench (per-container rounds) and sfd-scenarios (churn,
#                spawn rate, notifications, 1,000 containers + JIT limit,
#                hot path), each in a TCG and an icount VM; results and the
#                plot in build/bench, method and numbers in docs/benchmarks.md
#
# `make check` runs the quick form, bench-quick: every path once with tiny
# N, checking that each method produced a sane result (no timings).

DEPS += gnuplot-nox

# Docker's default profile (or PROFILE=path).
PROFILE ?= $(firstword $(wildcard $(REPO)/../shared/profiles/docker-default.json) \
		       $(REPO)/libsfd/profiles/sfd-test.json)
BENCH_N ?= 200
bench: kernel libsfd
	@$(KENV) BZIMAGE=$(BZIMAGE) BENCH_OUT=$(BUILD)/bench$(KSFX) $(REPO)/scripts/bench/run --profile $(PROFILE) --n $(BENCH_N)

BENCH_SRC := $(REPO)/scripts/bench
SCEN_SRCS := $(addprefix $(BENCH_SRC)/scenarios/,main.c common.c churn.c spawn.c notify.c scale.c hotpath.c) \
	$(BENCH_SRC)/benchutil.c
BENCH_CFLAGS = -O2 -g -Wall -Wextra -static -I$(HDRS) -I$(REPO)/uapi -I$(REPO)/libsfd/include
BENCH_LIBS := $(REPO)/libsfd/libsfd.a -lseccomp -ljson-c -lcap -lpthread -lm

# The quick form: sfd-bench, sfd-scenarios and the program "spawn" runs,
# plus bench-quick (scripts/bench/quick.sh with the profile appended).
# Not on a base kernel (no detached filters to measure).
bench-quick: headers libsfd
	@mkdir -p $(TESTBIN)
	@if $(base_only); then \
	  echo "  BENCH   $(BASE_ONLY_MSG)"; : > $(TESTS)/bench.list; \
	else \
	  echo "  CC      $(TESTBIN)/sfd-bench $(TESTBIN)/sfd-scenarios $(TESTBIN)/bench-true"; \
	  rm -f $(TESTBIN)/sfd-bench $(TESTBIN)/sfd-scenarios $(TESTBIN)/bench-true $(TESTBIN)/bench-quick; \
	  { $(TEST_CC) $(BENCH_CFLAGS) -o $(TESTBIN)/sfd-bench $(BENCH_SRC)/sfd-bench.c $(BENCH_SRC)/benchutil.c $(BENCH_LIBS) && \
	    $(TEST_CC) $(BENCH_CFLAGS) -o $(TESTBIN)/sfd-scenarios $(SCEN_SRCS) -Wl,--wrap=seccomp_attr_set $(BENCH_LIBS) && \
	    $(TEST_CC) -O2 -static -o $(TESTBIN)/bench-true $(BENCH_SRC)/scenarios/true.c; \
	  } 2> $(TESTS)/bench-build.log || { cat $(TESTS)/bench-build.log >&2; exit 1; }; \
	  grep -v -e 'statically linked' -e getpwnam -e getaddrinfo $(TESTS)/bench-build.log >&2 || true; \
	  cat $(BENCH_SRC)/quick.sh $(PROFILE) > $(TESTBIN)/bench-quick && chmod 755 $(TESTBIN)/bench-quick; \
	  echo bench-quick > $(TESTS)/bench.list; \
	fi

TEST_TARGETS += bench-quick
TEST_LISTS += bench
