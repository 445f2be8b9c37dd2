#!/bin/bash
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
# tests/integration/greyd-greysync.t: greyd supervises greysync (-Y/-y).
#	stand-in	a "greysync" script first on PATH records its
#			arguments: greyd passes -d (when -d, else -F), -G,
#			-u, -D, -Y, -y;
#			one that always fails is restarted after 1, 2, 4 s;
#			one killed is restarted, and logged
#	detached	greyd without -d: greysync runs with -F (foreground,
#			syslog) as the child of greyd's parent, is restarted
#			when it dies and stopped when greyd exits
#	real		build/greysync/greysync started by greyd: its log,
#			killed and restarted, stopped with greyd

. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

GREYD=$MX_BUILD/greyd/greyd
REAL=$MX_BUILD/greysync/greysync
[ -x "$GREYD" ] || bail "$GREYD not built"
D=$MX_TMP
chmod 755 "$D"
mkdir "$D/bin" "$D/jail" "$D/fw" "$D/db"
chmod 777 "$D/db"
export GS_LOG=$D/gs.log
cat >"$D/bin/greysync" <<'EOS'
#!/bin/sh
echo "start $$: $*" >>"$GS_LOG"
case $GS_MODE in
fail)	exit 1 ;;
stay)	exec sleep 1000 ;;
esac
EOS
chmod 755 "$D/bin/greysync"

ARGS=(-F "file:$D/fw" -D "$D/db" -u nobody -j "$D/jail" -p 2525
    -Y 127.0.0.1 -y 127.0.0.1)
starts() { local n; n=$(grep -c '^start ' "$GS_LOG" 2>/dev/null); echo "${n:-0}"; }
has() { grep -q -- "$2" "$1"; }
# (a function, so that mx_wait_for counts again each time)
starts_ge() { [ "$(starts)" -ge "$1" ]; }
count_ge() { [ "$(grep -c -- "$2" "$1")" -ge "$3" ]; }

# --- a stand-in that always fails ---------------------------------------

GS_MODE=fail PATH=$D/bin:$PATH mx_bg "$GREYD" -d "${ARGS[@]}"
GPID=$MX_LASTPID
t0=$(date +%s)
mx_wait_for 15 starts_ge 4
t1=$(date +%s)
is "$(starts)" 4 "a failing greysync is started 4 times in $((t1 - t0)) s"
ok $(( !(t1 - t0 >= 6 && t1 - t0 <= 11) )) \
    "... at 0, 1, 3 and 7 s (backoff 1, 2, 4 s): $((t1 - t0)) s"
is "$(head -1 "$GS_LOG")" \
    "$(sed -n '1s/^\(start [0-9]*\): .*/\1/p' "$GS_LOG"): -d -G 1500s:14400s:3110400s -u nobody -D $D/db -Y 127.0.0.1 -y 127.0.0.1" \
    "greysync gets -d -G times -u user -D dbdir -Y target -y listen"
log=$(cat "$D/greyd.log")
like "$log" "greysync \(pid [0-9]+\) exited with status 1 after 0 s: restarting in 1 s" \
    "the first death: logged, restart in 1 s"
like "$log" "restarting in 2 s" "the second: 2 s"
like "$log" "restarting in 4 s" "the third: 4 s"
kill "$GPID"
timeout 10 tail --pid="$GPID" -f /dev/null
is "$(starts)" 4 "none after greyd stopped"

# --- killed: restarted ----------------------------------------------------

: >"$GS_LOG"
: >"$D/greyd.log"
GS_MODE=stay PATH=$D/bin:$PATH mx_bg "$GREYD" -d "${ARGS[@]}"
GPID=$MX_LASTPID
mx_wait_for 10 starts_ge 1
gs=$(sed -n '1s/^start \([0-9]*\):.*/\1/p' "$GS_LOG")
sleep 0.5
kill -9 "$gs"
mx_wait_for 5 starts_ge 2
is "$(starts)" 2 "greysync killed: started again"
like "$(cat "$D/greyd.log")" \
    "greysync \(pid $gs\) killed by signal 9 after [0-9]+ s: restarting in 1 s" \
    "... logged with the signal"
gs2=$(sed -n '2s/^start \([0-9]*\):.*/\1/p' "$GS_LOG")
kill "$GPID"
timeout 10 tail --pid="$GPID" -f /dev/null
ok $(( $(kill -0 "$gs2" 2>/dev/null; echo $?) == 0 )) \
    "greyd stops greysync when it exits"

# --- detached (greyd without -d) -------------------------------------------

: >"$GS_LOG"
GS_MODE=stay PATH=$D/bin:$PATH "$GREYD" "${ARGS[@]}" -G 2m:1h:1d
is "$?" 0 "greyd without -d detaches"
mx_wait_for 10 starts_ge 1
spid=$(sed -n '1s/^start \([0-9]*\):.*/\1/p' "$GS_LOG")
gpid=$(awk '/^PPid/ { print $2 }' "/proc/$spid/status" 2>/dev/null)
[ -n "$gpid" ] && mx_pids+=("$gpid")
is "$(sed -n '1s/^start [0-9]*: //p' "$GS_LOG")" \
    "-F -G 120s:3600s:86400s -u nobody -D $D/db -Y 127.0.0.1 -y 127.0.0.1" \
    "without -d: greysync -F (foreground, syslog) with greyd's -G"
like "$(tr '\0' ' ' <"/proc/$gpid/cmdline" 2>/dev/null)" "greyd" \
    "greysync is the child of greyd's parent (pid $gpid)"
kill "$spid"
mx_wait_for 5 starts_ge 2
is "$(starts)" 2 "greysync killed: greyd starts another"
spid2=$(sed -n '2s/^start \([0-9]*\):.*/\1/p' "$GS_LOG")
kill "$gpid"
mx_wait_for 10 eval '! kill -0 "$gpid" 2>/dev/null'
ok $(( $(kill -0 "${spid2:-999999}" 2>/dev/null; echo $?) == 0 )) \
    "greyd stops greysync ($spid2) when it exits"

# --- the real greysync --------------------------------------------------

if [ -x "$REAL" ]; then
	: >"$D/greyd.log"
	PATH=$(dirname "$REAL"):$PATH mx_bg "$GREYD" -d -v "${ARGS[@]}"
	GPID=$MX_LASTPID
	mx_wait_for 10 has "$D/greyd.log" 'started: 1 target'
	like "$(cat "$D/greyd.log")" "started $REAL, pid [0-9]+" \
	    "greyd starts build/greysync/greysync"
	like "$(cat "$D/greyd.log")" "started: 1 target" \
	    "greysync runs (its log, -d: greyd's standard error)"
	rs=$(sed -n "s|.*started $REAL, pid \([0-9]*\).*|\1|p" \
	    "$D/greyd.log" | head -1)
	kill -9 "$rs"
	mx_wait_for 5 count_ge "$D/greyd.log" "started $REAL" 2
	like "$(cat "$D/greyd.log")" \
	    "greysync \(pid $rs\) killed by signal 9 .*restarting in 1 s" \
	    "the real greysync killed: logged"
	mx_wait_for 5 count_ge "$D/greyd.log" "started: 1 target" 2
	is "$(grep -c "started: 1 target" "$D/greyd.log")" 2 \
	    "... and restarted"
	rs2=$(sed -n "s|.*started $REAL, pid \([0-9]*\).*|\1|p" \
	    "$D/greyd.log" | sed -n 2p)
	kill "$GPID"
	timeout 10 tail --pid="$GPID" -f /dev/null
	ok $(( $(kill -0 "${rs2:-999999}" 2>/dev/null; echo $?) == 0 )) \
	    "the restarted greysync ($rs2) stops with greyd" ||
	    diag "$(tail -5 "$D/greyd.log")"
else
	skip 5 "build/greysync/greysync not built"
fi
unlike "$(cat "$D"/*.log)" "AddressSanitizer|runtime error|LeakSanitizer" \
    "no sanitizer report"

done_testing
