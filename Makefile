# glean — build, install, test.
#   make            build ./glean
#   make check      install missing Debian packages, build, run every test
#   make demo       install missing packages, build, run glean on bundled feeds
#   make check-asan unit + integration tests under ASan+UBSan
#   make fuzz-ui    the reader's key fuzzer, long run (FUZZ_KEYS=100000)
#   make bench      benchmarks (side by side with newsboat and sfeed)
#   make install PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
CC      ?= cc
PKG_CONFIG ?= pkg-config
PKGS    := ncursesw libcurl sqlite3 libxml-2.0 libpcre2-8 libcrypto uchardet libzstd

VERSION := 0.1.0
BUILD   ?= build
OPT     ?= -O2 -g

PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
# libcurl, libxml2, libcrypto and uchardet are not linked: each is loaded
# when first used (src/base/lazy.c), by the soname found here
LAZY_PKGS  := libcurl libxml-2.0 libcrypto uchardet
PKG_LIBS   = $(shell $(PKG_CONFIG) --libs $(filter-out $(LAZY_PKGS),$(PKGS)) \
	       2>/dev/null) -ldl

WARN    := -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Werror
HARDEN  := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
LDHARD  := -pie -Wl,-z,relro,-z,now
ALL_CFLAGS  = $(OPT) $(WARN) $(HARDEN) -pthread -D_DEFAULT_SOURCE -Iinclude \
	      -DGLEAN_VERSION='"$(VERSION)"' $(PKG_CFLAGS) $(CFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDHARD) -pthread $(LDFLAGS)

SRCS      := $(shell find src -name '*.c' ! -name main.c | sort)
OBJS      := $(SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/lib/*.c))
HELPER_BINS := $(HELPER_SRCS:tests/lib/%.c=$(BUILD)/tests/%)

ifeq ($(BUILD),build)
GLEAN := glean
else
GLEAN := $(BUILD)/glean
endif

.PHONY: all deps test-deps check check-unit check-integration check-tui check-asan \
	check-layers check-symbols check-valgrind conformance demo bench install uninstall clean tests fuzz \
	fuzz-ui crash-loop

all: $(GLEAN)

$(GLEAN): $(BUILD)/src/main.o $(BUILD)/libglean.a
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/libglean.a: $(OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libglean.a tests/unit/check.h
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests/unit -o $@ $< $(BUILD)/libglean.a \
		$(ALL_LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/%: tests/lib/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

tests: $(GLEAN) $(UNIT_BINS) $(HELPER_BINS)

# make demo needs only what builds and runs glean; make check the rest.
deps:
	@sh .ci/deps

test-deps:
	@sh .ci/deps test

# The one test command (README, .ci/run): everything, ending in
# "N passed, N failed".
check: test-deps
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory BUILD=build-asan \
		OPT='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		HARDEN='-fPIE' tests
	@sh tests/run-all

check-unit: tests
	@sh tests/run-all unit

check-integration: tests
	@sh tests/run-all integration

check-tui: tests
	@sh tests/run-all tui

check-valgrind: tests
	@GLEAN_VALGRIND_ALL=1 sh tests/run-all valgrind

# The long crash loop (issue 15): CRASH_RUNS=N CRASH_SEED=S to change it.
crash-loop: all
	@CRASH_RUNS=$${CRASH_RUNS:-100} sh tests/integration/t1009-crash-loop.sh

check-asan:
	@$(MAKE) --no-print-directory BUILD=build-asan \
		OPT='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		HARDEN='-fPIE' tests
	@GLEAN_ONLY_ASAN=1 sh tests/run-all asan

check-layers:
	@sh tests/check-layers

# every exported symbol has a user in another file (tests/test-exports)
check-symbols: all
	@sh tests/check-symbols

conformance: $(GLEAN)
	@sh tests/conformance

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tests/data/demo/run

bench: deps all
	@sh bench/run

install: $(GLEAN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 0755 $(GLEAN) $(DESTDIR)$(BINDIR)/glean
	install -m 0644 man/glean.1 $(DESTDIR)$(MANDIR)/man1/glean.1
	install -m 0644 man/glean-config.5 $(DESTDIR)$(MANDIR)/man5/glean-config.5

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/glean $(DESTDIR)$(MANDIR)/man1/glean.1 \
		$(DESTDIR)$(MANDIR)/man5/glean-config.5

clean:
	rm -rf build build-asan glean

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# libFuzzer targets (fuzz/) built with clang into build-fuzz/, each run
# for FUZZ_TIME seconds (default 60) from a seed corpus built at run time.
fuzz:
	@sh fuzz/run.sh

# The reader's key fuzzer (tests/lib/keyfuzz.c), long run: FUZZ_KEYS keys
# (100000) over FUZZ_SEEDS and four $$EDITORs against build-asan/glean;
# make check runs the short one (tests/tui/t5099-keyfuzz.sh).
fuzz-ui:
	@$(MAKE) --no-print-directory all tests
	@$(MAKE) --no-print-directory BUILD=build-asan \
		OPT='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all' \
		HARDEN='-fPIE' tests
	@sh tests/fuzz-ui
