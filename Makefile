# tandem - a split signaling/control SIP B2BUA (sigd + ccd).
#
#   make            build build/sigd and build/ccd
#   make test       install missing Debian packages, build, run every test
#   make test SAN=1 the same under AddressSanitizer + UBSan (build/san/)
#   make fuzz       libFuzzer targets, FUZZ_SECONDS each (default 60)
#   make run        sigd on 127.0.0.1:5060 -> ccd -> 127.0.0.1:5070
#   make bench-codec  parser speed (ns and instructions per INVITE)
#   make bench      calls/s, CPU, memory and latency vs Kamailio (BENCH_QUICK=1)
#   make install    PREFIX=/usr/local DESTDIR=
#
# Sources are discovered by directory: common/*.c, sigd/*.c, ccd/*.c,
# proto/*.proto, tests/unit/test_*.c, tests/fuzz/fuzz_*.c. Adding a file
# needs no edit here.

PRODUCT  := tandem
VERSION  := 0.1.0

# The one list of Debian packages needed to build, test, fuzz and benchmark.
DEB_PACKAGES := build-essential pkg-config libevent-dev libzmq3-dev \
	libprotobuf-c-dev protobuf-c-compiler libradcli-dev libssl-dev \
	libpcre2-dev libsystemd-dev libcmocka-dev clang libclang-rt-dev \
	valgrind sip-tester iproute2 procps python3 systemd rtpengine-daemon \
	kamailio curl freeradius freeradius-utils

SAN ?= 0
ifeq ($(SAN),1)
BUILD    ?= build/san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else
BUILD    ?= build
SANFLAGS :=
endif

CC       ?= cc
PKGS     := libevent libevent_pthreads libzmq libprotobuf-c openssl radcli libpcre2-8 libsystemd
# Deferred (=) so that `make deps` works before pkg-config and the .pc files exist.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=c11 $(CFLAGS) $(WARN) -D_GNU_SOURCE -DTANDEM_VERSION='"$(VERSION)"' \
	-I. -Icommon -I$(BUILD)/proto $(PKG_CFLAGS) $(SANFLAGS) -MMD -MP
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)
LIBS      = $(PKG_LIBS) -lpthread

COMMON_SRC := $(wildcard common/*.c)
SIGD_SRC   := $(filter-out sigd/main.c,$(wildcard sigd/*.c))
CCD_SRC    := $(filter-out ccd/main.c,$(wildcard ccd/*.c))
PROTO_SRC  := $(wildcard proto/*.proto)
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
TOOLS_SRC  := $(wildcard tests/tools/*.c)
FUZZ_SRC   := $(wildcard tests/fuzz/fuzz_*.c)

PROTO_C    := $(PROTO_SRC:proto/%.proto=$(BUILD)/proto/%.pb-c.c)
PROTO_H    := $(PROTO_C:.c=.h)
PROTO_OBJ  := $(PROTO_C:.c=.o)
COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
SIGD_OBJ   := $(SIGD_SRC:%.c=$(BUILD)/obj/%.o)
CCD_OBJ    := $(CCD_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_BIN   := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOLS_BIN  := $(TOOLS_SRC:tests/tools/%.c=$(BUILD)/tools/%)

LIBCOMMON  := $(BUILD)/libcommon.a
LIBSIGD    := $(BUILD)/libsigd.a
LIBCCD     := $(BUILD)/libccd.a
LIBPROTO   := $(BUILD)/libproto.a
ALL_LIBS   := $(LIBSIGD) $(LIBCCD) $(LIBCOMMON) $(LIBPROTO)

.PHONY: all deps test test-unit test-e2e fuzz fuzz-build bench-codec bench run install clean
.DEFAULT_GOAL := all

all: $(BUILD)/sigd $(BUILD)/ccd

# Generated protobuf headers must exist before anything that includes them.
$(COMMON_OBJ) $(SIGD_OBJ) $(CCD_OBJ) $(BUILD)/obj/sigd/main.o $(BUILD)/obj/ccd/main.o \
	$(UNIT_SRC:%.c=$(BUILD)/obj/%.o): | $(PROTO_H)

$(BUILD)/proto/%.pb-c.c $(BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(@D)
	protoc-c --proto_path=proto --c_out=$(BUILD)/proto $<

# Generated code is not ours to lint: no -Werror extras beyond the defaults.
$(BUILD)/proto/%.pb-c.o: $(BUILD)/proto/%.pb-c.c
	$(CC) -std=c11 $(CFLAGS) -Wall -D_GNU_SOURCE -I$(BUILD)/proto $(PKG_CFLAGS) $(SANFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIBCOMMON): $(COMMON_OBJ)
$(LIBSIGD): $(SIGD_OBJ)
$(LIBCCD): $(CCD_OBJ)
$(LIBPROTO): $(PROTO_OBJ)
$(ALL_LIBS):
	@mkdir -p $(@D)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/sigd: $(BUILD)/obj/sigd/main.o $(ALL_LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS) $(LIBS)

$(BUILD)/ccd: $(BUILD)/obj/ccd/main.o $(ALL_LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS) $(LIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS) $(LIBS) -lcmocka

# ---------------------------------------------------------------- deps
deps:
	@sh mk/deps.sh $(DEB_PACKAGES)

# ---------------------------------------------------------------- tests
test: deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN) $(TOOLS_BIN)
	@BUILD=$(BUILD) SAN=$(SAN) sh tests/run.sh

test-unit: all $(UNIT_BIN)
	@BUILD=$(BUILD) SAN=$(SAN) ONLY=unit sh tests/run.sh

test-e2e: all $(TOOLS_BIN)
	@BUILD=$(BUILD) SAN=$(SAN) ONLY=e2e sh tests/run.sh

# Small stand-alone programs the end-to-end tests use (an RTP sender and
# receiver, a raw datagram sender...): tests/tools/NAME.c -> $(BUILD)/tools/NAME.
$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) -std=c11 $(CFLAGS) $(WARN) -D_GNU_SOURCE $(SANFLAGS) -o $@ $<

# Tools that drive a room of the daemons (e.g. the RADIUS pool) link them.
$(BUILD)/tools/radius_probe: tests/tools/radius_probe.c $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Iccd -o $@ $< $(ALL_LIBS) $(LIBS)

# ---------------------------------------------------------------- fuzzing
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build/fuzz
FUZZ_CC      ?= clang
FUZZ_CFLAGS  := -std=c11 -g -O1 -D_GNU_SOURCE -Icommon -fsanitize=address,undefined \
	-fno-sanitize-recover=all -Wall -Wextra -Werror
FUZZ_BIN     := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_OBJ     := $(COMMON_SRC:%.c=$(FUZZ_BUILD)/%.o)
# An archive, so each target links only the codec objects it uses (no
# libevent or ZeroMQ needed for a parser fuzzer).
FUZZ_LIB     := $(FUZZ_BUILD)/libcommon.a

$(FUZZ_BUILD)/common/%.o: common/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_LIB)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_LIB) -lcrypto

# Daemon targets: tests/fuzz/fuzz_sigd_<x>.c and fuzz_ccd_<x>.c drive the
# real sigd or ccd code (every sigd/*.c or ccd/*.c but main.c), built with
# clang and the same instrumentation, plus the protobuf code generated into
# the fuzz tree and the daemons' system libraries.
FUZZ_PKGS      := libevent libzmq libprotobuf-c openssl libsystemd radcli libpcre2-8
FUZZ_PKG_CFLAGS = $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null)
FUZZ_PKG_LIBS   = $(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null)
FUZZ_DCFLAGS    = $(FUZZ_CFLAGS) -DTANDEM_VERSION='"$(VERSION)"' -I. -I$(FUZZ_BUILD)/proto \
	$(FUZZ_PKG_CFLAGS)
FUZZ_PROTO_C   := $(PROTO_SRC:proto/%.proto=$(FUZZ_BUILD)/proto/%.pb-c.c)
FUZZ_PROTO_H   := $(FUZZ_PROTO_C:.c=.h)
FUZZ_PROTO_LIB := $(FUZZ_BUILD)/libproto.a
FUZZ_SIGD_OBJ  := $(SIGD_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_CCD_OBJ   := $(CCD_SRC:%.c=$(FUZZ_BUILD)/%.o)
FUZZ_SIGD_LIB  := $(FUZZ_BUILD)/libsigd.a
FUZZ_CCD_LIB   := $(FUZZ_BUILD)/libccd.a
FUZZ_SIGD_BIN  := $(filter $(FUZZ_BUILD)/fuzz_sigd_%,$(FUZZ_BIN))
FUZZ_CCD_BIN   := $(filter $(FUZZ_BUILD)/fuzz_ccd_%,$(FUZZ_BIN))

.SECONDARY: $(FUZZ_PROTO_C) $(FUZZ_PROTO_H)

$(FUZZ_BUILD)/proto/%.pb-c.c $(FUZZ_BUILD)/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(@D)
	protoc-c --proto_path=proto --c_out=$(FUZZ_BUILD)/proto $<

# Generated code is not ours to lint (as above): no -Werror.
$(FUZZ_BUILD)/proto/%.pb-c.o: $(FUZZ_BUILD)/proto/%.pb-c.c
	$(FUZZ_CC) $(filter-out -Werror -Wextra,$(FUZZ_CFLAGS)) -fsanitize=fuzzer-no-link \
		-I$(FUZZ_BUILD)/proto $(FUZZ_PKG_CFLAGS) -c $< -o $@

$(FUZZ_BUILD)/sigd/%.o: sigd/%.c | $(FUZZ_PROTO_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_DCFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/ccd/%.o: ccd/%.c | $(FUZZ_PROTO_H)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_DCFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_PROTO_LIB): $(FUZZ_PROTO_C:.c=.o)
$(FUZZ_SIGD_LIB): $(FUZZ_SIGD_OBJ)
$(FUZZ_CCD_LIB): $(FUZZ_CCD_OBJ)
$(FUZZ_PROTO_LIB) $(FUZZ_SIGD_LIB) $(FUZZ_CCD_LIB):
	@rm -f $@
	ar rcs $@ $^

# Static pattern rules: they win over the codec rule above.
ifneq ($(FUZZ_SIGD_BIN),)
$(FUZZ_SIGD_BIN): $(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_SIGD_LIB) $(FUZZ_LIB) $(FUZZ_PROTO_LIB) \
		| $(FUZZ_PROTO_H)
	$(FUZZ_CC) $(FUZZ_DCFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< \
		$(FUZZ_SIGD_LIB) $(FUZZ_LIB) $(FUZZ_PROTO_LIB) $(FUZZ_PKG_LIBS)
endif
ifneq ($(FUZZ_CCD_BIN),)
$(FUZZ_CCD_BIN): $(FUZZ_BUILD)/%: tests/fuzz/%.c $(FUZZ_CCD_LIB) $(FUZZ_LIB) $(FUZZ_PROTO_LIB) \
		| $(FUZZ_PROTO_H)
	$(FUZZ_CC) $(FUZZ_DCFLAGS) -fsanitize=fuzzer -MMD -MP -o $@ $< \
		$(FUZZ_CCD_LIB) $(FUZZ_LIB) $(FUZZ_PROTO_LIB) $(FUZZ_PKG_LIBS)
endif

-include $(FUZZ_SIGD_OBJ:.o=.d) $(FUZZ_CCD_OBJ:.o=.d) $(FUZZ_SIGD_BIN:=.d) $(FUZZ_CCD_BIN:=.d)

fuzz-build: deps
	@$(MAKE) --no-print-directory $(FUZZ_BIN)

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh $(FUZZ_BIN)

# ---------------------------------------------------------------- bench
$(BUILD)/bench/codec_bench: $(BUILD)/obj/bench/codec_bench.o $(ALL_LIBS)
	@mkdir -p $(@D)
	$(CC) $(ALL_LDFLAGS) -o $@ $< $(ALL_LIBS) $(LIBS)

bench-codec: deps
	@$(MAKE) --no-print-directory $(BUILD)/bench/codec_bench
	@sh bench/codec_bench.sh $(BUILD)/bench/codec_bench

# The call benchmark (bench/bench.sh, docs/performance.md): sigd + ccd and
# Kamailio driven by sipp in a private network namespace, ~20 minutes;
# BENCH_QUICK=1 for a ~2 minute run.
BENCH_QUICK ?= 0
$(BUILD)/bench/sipsniff: bench/sipsniff.c
	@mkdir -p $(@D)
	$(CC) -std=c11 $(CFLAGS) $(WARN) -D_GNU_SOURCE -o $@ $<

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/bench/sipsniff $(BUILD)/tools/rtpio
	@BUILD=$(BUILD) BENCH_QUICK=$(BENCH_QUICK) sh bench/bench.sh

# ---------------------------------------------------------------- run
LISTEN ?= 127.0.0.1:5060
REMOTE ?= 127.0.0.1:5070
run: deps
	@$(MAKE) --no-print-directory all
	@LISTEN=$(LISTEN) REMOTE=$(REMOTE) BUILD=$(BUILD) sh mk/run.sh

# ---------------------------------------------------------------- install
PREFIX     ?= /usr/local
SBINDIR    ?= $(PREFIX)/sbin
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR    ?= $(PREFIX)/lib/systemd/system
DATADIR    ?= $(PREFIX)/share/$(PRODUCT)

# Units and examples get this PREFIX's paths. The units run as the system
# user and group $(PRODUCT): README.md, "Running under systemd".
RUNDIR     ?= /run/$(PRODUCT)
INSTALL_SED = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@DATADIR@|$(DATADIR)|g' -e 's|@RUNDIR@|$(RUNDIR)|g' -e 's|@PRODUCT@|$(PRODUCT)|g'

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(DATADIR) \
		$(DESTDIR)$(SYSCONFDIR)/$(PRODUCT)
	install -m 0755 $(BUILD)/sigd $(BUILD)/ccd $(DESTDIR)$(SBINDIR)/
	for f in systemd/*.service; do \
		$(INSTALL_SED) $$f > $(DESTDIR)$(UNITDIR)/$${f##*/} || exit 1; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${f##*/}; \
	done
	for f in systemd/*.example; do \
		$(INSTALL_SED) $$f > $(DESTDIR)$(DATADIR)/$${f##*/} || exit 1; \
		chmod 0644 $(DESTDIR)$(DATADIR)/$${f##*/}; \
	done
	install -d $(DESTDIR)$(DATADIR)/radius
	install -m 0644 etc/radius/* $(DESTDIR)$(DATADIR)/radius/

clean:
	rm -rf build

-include $(COMMON_OBJ:.o=.d) $(SIGD_OBJ:.o=.d) $(CCD_OBJ:.o=.d) \
	$(BUILD)/obj/sigd/main.d $(BUILD)/obj/ccd/main.d $(UNIT_SRC:tests/unit/%.c=$(BUILD)/obj/tests/unit/%.d) \
	$(BUILD)/obj/bench/codec_bench.d $(FUZZ_OBJ:.o=.d)
