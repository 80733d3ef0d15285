# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile — builds portsleuth, its tests, fuzz harnesses and benchmark helpers.
#   make                    build build/portsleuth
#   make unit               build and run the unit tests only (no root needed)
#   make check              build and run the whole test suite (unit + integration, as root)
#   make check SANITIZE=1   the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make fuzz [FUZZ_SECONDS=10]   every libFuzzer harness (clang), FUZZ_SECONDS each
#   make format / make format-check   clang-format the sources / list files that differ
#   make install PREFIX=/usr/local [DESTDIR=dir]   program, man page, completions (make uninstall)
#   make BPF=no             leave out the BPF attribution method (mk/bpf.mk)
#
# CC, CFLAGS, CPPFLAGS, LDFLAGS and LDLIBS are the user's: the project's own flags
# (PS_*) come after them, so `make CFLAGS=-O0` still builds C11 with warnings on.
# Every configuration gets its own build directory holding one portsleuth binary:
# build (default), build-san (SANITIZE=1), build-clang (CC=clang), build-O0
# (CFLAGS=-O0), build-stub (PLATFORM=stub), build-nosdbus (SDBUS=no), build-windows
# (PLATFORM=windows, cross-compiled with mingw-w64 unless CC is given); BUILD=dir
# overrides the name.

empty :=
space := $(empty) $(empty)

HOST_PLATFORM := $(if $(filter Linux,$(shell uname -s)),linux,stub)
PLATFORM ?= $(HOST_PLATFORM)
EXE     :=
ifeq ($(PLATFORM),windows)
ifeq ($(origin CC),default)
CC      := x86_64-w64-mingw32-gcc
endif
EXE     := .exe
# Unit tests of a cross build run through wine when it is installed.
RUN     := $(shell command -v wine64 >/dev/null 2>&1 && echo wine64 || (command -v wine >/dev/null 2>&1 && echo wine))
endif

CFLAGS  ?= -O2 -g
WERROR  ?= -Werror
PREFIX  ?= /usr/local
PS_CFLAGS := -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wformat=2 -Wvla $(WERROR) \
             -fno-strict-aliasing -pthread
PS_LDFLAGS := -pthread
PS_LDLIBS  := -lm
# Portable code is POSIX.1-2008 C11; only Linux backend code (and the tests and
# helpers that drive Linux directly) may use GNU extensions.
PS_FEATURES := -D_POSIX_C_SOURCE=200809L
GNU_DIRS := src/platform/linux tests/unit/linux tests/helpers tests/fuzz

# The build directory name says how it differs from the default build.
BUILD_TAGS :=
ifneq ($(PLATFORM),$(HOST_PLATFORM))
BUILD_TAGS += $(PLATFORM)
endif
ifneq ($(filter command line environment,$(origin CC)),)
BUILD_TAGS += $(notdir $(firstword $(filter-out ccache,$(CC))))
endif
ifneq ($(filter command line environment,$(origin CFLAGS)),)
# a short flag list names the directory (build-O0); a long one by its checksum
BUILD_TAGS += $(if $(word 4,$(CFLAGS)),cflags$(firstword $(shell printf '%s' '$(subst ','\'',$(CFLAGS))' | cksum)),$(patsubst -%,%,$(subst /,_,$(subst $(space),,$(CFLAGS)))))
endif

# Optional features: NAME ?= auto detects the library with pkg-config, yes requires
# it, no leaves it out (and tags the build directory). A new feature (e.g. BPF)
# follows the same pattern: detect, add its flags and sources, tag the directory.
detect = $(if $(filter auto,$(1)),$(shell pkg-config --exists $(2) 2>/dev/null && echo yes || echo no),$(1))

# A default Linux build is the whole tool: before anything is detected, mk/deps.sh
# installs the missing libraries of the features left on auto or yes (as root with
# apt-get; otherwise it prints the one command). DEPS=no skips it. Only the top-level
# make of a building goal does this, once.
DEPS    ?= auto
BUILD_GOALS := $(filter-out clean format format-check bpf-check bpf-cost bpf-gen uninstall,$(or $(MAKECMDGOALS),all))
ifeq ($(PLATFORM)$(MAKELEVEL)$(DEPS),linux0auto)
ifneq ($(BUILD_GOALS),)
# (SDBUS, NFT and BPF get their defaults below: unset here means auto)
DEPS_WANTED := $(if $(filter-out no,$(or $(SDBUS),auto)),libsystemd=libsystemd-dev) \
               $(if $(filter-out no,$(or $(NFT),auto)),libnftnl=libnftnl-dev libmnl=libmnl-dev) \
               $(if $(filter-out no,$(or $(BPF),auto)),libbpf=libbpf-dev) \
               $(if $(filter-out no,$(or $(TUI),auto)),ncursesw=libncurses-dev)
$(shell sh mk/deps.sh $(DEPS_WANTED) >&2)
endif
endif

# libsystemd's sd-bus: socket activation asks systemd for the .socket units.
# Without it portsleuth builds and says where the units would be shown.
SDBUS   ?= auto
SDBUS_ON := $(if $(filter linux,$(PLATFORM)),$(call detect,$(SDBUS),libsystemd),no)
ifeq ($(SDBUS_ON),yes)
PS_CFLAGS += -DHAVE_SDBUS $(shell pkg-config --cflags libsystemd)
PS_LDLIBS += -ldl # libsystemd is dlopen()ed when systemd is asked (src/platform/linux/sdbus.c)
endif
ifeq ($(SDBUS),no)
BUILD_TAGS += nosdbus
endif

# libnftnl + libmnl: read the firewall's rule set over netlink (src/platform/linux/nft_read.c).
# Without them the firewall is reported as not read, with the reason.
NFT     ?= auto
NFT_ON  := $(if $(filter linux,$(PLATFORM)),$(call detect,$(NFT),libnftnl libmnl),no)
ifeq ($(NFT_ON),yes)
PS_CFLAGS += -DHAVE_NFTNL $(shell pkg-config --cflags libnftnl libmnl)
PS_LDLIBS += $(shell pkg-config --libs libnftnl libmnl)
endif
ifeq ($(NFT),no)
BUILD_TAGS += nonft
endif

# ncursesw: the full-screen `portsleuth top` (src/cli/top*.c). Without it top says it was
# built without ncurses; conns gives the same data without a screen.
TUI     ?= auto
TUI_ON  := $(if $(filter linux,$(PLATFORM)),$(call detect,$(TUI),ncursesw),no)
ifeq ($(TUI_ON),yes)
# loaded by top when it starts (src/cli/topcurses.c), not linked: a listing never maps it
NCURSES_SONAME ?= libncursesw.so.6
TUI_CFLAGS := -DHAVE_NCURSES -DPS_NCURSES_SONAME='"$(NCURSES_SONAME)"' $(shell pkg-config --cflags ncursesw)
PS_LDLIBS += -ldl
endif
ifeq ($(TUI),no)
BUILD_TAGS += notui
endif
ifeq ($(BPF),no)
BUILD_TAGS += nobpf
endif

ifeq ($(SANITIZE),1)
PS_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
PS_LDFLAGS += -fsanitize=address,undefined
BUILD_TAGS += san
endif

# make fuzz builds the library once more with clang's libFuzzer instrumentation.
FUZZ_CC ?= clang
FUZZ_SECONDS ?= 10
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ifeq ($(FUZZ),1)
PS_CFLAGS += -fsanitize=fuzzer-no-link $(FUZZ_SAN)
PS_LDFLAGS += $(FUZZ_SAN)
BUILD_TAGS += fuzz
endif

BUILD ?= build$(subst $(space),,$(addprefix -,$(strip $(BUILD_TAGS))))

.DEFAULT_GOAL := all
include mk/bpf.mk

# The features built, for --version (the binary) and the build's last line (with why
# any is missing and how to get it).
ifeq ($(PLATFORM),linux)
FEAT_BPF  := $(if $(filter yes,$(BPF)),+bpf,-bpf)
FEAT_NFT  := $(if $(filter yes,$(NFT_ON)),+nftables,-nftables)
FEAT_SDB  := $(if $(filter yes,$(SDBUS_ON)),+sd-bus,-sd-bus)
FEAT_TUI  := $(if $(filter yes,$(TUI_ON)),+tui,-tui)
FEATURES  := $(FEAT_BPF) $(FEAT_NFT) $(FEAT_SDB) $(FEAT_TUI)
why_missing = $(if $(filter no,$(1)),(left out: $(2)=no),(no $(3): apt-get install $(3)))
FEATURES_SAID := $(FEAT_BPF)$(if $(filter yes,$(BPF)),, $(call why_missing,$(BPF_ASKED),BPF,libbpf-dev)) \
	$(FEAT_NFT)$(if $(filter yes,$(NFT_ON)),, $(call why_missing,$(NFT),NFT,libnftnl-dev libmnl-dev)) \
	$(FEAT_SDB)$(if $(filter yes,$(SDBUS_ON)),, $(call why_missing,$(SDBUS),SDBUS,libsystemd-dev)) \
	$(FEAT_TUI)$(if $(filter yes,$(TUI_ON)),, $(call why_missing,$(TUI),TUI,libncurses-dev))
else
FEATURES  :=
FEATURES_SAID := no optional features on $(PLATFORM)
endif
PS_CFLAGS += -DPS_BUILD_FEATURES='"$(FEATURES)"'

# Windows (mingw-w64): C99 printf (%zu) from mingw's stdio rather than msvcrt's
# (format checks stay with the Linux builds: mingw's printf attribute means
# msvcrt's); the POSIX calls it lacks come from a compat header forced into every
# file, so portable code has no #ifdef _WIN32; static libgcc and winpthread make
# portsleuth.exe run alone; -municode: the entry point is wmain (src/platform/windows/wmain.c:
# a UTF-8 argv from the UTF-16 command line). POSIX_ONLY are portable-tree files that need *at() calls
# or POSIX owners and modes (trust.c: Windows judges a file's access list instead).
ifeq ($(PLATFORM),windows)
PS_FEATURES += -D__USE_MINGW_ANSI_STDIO=1 -D_WIN32_WINNT=0x0601 -DWINVER=0x0601 -DUNICODE -D_UNICODE
PS_CFLAGS += -Wno-format -Isrc/compat -include src/compat/compat.h
PS_LDFLAGS += -static -municode
PS_LDLIBS += -liphlpapi -lws2_32 -lwintrust -lcrypt32 -lole32 -loleaut32 -ladvapi32 -luuid
POSIX_ONLY := src/util/readfile.c tests/unit/test_readfile.c src/util/trust.c
endif

LIB_SRC := $(filter-out $(POSIX_ONLY),$(wildcard src/util/*.c src/model/*.c src/enrich/*.c src/output/*.c \
           src/core/*.c src/cli/*.c src/platform/*.c) $(wildcard src/platform/$(PLATFORM)/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/gen/ports_kb.o
# Unit tests: the portable ones, plus those of the platform's own parsers.
UNIT_SRC := $(filter-out $(POSIX_ONLY),$(wildcard tests/unit/*.c tests/unit/$(PLATFORM)/*.c))
UNIT_OBJ := $(UNIT_SRC:%.c=$(BUILD)/%.o)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/%)
.SECONDARY: $(FUZZ_SRC:%.c=$(BUILD)/%.o)

COMPILE = $(CC) $(CPPFLAGS) $(PS_FEATURES) $(CFLAGS) $(PS_CFLAGS)
LINK    = $(CC) $(CFLAGS) $(LDFLAGS) $(PS_LDFLAGS)

all: $(BUILD)/portsleuth$(EXE)

# A directory never mixes configurations: objects depend on a record of the flags,
# rewritten (and so rebuilt against) only when they change.
CONFIG := $(CC) | $(CPPFLAGS) | $(CFLAGS) | $(PS_CFLAGS) | $(LDFLAGS) | $(LDLIBS) | $(PLATFORM)
$(BUILD)/config: FORCE
	@mkdir -p $(BUILD)
	@printf '%s\n' '$(subst ','\'',$(CONFIG))' | cmp -s - $@ || \
		printf '%s\n' '$(subst ','\'',$(CONFIG))' > $@

$(foreach d,$(GNU_DIRS),$(BUILD)/$(d)/%.o): PS_FEATURES := -D_GNU_SOURCE
# ncurses wants its own feature macros (_XOPEN_SOURCE): only the screen's files get them
$(BUILD)/src/cli/top%.o: PS_CFLAGS += $(TUI_CFLAGS)

$(BUILD)/%.o: %.c $(BUILD)/config
	@mkdir -p $(dir $@)
	$(COMPILE) -MMD -MP -c $< -o $@

# The port knowledge base: data/ports.tsv turned into C by a POSIX awk script.
$(BUILD)/gen/ports_kb.c: data/ports.tsv tools/kbgen.awk
	@mkdir -p $(dir $@)
	awk -f tools/kbgen.awk data/ports.tsv > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/ports_kb.o: $(BUILD)/gen/ports_kb.c $(BUILD)/config
	$(COMPILE) -I. -MMD -MP -c $< -o $@

$(BUILD)/libportsleuth.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/portsleuth$(EXE): $(BUILD)/src/main.o $(BUILD)/libportsleuth.a
	$(LINK) -o $@ $^ $(LDLIBS) $(PS_LDLIBS)
	@echo "portsleuth: built $@ ($(PLATFORM)) with $(FEATURES_SAID)"

$(BUILD)/unit_tests$(EXE): $(UNIT_OBJ) $(BUILD)/libportsleuth.a
	$(LINK) -o $@ $^ $(LDLIBS) $(PS_LDLIBS)

$(BUILD)/sockhold$(EXE): $(BUILD)/tests/helpers/sockhold.o
	$(LINK) -o $@ $^ $(LDLIBS) $(PS_LDLIBS)

# hideholder: owners that hide or borrow an identity (tests/integration/cases_integrity.py).
# It rewrites its own memory map (an attack), which AddressSanitizer cannot follow: it is
# built without the sanitizers in every configuration (it is a test's attacker, not our code).
$(BUILD)/tests/helpers/hideholder.o: PS_CFLAGS := $(filter-out -fsanitize=% -fno-sanitize-recover=%,$(PS_CFLAGS))
$(BUILD)/hideholder$(EXE): PS_LDFLAGS := $(filter-out -fsanitize=%,$(PS_LDFLAGS))
$(BUILD)/hideholder$(EXE): $(BUILD)/tests/helpers/hideholder.o
	$(LINK) -o $@ $^ $(LDLIBS) $(PS_LDLIBS)

$(BUILD)/fuzz_%: $(BUILD)/tests/fuzz/fuzz_%.o $(BUILD)/libportsleuth.a
	$(LINK) -fsanitize=fuzzer -o $@ $^ $(LDLIBS) $(PS_LDLIBS)

# fwprobe: the firewall engine's developer tools (record fixtures, list decoded rules, bench/fw.sh).
$(BUILD)/fwprobe$(EXE): $(BUILD)/tests/helpers/fwprobe.o $(BUILD)/libportsleuth.a
	$(LINK) -o $@ $^ $(LDLIBS) $(PS_LDLIBS)

unit: $(BUILD)/unit_tests$(EXE)
	$(RUN) $(BUILD)/unit_tests$(EXE)

check: $(BUILD)/portsleuth $(BUILD)/unit_tests $(BUILD)/sockhold $(BUILD)/hideholder $(BUILD)/fwprobe  # fwprobe: built so it keeps compiling
	@sh tests/deps.sh
	@sh tests/run.sh $(BUILD)

# Each harness runs FUZZ_SECONDS from its committed seeds (tests/fuzz/corpus/NAME);
# what it finds goes to $(BUILD)/corpus, crashes to $(BUILD)/crashes.
fuzz:
	@$(MAKE) --no-print-directory FUZZ=1 CC=$(FUZZ_CC) BUILD=$(if $(filter command line,$(origin BUILD)),$(BUILD),build-fuzz) fuzz-run

fuzz-run: $(FUZZ_BIN)
	@sh tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS) $(FUZZ_BIN)

FORMAT_FILES = $(shell find src tests -name '*.[ch]' ! -name '*.lskel.h' | LC_ALL=C sort)
CLANG_FORMAT ?= clang-format

format:
	$(CLANG_FORMAT) -i $(FORMAT_FILES)

format-check:
	@CLANG_FORMAT=$(CLANG_FORMAT) sh tests/format-check.sh

bench: $(BUILD)/portsleuth
	@sh bench/run.sh $(BUILD)/portsleuth

# Shell completions, generated by the program from its own options (`portsleuth completions
# SHELL`), so they list what --help lists. Only a native build can run it to make them.
COMPLETIONS := $(BUILD)/completions/portsleuth.bash $(BUILD)/completions/_portsleuth \
               $(BUILD)/completions/portsleuth.fish
ifeq ($(PLATFORM)$(EXE),$(HOST_PLATFORM))
ifneq ($(PLATFORM),stub)
all: $(COMPLETIONS)
endif
endif

$(BUILD)/completions/portsleuth.bash: $(BUILD)/portsleuth
	@mkdir -p $(dir $@)
	$< completions bash > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/_portsleuth: $(BUILD)/portsleuth
	@mkdir -p $(dir $@)
	$< completions zsh > $@.tmp && mv $@.tmp $@
$(BUILD)/completions/portsleuth.fish: $(BUILD)/portsleuth
	@mkdir -p $(dir $@)
	$< completions fish > $@.tmp && mv $@.tmp $@

# make install / uninstall [PREFIX=/usr/local] [DESTDIR=staging]: the program, its man page
# and the completions where bash-completion, zsh and fish look for them.
BINDIR       ?= $(PREFIX)/bin
MANDIR       ?= $(PREFIX)/share/man
BASHCOMPDIR  ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR   ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR  ?= $(PREFIX)/share/fish/vendor_completions.d
INSTALLED    := $(BINDIR)/portsleuth$(EXE) $(MANDIR)/man1/portsleuth.1 $(BASHCOMPDIR)/portsleuth \
                $(ZSHCOMPDIR)/_portsleuth $(FISHCOMPDIR)/portsleuth.fish

install: $(BUILD)/portsleuth$(EXE) $(COMPLETIONS)
	install -D -m 0755 $(BUILD)/portsleuth$(EXE) $(DESTDIR)$(BINDIR)/portsleuth$(EXE)
	install -D -m 0644 docs/portsleuth.1 $(DESTDIR)$(MANDIR)/man1/portsleuth.1
	install -D -m 0644 $(BUILD)/completions/portsleuth.bash $(DESTDIR)$(BASHCOMPDIR)/portsleuth
	install -D -m 0644 $(BUILD)/completions/_portsleuth $(DESTDIR)$(ZSHCOMPDIR)/_portsleuth
	install -D -m 0644 $(BUILD)/completions/portsleuth.fish $(DESTDIR)$(FISHCOMPDIR)/portsleuth.fish

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED))

clean:
	rm -rf build build-*


FORCE:
.PHONY: all unit check fuzz fuzz-run format format-check bench install uninstall clean bpf-check bpf-cost bpf-gen FORCE
-include $(LIB_OBJ:.o=.d) $(UNIT_OBJ:.o=.d) $(BUILD)/src/main.d $(BUILD)/tests/helpers/sockhold.d $(BUILD)/tests/helpers/hideholder.d $(BUILD)/tests/helpers/fwprobe.d \
	$(FUZZ_SRC:tests/fuzz/%.c=$(BUILD)/tests/fuzz/%.d)
