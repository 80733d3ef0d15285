#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh LIBS... — the libraries a full Linux build links, installed when missing.
# Each argument is "pkg-config-name=debian-package". As root with apt-get, installs the
# missing ones (and pkg-config) in one call; otherwise prints the one command to run.
# Never fails the build: a library still missing leaves its feature out, and the build's
# last line says so (mk/features.sh).
missing=""
command -v pkg-config >/dev/null 2>&1 || missing="pkg-config"
for want in "$@"; do
	pc=${want%%=*}
	pkg=${want#*=}
	command -v pkg-config >/dev/null 2>&1 && pkg-config --exists "$pc" 2>/dev/null && continue
	case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
done
missing=$(echo $missing)
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "portsleuth build: installing $missing (apt-get; DEPS=no skips this)" >&2
	export DEBIAN_FRONTEND=noninteractive
	{ apt-get update -qq -o DPkg::Lock::Timeout=600 &&
		apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 $missing; } >/dev/null 2>&1 ||
		echo "portsleuth build: apt-get install $missing failed; building without what they give" >&2
	exit 0
fi
echo "portsleuth build: for the whole tool first run: sudo apt-get install $missing" >&2
