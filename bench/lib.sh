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
# bench/lib.sh: what the shell benchmarks share.  Source it, then:
#	bench_netns NAME "$@"	re-exec in a private network namespace,
#				lo up; sets top, MX_BUILD and BENCH_DIR
#				(where Python finds bench/lib.py)
#	bench_postfix		SOURCE and SINK: Postfix's smtp-source and
#				smtp-sink (MX_POSTFIX_DIR or .deps/postfix)
#	bench_tmp		tmp (a new directory) and a clean-up at exit
#				that kills every pid in $pids
#	wait_port PORT		until something listens (10 s at most)
#	ticks PID		CPU time the process has used, in clock
#				ticks ($hz a second)
#	run PORT PID SESSIONS	smtp-source -m $MSGS -l $LEN to PORT
#				(${RUN_TIMEOUT:-300} s at most):
#				"messages/s server-CPU-us/message"
#	best PORT PID SESSIONS	the best of three runs after a warm-up

# bench_netns NAME ARGS...
bench_netns() {
	bench_name=$1
	shift
	if [ "${MX_IN_NETNS:-}" != 1 ]; then
		u=-n
		[ "$(id -u)" = 0 ] || u=-rn
		MX_IN_NETNS=1 exec unshare $u -- sh "$0" "$@"
	fi
	ip link set lo up ||
	    { echo "$bench_name: cannot bring up lo" >&2; exit 1; }
	top=$(cd "$(dirname "$0")/.." && pwd)
	: "${MX_BUILD:=$top/build}"
	BENCH_DIR=$top/bench		# bench/lib.py, for embedded Python
	export BENCH_DIR
}

bench_postfix() {
	pf=${MX_POSTFIX_DIR:-}
	[ -n "$pf" ] || pf=$top/.deps/postfix
	if [ ! -x "$pf/usr/sbin/smtp-source" ]; then
		echo "$bench_name: smtp-source not found (./configure" \
		    "--install-deps)" >&2
		exit 1
	fi
	lp=$pf/usr/lib/postfix
	LD_LIBRARY_PATH=$lp${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
	SOURCE=$pf/usr/sbin/smtp-source
	SINK=$pf/usr/sbin/smtp-sink
}

bench_tmp() {
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxbench.XXXXXX") || exit 1
	pids=
	trap bench_cleanup EXIT INT TERM
}

bench_cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	rm -rf "$tmp"
}

wait_port() {
	i=0
	while [ $i -lt 200 ]; do
		if ss -Hltn "sport = :$1" 2>/dev/null | grep -q .; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	echo "$bench_name: nothing listens on port $1" >&2
	exit 1
}

ticks() {
	awk '{ print $14 + $15 }' "/proc/$1/stat"
}
hz=$(getconf CLK_TCK)

run() {
	c0=$(ticks "$2")
	t0=$(date +%s.%N)
	if ! timeout "${RUN_TIMEOUT:-300}" "$SOURCE" -d -s "$3" -m "$MSGS" -l "$LEN" \
	    -f bench@example.org -t sink@example.org \
	    "127.0.0.1:$1" >"$tmp/source.log" 2>&1; then
		echo "$bench_name: smtp-source to port $1 failed:" >&2
		cat "$tmp/source.log" >&2
		echo "0 0"
		return
	fi
	t1=$(date +%s.%N)
	c1=$(ticks "$2")
	echo "$t0 $t1 $c0 $c1" | awk -v m="$MSGS" -v hz="$hz" '{
	    printf "%.0f %.1f\n", m / ($2 - $1), ($4 - $3) * 1e6 / hz / m }'
}

# (a shared machine: the best run is the least disturbed)
best() {
	bport=$1 bpid=$2 bs=$3
	run "$bport" "$bpid" "$bs" >/dev/null
	a=0 ac=0
	for r in 1 2 3; do
		set -- $(run "$bport" "$bpid" "$bs")
		[ "$1" -gt "$a" ] && a=$1
		if [ "$ac" = 0 ] || awk "BEGIN { exit !($2 < $ac) }"; then
			ac=$2
		fi
	done
	echo "$a $ac"
}
