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

. "$(dirname "$0")/lib.sh"
bench_netns smtp-sink.sh "$@"
bench_postfix
OURS=$MX_BUILD/tests/bin/smtpd-test
MSGS=${BENCH_MSGS:-5000}
LEN=${BENCH_LEN:-4096}
RUN_TIMEOUT=60
bench_tmp

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
