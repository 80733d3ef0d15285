#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# package.sh — the Debian package and `make install`, checked the way a user gets them (issue 17):
#   1. make install / uninstall with PREFIX and DESTDIR into a temporary directory;
#   2. dpkg-buildpackage -us -uc -b on a copy of the tree (the .deb lands in a temporary
#      directory, not next to the checkout);
#   3. lintian on the .changes: any E: or W: line fails;
#   4. apt-get install ./portsleuth_*.deb in a clean Debian 12 minbase root (debootstrap, built
#      once and cached in /var/tmp, a pristine copy per run; mirror from this machine's apt
#      sources), then `portsleuth --version` and `portsleuth -a --json` there, and the timer
#      must not be enabled.
# Run as root from the checkout: sh tests/package.sh. Needs build-essential debhelper
# devscripts lintian debootstrap libnftnl-dev libmnl-dev libbpf-dev libsystemd-dev pkg-config.
# Exit 0 when everything passed; "FAIL ..." lines say what did not.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
fail=0
die() { echo "FAIL package: $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "run as root (debootstrap, chroot)"
for tool in dpkg-buildpackage lintian debootstrap dh; do
	command -v $tool >/dev/null || die "$tool is missing (apt-get install build-essential debhelper devscripts lintian debootstrap)"
done
work=$(mktemp -d /var/tmp/portsleuth-package-XXXXXX)
root=$work/root
cleanup() {
	umount -R "$root/proc" "$root/sys" "$root/dev" 2>/dev/null
	rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# -- 1. make install / uninstall
stage=$work/stage
make -C "$src" -s -j2 >/dev/null 2>&1 || die "make failed"
make -C "$src" -s install PREFIX=/opt/ps DESTDIR="$stage" >"$work/install.log" 2>&1 || die "make install: $(tail -3 "$work/install.log")"
for f in bin/portsleuth share/man/man1/portsleuth.1 share/bash-completion/completions/portsleuth \
	share/zsh/site-functions/_portsleuth share/fish/vendor_completions.d/portsleuth.fish; do
	[ -s "$stage/opt/ps/$f" ] || { echo "FAIL make install: $stage/opt/ps/$f missing"; fail=1; }
done
[ "$(find "$stage" -type f | grep -vc '^'"$stage"'/opt/ps/')" = 0 ] || { echo "FAIL make install: files outside DESTDIR/PREFIX"; fail=1; }
make -C "$src" -s uninstall PREFIX=/opt/ps DESTDIR="$stage" >/dev/null 2>&1
left=$(find "$stage" -type f | wc -l)
[ "$left" = 0 ] || { echo "FAIL make uninstall: $left files left"; fail=1; }
[ $fail = 0 ] && echo "ok make install/uninstall (PREFIX=/opt/ps DESTDIR=tmp)"

# -- 2. dpkg-buildpackage on a copy (outputs go to its parent directory)
mkdir -p "$work/pkg/portsleuth"
tar -C "$src" --exclude=./.git --exclude='./build' --exclude='./build-*' -cf - . | tar -C "$work/pkg/portsleuth" -xf -
(cd "$work/pkg/portsleuth" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 ||
	die "dpkg-buildpackage: $(tail -15 "$work/build.log")"
deb=$(ls "$work"/pkg/portsleuth_*_*.deb)
echo "ok dpkg-buildpackage -us -uc -b: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# -- 3. lintian
lintian --pedantic "$work"/pkg/portsleuth_*.changes >"$work/lintian.log" 2>&1
if grep -qE '^(E|W):' "$work/lintian.log"; then
	echo "FAIL lintian:"
	grep -E '^(E|W):' "$work/lintian.log" | sed 's/^/    /'
	fail=1
else
	echo "ok lintian: no error or warning ($(grep -cE '^(I|P|X):' "$work/lintian.log") info/pedantic tags)"
fi

# -- 4. a clean Debian 12 root
base=/var/tmp/package-bookworm-base
mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null)
mirror=${mirror:-http://deb.debian.org/debian}
if [ ! -f $base/.done ]; then
	rm -rf $base
	debootstrap --variant=minbase bookworm $base "$mirror" >"$work/debootstrap.log" 2>&1 ||
		die "debootstrap: $(tail -5 "$work/debootstrap.log")"
	touch $base/.done
fi
mkdir "$root"
cp -a $base/. "$root/"
cp /etc/resolv.conf "$root/etc/" 2>/dev/null
cp "$deb" "$root/tmp/"
mount -t proc proc "$root/proc" && mount --rbind /sys "$root/sys" && mount --rbind /dev "$root/dev" || die "cannot mount /proc, /sys, /dev in the root"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
{ in_root apt-get update -qq && in_root apt-get install -y -q "/tmp/$(basename "$deb")"; } >"$work/apt.log" 2>&1 ||
	die "apt-get install ./$(basename "$deb") in the clean root: $(tail -8 "$work/apt.log")"
echo "ok apt-get install ./$(basename "$deb") in a clean Debian 12 root"
if v=$(in_root portsleuth --version 2>&1) && [ -n "$v" ]; then
	echo "ok portsleuth --version: $v"
else
	echo "FAIL portsleuth --version: $v"
	fail=1
fi
in_root portsleuth -a --json >"$work/list.json" 2>"$work/list.err"
rc=$?
if [ $rc = 0 ] && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert isinstance(d["sockets"], list)' "$work/list.json" 2>"$work/json.err"; then
	echo "ok portsleuth -a --json: $(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["sockets"]))' "$work/list.json") sockets, valid JSON"
else
	echo "FAIL portsleuth -a --json: exit $rc; $(head -c 300 "$work/list.err") $(cat "$work/json.err")"
	fail=1
fi
for f in /usr/share/man/man1/portsleuth.1.gz /usr/share/bash-completion/completions/portsleuth \
	/usr/share/zsh/vendor-completions/_portsleuth /usr/share/fish/vendor_completions.d/portsleuth.fish \
	/usr/share/doc/portsleuth/examples/baseline.policy /lib/systemd/system/portsleuth-check.service \
	/lib/systemd/system/portsleuth-check.timer /usr/libexec/portsleuth/portsleuth-textfile; do
	[ -s "$root$f" ] || { echo "FAIL installed: $f missing"; fail=1; }
done
if [ -e "$root/etc/systemd/system/timers.target.wants/portsleuth-check.timer" ]; then
	echo "FAIL portsleuth-check.timer is enabled on install"
	fail=1
fi
[ $fail = 0 ] && echo "package: all passed"
exit $fail
