# SPDX-License-Identifier: GPL-2.0-or-later
# mk/bpf.mk — the BPF programs (src/platform/linux/bpf/: the attribution iterator sockfd and its
# narrow form sockone, top's TCP state changes sockstate), included by the Makefile.
#
# The program's light skeleton (bpftool gen skeleton -L: the kernel relocates the
# program, so nothing links against libbpf) is generated and committed as
# src/platform/linux/bpf/sockfd.lskel.h, so building it needs only libbpf's headers
# (libbpf-dev: bpf/skel_internal.h). BPF=auto (the default) builds it when they are
# there, BPF=no leaves it out, BPF=yes insists. Changing sockfd.bpf.c or sockfd.h
# regenerates the skeleton on the next build (clang, bpftool and kernel BTF needed
# then: mk/bpfskel.sh); `make bpf-check` fails when the committed one is stale.
# Expects BUILD and PLATFORM from the Makefile; touches only the one object that
# includes the skeleton.

BPF      ?= auto
BPF_ASKED := $(BPF)
BPF_SRC  := src/platform/linux/bpf
BPF_SKEL := $(BPF_SRC)/sockfd.lskel.h
BPF_SKEL0 := $(BPF_SRC)/sockfd0.lskel.h
BPF_SKEL_STATE := $(BPF_SRC)/sockstate.lskel.h
BPF_SKEL_ONE := $(BPF_SRC)/sockone.lskel.h

ifeq ($(BPF),auto)
override BPF := $(if $(and $(filter linux,$(PLATFORM)),$(shell pkg-config --exists libbpf 2>/dev/null && echo yes)),yes,no)
endif

ifeq ($(BPF),yes)
BPF_USER := $(BUILD)/src/platform/linux/attr_bpf.o

$(BPF_USER): PS_CFLAGS += -DHAVE_BPF $(shell pkg-config --cflags libbpf)
$(BPF_USER): $(BPF_SKEL) $(BPF_SKEL0) $(BPF_SKEL_ONE)

BPF_USER_STATE := $(BUILD)/src/platform/linux/sockstate.o
$(BPF_USER_STATE): PS_CFLAGS += -DHAVE_BPF $(shell pkg-config --cflags libbpf)
$(BPF_USER_STATE): $(BPF_SKEL_STATE)

# Runs every build, rewrites a skeleton only when its program changed (make then
# sees the new time and recompiles the object that includes it).
$(BPF_SKEL): FORCE
	@sh mk/bpfskel.sh fix $(BUILD) sockfd
$(BPF_SKEL0): FORCE
	@sh mk/bpfskel.sh fix $(BUILD) sockfd0
$(BPF_SKEL_STATE): FORCE
	@sh mk/bpfskel.sh fix $(BUILD) sockstate
$(BPF_SKEL_ONE): FORCE
	@sh mk/bpfskel.sh fix $(BUILD) sockone
else ifneq ($(BPF),no)
$(error BPF must be auto, yes or no (got '$(BPF)'))
endif

bpf-check:
	@sh mk/bpfskel.sh check

# root: the verifier's cost of each program stays small (mk/bpfskel.sh cost)
bpf-cost:
	@sh mk/bpfskel.sh cost $(BUILD)

bpf-gen:
	@sh mk/bpfskel.sh gen $(BUILD)
