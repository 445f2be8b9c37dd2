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
# tests/integration/greyd-limits.t: greyd's resource options.
#	-w	SO_RCVBUF of an accepted connection once DATA starts (ss -tm:
#		rb, which Linux doubles), not before
#	-c	the soft RLIMIT_NOFILE raised to maxcon + 32 up to the hard
#		limit (prlimit); a hard limit too low lowers maxcon, which is
#		logged and enforced
#	-t	the idle timeout (default 400 s, spamd's): a tarpitted client
#		that stops reading and sending is closed that long after the
#		last byte, and its slot is free again
# greyd runs with -b (no database, no firewall) as the invoking user.

. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

GREYD=$MX_BUILD/greyd/greyd
[ -x "$GREYD" ] || bail "$GREYD not built"
for c in ss prlimit python3; do
	command -v $c >/dev/null || bail "$c not found"
done
D=$MX_TMP
mkdir "$D/jail"
PORT=2525
n=0

# start_greyd NAME [prlimit args --] greyd args...: log in $D/NAME.log
start_greyd() {
	local name=$1; shift
	local pre=()
	if [ "$1" = prlimit ]; then
		while [ "$1" != -- ]; do pre+=("$1"); shift; done
		shift
	fi
	"${pre[@]}" "$GREYD" -d -b -U -F none -u "$(id -un)" -j "$D/jail" \
	    -p $PORT -h mx.test "$@" >"$D/$name.log" 2>&1 &
	GPID=$!
	mx_pids+=("$GPID")
	mx_wait_port $PORT || bail "greyd $name did not start: $(cat "$D/$name.log")"
	mx_wait_port 8026 || bail "greyd $name: no config socket"
}
stop_greyd() {
	kill "$GPID"
	timeout 10 tail --pid="$GPID" -f /dev/null || kill -9 "$GPID"
	wait "$GPID" 2>/dev/null
}

# --- -w -----------------------------------------------------------------

cat >"$D/data.py" <<'PY'
import socket, subprocess, sys, time
port = int(sys.argv[1])
def rb():
    out = subprocess.run(["ss", "-Htmn", "state", "established",
                          "( sport = :%d )" % port], capture_output=True,
                         text=True).stdout
    i = out.find(",rb")
    return out[i + 3:out.index(",", i + 3)] if i >= 0 else "none"
s = socket.create_connection(("127.0.0.1", port), timeout=10)
f = s.makefile("rwb")
def cmd(c):
    if c:
        f.write(c)
        f.flush()
    while True:
        l = f.readline()
        if len(l) < 4 or l[3:4] != b"-":
            return l.decode().strip()
cmd(None)
cmd(b"HELO x.test\r\n")
cmd(b"MAIL FROM:<a@x.test>\r\n")
cmd(b"RCPT TO:<b@y.test>\r\n")
print("before=" + rb())
print("data=" + cmd(b"DATA\r\n"))
print("after=" + rb())
PY
start_greyd w -s 0 -w 4096
out=$(mx_timeout 20 python3 "$D/data.py" $PORT 2>&1)
like "$out" "data=354 " "-w: DATA reached" || diag "$out"
before=$(sed -n 's/^before=//p' <<<"$out")
after=$(sed -n 's/^after=//p' <<<"$out")
is "$after" 8192 "-w 4096: the accepted socket's rb is 8192 once DATA starts"
ok $(( before == 8192 || before == 0 )) \
    "... and was the default before DATA (rb $before)"
stop_greyd

# --- maxcon and RLIMIT_NOFILE -------------------------------------------

soft() { awk '/^Max open files/ { print $4 }' "/proc/$1/limits"; }
start_greyd nofile1 prlimit --nofile=100:2000 -- -s 0 -c 800
is "$(soft "$GPID")" 832 "-c 800: the soft limit 100 is raised to 832"
kids=$(pgrep -P "$GPID" | head -1)
is "$(soft "${kids:-$GPID}")" 832 "... which its children inherit"
unlike "$(cat "$D/nofile1.log")" "lowered" "... and maxcon is kept"
stop_greyd

cat >"$D/many.py" <<'PY'
import socket, sys
port, n = int(sys.argv[1]), int(sys.argv[2])
socks, banners = [], 0
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    socks.append(s)
    try:
        if s.recv(4) == b"220 ":
            banners += 1
    except socket.timeout:
        pass
print("banners=%d" % banners)
# one more: closed at once, no banner
s = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    print("extra=%r" % s.recv(4))
except ConnectionResetError:
    print("extra=b''")
PY
start_greyd nofile2 prlimit --nofile=100:100 -- -s 0 -c 800
like "$(cat "$D/nofile2.log")" \
    "maxcon 800 lowered to 68: the file descriptor limit is 100" \
    "-c 800 under a hard limit of 100: maxcon lowered to 68, logged"
like "$(cat "$D/nofile2.log")" "maxcon 68, maxblack 68" \
    "... maxblack follows (-b: maxblack = maxcon)"
out=$(mx_timeout 30 python3 "$D/many.py" $PORT 68 2>&1)
is "$(sed -n 's/^banners=//p' <<<"$out")" 68 "68 connections are served" ||
    diag "$out"
is "$(sed -n 's/^extra=//p' <<<"$out")" "b''" \
    "the 69th is closed at once (maxcon reached)"
like "$(cat "$D/nofile2.log")" "maxcon 68 reached: connection closed" \
    "greyd logs it"
unlike "$(cat "$D/nofile2.log")" "accept: Too many open files" \
    "no descriptor ran out"
stop_greyd
out=$(prlimit --nofile=20:20 "$GREYD" -d -b -F none -p $PORT 2>&1)
is "$?" 1 "a hard limit that leaves no room: greyd exits 1"
like "$out" "file descriptor limit \(20\) leaves no room for connections" \
    "... and says why"

# --- -t, the idle timeout ------------------------------------------------

start_greyd t0 -s 0
like "$(cat "$D/t0.log")" "idle timeout 400 s" "the default idle timeout is 400 s"
stop_greyd

cat >"$D/mute.py" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(30)
s.connect(("127.0.0.1", port))
t0 = time.monotonic()
s.sendall(b"HELO mute.test\r\n")
# stop reading: greyd's stuttered banner and reply pile up unread
time.sleep(float(sys.argv[2]))
got = b""
while True:
    b = s.recv(4096)
    if not b:
        break
    got += b
print("got=" + got.decode().replace("\r\n", "|"))
print("eof=%.1f" % (time.monotonic() - t0))
PY
start_greyd t3 -s 40ms -t 3
python3 - "$D" <<'PY'
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 1000))		# a reserved port: root in the userns
s.connect(("127.0.0.1", 8026))
s.sendall(b'mute;"Your address %A is muted";inet;1;127.0.0.0/8\n')
s.shutdown(socket.SHUT_WR)
s.recv(1)
PY
sleep 0.5
like "$(cat "$D/t3.log")" "blacklists loaded: 1 lines, 0 rejected, 1 lists" \
    "a list holds 127.0.0.0/8"
# banner (~60 bytes) and HELO reply (58) at 40 ms: about 5 s of output,
# then 3 s idle: closed about 8 s after connecting, read at 12 s
out=$(mx_timeout 40 python3 "$D/mute.py" $PORT 12 2>&1)
# (then the engine's 421, where spamd closes without a word: greyd.8)
like "$out" "got=220 mx\.test ESMTP spamd IP-based SPAM blocker; .*\|250 Hello, spam sender\. Pleased to be wasting your time\.\|421 4\.4\.2 Timeout, closing connection\|$" \
    "the client that stopped reading got the whole stuttered output" ||
    diag "$out"
log=$(cat "$D/t3.log")
like "$log" "127\.0\.0\.1: connected \(1/1\), lists: mute" \
    "it was tarpitted (blacklisted)"
secs=$(sed -n 's/.*127\.0\.0\.1: disconnected after \([0-9]*\) seconds\. lists: mute.*/\1/p' \
    "$D/t3.log" | head -1)
ok $(( !(${secs:-0} >= 6 && ${secs:-0} <= 12) )) \
    "-t 3: closed 3 s after its last byte (after ${secs:-?} s; output ~5 s)" ||
    diag "$log"
like "$log" "timeout" "the engine logged the timeout"
mx_timeout 10 python3 -c 'import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.recv(1)' $PORT
mx_wait_for 5 eval '[ "$(grep -c "connected (1/1), lists: mute" "$D/t3.log")" -ge 2 ]'
is "$(grep -c 'connected (1/1), lists: mute' "$D/t3.log")" 2 \
    "the next connection is counted 1/1: the timed-out one was freed"
stop_greyd
unlike "$(cat "$D"/*.log)" "AddressSanitizer|runtime error|LeakSanitizer" \
    "no sanitizer report"

done_testing
