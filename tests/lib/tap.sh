# shellcheck shell=bash
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
# TAP and process helpers for the shell tests.  Source it first thing:
#	. "$MX_TOP/tests/lib/tap.sh"
#	mx_netns "$@"		# re-exec in a private network namespace
#	plan 3
#	ok $? "name"; is "$got" "$want" "name"; like "$got" 'regex' "name"
#	mx_bg "$MX_BUILD/tests/bin/smtpd-test" -p 2525	# killed at exit
#	mx_wait_port 2525 || bail "no listener"
#	done_testing
# Everything a test starts is killed when it exits; its temporary
# directory ($MX_TMP) is removed unless MX_KEEP is set.

: "${MX_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${MX_BUILD:=$MX_TOP/build}"
export MX_TOP MX_BUILD

tap_n=0
tap_fail=0
tap_planned=
mx_pids=()

plan() { tap_planned=$1; echo "1..$1"; }

diag() { printf '# %s\n' "$@" >&2; }

ok() {
	local rc=$1; shift
	tap_n=$((tap_n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_fail=$((tap_fail + 1))
	fi
	return "$rc"
}

is() {
	local got=$1 want=$2; shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		diag "         got: '$got'" "    expected: '$want'"
		return 1
	fi
}

like() {
	local got=$1 re=$2; shift 2
	if printf '%s' "$got" | grep -Eq -- "$re"; then
		ok 0 "$@"
	else
		ok 1 "$@"
		diag "         got: '$got'" "    expected to match: /$re/"
		return 1
	fi
}

unlike() {
	local got=$1 re=$2; shift 2
	if printf '%s' "$got" | grep -Eq -- "$re"; then
		ok 1 "$@"
		diag "         got: '$got'" "    expected not to match: /$re/"
		return 1
	fi
	ok 0 "$@"
}

# Under CI (CI set) nothing may be skipped: a skip is a failure there.
skip() {
	local n=$1; shift
	while [ "$n" -gt 0 ]; do
		tap_n=$((tap_n + 1))
		if [ -n "${CI:-}" ]; then
			echo "not ok $tap_n - cannot run under CI: $*"
			tap_fail=$((tap_fail + 1))
		else
			echo "ok $tap_n # SKIP $*"
		fi
		n=$((n - 1))
	done
}

bail() { echo "Bail out! $*"; exit 255; }

skip_all() {
	if [ -n "${CI:-}" ]; then
		echo "1..1"
		echo "not ok 1 - cannot run under CI: $*"
		exit 1
	fi
	echo "1..0 # SKIP $*"
	exit 0
}

done_testing() {
	[ -n "$tap_planned" ] || echo "1..$tap_n"
	if [ -n "$tap_planned" ] && [ "$tap_planned" != "$tap_n" ]; then
		diag "planned $tap_planned tests but ran $tap_n"
		exit 255
	fi
	[ "$tap_fail" -gt 254 ] && exit 254
	exit "$tap_fail"
}

# Re-exec the calling script in a new network namespace (root: unshare -n;
# otherwise unshare -rn), with loopback up.  Call as: mx_netns "$@"
mx_netns() {
	if [ "${MX_IN_NETNS:-}" != 1 ]; then
		local u=-n
		[ "$(id -u)" = 0 ] || u=-rn
		command -v unshare >/dev/null || skip_all "unshare not found"
		MX_IN_NETNS=1 exec unshare $u -- "$BASH" "$0" "$@"
	fi
	ip link set lo up 2>/dev/null || bail "cannot bring up lo in netns"
}

mx_cleanup() {
	local p
	for p in "${mx_pids[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${mx_pids[@]}"; do
		wait "$p" 2>/dev/null
	done
	if [ -n "${MX_TMP:-}" ] && [ -z "${MX_KEEP:-}" ]; then
		rm -rf "$MX_TMP"
	fi
}
trap mx_cleanup EXIT

MX_TMP=$(mktemp -d "${TMPDIR:-/tmp}/mxtest.XXXXXX") || bail "mktemp"
export MX_TMP

# Start a command in the background, stdout+stderr to $MX_TMP/<name>.log;
# its PID is in $MX_LASTPID and it is killed at exit.
mx_bg() {
	local name
	name=$(basename "$1")
	"$@" >>"$MX_TMP/$name.log" 2>&1 &
	MX_LASTPID=$!
	mx_pids+=("$MX_LASTPID")
}

# Wait (at most $3 seconds, default 10) until host:port accepts.
mx_wait_port() {
	local port=$1 host=${2:-127.0.0.1} t=${3:-10} i=0
	while [ "$i" -lt $((t * 20)) ]; do
		if (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	diag "nothing listens on $host:$port after ${t}s"
	return 1
}

# Run a command until it succeeds, at most $1 seconds (tenths of a
# second apart); the last try's status.  mx_wait_for 10 grep -q x f
mx_wait_for() {
	local t=$1 i=0; shift
	while [ "$i" -lt $((t * 10)) ]; do
		"$@" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	"$@"
}

# Wait (at most $3 seconds, default 10) until file $1 has a line matching
# the extended regex $2.  A daemon may log after its socket accepts:
# wait for a log line rather than grep it once.
mx_wait_log() {
	mx_wait_for "${3:-10}" grep -Eq -- "$2" "$1" 2>/dev/null
}

# Run a command bounded by a timeout (default 30 s).
mx_timeout() {
	local t=$1; shift
	timeout -k 2 "$t" "$@"
}

# The directory holding smtp-source and smtp-sink (postfix .deb).
mx_postfix() {
	local d=${MX_POSTFIX_DIR:-$MX_TOP/.deps/postfix}
	[ -x "$d/usr/sbin/smtp-source" ] || return 1
	POSTFIX_SBIN=$d/usr/sbin
	export LD_LIBRARY_PATH=$d/usr/lib/postfix${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
}

# Kept for the tests that call it: skip() itself fails under CI.
skip_or_fail() {
	skip "$@"
}

# Several hosts for one test (sync peers, a client that is not local):
#	mx_host mx1 10.0.0.1 fd00::1	# a network namespace "mx1"
#	mx_in mx1 ip addr		# run a command in it
#	mx_bg_in mx1 "$MX_BUILD/greyd/greyd" -d ...	# background, logged
# Each host gets an interface eth0 with the addresses given (/24 and /64),
# joined to the others by the bridge mxbr0 in the test's own namespace,
# which itself has 10.0.0.254 and fd00::fe.  Call mx_netns first.  The
# holder processes (and so the namespaces) go away when the test exits.
mx_host() {
	local name=$1 a4=$2 a6=${3:-} pid
	command -v nsenter >/dev/null || skip_all "nsenter not found"
	if ! ip link show mxbr0 >/dev/null 2>&1; then
		ip link add mxbr0 type bridge || bail "cannot make bridge"
		# multicast must flood: no IGMP snooping on the test bridge
		ip link set mxbr0 type bridge mcast_snooping 0 2>/dev/null
		ip addr add 10.0.0.254/24 dev mxbr0
		ip -6 addr add fd00::fe/64 dev mxbr0 nodad 2>/dev/null
		ip link set mxbr0 up
	fi
	unshare -n sleep 100000 &
	pid=$!
	mx_pids+=("$pid")
	# wait until the holder is in its own namespace
	local i=0
	while [ "$(readlink /proc/$pid/ns/net)" = "$(readlink /proc/$$/ns/net)" ]; do
		i=$((i + 1))
		[ "$i" -lt 200 ] || bail "mx_host $name: no namespace"
		sleep 0.01
	done
	eval "MX_HOSTPID_$name=$pid"
	ip link add "mxv-$name" type veth peer name eth0 netns "$pid" ||
	    bail "mx_host $name: veth"
	ip link set "mxv-$name" master mxbr0 up
	mx_in "$name" ip link set lo up
	mx_in "$name" ip addr add "$a4/24" dev eth0
	[ -z "$a6" ] || mx_in "$name" ip -6 addr add "$a6/64" dev eth0 nodad
	mx_in "$name" ip link set eth0 up
	# a default route over the bridge, so that multicast has a way out
	mx_in "$name" ip route add default via 10.0.0.254 2>/dev/null
	return 0
}

mx_hostpid() {
	local v="MX_HOSTPID_$1"
	[ -n "${!v:-}" ] || bail "no host $1"
	echo "${!v}"
}

mx_in() {
	local pid
	pid=$(mx_hostpid "$1") || exit 255
	shift
	nsenter -t "$pid" -n -- "$@"
}

# Like mx_bg, in a host; the log is $MX_TMP/<host>-<name>.log.
mx_bg_in() {
	local host=$1 name pid
	pid=$(mx_hostpid "$host") || exit 255
	shift
	name=$(basename "$1")
	nsenter -t "$pid" -n -- "$@" >>"$MX_TMP/$host-$name.log" 2>&1 &
	MX_LASTPID=$!
	mx_pids+=("$MX_LASTPID")
}
