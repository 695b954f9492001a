# An outside program on the installed library (libsfd/tests/outside/manager.c):
# libsfd installed into a staging DESTDIR, the program built against that tree
# alone (`pkg-config --static --cflags --libs libsfd`, no path into the
# source tree), and run in make check's VM, where it builds a filter, stashes
# it in another process, gets it handed back over SCM_RIGHTS and attaches it
# to a new and to a running process (TAP).

TEST_TARGETS += outside-test
TEST_LISTS += outside

.PHONY: outside-test
outside-test: libsfd
	@mkdir -p $(TESTBIN)
	@if $(base_only); then \
	  echo "  OUTSIDE $(BASE_ONLY_MSG)"; : > $(TESTS)/outside.list; \
	else \
	  stage=$(TESTS)/libsfd-stage; rm -rf $$stage; \
	  $(MAKE) --no-print-directory -s -C $(REPO)/libsfd install DESTDIR=$$stage PREFIX=/usr/local >/dev/null && \
	  flags=$$(PKG_CONFIG_SYSROOT_DIR=$$stage PKG_CONFIG_PATH=$$stage/usr/local/lib/pkgconfig \
	           pkg-config --static --cflags --libs libsfd) && \
	  echo "  CC      $(TESTBIN)/libsfd-outside (pkg-config: $$flags)" && \
	  $(TEST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -static -o $(TESTBIN)/libsfd-outside \
		$(REPO)/libsfd/tests/outside/manager.c $$flags 2> $(TESTS)/outside-build.log || \
		{ cat $(TESTS)/outside-build.log >&2; exit 1; }; \
	  echo libsfd-outside > $(TESTS)/outside.list; \
	fi
