# mk/bpf.mk — the BPF attribution method (src/platform/linux/bpf/), included by the Makefile.
#
# Built when clang, bpftool, libbpf's headers (pkg-config libbpf) and the build
# machine's kernel BTF are all there (BPF=auto, the default); BPF=no leaves it
# out, BPF=yes insists. vmlinux.h and the light skeleton (bpftool gen skeleton -L:
# the kernel relocates the program, so nothing links against libbpf) are
# generated into $(BUILD)/bpf/ at build time, never committed.
# Expects BUILD and PLATFORM from the Makefile; touches only the one object that
# includes the skeleton.

BPF      ?= auto
BPF_CLANG ?= clang
BPFTOOL  ?= $(firstword $(shell command -v bpftool 2>/dev/null) $(wildcard /usr/sbin/bpftool /sbin/bpftool))
BPF_BTF  ?= /sys/kernel/btf/vmlinux

ifeq ($(BPF),auto)
override BPF := $(if $(and $(filter linux,$(PLATFORM)),$(shell command -v $(BPF_CLANG) 2>/dev/null),$(BPFTOOL),$(wildcard $(BPF_BTF)),$(shell pkg-config --exists libbpf 2>/dev/null && echo yes)),yes,no)
endif

ifeq ($(BPF),yes)
BPF_DIR  := $(BUILD)/bpf
BPF_SRC  := src/platform/linux/bpf
BPF_USER := $(BUILD)/src/platform/linux/attr_bpf.o

$(BPF_USER): PS_CFLAGS += -DHAVE_BPF -I$(BPF_DIR) $(shell pkg-config --cflags libbpf)
$(BPF_USER): $(BPF_DIR)/sockfd.lskel.h

$(BPF_DIR)/vmlinux.h:
	@mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $(BPF_BTF) format c > $@.tmp && mv $@.tmp $@

# -g: the BTF that CO-RE relocations need; no -D__TARGET_ARCH (no pt_regs access)
$(BPF_DIR)/sockfd.bpf.o: $(BPF_SRC)/sockfd.bpf.c $(BPF_SRC)/sockfd.h $(BPF_DIR)/vmlinux.h
	$(BPF_CLANG) -g -O2 -target bpf -Wall -Werror -I$(BPF_DIR) -I$(BPF_SRC) \
		$(shell pkg-config --cflags libbpf) -c $< -o $@

$(BPF_DIR)/sockfd.lskel.h: $(BPF_DIR)/sockfd.bpf.o
	$(BPFTOOL) gen skeleton -L $< name sockfd > $@.tmp && mv $@.tmp $@
else ifneq ($(BPF),no)
$(error BPF must be auto, yes or no (got '$(BPF)'))
endif
