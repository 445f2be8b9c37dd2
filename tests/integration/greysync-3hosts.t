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
# tests/integration/greysync-3hosts.t: three MX hosts (mx1, mx2, mx3,
# each a network namespace on one bridge) each run greyd and greysync
# with the same key, unicast to the two others: a greylisted attempt on
# mx1 (IPv4 and IPv6) shows up as GREY on mx2 and mx3; a TRAPPED made
# on mx2 (a spamtrap recipient) reaches mx1 and mx3; packets signed
# with another key, and malformed ones, are dropped, logged and change
# nothing; a replayed packet is dropped (-r); then the same over
# multicast (-Y eth0 -y eth0).
. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

GREYD=$MX_BUILD/greyd/greyd
GREYDB=$MX_BUILD/greyd/greydb
GREYSYNC=$MX_BUILD/greysync/greysync
for b in "$GREYD" "$GREYDB" "$GREYSYNC"; do
	[ -x "$b" ] || bail "$b not built"
done
command -v python3 >/dev/null || bail "python3 not found"

chmod 755 "$MX_TMP"
printf 'greyd-test-key\n' >"$MX_TMP/key"
printf 'another-key\n' >"$MX_TMP/badkey"
PY=$MX_TMP/sync.py
cat >"$PY" <<'PYEOF'
import hashlib, hmac, smtplib, socket, struct, sys, time

def key(path):
    with open(path, "rb") as f:
        return hashlib.sha1(f.read()).hexdigest().encode()

def sign(k, pkt):
    pkt = bytearray(pkt)
    pkt[8:28] = bytes(20)
    pkt[8:28] = hmac.new(k, bytes(pkt), hashlib.sha1).digest()
    return bytes(pkt)

def white(k, ip, expire, tlvlen=16, ver=2):
    tlv = struct.pack("!HHII4s", 2, tlvlen, int(time.time()), expire,
                      socket.inet_aton(ip))
    end = struct.pack("!HH", 0, 4)
    hdr = struct.pack("!BBHI20s4s", ver, 2, 32 + len(tlv) + 4, 0,
                      bytes(20), bytes(4))
    return sign(k, hdr + tlv + end)

def send(host, data):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(data, (host, 8025))

def attempt(host, src, rcpt, sender):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    s = smtplib.SMTP(timeout=10, source_address=(src, 0))
    s.connect(host, 2525)
    s.ehlo("mx.example.org")
    s.docmd("MAIL FROM:" + sender)
    s.docmd("RCPT TO:" + rcpt)
    code = s.docmd("DATA")[0]
    try:
        s.close()
    except Exception:
        pass
    return code

cmd = sys.argv[1]
if cmd == "smtp":
    print(attempt(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]))
elif cmd == "white":
    send(sys.argv[2], white(key(sys.argv[3]), sys.argv[4],
                            int(time.time()) + 3600))
elif cmd == "replay":
    p = white(key(sys.argv[3]), sys.argv[4], int(time.time()) + 3600)
    send(sys.argv[2], p)
    time.sleep(0.3)
    send(sys.argv[2], p)
elif cmd == "bad":
    k = key(sys.argv[3])
    host = sys.argv[2]
    exp = int(time.time()) + 3600
    send(host, b"garbage")                               # short
    send(host, white(k, "10.0.0.97", exp, ver=1))        # version
    p = bytearray(white(k, "10.0.0.97", exp))
    p[34:36] = struct.pack("!H", 200)                    # TLV overflow
    send(host, sign(k, bytes(p)))
    send(host, white(k, "10.0.0.97", exp, tlvlen=20))    # WHITE len 20
    p = white(k, "10.0.0.97", exp)
    send(host, p[:40])                                   # sh_length > len
    send(host, p + bytes(1500))                          # oversize
    p = bytearray(white(k, "10.0.0.97", exp))
    p[32:34] = struct.pack("!H", 9)                      # unknown type
    send(host, sign(k, bytes(p)))
PYEOF

hosts="mx1 mx2 mx3"
n=0
for h in $hosts; do
	n=$((n + 1))
	mx_host "$h" "10.0.0.$n" "fd00::$n"
	mkdir -p "$MX_TMP/$h/fw" "$MX_TMP/$h/jail"
	chmod 755 "$MX_TMP/$h"
done
# second source addresses of the test's own namespace (the "clients")
ip addr add 10.0.0.200/24 dev mxbr0
ip addr add 10.0.0.201/24 dev mxbr0

start_greyd() {	# host n
	mx_bg_in "$1" "$GREYD" -d -v -h "$1.test" -F "file:$MX_TMP/$1/fw" \
	    -D "$MX_TMP/$1/db" -u nobody -j "$MX_TMP/$1/jail" \
	    -G 2s:1h:1d -I 1h -S 0 -s 0 -p 2525 \
	    -l "10.0.0.$2" -l "fd00::$2"
	eval "GREYD_$1=$MX_LASTPID"
}

# greysync in the foreground (-d), as greyd -d starts it
start_sync() {	# host args...
	local h=$1
	shift
	mx_bg_in "$h" "$GREYSYNC" -d -v -D "$MX_TMP/$h/db" -k "$MX_TMP/key" \
	    -u nobody "$@"
	eval "SYNC_$h=$MX_LASTPID"
}

n=0
for h in $hosts; do
	n=$((n + 1))
	start_greyd "$h" "$n"
done
n=0
for h in $hosts; do
	n=$((n + 1))
	mx_wait_port 2525 "10.0.0.$n" 10 || bail "greyd on $h did not start"
done
start_sync mx1 -y 10.0.0.1 -Y 10.0.0.2 -Y 10.0.0.3
start_sync mx2 -y 10.0.0.2 -Y 10.0.0.1 -Y 10.0.0.3
start_sync mx3 -y 10.0.0.3 -Y 10.0.0.1 -Y 10.0.0.2 -r 300

synclog() { cat "$MX_TMP/$1-greysync.log" 2>/dev/null; }

# wait (3 s at most) until greysync on every host said it started
wait_started() {
	local h i
	for h in $hosts; do
		i=0
		until synclog "$h" | grep -q "started:"; do
			i=$((i + 1))
			[ "$i" -lt 60 ] || bail "greysync on $h: $(synclog "$h")"
			sleep 0.05
		done
	done
}
wait_started

listing() { "$GREYDB" -f "$MX_TMP/$1/db" 2>/dev/null; }

# started as root with -u nobody: it runs as nobody
like "$(synclog mx1)" 'dropped privileges to nobody' "greysync drops root"
is "$(awk '/^Uid:/ { print $2 }' "/proc/$SYNC_mx1/status")" \
    "$(id -u nobody)" "greysync runs as nobody"

# poll host's listing for a regex, at most 3 s; LAT = seconds waited
wait_listing() {
	local h=$1 re=$2 t0 i=0
	t0=$(date +%s.%N)
	while ! listing "$h" | grep -Eq -- "$re"; do
		i=$((i + 1))
		if [ "$i" -ge 60 ]; then
			LAT=timeout
			return 1
		fi
		sleep 0.05
	done
	LAT=$(echo "$(date +%s.%N) - $t0" | bc 2>/dev/null ||
	    python3 -c "print(round($(date +%s.%N) - $t0, 3))")
	return 0
}

# latency: reported, and a failure only above 2 s
fast() {
	[ "$LAT" != timeout ] &&
	    python3 -c "import sys; sys.exit(0 if $LAT < 2 else 1)"
}

# 1. a greylisted attempt on mx1 reaches mx2 and mx3
code=$(python3 "$PY" smtp 10.0.0.1 10.0.0.254 '<bob@example.net>' \
    '<Alice@Example.org>')
is "$code" 451 "mx1 greylists 10.0.0.254 (451 at DATA)"
GREY_RE='^GREY\|10\.0\.0\.254\|mx\.example\.org\|<Alice@Example\.org>\|<bob@example\.net>\|'
wait_listing mx1 "$GREY_RE"
ok $? "mx1 has the GREY tuple"
for h in mx2 mx3; do
	wait_listing "$h" "$GREY_RE"
	ok $? "the GREY tuple reaches $h"
	diag "$h: GREY seen after ${LAT}s"
	fast
	ok $? "$h: within 2 s (${LAT}s)"
done
like "$(listing mx2 | grep '^GREY|10.0.0.254|')" '\|1\|0$' \
    "mx2: bcount 1, pcount 0 (spamd's receiver rules)"
like "$(synclog mx2)" '10\.0\.0\.1: sync GREY ip=10\.0\.0\.254 helo=mx\.example\.org' \
    "mx2's greysync logs the entry from mx1"
sleep 0.5
is "$(listing mx1 | grep -c '^GREY|10.0.0.254|')" 1 \
    "nothing echoed back to mx1 (one tuple there)"
is "$(listing mx1 | grep '^GREY|10.0.0.254|' | cut -d'|' -f9)" 1 \
    "mx1's tuple still has bcount 1 (not re-applied by an echo)"

# 2. an IPv6 greylisted attempt on mx1 reaches mx2 and mx3
code=$(python3 "$PY" smtp fd00::1 fd00::fe '<v6@example.net>' \
    '<six@example.org>')
is "$code" 451 "mx1 greylists fd00::fe"
for h in mx2 mx3; do
	wait_listing "$h" '^GREY\|fd00::fe\|mx\.example\.org\|<six@example\.org>\|<v6@example\.net>\|'
	ok $? "the IPv6 GREY tuple reaches $h"
done

# 3. a TRAPPED made on mx2 reaches mx1 and mx3
"$GREYDB" -f "$MX_TMP/mx2/db" -T -a trap@example.net
code=$(python3 "$PY" smtp 10.0.0.2 10.0.0.200 '<trap@example.net>' \
    '<spammer@example.com>')
like "$code" '^(451|450|550)$' "mx2 answers the spamtrap hit ($code)"
wait_listing mx2 '^TRAPPED\|10\.0\.0\.200\|'
ok $? "mx2 trapped 10.0.0.200"
for h in mx1 mx3; do
	wait_listing "$h" '^TRAPPED\|10\.0\.0\.200\|'
	ok $? "the TRAPPED entry reaches $h"
	diag "$h: TRAPPED seen after ${LAT}s"
done
e2=$(listing mx2 | grep '^TRAPPED|10.0.0.200|' | cut -d'|' -f3)
e1=$(listing mx1 | grep '^TRAPPED|10.0.0.200|' | cut -d'|' -f3)
is "$e1" "$e2" "mx1's TRAPPED expiry is mx2's"

# 4. a packet signed with another key: dropped and logged
before=$(listing mx3)
python3 "$PY" white 10.0.0.3 "$MX_TMP/badkey" 10.0.0.99
python3 "$PY" white 10.0.0.3 "$MX_TMP/key" 10.0.0.98
wait_listing mx3 '^WHITE\|10\.0\.0\.98\|'
ok $? "a WHITE signed with the right key is taken (control)"
unlike "$(listing mx3)" '10\.0\.0\.99' "the wrong key's WHITE is not"
like "$(synclog mx3)" '10\.0\.0\.254: bad sync packet \(52 bytes\): bad HMAC' \
    "mx3 logs the bad HMAC"
is "$(listing mx3 | grep -v '10.0.0.98')" "$before" \
    "mx3's database otherwise unchanged"

# the replay window (-r 300 on mx3): the same packet twice
python3 "$PY" replay 10.0.0.3 "$MX_TMP/key" 10.0.0.95
wait_listing mx3 '^WHITE\|10\.0\.0\.95\|'
ok $? "mx3 takes a packet once"
i=0
until synclog mx3 | grep -q 'seen before'; do
	i=$((i + 1)); [ "$i" -lt 60 ] || break; sleep 0.05
done
like "$(synclog mx3)" '10\.0\.0\.254: packet seen before, within the replay window: dropped' \
    "mx3 (-r 300) drops it the second time"
is "$(listing mx3 | grep '^WHITE|10.0.0.95|' | cut -d'|' -f8-)" "0|0" \
    "mx3's WHITE entry applied once (bcount 0, pcount 0)"

# 5. malformed packets: dropped, logged, nothing stored, still serving
before=$(listing mx1)
python3 "$PY" bad 10.0.0.1 "$MX_TMP/key"
python3 "$PY" white 10.0.0.1 "$MX_TMP/key" 10.0.0.96
wait_listing mx1 '^WHITE\|10\.0\.0\.96\|'
ok $? "mx1 still takes a good packet after the bad ones"
log1=$(synclog mx1)
for why in "short packet" "bad version" "truncated TLV" \
    "bad WHITE/TRAPPED length" "bad header length" "oversized packet" \
    "unknown TLV type"; do
	like "$log1" "10\.0\.0\.254: bad sync packet \([0-9]+ bytes\): $why" \
	    "mx1 drops and logs: $why"
done
unlike "$(listing mx1)" '10\.0\.0\.97' "no malformed entry stored"
is "$(listing mx1 | grep -v '10.0.0.96')" "$before" \
    "mx1's database otherwise unchanged"
kill -0 "$SYNC_mx1" 2>/dev/null
ok $? "mx1's greysync is still running"

# 6. multicast: -Y eth0 -y eth0 on all three
for h in $hosts; do
	v="SYNC_$h"
	kill "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
	mv "$MX_TMP/$h-greysync.log" "$MX_TMP/$h-greysync-unicast.log"
done
for h in $hosts; do
	start_sync "$h" -y eth0 -Y eth0
done
wait_started
code=$(python3 "$PY" smtp 10.0.0.3 10.0.0.201 '<m@example.net>' \
    '<multi@example.org>')
is "$code" 451 "mx3 greylists 10.0.0.201"
MC_RE='^GREY\|10\.0\.0\.201\|mx\.example\.org\|<multi@example\.org>\|<m@example\.net>\|'
for h in mx1 mx2; do
	wait_listing "$h" "$MC_RE"
	ok $? "multicast: the GREY tuple reaches $h"
	diag "$h: multicast GREY seen after ${LAT}s"
done
sleep 0.3
unlike "$(synclog mx3)" '10\.0\.0\.3: sync GREY' \
    "mx3 ignores its own multicast"
is "$(listing mx3 | grep '^GREY|10.0.0.201|' | cut -d'|' -f9)" 1 \
    "mx3's tuple has bcount 1 (its own packet not applied)"
like "$(synclog mx1)" 'sync: multicast group 224\.0\.1\.240 on eth0 \(10\.0\.0\.1\): receive send, ttl 1' \
    "mx1's greysync joined the group on eth0"

# 7. SIGHUP logs the counters
for h in mx1 mx3; do
	v="SYNC_$h"
	kill -HUP "${!v}"
	i=0
	until synclog "$h" | grep -q 'stats:'; do
		i=$((i + 1)); [ "$i" -lt 60 ] || break; sleep 0.05
	done
done
like "$(synclog mx1)" 'stats: packets=1 applied=1 ' \
    "SIGHUP: mx1 logs its counters (one packet taken)"
like "$(synclog mx3)" 'stats: packets=0 applied=0 refused=0 self=1 .* sent=1 ' \
    "mx3 sent one packet and dropped its own copy"

done_testing
