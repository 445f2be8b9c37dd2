#!/bin/sh
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
# bench/smtp-sink.sh: Postfix's smtp-source against a sink on our SMTP
# engine (tests/bin/smtpd-test -s) and against Postfix's own smtp-sink,
# in the same run, in a private network namespace on loopback.  4 KB
# messages, 1 and 20 parallel sessions, connections kept open (-d).
# Prints messages per second (best of three alternating runs): ours,
# smtp-sink, and the ratio.
#
# Environment: MX_BUILD (build directory), MX_POSTFIX_DIR, BENCH_MSGS
# (messages per run, default 5000), BENCH_LEN (payload, default 4096).

set -u

if [ "${MX_IN_NETNS:-}" != 1 ]; then
	u=-n
	[ "$(id -u)" = 0 ] || u=-rn
	MX_IN_NETNS=1 exec unshare $u -- sh "$0" "$@"
fi
ip link set lo up || { echo "smtp-sink.sh: cannot bring up lo" >&2; exit 1; }

top=$(cd "$(dirname "$0")/.." && pwd)
: "${MX_BUILD:=$top/build}"
pf=${MX_POSTFIX_DIR:-}
[ -n "$pf" ] || pf=$top/.deps/postfix
if [ ! -x "$pf/usr/sbin/smtp-source" ]; then
	echo "smtp-sink.sh: smtp-source not found (./configure" \
	    "--install-deps)" >&2
	exit 1
fi
LD_LIBRARY_PATH=$pf/usr/lib/postfix${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export LD_LIBRARY_PATH
SOURCE=$pf/usr/sbin/smtp-source
SINK=$pf/usr/sbin/smtp-sink
OURS=$MX_BUILD/tests/bin/smtpd-test
MSGS=${BENCH_MSGS:-5000}
LEN=${BENCH_LEN:-4096}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxbench.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

wait_port() {
	i=0
	while [ $i -lt 200 ]; do
		if ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "smtp-sink.sh: nothing listens on port $1" >&2
	exit 1
}

u=
[ "$(id -u)" = 0 ] && u="-u nobody"
"$OURS" -d -s -p 2525 >"$tmp/ours.log" 2>&1 &
ours_pid=$!
pids="$pids $!"
# shellcheck disable=SC2086
"$SINK" $u 127.0.0.1:2526 1024 >"$tmp/sink.log" 2>&1 &
sink_pid=$!
pids="$pids $!"
wait_port 2525
wait_port 2526

# CPU time (user + system, clock ticks) a process has used so far
ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)

# run PORT PID SESSIONS: "messages/second CPU-microseconds/message" of
# the server (0 0 if smtp-source failed)
run() {
	c0=$(ticks "$2")
	t0=$(date +%s.%N)
	if ! timeout 60 "$SOURCE" -d -s "$3" -m "$MSGS" -l "$LEN" \
	    -f bench@example.org -t sink@example.org \
	    "127.0.0.1:$1" >"$tmp/source.log" 2>&1; then
		echo "smtp-sink.sh: smtp-source to port $1 failed:" >&2
		cat "$tmp/source.log" >&2
		echo "0 0"
		return
	fi
	t1=$(date +%s.%N)
	c1=$(ticks "$2")
	echo "$t0 $t1 $c0 $c1" | awk -v m="$MSGS" -v hz="$hz" '{
	    printf "%.0f %.1f\n", m / ($2 - $1), ($4 - $3) * 1e6 / hz / m }'
}

echo "smtp-source -d -m $MSGS -l $LEN on loopback: messages/second and"
echo "the server's CPU time per message (best of three alternating runs)"
printf '%-8s %9s %9s %6s   %13s %13s\n' sessions ours smtp-sink ratio \
    "ours us/msg" "sink us/msg"
for s in 1 20; do
	# warm up both, then alternate three runs each and keep the best
	# (the machine may be shared: the best run is the least disturbed)
	run 2525 "$ours_pid" "$s" >/dev/null
	run 2526 "$sink_pid" "$s" >/dev/null
	a=0 b=0 ac=0 bc=0
	for r in 1 2 3; do
		set -- $(run 2525 "$ours_pid" "$s")
		[ "$1" -gt "$a" ] && a=$1
		if [ "$ac" = 0 ] || awk "BEGIN { exit !($2 < $ac) }"; then
			ac=$2
		fi
		set -- $(run 2526 "$sink_pid" "$s")
		[ "$1" -gt "$b" ] && b=$1
		if [ "$bc" = 0 ] || awk "BEGIN { exit !($2 < $bc) }"; then
			bc=$2
		fi
	done
	printf '%-8s %9s %9s %6s   %13s %13s\n' "-s $s" "$a" "$b" \
	    "$(echo "$a $b" | awk '{ if ($2 > 0) printf "%.2f", $1 / $2;
	    else print "-" }')" "$ac" "$bc"
done
