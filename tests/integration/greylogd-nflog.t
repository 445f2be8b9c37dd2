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
# tests/integration/greylogd-nflog.t: greylogd on a real NFLOG group.
# The test's namespace (10.0.0.254, fd00::fe) loads the suite's own
# ruleset, conf/nftables/mxsuite.nft, with mx1 in <nospamd> so that its
# SMTP reaches port 25 and is logged to NFLOG group 1; greylogd
# -l nflog:1 reads it.  swaks on mx1 (10.0.0.1, fd00::1) connects to
# smtpd-test here: a WHITE entry for mx1 appears in the database, a
# second connection refreshes it (pcount 1, expire later); IPv6 alike.
# Outbound: swaks here to mx2 (10.0.0.2) whitelists mx2; with -I it
# does not (fd00::2), while mx2's inbound still counts.  An address
# added while greylogd runs is found (its SYN counts as outbound).  -Y
# sends spamd's WHITE sync to a listener on mx1, whose HMAC verifies
# with the key (Python hmac, key = hex SHA-1 of the key file).  A pcap
# replay (-r: DLT_IPV4, DLT_NFLOG, DLT_PFLOG) of the same SYNs gives the
# same entries; -i; -W bounds; garbage in a file is skipped; a
# database of root's is refused before the privilege drop.

. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

GL=$MX_BUILD/greylogd/greylogd
GDB=$MX_BUILD/greyd/greydb
SMTPD=$MX_BUILD/tests/bin/smtpd-test
for b in "$GL" "$GDB" "$SMTPD"; do
	[ -x "$b" ] || bail "$b not built"
done
command -v swaks >/dev/null || bail "swaks not found"
command -v nft >/dev/null || bail "nft not found"

plan 52

# Started as root, greylogd chroots into the database directory, where
# LeakSanitizer (SANITIZE=1 builds) finds no /proc and fails the exit:
# leaks are checked by the replay run as nobody below instead.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

chmod 755 "$MX_TMP"
DB=$MX_TMP/db
KEY=$MX_TMP/spamd.key
printf 'greyd-test-key\n' >"$KEY"

mx_host mx1 10.0.0.1 fd00::1
mx_host mx2 10.0.0.2 fd00::2

# the suite's ruleset, mx1 and mx2 past greyd (nospamd)
nft -f "$MX_TOP/conf/nftables/mxsuite.nft"
ok $? "conf/nftables/mxsuite.nft loads"
nft add element inet mxsuite nospamd '{ 10.0.0.1, 10.0.0.2 }' &&
    nft add element inet mxsuite nospamd-v6 '{ fd00::1, fd00::2 }'
ok $? "mx1 and mx2 in nospamd"

# smtpd-test takes IPv4 addresses only: a minimal server for IPv6
cat >"$MX_TMP/sink6.py" <<'EOF'
import socket, sys, threading
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 25))
s.listen(8)
def serve(c):
    f = c.makefile("rwb")
    f.write(b"220 sink6 ESMTP\r\n"); f.flush()
    for line in f:
        if line[:4].upper() == b"QUIT":
            f.write(b"221 bye\r\n"); f.flush()
            break
        f.write(b"250 ok\r\n"); f.flush()
    c.close()
while True:
    c, a = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
mx_bg "$SMTPD" -d -a 10.0.0.254 -p 25
mx_bg python3 "$MX_TMP/sink6.py" fd00::fe
mx_bg_in mx2 "$SMTPD" -d -a 10.0.0.2 -p 25
mx_bg_in mx2 python3 "$MX_TMP/sink6.py" fd00::2
mx_wait_port 25 10.0.0.254 || bail "smtpd-test did not start"
mx_wait_port 25 fd00::fe || bail "smtpd-test (v6) did not start"

# the sync listener on mx1: each datagram as a hex line
cat >"$MX_TMP/listen.py" <<'EOF'
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 8025))
s.settimeout(1)
open(sys.argv[1] + ".ready", "w").close()
end = time.time() + 120
with open(sys.argv[1], "a") as f:
    while time.time() < end:
        try:
            d, a = s.recvfrom(2048)
        except socket.timeout:
            continue
        f.write(d.hex() + "\n")
        f.flush()
EOF
: >"$MX_TMP/sync.hex"
mx_bg_in mx1 python3 "$MX_TMP/listen.py" "$MX_TMP/sync.hex"
i=0
while [ ! -e "$MX_TMP/sync.hex.ready" ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
[ -e "$MX_TMP/sync.hex.ready" ] || bail "the sync listener did not start"

# wait_for PATTERN [seconds]: until greydb's listing matches
wait_for() {
	local i=0
	while [ "$i" -lt $((${2:-10} * 10)) ]; do
		"$GDB" -f "$DB" 2>/dev/null | grep -q -- "$1" && return 0
		sleep 0.1
		i=$((i + 1))
	done
	return 1
}
field() {	# field KEY N: field N of KEY's WHITE line
	"$GDB" -f "$DB" | awk -F'|' -v k="$2" -v n="$1" \
	    '$1 == "WHITE" && $2 == k { print $n }'
}
# smtp HOST|- SERVER: one SMTP session, from HOST (-: here), with Python's
# smtplib (swaks needs IO::Socket::INET6 for IPv6, and inside a host it
# looks the host's name up in the DNS, which hangs there: a route out,
# no server, when /etc/hosts lacks the name); given a HELO name for the
# same reason
smtp() {
	local ns=()
	[ "$1" = - ] || ns=(nsenter -t "$(mx_hostpid "$1")" -n --)
	mx_timeout 20 "${ns[@]}" python3 -c 'import smtplib, sys
s = smtplib.SMTP(sys.argv[1], 25, timeout=10,
                 local_hostname="client.example.net")
s.helo("client.example.net")
s.quit()' "$2"
}

mx_bg "$GL" -D -l nflog:1 -f "$DB" -u nobody -k "$KEY" -Y 10.0.0.1 -W 10
GLPID=$MX_LASTPID
mx_wait_log "$MX_TMP/greylogd.log" "listening on nflog:1" ||
    bail "greylogd did not start: $(cat "$MX_TMP/greylogd.log")"

# inbound, IPv4
smtp mx1 10.0.0.254
ok $? "SMTP mx1 -> 10.0.0.254:25"
wait_for '^WHITE|10\.0\.0\.1|'
ok $? "WHITE entry for mx1 created" ||
    diag "$(cat "$MX_TMP/greylogd.log")"
first=$(field 5 10.0.0.1)
exp1=$(field 7 10.0.0.1)
is "$(field 9 10.0.0.1)" 0 "new entry: pcount 0"
is "$((exp1 - first))" 36000 "expire = first + 10 h (-W 10)"
sleep 1.2
smtp mx1 10.0.0.254
ok $? "second connection"
i=0
while [ "$(field 9 10.0.0.1)" != 1 ] && [ "$i" -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
is "$(field 9 10.0.0.1)" 1 "second connection: pcount 1"
exp2=$(field 7 10.0.0.1)
[ "$exp2" -gt "$exp1" ]
ok $? "expire moved ($exp1 -> $exp2)"

# inbound, IPv6
smtp mx1 fd00::fe
ok $? "SMTP mx1 -> [fd00::fe]:25"
wait_for '^WHITE|fd00::1|'
ok $? "WHITE entry for fd00::1 created"

# outbound: the destination
smtp - 10.0.0.2
ok $? "swaks here -> mx2 10.0.0.2:25"
wait_for '^WHITE|10\.0\.0\.2|'
ok $? "outbound: mx2 whitelisted"
unlike "$("$GDB" -f "$DB")" 'WHITE\|10\.0\.0\.254\|' \
    "the local address is never whitelisted"
like "$(cat "$MX_TMP/greylogd.log")" "outbound 10.0.0.2" \
    "logged as outbound"
like "$(cat "$MX_TMP/greylogd.log")" "inbound 10.0.0.1" \
    "logged as inbound"

# an address added while greylogd runs: its first SYN is unknown at both
# ends, greylogd reads the addresses again and sees it is outbound
ip addr add 10.0.0.200/24 dev mxbr0
mx_timeout 20 swaks --server 10.0.0.2 --port 25 --local-interface 10.0.0.200 --helo client.example.net \
    --to a@example.org --from b@example.net --quit-after HELO >/dev/null 2>&1
ok $? "swaks from a new address 10.0.0.200 -> mx2"
wait_for '^WHITE|10\.0\.0\.2|.*|1$'
ok $? "new local address: outbound, mx2 refreshed (pcount 1)"
unlike "$("$GDB" -f "$DB")" 'WHITE\|10\.0\.0\.200\|' \
    "new local address: not whitelisted as an inbound source"

# -Y: the listener on mx1 got WHITE packets that verify
i=0
while [ "$(wc -l <"$MX_TMP/sync.hex")" -lt 5 ] && [ "$i" -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
out=$(python3 - "$KEY" "$MX_TMP/sync.hex" <<'EOF'
import hashlib, hmac, socket, struct, sys
key = hashlib.sha1(open(sys.argv[1], "rb").read()).hexdigest().encode()
for line in open(sys.argv[2]):
    d = bytes.fromhex(line.strip())
    ver, af, length, counter = struct.unpack(">BBHI", d[:8])
    mac = d[8:28]
    z = d[:8] + bytes(20) + d[28:length]
    good = hmac.compare_digest(hmac.new(key, z, hashlib.sha1).digest(), mac)
    t, tl = struct.unpack(">HH", d[32:36])
    if t == 2:
        ts, exp = struct.unpack(">II", d[36:44])
        ip = socket.inet_ntoa(d[44:48])
    elif t == 0x102:
        ts, exp = struct.unpack(">II", d[36:44])
        ip = socket.inet_ntop(socket.AF_INET6, d[44:60])
    else:
        ip, ts, exp = "?", 0, 0
    print("%s v%d len=%d/%d type=%d ip=%s exp=%d end=%s" % (
        "good" if good else "BAD", ver, length, len(d), t, ip, exp - ts,
        d[length - 4:length].hex()))
EOF
)
diag "$out"
like "$out" "good v2 len=52/52 type=2 ip=10.0.0.1 exp=36000 end=00000004" \
    "WHITE sync for 10.0.0.1 verifies (spamd's 52-byte packet)"
is "$(printf '%s\n' "$out" | grep -c 'good v2 .* type=2 ip=10.0.0.1 ')" 2 \
    "one sync packet for each of mx1's two connections"
like "$out" "good v2 .* ip=10.0.0.2 exp=36000" \
    "WHITE sync for the outbound 10.0.0.2"
like "$out" "good v2 .* type=258 ip=fd00::1 " \
    "WHITE6 sync for fd00::1"
unlike "$out" "BAD" "every sync packet verifies"

kill "$GLPID"
wait "$GLPID" 2>/dev/null
like "$(cat "$MX_TMP/greylogd.log")" "exiting" "SIGTERM: greylogd exits"

# -I: outbound ignored, inbound still counted
: >"$MX_TMP/greylogd.log"
mx_bg "$GL" -D -I -l nflog:1 -f "$DB" -u nobody
GLPID=$MX_LASTPID
mx_wait_log "$MX_TMP/greylogd.log" "listening on nflog:1" ||
    bail "greylogd -I did not start"
smtp - fd00::2
ok $? "swaks here -> [fd00::2]:25"
smtp mx2 10.0.0.254
wait_for '^WHITE|10\.0\.0\.2|.*|2$'
ok $? "-I: mx2's inbound connection counted (pcount 2)"
unlike "$("$GDB" -f "$DB")" 'WHITE\|fd00::2\|' \
    "-I: outbound to fd00::2 not whitelisted"
kill "$GLPID"
wait "$GLPID" 2>/dev/null

# the same SYNs replayed from pcap files (DLT_IPV4 and DLT_NFLOG)
python3 - "$MX_TMP" <<'EOF'
import socket, struct, sys
def tcp(sport, dport, flags):
    return struct.pack(">HHIIBBHHH", sport, dport, 0, 0, 0x50, flags, 0, 0, 0)
def ip4(s, d, sp, dp, fl):
    h = struct.pack(">BBHHHBBH", 0x45, 0, 40, 0, 0, 64, 6, 0)
    return h + socket.inet_aton(s) + socket.inet_aton(d) + tcp(sp, dp, fl)
def ip6(s, d, sp, dp, fl):
    h = struct.pack(">IHBB", 0x60000000, 20, 6, 64)
    return (h + socket.inet_pton(socket.AF_INET6, s) +
            socket.inet_pton(socket.AF_INET6, d) + tcp(sp, dp, fl))
def nflog(p, hook):
    return (bytes([2, 0, 0, 1]) + struct.pack("<HH", 8, 1) +
            bytes([8, 0, hook, 0]) + struct.pack("<HH", 4 + len(p), 9) + p +
            bytes((4 - len(p) % 4) % 4))
pkts = [ip4("10.0.0.1", "10.0.0.254", 40000, 25, 2),
        ip4("10.0.0.254", "10.0.0.1", 25, 40000, 0x12),   # SYN-ACK
        ip4("10.0.0.1", "10.0.0.254", 40001, 25, 2),
        ip6("fd00::1", "fd00::fe", 40002, 25, 2),
        ip4("10.0.0.254", "10.0.0.2", 40003, 25, 2),
        ip4("10.0.0.1", "10.0.0.254", 40004, 25, 0x10)[:30],  # cut
        b"\xff" * 7]
def write(name, dlt, items):
    with open(sys.argv[1] + "/" + name, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, dlt))
        for p in items:
            f.write(struct.pack("<IIII", 1700000000, 0, len(p), len(p)))
            f.write(p)
write("v4.pcap", 228, pkts)
hooks = [1, 3, 1, 1, 3]
write("nflog.pcap", 239, [nflog(p, h) for p, h in zip(pkts[:5], hooks)])
write("garbage.pcap", 228, [b"\x45" + b"\x00" * 5, b"\x60", b""])
# pflog (OpenBSD's header): the direction is the header's, whatever the
# addresses say (10.0.0.77 is not local); blocked and em1 are left out
def pflog(p, af, d, action=0, ifname=b"em0"):
    h = bytearray(100)
    h[0], h[1], h[2], h[60] = 100, af, action, d
    h[4:4 + len(ifname)] = ifname
    return bytes(h) + p
write("pflog.pcap", 117, [
    pflog(pkts[0], 2, 1), pflog(pkts[1], 2, 2), pflog(pkts[2], 2, 1),
    pflog(pkts[3], 24, 1),
    pflog(ip4("10.0.0.77", "10.0.0.2", 40005, 25, 2), 2, 2),
    pflog(ip4("10.0.0.99", "10.0.0.254", 40006, 25, 2), 2, 1, action=1),
    pflog(ip4("10.0.0.98", "10.0.0.254", 40007, 25, 2), 2, 1,
          ifname=b"em1")])
EOF
for f in v4 nflog pflog; do
	i=
	[ "$f" != pflog ] || i="-i em0"
	"$GL" -D $i -r "$MX_TMP/$f.pcap" -f "$MX_TMP/db-$f" -u nobody \
	    >"$MX_TMP/r-$f.log" 2>&1
	ok $? "-r $f.pcap: exit 0" || diag "$(cat "$MX_TMP/r-$f.log")"
	list=$("$GDB" -f "$MX_TMP/db-$f" | cut -d'|' -f1,2,9 | sort | tr '\n' ' ')
	is "$list" "WHITE|10.0.0.1|1 WHITE|10.0.0.2|0 WHITE|fd00::1|0 " \
	    "-r $f.pcap $i: mx1 twice, mx2 outbound, fd00::1"
done
# -i by local address: 10.0.0.254 and fd00::fe are mxbr0's
"$GL" -D -i mxbr0 -r "$MX_TMP/v4.pcap" -f "$MX_TMP/db-if" -u nobody \
    >/dev/null 2>&1
is "$("$GDB" -f "$MX_TMP/db-if" | cut -d'|' -f2 | sort | tr '\n' ' ')" \
    "10.0.0.1 10.0.0.2 fd00::1 " "-i mxbr0: all (the local ends are mxbr0's)"
"$GL" -D -i lo -r "$MX_TMP/v4.pcap" -f "$MX_TMP/db-lo" -u nobody \
    >/dev/null 2>&1
is "$("$GDB" -f "$MX_TMP/db-lo" | wc -l)" 0 "-i lo: none"
like "$(cat "$MX_TMP/r-v4.log")" "packets=7 bad=2 white=4" \
    "-r: packets counted, the cut and garbage ones as bad"
# as an ordinary user (no drop, no chroot): leak-checked under ASan
mkdir -m 777 "$MX_TMP/db-user"
ASAN_OPTIONS=${ASAN_OPTIONS%detect_leaks=0} setpriv --reuid=65534 \
    --regid=65534 --clear-groups "$GL" -D -r "$MX_TMP/nflog.pcap" \
    -f "$MX_TMP/db-user" >"$MX_TMP/r-user.log" 2>&1
ok $? "-r as an ordinary user: exit 0" || diag "$(cat "$MX_TMP/r-user.log")"
like "$(cat "$MX_TMP/r-user.log")" "not running as root: privilege drop to _spamd.* skipped" \
    "not root: the drop is skipped, and said"
"$GL" -D -r "$MX_TMP/garbage.pcap" -f "$MX_TMP/db-g" -u nobody \
    >"$MX_TMP/r-g.log" 2>&1
ok $? "-r garbage.pcap: no crash, exit 0"
is "$("$GDB" -f "$MX_TMP/db-g" | wc -l)" 0 "garbage: nothing written"

# a database directory of the user's holding root's LMDB files (greydb
# run as root first) is taken over before the drop, as greyd does
"$GDB" -f "$MX_TMP/db-root" -a 192.0.2.1
chown nobody "$MX_TMP/db-root"
"$GL" -D -r "$MX_TMP/v4.pcap" -f "$MX_TMP/db-root" -u nobody \
    >"$MX_TMP/r-root.log" 2>&1
is $? 0 "root's LMDB files in the directory: taken over, exit 0" ||
    diag "$(cat "$MX_TMP/r-root.log")"
is "$(stat -c %U "$MX_TMP/db-root/data.mdb")" nobody \
    "root's data.mdb given to the user"
# root's directory holding other files than the database: refused
mkdir "$MX_TMP/db-notdb"
"$GDB" -f "$MX_TMP/db-notdb" -a 192.0.2.1
touch "$MX_TMP/db-notdb/other"
"$GL" -D -r "$MX_TMP/v4.pcap" -f "$MX_TMP/db-notdb" -u nobody \
    >"$MX_TMP/r-notdb.log" 2>&1
is $? 1 "root's directory with other files: refused"
like "$(cat "$MX_TMP/r-notdb.log")" \
    "db-notdb: owned by uid 0 and holds other files than the database; give it to nobody" \
    "and said"
is "$(stat -c %U "$MX_TMP/db-notdb")" root "and left root's"

# -W bounds: 1..2160 hours
"$GL" -D -W 0 -r "$MX_TMP/v4.pcap" -f "$MX_TMP/db-w" >"$MX_TMP/w.log" 2>&1
is $? 1 "-W 0 refused"
"$GL" -D -W 2161 -r "$MX_TMP/v4.pcap" -f "$MX_TMP/db-w" >"$MX_TMP/w.log" 2>&1
is $? 1 "-W 2161 refused"
like "$(cat "$MX_TMP/w.log")" "1 to 2160 hours" "-W: the range is said"
"$GL" -D -W 2160 -r "$MX_TMP/v4.pcap" -f "$MX_TMP/db-w" -u nobody \
    >"$MX_TMP/w.log" 2>&1
ok $? "-W 2160 accepted"
f5=$("$GDB" -f "$MX_TMP/db-w" | awk -F'|' '$2 == "10.0.0.2" { print $7 - $5 }')
is "$f5" $((2160 * 3600)) "-W 2160: expire 90 days on"
"$GL" -D -l nflog:1 -r /nonexistent.pcap -f "$MX_TMP/db-w" >/dev/null 2>&1
is $? 1 "-r of a missing file fails"

done_testing
