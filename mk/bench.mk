# The benchmark: detached vs per-container filters, TCG and icount
# (scripts/bench/, docs/benchmarks.md).
#
# Docker's default profile (or PROFILE=path) applied to N containers three
# ways, in TCG and icount VMs; results in build/bench.
PROFILE ?= $(firstword $(wildcard $(REPO)/../shared/profiles/docker-default.json) \
		       $(REPO)/libsfd/profiles/sfd-test.json)
BENCH_N ?= 200
bench: kernel libsfd
	@$(KENV) BZIMAGE=$(BZIMAGE) BENCH_OUT=$(BUILD)/bench$(KSFX) $(REPO)/scripts/bench/run --profile $(PROFILE) --n $(BENCH_N)
