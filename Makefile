# SPDX-License-Identifier: GPL-2.0-or-later
# vnet - one plain Makefile. Targets: all check asan fuzz bench format-check install clean.

CC      ?= cc
BUILD   ?= build
PREFIX  ?= /usr/local

WARN     = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers
HARDEN   = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE -fno-strict-aliasing
CFLAGS  ?= -O2 -g
# override: `make CFLAGS=...` (the asan target) replaces the optimisation flags, never these
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) $(SLIRP_CFLAGS) -MMD -MP
override LDFLAGS += -pie -Wl,-z,relro,-z,now
SLIRP_CFLAGS := $(shell pkg-config --cflags slirp 2>/dev/null)
SLIRP_LIBS   := $(shell pkg-config --libs slirp 2>/dev/null || echo -lslirp)
PCAP_LIBS    := $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)
XDP_LIBS     := $(shell pkg-config --libs libxdp libbpf 2>/dev/null || echo -lxdp -lbpf)
LDLIBS   = -ljansson $(SLIRP_LIBS) -lpthread $(PCAP_LIBS) $(XDP_LIBS)

# Layers, lowest first. Every .c under them goes into libvnet.a.
LIB_DIRS   = src/base src/net src/port src/switch src/svc src/ctl
LIB_SRCS   = $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_OBJS   = $(LIB_SRCS:%.c=$(BUILD)/%.o)
VNETD_OBJS = $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/daemon/*.c))
CTL_OBJS   = $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/cli/*.c))
UNIT_SRCS  = $(wildcard tests/unit/test_*.c)
UNIT_BINS  = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRCS  = $(wildcard tests/tools/*.c)
TOOL_BINS  = $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)
BENCH_SRCS = $(wildcard bench/tools/*.c)
BENCH_BINS = $(BENCH_SRCS:bench/tools/%.c=$(BUILD)/bench/%)
FUZZ_SRCS  = $(wildcard tests/fuzz/fuzz_*.c)
# The web console, JSON API and metrics (src/web, above ctl): their own archive, linked into vnetd
# and their unit tests only, so vnetctl and the fuzzers never link libmicrohttpd. The console's
# files (src/web/www) are embedded by src/web/embed.sh (see doc/web.md).
MHD_CFLAGS := $(shell pkg-config --cflags libmicrohttpd 2>/dev/null)
MHD_LIBS   := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd)
WEB_ASSETS = $(sort $(wildcard src/web/www/*))
WEB_OBJS   = $(patsubst %.c,$(BUILD)/%.o,$(wildcard src/web/*.c)) $(BUILD)/src/web/web_assets.o
WEB_UNIT_BINS = $(BUILD)/tests/test_metrics $(BUILD)/tests/test_api

.PHONY: all check check-unit asan fuzz fuzz-build bench format format-check install clean tools

all: $(BUILD)/vnetd $(BUILD)/vnetctl

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/libvnet.a: $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/vnetd: $(VNETD_OBJS) $(BUILD)/libvnetweb.a $(BUILD)/libvnet.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(MHD_LIBS)

$(BUILD)/src/web/%.o: override CFLAGS += $(MHD_CFLAGS)
$(BUILD)/src/web/web_assets.c: src/web/embed.sh $(WEB_ASSETS)
	@mkdir -p $(dir $@)
	sh src/web/embed.sh $(WEB_ASSETS) >$@.tmp && mv $@.tmp $@
$(BUILD)/src/web/web_assets.o: $(BUILD)/src/web/web_assets.c
	$(CC) $(CFLAGS) -Isrc/web -c $< -o $@
$(BUILD)/libvnetweb.a: $(WEB_OBJS)
	rm -f $@ && ar rcs $@ $^
# fuzz_api compiles the API's sources in (the fuzz rule builds only libvnet's)
$(BUILD)/fuzz/fuzz_api: src/web/api.c src/web/api.h src/web/http_resp.c src/web/http.h

$(BUILD)/vnetctl: $(CTL_OBJS) $(BUILD)/libvnet.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(BUILD)/libvnet.a $(LDLIBS) -lcmocka

$(WEB_UNIT_BINS): $(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libvnetweb.a $(BUILD)/libvnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes $(LDFLAGS) -o $@ $< $(BUILD)/libvnetweb.a \
		$(BUILD)/libvnet.a $(LDLIBS) $(MHD_LIBS) -lcmocka

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libvnet.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libvnet.a $(LDLIBS)

$(BUILD)/bench/%: bench/tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

tools: $(TOOL_BINS) $(BENCH_BINS)

# The whole test suite: unit, fuzz corpus replay, netns scenarios, real clients.
check: all $(UNIT_BINS) tools fuzz-build
	BUILD=$(abspath $(BUILD)) tests/run.sh

check-unit: $(UNIT_BINS)
	BUILD=$(abspath $(BUILD)) tests/run.sh unit

# The same suite with AddressSanitizer + UndefinedBehaviorSanitizer builds of everything.
asan:
	$(MAKE) BUILD=build/asan CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" HARDEN="-fno-strict-aliasing" check

# libFuzzer targets (clang), one per parser of untrusted input; corpora in tests/fuzz/corpus/NAME.
FUZZ_CC      = clang
FUZZ_CFLAGS  = -std=c11 -D_GNU_SOURCE $(SLIRP_CFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_BINS    = $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
fuzz-build: $(FUZZ_BINS)
$(BUILD)/fuzz/%: tests/fuzz/%.c $(LIB_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(LDLIBS)
FUZZ_SECONDS ?= 60
fuzz: fuzz-build
	for f in $(FUZZ_BINS); do n=$$(basename $$f); mkdir -p $(BUILD)/fuzz/corpus-$$n; \
		$$f -max_total_time=$(FUZZ_SECONDS) $(BUILD)/fuzz/corpus-$$n tests/fuzz/corpus/$$n || exit 1; done

# Longer local runs: every target for FUZZ_LONG_SECONDS, in parallel with make -jN (each target
# has its own corpus, log and artifact dir). New inputs stay in $(BUILD)/fuzz/corpus-NAME; the
# summary prints executions, coverage and how to merge them into the committed corpus.
FUZZ_LONG_SECONDS ?= 600
FUZZ_NAMES = $(FUZZ_SRCS:tests/fuzz/%.c=%)
.PHONY: fuzz-long $(FUZZ_NAMES:%=fuzz-long-%)
fuzz-long: $(FUZZ_NAMES:%=fuzz-long-%)
	@for n in $(FUZZ_NAMES); do printf '%-16s %s\n' $$n "$$(grep -E '^#[0-9]+[[:space:]]+DONE' $(BUILD)/fuzz/long-$$n.log | tail -n 1)"; done
	@echo "merge new inputs: $(BUILD)/fuzz/NAME -merge=1 tests/fuzz/corpus/NAME $(BUILD)/fuzz/corpus-NAME"
$(FUZZ_NAMES:%=fuzz-long-%): fuzz-long-%: $(BUILD)/fuzz/%
	@mkdir -p $(BUILD)/fuzz/corpus-$* $(BUILD)/fuzz/artifacts-$*
	$< -max_total_time=$(FUZZ_LONG_SECONDS) -print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/artifacts-$*/ \
		$(BUILD)/fuzz/corpus-$* tests/fuzz/corpus/$* >$(BUILD)/fuzz/long-$*.log 2>&1 || \
		{ tail -n 40 $(BUILD)/fuzz/long-$*.log; exit 1; }

bench: all $(BENCH_BINS)
	BUILD=$(abspath $(BUILD)) bench/run.sh

FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run --Werror $(FORMAT_FILES)

install: all
	install -D -m 0755 $(BUILD)/vnetd $(DESTDIR)$(PREFIX)/sbin/vnetd
	install -D -m 0755 $(BUILD)/vnetctl $(DESTDIR)$(PREFIX)/bin/vnetctl
	install -D -m 0644 man/vnetd.8 $(DESTDIR)$(PREFIX)/share/man/man8/vnetd.8
	install -D -m 0644 man/vnetctl.8 $(DESTDIR)$(PREFIX)/share/man/man8/vnetctl.8
	install -D -m 0644 dist/vnetd.service $(DESTDIR)/etc/systemd/system/vnetd.service
	install -D -m 0644 dist/vnetd-user.service $(DESTDIR)/etc/systemd/user/vnetd.service

clean:
	rm -rf build

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
