# Makefile — builds portsleuth, its tests and its benchmark helpers.
#   make                 build build/portsleuth
#   make check           build and run the whole test suite (unit + integration)
#   make check SANITIZE=1   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make install PREFIX=/usr/local
#   make BPF=no          leave out the BPF attribution method (mk/bpf.mk)

CC      ?= cc
PLATFORM ?= $(if $(filter Linux,$(shell uname -s)),linux,stub)
WERROR  ?= -Werror
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_DEFAULT_SOURCE -D_GNU_SOURCE -Wall -Wextra -Wshadow -Wstrict-prototypes \
           -Wformat=2 -Wvla $(WERROR) -fno-strict-aliasing -pthread
LDFLAGS += -pthread
PREFIX  ?= /usr/local

# libsystemd's sd-bus (optional): socket activation asks systemd for the .socket units.
# Without it (or with SDBUS=no) portsleuth builds and says where the units would be shown.
SDBUS   ?= $(shell pkg-config --exists libsystemd 2>/dev/null && echo yes)
ifeq ($(SDBUS),yes)
CFLAGS  += -DHAVE_SDBUS $(shell pkg-config --cflags libsystemd)
LDLIBS  += $(shell pkg-config --libs libsystemd)
endif

ifeq ($(SANITIZE),1)
BUILD   ?= build-san
CFLAGS  += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
else
BUILD   ?= build
endif

LIB_SRC := $(wildcard src/util/*.c src/model/*.c src/enrich/*.c src/output/*.c src/core/*.c src/cli/*.c) \
           $(wildcard src/platform/$(PLATFORM)/*.c)
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/ports_kb.o
UNIT_SRC := $(wildcard tests/unit/*.c)
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)

all: $(BUILD)/portsleuth

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# The port knowledge base: data/ports.tsv turned into C by a POSIX awk script.
$(BUILD)/gen/ports_kb.c: data/ports.tsv tools/kbgen.awk
	@mkdir -p $(dir $@)
	awk -f tools/kbgen.awk data/ports.tsv > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/ports_kb.o: $(BUILD)/gen/ports_kb.c
	$(CC) $(CFLAGS) -I. -MMD -MP -c $< -o $@

$(BUILD)/libportsleuth.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/portsleuth: $(BUILD)/src/main.o $(BUILD)/libportsleuth.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unit_tests: $(UNIT_OBJ) $(BUILD)/libportsleuth.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/sockhold: tests/helpers/sockhold.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS)

check: $(BUILD)/portsleuth $(BUILD)/unit_tests $(BUILD)/sockhold
	@sh tests/deps.sh
	@sh tests/run.sh $(BUILD)

bench: $(BUILD)/portsleuth
	@sh bench/run.sh $(BUILD)/portsleuth

install: $(BUILD)/portsleuth
	install -D -m 0755 $(BUILD)/portsleuth $(DESTDIR)$(PREFIX)/bin/portsleuth
	install -D -m 0644 docs/portsleuth.1 $(DESTDIR)$(PREFIX)/share/man/man1/portsleuth.1

clean:
	rm -rf build build-san

.PHONY: all check bench install clean
include mk/bpf.mk
-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/src/main.d
