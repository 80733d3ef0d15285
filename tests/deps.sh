#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# deps.sh — make sure the tools the test suite drives are present (Debian package names).
# As root it installs what is missing; otherwise it prints the exact command and fails.
missing=""
need() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }
need python3 python3
need ip iproute2
need ss iproute2
need unshare util-linux
need setpriv util-linux
need mount mount                      # a private /run and state dirs per case
need umount mount
need systemd-socket-activate systemd  # socket activation case (systemd need not run)
# cases_firewall.py: rule sets loaded with nft and iptables (nf_tables and legacy backends)
need nft nftables
need iptables-nft-restore iptables
need iptables-legacy iptables
# cases_firewall.py: the real front-ends, run in a server namespace (no systemd needed)
need /usr/sbin/ufw ufw
need /usr/sbin/firewalld firewalld
need dbus-daemon dbus
# cases_daemons.py: real packaged daemons (absolute paths: /usr/sbin is not on a user's PATH)
need /usr/bin/redis-server redis-server
need /usr/sbin/smbd samba
need /usr/sbin/nginx nginx
need /usr/sbin/sshd openssh-server
# cases_metrics.py: the metrics read back through node_exporter's textfile collector
need /usr/bin/prometheus-node-exporter prometheus-node-exporter
# cases_completions.py: the zsh and fish scripts parsed (and fish's completer asked)
need zsh zsh
need fish fish
# cases_stock.py: more stock daemons (issue 20)
need /usr/lib/dovecot/imap-login dovecot-imapd
need /usr/lib/dovecot/pop3-login dovecot-pop3d
need /usr/sbin/squid squid
need /usr/sbin/vsftpd vsftpd
need /usr/sbin/named bind9
need /usr/sbin/chronyd chrony
need /usr/sbin/xrdp xrdp
need /usr/sbin/rsyslogd rsyslog
# cases_developer.py: a developer's machine (python3 -m venv, node)
python3 -c 'import ensurepip' 2>/dev/null || missing="$missing python3-venv"
need node nodejs
# cases_cli.py: the man page renders clean (mandoc lint); cases_top.py: top driven in tmux
need mandoc mandoc
need tmux tmux
[ -z "$missing" ] && exit 0
pkgs=$(printf '%s\n' $missing | sort -u | tr '\n' ' ')
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "tests need: $pkgs— installing with apt-get"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq --no-install-recommends $pkgs >/dev/null || {
		echo "tests: apt-get install $pkgs failed" >&2; exit 1; }
	exit 0
fi
echo "tests: missing tools; install them with: sudo apt-get install -y $pkgs" >&2
exit 1
