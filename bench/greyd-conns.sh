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
# bench/greyd-conns.sh: what a tarpitted connection costs greyd.  In a
# private network namespace, greyd is started with 127.0.0.0/8
# blacklisted (loaded through its config socket), then BENCH_CONNS
# (default 10000) clients connect from 127.0.0.1 and stay: each is
# tarpitted, its banner going out one byte a second.  Prints the number
# of connections, the resident size (VmRSS) of greyd's smtp process
# before and with them, the bytes per connection, and, over a 10 s
# window, the stuttered bytes the clients received and greyd's CPU time
# per byte.  A measurement, not a test: nothing is asserted.
#
# Environment: MX_BUILD (build directory), GREYD (the greyd binary,
# default $MX_BUILD/greyd/greyd), BENCH_CONNS.

set -u

. "$(dirname "$0")/lib.sh"
bench_netns greyd-conns.sh "$@"
: "${GREYD:=$MX_BUILD/greyd/greyd}"
: "${BENCH_CONNS:=10000}"
if [ ! -x "$GREYD" ]; then
	echo "greyd-conns.sh: $GREYD not built" >&2
	exit 1
fi

# the clients and greyd each hold BENCH_CONNS descriptors
need=$((BENCH_CONNS + 200))
ulimit -n "$need" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || exit 1
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$need" ]; then
	echo "greyd-conns.sh: RLIMIT_NOFILE $(ulimit -n) < $need" >&2
	exit 1
fi

tmp=$(mktemp -d /tmp/greyd-conns.XXXXXX) || exit 1
chmod 755 "$tmp"
mkdir "$tmp/fw" "$tmp/db" "$tmp/jail"
chmod 777 "$tmp/db"
user=nobody
[ "$(id -u)" = 0 ] || user=$(id -un)

"$GREYD" -d -h mx.test -U -F "file:$tmp/fw" -D "$tmp/db" -u "$user" \
    -j "$tmp/jail" -p 2525 -c $((BENCH_CONNS + 100)) -B "$BENCH_CONNS" \
    -s 1 >"$tmp/log" 2>&1 &
gpid=$!
trap 'kill "$gpid" 2>/dev/null; wait "$gpid" 2>/dev/null; rm -rf "$tmp"' \
    EXIT INT TERM

python3 - "$gpid" "$BENCH_CONNS" <<'PY'
import os
import socket
import sys
import time

sys.path.insert(0, os.environ["BENCH_DIR"])
from lib import cpu, tree, wait_port  # noqa: E402

gpid, n = int(sys.argv[1]), int(sys.argv[2])


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for ln in f:
            if ln.startswith("VmRSS:"):
                return int(ln.split()[1]) * 1024
    return 0


def nfds(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


if not wait_port(2525) or not wait_port(8026):
    sys.exit("greyd-conns.sh: greyd did not start")
s = socket.create_connection(("127.0.0.1", 8026), 10)
s.sendall(b'bench;"Bench %A";inet;1;127.0.0.0/8\n')
s.shutdown(socket.SHUT_WR)
while s.recv(4096):
    pass
s.close()
time.sleep(1)
before = {p: rss(p) for p in tree(gpid)}

conns = []
for i in range(n):
    c = socket.socket()
    c.settimeout(10)
    try:
        c.connect(("127.0.0.1", 2525))
    except OSError as e:
        sys.exit("greyd-conns.sh: connection %d: %s" % (i, e))
    conns.append(c)
end = time.time() + 60
while time.time() < end:
    smtp = max(tree(gpid), key=nfds)
    if nfds(smtp) >= n:
        break
    time.sleep(0.5)
time.sleep(2)
smtp = max(tree(gpid), key=nfds)
after = rss(smtp)
base = before.get(smtp, 0)
print("connections: %d (held by greyd: %d)" % (n, nfds(smtp) - 0))
print("smtp process RSS before: %d KB" % (base // 1024))
print("smtp process RSS with them: %d KB" % (after // 1024))
print("bytes per connection: %d" % ((after - base) // n))


def drain():
    got = 0
    for c in conns:
        try:
            while True:
                b = c.recv(65536)
                if not b:
                    break
                got += len(b)
        except (BlockingIOError, socket.timeout):
            pass
    return got


# CPU per stuttered byte: every connection gets a byte a second; count
# what the clients receive in a window and what greyd's CPU time grows.
for c in conns:
    c.setblocking(False)
drain()
window = 10
c0 = cpu(smtp)
time.sleep(window)
c1 = cpu(smtp)
nbytes = drain()
print("stuttered bytes in %d s: %d (%.0f per second)" %
      (window, nbytes, nbytes / window))
if nbytes:
    print("greyd CPU per stuttered byte: %.1f us (%.2f s CPU in %d s)" %
          ((c1 - c0) * 1e6 / nbytes, c1 - c0, window))
print("(spamd, for scale: about 20 KB per connection by its design, "
      "reference greyd.md 7)")
for c in conns:
    c.close()
PY
