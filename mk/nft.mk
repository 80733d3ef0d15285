# mk/nft.mk — libnftnl + libmnl (optional): read the firewall's rule set over netlink (issue 12).
#   NFT=auto (default)  use them when pkg-config finds both
#   NFT=yes             require them (the build fails without)
#   NFT=no              build without: the firewall is reported as "not read" with the reason
# Debian: apt-get install libnftnl-dev libmnl-dev
NFT ?= auto
ifneq ($(NFT),no)
NFT_FOUND := $(shell pkg-config --exists libnftnl libmnl 2>/dev/null && echo yes)
ifeq ($(NFT_FOUND),yes)
NFT_CFLAGS := -DHAVE_NFTNL $(shell pkg-config --cflags libnftnl libmnl)
NFT_LIBS   := $(shell pkg-config --libs libnftnl libmnl)
else ifeq ($(NFT),yes)
$(error NFT=yes, but pkg-config finds no libnftnl and libmnl (apt-get install libnftnl-dev libmnl-dev))
endif
endif
CFLAGS += $(NFT_CFLAGS)
LDLIBS += $(NFT_LIBS)

# fwprobe: the firewall engine's debug entry point, driven by tests/integration/cases_firewall.py.
$(BUILD)/fwprobe: tests/helpers/fwprobe.c $(BUILD)/libportsleuth.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libportsleuth.a $(LDFLAGS) $(LDLIBS)

check: $(BUILD)/fwprobe
