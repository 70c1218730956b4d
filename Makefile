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

PKGS := libcurl json-c yaml-0.1 zlib libmicrohttpd libsodium
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
LDLIBS += $(PKG_LIBS) -lm
ifneq ($(SANITIZE),)
CFLAGS += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=$(SANITIZE)
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

units: $(UNIT_BIN)

# Every test layer; the runner ends with "N passed, N failed".
check: medload $(UNIT_BIN)
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
	rm -rf $(BUILD) medload

# Formats the lines changed since FORMAT_BASE (default HEAD) with
# .clang-format; the rest of the tree is left as it is.
FORMAT_BASE ?= HEAD
format:
	git clang-format --extensions c,h $(FORMAT_BASE) -- core analyzer \
		loader cmd tests/unit

.PHONY: all check units demo bench install install-files uninstall clean format

-include $(OBJ:.o=.d) $(UNIT_BIN:=.d)
