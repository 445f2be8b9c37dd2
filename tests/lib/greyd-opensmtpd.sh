#
# Copyright (c) 2026 The mxsuite developers
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
#
# tests/lib/greyd-opensmtpd.sh: the set-up shared by the shell tests
# that run greyd beside a real OpenSMTPD behind nftables
# (tests/interop/greyd-opensmtpd.t, greyd-nft-hosts.t).
#
#	. "$MX_TOP/tests/lib/greyd-opensmtpd.sh"
#	mx_root_netns "greyd and OpenSMTPD" "$@"	# before tap.sh
#	. "$MX_TOP/tests/lib/tap.sh"
#	mx_netns "$@"
#	mx_greyd_opensmtpd_init		# GREYD GREYDB SETUP SMTPD RULES
#	mx_opensmtpd_maildir ADDR...	# OpenSMTPD on ADDR:25, $D/Maildir

# mx_root_netns WHAT ARGS...: re-exec the script as root in private
# network and mount namespaces; without root SKIP (fail under CI).
mx_root_netns() {
	mx_rn_what=$1
	shift
	[ "${MX_IN_NETNS:-}" = 1 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		# nothing may be skipped under CI (which runs as root)
		if [ -n "${CI:-}" ]; then
			printf '1..1\nnot ok 1 - cannot run under CI: %s\n' \
			    "$mx_rn_what must start as root"
			exit 1
		fi
		echo "1..0 # SKIP $mx_rn_what must start as root"
		exit 0
	fi
	MX_IN_NETNS=1 exec unshare -n -m --propagation private -- \
	    "$BASH" "$0" "$@"
}

# greydb with a bound on its run time
greydb() { timeout -k 2 10 "$GREYDB" "$@"; }

# The elements of an nft set of table inet mxsuite, one per line.
elems() {
	nft list set inet mxsuite "$1" | tr -d ' \t\n' |
	    sed -n 's/.*elements={\([^}]*\)}.*/\1/p' | tr ',' '\n' | awk 'NF'
}

# After tap.sh: the programs, the tools, and tmpfs on /var/spool and
# /run (OpenSMTPD's queue and control socket, compiled in: another
# OpenSMTPD test running at the same time must not see ours).
mx_greyd_opensmtpd_init() {
	GREYD=$MX_BUILD/greyd/greyd
	GREYDB=$MX_BUILD/greyd/greydb
	SETUP=$MX_BUILD/greyd/greyd-setup
	SMTPD=/usr/sbin/smtpd
	RULES=$MX_TOP/conf/nftables/mxsuite.nft
	for b in "$GREYD" "$GREYDB" "$SETUP"; do
		[ -x "$b" ] || bail "$b not built"
	done
	[ -x "$SMTPD" ] ||
	    bail "OpenSMTPD not installed: ./configure --install-deps"
	for c in nft swaks python3 nsenter; do
		command -v $c >/dev/null || bail "$c not found"
	done
	id opensmtpd >/dev/null 2>&1 ||
	    bail "no opensmtpd user (package setup)"
	mount -t tmpfs -o mode=755 mxspool /var/spool ||
	    bail "cannot mount tmpfs"
	mount -t tmpfs -o mode=755 mxrun /run ||
	    bail "cannot mount tmpfs on /run"
}

# mx_opensmtpd_maildir ADDR...: OpenSMTPD listening on port 25 of each
# ADDR, delivering bob@example.test to the maildir $MX_TMP/Maildir.
mx_opensmtpd_maildir() {
	mkdir -p "$MX_TMP/Maildir/new" "$MX_TMP/Maildir/cur" \
	    "$MX_TMP/Maildir/tmp"
	chown -R nobody "$MX_TMP/Maildir"
	{
		echo 'table vusers { "bob@example.test" = "nobody" }'
		for a in "$@"; do
			echo "listen on $a port 25 hostname mx.example.test"
		done
		echo "action \"local\" maildir \"$MX_TMP/Maildir\"" \
		    "virtual <vusers>"
		echo 'match from any for domain "example.test" action "local"'
	} >"$MX_TMP/smtpd.conf"
	timeout 30 "$SMTPD" -n -f "$MX_TMP/smtpd.conf" \
	    >"$MX_TMP/smtpd-n.log" 2>&1 ||
	    bail "OpenSMTPD refuses its configuration:" \
	    "$(cat "$MX_TMP/smtpd-n.log")"
	mx_bg "$SMTPD" -d -f "$MX_TMP/smtpd.conf"
	mx_wait_port 25 "$1" ||
	    bail "OpenSMTPD did not start: $(cat "$MX_TMP/smtpd.log")"
}
