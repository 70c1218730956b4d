# medload: build, test, install. `make V=1` shows full commands;
# `make SANITIZE=address,undefined` builds with sanitizers; `WERROR=1`
# turns warnings into errors (CI).

PKG_CONFIG ?= pkg-config
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/medload
DESTDIR ?=
CC ?= cc
BUILD ?= build

PKGS := libcurl json-c yaml-0.1 zlib libmicrohttpd libsodium openssl
PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS))

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wwrite-strings -Wformat=2 -Wno-overlength-strings
ifeq ($(WERROR),1)
WARN += -Werror
endif
OPT ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -Icore -Ianalyzer -Iloader -Icmd
CFLAGS ?=
CFLAGS += -std=c11 $(OPT) $(WARN) $(PKG_CFLAGS) -MMD -MP
LDLIBS += $(PKG_LIBS) -lwslay -lm
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
endif
# Objects for the libFuzzer harnesses (clang; see `make fuzz`).
ifeq ($(FUZZ_OBJECTS),1)
CFLAGS += -fsanitize=fuzzer-no-link
endif

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-6s %s\n' $(1) $(2)
endif

# Objects are rebuilt when the compiler flags change (say, SANITIZE).
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW := $(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $(LDLIBS)
$(shell mkdir -p $(BUILD); echo '$(FLAGS_NOW)' | cmp -s - $(FLAGS_STAMP) || \
	echo '$(FLAGS_NOW)' >$(FLAGS_STAMP))

SRC_CORE := $(sort $(wildcard core/*.c))
SRC_ANALYZER := $(sort $(wildcard analyzer/*.c))
SRC_LOADER := $(sort $(wildcard loader/*.c))
SRC_CMD := $(sort $(wildcard cmd/*.c))
SRC := $(SRC_CORE) $(SRC_ANALYZER) $(SRC_LOADER) $(SRC_CMD)
ASSETS := $(sort $(wildcard report-templates/*.tmpl queries/*.json))
OBJ := $(SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/assets.o
LIBOBJ := $(filter-out $(BUILD)/cmd/main.o,$(OBJ))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
FUZZ_SRC := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%)
# The harnesses with a plain main (tests/fuzz/replay.c), for `make check`.
FUZZ_REPLAY := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/replay_%)

all: medload

medload: $(OBJ)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $(OBJ) $(LDLIBS)

$(BUILD)/%.o: %.c $(FLAGS_STAMP)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/gen/assets.c: tools/embed.sh $(ASSETS)
	$(call msg,EMBED,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)sh tools/embed.sh $@ $(ASSETS)

$(BUILD)/gen/assets.o: $(BUILD)/gen/assets.c $(FLAGS_STAMP)
	$(call msg,CC,$<)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c tests/unit/check.h $(LIBOBJ)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/unit $(CFLAGS) $(LDFLAGS) -o $@ $< \
		$(LIBOBJ) $(LDLIBS)

units: $(UNIT_BIN) $(FUZZ_REPLAY)

# The libFuzzer harnesses (tests/fuzz/README.md): `make fuzz` builds them
# with clang in $(FUZZ_BUILD) under ASan and UBSan, then runs each for
# FUZZ_SECONDS (FUZZ_JOBS at a time) and prints executions and coverage.
FUZZ_BUILD ?= build-fuzz
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 60
FUZZ_JOBS ?= 2
FUZZ_ONLY ?=
# fuzz_es answers medload's requests itself: the link wraps http_request,
# and usleep (the raw export's 100 ms polls become 0.2 ms).
FUZZ_LINK_fuzz_es := -Wl,--wrap=http_request -Wl,--wrap=usleep

$(BUILD)/fuzz/%: tests/fuzz/%.c $(BUILD)/fuzz/fuzzlib.o $(LIBOBJ)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) -fsanitize=fuzzer \
		$(LDFLAGS) -o $@ $< $(BUILD)/fuzz/fuzzlib.o $(LIBOBJ) \
		$(FUZZ_LINK_$*) $(LDLIBS)

$(BUILD)/fuzz/%.o: tests/fuzz/%.c tests/fuzz/fuzzlib.h $(FLAGS_STAMP)
	$(call msg,CC,$<)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) -Itests/fuzz $(CFLAGS) -c -o $@ $<

$(BUILD)/tests/replay_%: $(BUILD)/fuzz/%.o $(BUILD)/fuzz/replay.o \
		$(BUILD)/fuzz/fuzzlib.o $(LIBOBJ)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/fuzz/replay.o \
		$(BUILD)/fuzz/fuzzlib.o $(LIBOBJ) $(FUZZ_LINK_$*) $(LDLIBS)

# Keep the harness objects that the replay links are made from.
.SECONDARY: $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/fuzz/%.o) \
	$(BUILD)/fuzz/replay.o $(BUILD)/fuzz/fuzzlib.o

fuzz-build:
	$(Q)$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) \
		SANITIZE=address,undefined FUZZ_OBJECTS=1 OPT="-O1 -g" \
		$(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ_BUILD)/fuzz/%)

fuzz: fuzz-build
	@FUZZ_BIN_DIR=$(CURDIR)/$(FUZZ_BUILD)/fuzz \
		FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_JOBS=$(FUZZ_JOBS) \
		sh tests/fuzz/run $(FUZZ_ONLY)

# Every test layer; the runner ends with "N passed, N failed".
check: medload $(UNIT_BIN) $(FUZZ_REPLAY)
	@MEDLOAD=$(CURDIR)/medload UNIT_DIR=$(CURDIR)/$(BUILD)/tests \
		sh tests/run $(TESTS)

# The README's main job: local stack, step load, traces, report folder.
demo: medload
	sh tools/demo

# Benchmarks (never fail): BENCH picks them; es and collect need the
# search engines running (stack/opensearch start, stack/elasticsearch start),
# edge the local stack (stack/up) and the unit objects (make units).
BENCH ?= analyze driver
bench: medload
	@for b in $(BENCH); do echo "== bench/$$b"; \
		case $$b in analyze) sh bench/analyze ;; *) bash bench/$$b ;; esac \
		|| exit 1; done

install: medload install-files

# Installs an already built binary ($(BIN)); `make install` builds first.
BIN ?= medload
install-files:
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(DATADIR)/report-templates $(DESTDIR)$(DATADIR)/queries
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/medload
	install -m 0644 man/medload.1 $(DESTDIR)$(MANDIR)/man1/medload.1
	install -m 0644 report-templates/*.tmpl \
		$(DESTDIR)$(DATADIR)/report-templates/
	for f in queries/*.json; do [ -e "$$f" ] && \
		install -m 0644 "$$f" $(DESTDIR)$(DATADIR)/queries/; done; true

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/medload $(DESTDIR)$(MANDIR)/man1/medload.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD) medload

# Formats the lines changed since FORMAT_BASE (default HEAD) with
# .clang-format; the rest of the tree is left as it is.
FORMAT_BASE ?= HEAD
format:
	git clang-format --extensions c,h $(FORMAT_BASE) -- core analyzer \
		loader cmd tests/unit

.PHONY: all check units fuzz fuzz-build demo bench install install-files \
	uninstall clean format

-include $(OBJ:.o=.d) $(UNIT_BIN:=.d) $(FUZZ_BIN:=.d) \
	$(wildcard $(BUILD)/fuzz/*.d)
