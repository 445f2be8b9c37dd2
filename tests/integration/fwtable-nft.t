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
# tests/integration/fwtable-nft.t: conf/nftables/mxsuite.nft loads, the
# nft back-end of common/fwtable (through tests/bin/fwtable-test) keeps
# its sets right, 200,000 prefixes are replaced in one transaction
# (timed, reported), and the ruleset really sends SMTP from a
# whitelisted source to the MTA and the rest to greyd on 127.0.0.1:8025
# (two network namespaces joined by a veth pair).  All of it inside a
# private network namespace: the host's firewall is never touched.

. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

RULES=$MX_TOP/conf/nftables/mxsuite.nft
FT=$MX_BUILD/tests/bin/fwtable-test
[ -x "$FT" ] || bail "$FT not built"
command -v nft >/dev/null || bail "nft not found"

# The elements of an nft set, one per line, in nft's order.
elems() {
	nft list set "$@" | tr -d ' \t\n' |
	    sed -n 's/.*elements={\([^}]*\)}.*/\1/p' | tr ',' '\n' |
	    sed 's/expires.*//; s/timeout.*//' | awk 'NF'
}

# The type of a set from its listing.
settype() { sed -n 's/^[[:space:]]*type //p'; }

# Run fwtable-test; stdout in $out, stderr in $err, exit code in $rc.
ft() {
	out=$("$FT" "$@" 2>"$MX_TMP/ft.err")
	rc=$?
	err=$(cat "$MX_TMP/ft.err")
}

# --- the ruleset ------------------------------------------------------

nft -f "$RULES" 2>"$MX_TMP/nft.err"
ok $? "mxsuite.nft loads" || diag "$(cat "$MX_TMP/nft.err")"
nft -f "$RULES" 2>"$MX_TMP/nft.err"
ok $? "mxsuite.nft loads again over itself" ||
    diag "$(cat "$MX_TMP/nft.err")"
missing=
for s in nospamd spamd-white spamd bgp_spamd bgp_spamd_bypass bruteforce \
    spamd-sync; do
	t4=$(nft list set inet mxsuite "$s" 2>&1 | settype)
	t6=$(nft list set inet mxsuite "$s-v6" 2>&1 | settype)
	[ "$t4/$t6" = "ipv4_addr/ipv6_addr" ] || missing="$missing $s($t4/$t6)"
done
is "$missing" "" "every pf table is a pair of sets NAME/NAME-v6"
for c in prerouting input output; do
	nft list chain inet mxsuite $c >/dev/null 2>&1 || missing="$missing $c"
done
is "$missing" "" "chains prerouting, input, output"

# --- replace, add, delete, list, flush --------------------------------

ft nft replace spamd-white 192.0.2.0/25 192.0.2.128/25 10.1.1.1 \
    2001:db8::/32 2001:db8:1::5 198.51.100.0/24
is "$rc" 0 "replace with a mixed IPv4/IPv6 list" || diag "$err"
is "$(elems inet mxsuite spamd-white | tr '\n' ' ')" \
    "10.1.1.1 192.0.2.0/24 198.51.100.0/24 " \
    "nft list set spamd-white after replace (siblings joined)"
is "$(elems inet mxsuite spamd-white-v6 | tr '\n' ' ')" \
    "2001:db8::/32 " \
    "nft list set spamd-white-v6 after replace (nested one merged)"

ft nft add spamd-white 10.1.1.0 203.0.113.7 2001:db8:ffff::1 2001:db9::/48
is "$rc" 0 "add" || diag "$err"
is "$(elems inet mxsuite spamd-white | tr '\n' ' ')" \
    "10.1.1.0/31 192.0.2.0/24 198.51.100.0/24 203.0.113.7 " \
    "nft list set spamd-white after add"
is "$(elems inet mxsuite spamd-white-v6 | tr '\n' ' ')" \
    "2001:db8::/32 2001:db9::/48 " "nft list set spamd-white-v6 after add"

ft nft delete spamd-white 192.0.2.0/25 198.51.100.0/24 10.9.9.9 \
    2001:db9::/48
is "$rc" 0 "delete (one prefix absent: no error)" || diag "$err"
is "$(elems inet mxsuite spamd-white | tr '\n' ' ')" \
    "10.1.1.0/31 192.0.2.128/25 203.0.113.7 " \
    "nft list set spamd-white after delete (the /24 split)"

ft nft list spamd-white
is "$rc" 0 "list"
is "$(echo $out)" \
    "10.1.1.0/31 192.0.2.128/25 203.0.113.7/32 2001:db8::/32" \
    "list prints both families"

# One handle for several commands: its cached copy of the set is used,
# and when the set changed behind its back it reads it again.
mkfifo "$MX_TMP/cmds"
"$FT" nft <"$MX_TMP/cmds" >"$MX_TMP/script.out" 2>"$MX_TMP/script.err" &
spid=$!
mx_pids+=("$spid")
exec 7>"$MX_TMP/cmds"
echo "replace nospamd 192.0.2.0/24 2001:db8::1" >&7
echo "list nospamd" >&7
sleep 0.5
nft flush set inet mxsuite nospamd
nft add element inet mxsuite nospamd '{ 198.51.100.0/24 }'
echo "delete nospamd 192.0.2.0/24" >&7
echo "add nospamd 198.51.100.0/24 203.0.113.0/24" >&7
echo "list nospamd" >&7
exec 7>&-
timeout 30 tail --pid="$spid" -f /dev/null
wait "$spid"
is "$?" 0 "script on one handle, the set changed behind its back" ||
    diag "$(cat "$MX_TMP/script.err")"
is "$(sed -n '/^> list/,$p' "$MX_TMP/script.out" | tail -3 | tr '\n' ' ')" \
    "198.51.100.0/24 203.0.113.0/24 2001:db8::1/128 " \
    "content after the stale cache was read again"
is "$(elems inet mxsuite nospamd | tr '\n' ' ')" \
    "198.51.100.0/24 203.0.113.0/24 " "nft agrees"

ft nft flush spamd-white
is "$rc" 0 "flush"
is "$(elems inet mxsuite spamd-white; elems inet mxsuite spamd-white-v6)" \
    "" "both sets empty after flush"

# Sets without the interval flag (the meters' bruteforce) take hosts.
ft nft add bruteforce 192.0.2.66 2001:db8::66
is "$rc" 0 "add hosts to the dynamic bruteforce set" || diag "$err" "$out"
is "$(elems inet mxsuite bruteforce)" "192.0.2.66" "bruteforce holds it" ||
    nft list set inet mxsuite bruteforce >&2
ft nft add bruteforce 192.0.2.0/24
is "$rc" 1 "a prefix in a set without interval flag is refused"
like "$err" \
    "bruteforce has no interval flag: it cannot hold the prefix 192.0.2.0/24" \
    "... with a clear message"
ft nft delete bruteforce 192.0.2.0/24
is "$rc/$(elems inet mxsuite bruteforce)" "0/" \
    "delete a prefix from bruteforce removes the hosts inside"

# A set with auto-merge turns adjacent elements into ranges of its own.
nft add set inet mxsuite am '{ type ipv4_addr; flags interval; auto-merge; }'
nft add set inet mxsuite am-v6 '{ type ipv6_addr; flags interval; }'
ft nft replace am 10.0.0.0/24 10.0.2.0/24
ft nft add am 10.0.1.0/24 10.0.3.0/24 10.0.4.0/24
is "$rc/$(elems inet mxsuite am)" "0/10.0.0.0-10.0.4.255" \
    "auto-merge set: nft merged the five /24s into a range"
printf 'delete am 10.0.1.0/24\nadd am 10.0.1.128/25\nlist am\n' \
    >"$MX_TMP/am"
ft nft <"$MX_TMP/am"
is "$rc/$(echo $out)" "0/> delete > add > list 10.0.0.0/24 \
10.0.1.128/25 10.0.2.0/23 10.0.4.0/24" \
    "auto-merge set: delete inside a range and add work"

# --- errors -----------------------------------------------------------

ft nft add nosuchset 192.0.2.1
is "$rc" 1 "a missing set is an error"
like "$err" \
    "nft: set inet mxsuite nosuchset: Error: No such file or directory" \
    "... with nft's error text"
ft nft add 'Bad!' 192.0.2.1
is "$rc" 1 "a bad table name is an error"
like "$err" 'bad table name "Bad!"' "... named in the message"
ft nft:inet:nosuchtable list spamd
is "$rc" 1 "a missing nft table is an error"
like "$err" "inet nosuchtable spamd: Error: No such file or directory" \
    "... naming family, table and set"
ft nft:ip:fresh -c replace newset 192.0.2.0/24 2001:db8::/64
is "$rc" 0 "-c creates table and sets" || diag "$err"
is "$(elems ip fresh newset-v6)" "2001:db8::/64" "created pair holds IPv6"

# --- 200,000 prefixes -------------------------------------------------
# (20,000 under the sanitizers, which look for memory errors, not speed:
# libnftables' allocations make a 200,000 run take minutes there)

big=${MX_FWTABLE_BIG:-200000}
case $MX_BUILD in *build-san*) big=${MX_FWTABLE_BIG:-20000} ;; esac
n4=$((big * 9 / 10))
n6=$((big - n4))
python3 - "$n4" "$n6" >"$MX_TMP/big" <<'PY'
import random, sys
n4, n6 = int(sys.argv[1]), int(sys.argv[2])
r = random.Random(7)
s = set()
while len(s) < n4:
    a = r.getrandbits(24) & ~1      # even /24s: no two are siblings
    s.add("%d.%d.%d.0/24" % (1 + (a >> 16) % 222, (a >> 8) & 255, a & 255))
t = set()
while len(t) < n6:
    t.add("2a%02x:%x:%x::/48" % (r.getrandbits(8), r.getrandbits(16),
                                  r.getrandbits(16) & ~1))
print("\n".join(sorted(s) + sorted(t)))
PY
TIMEFORMAT='%R s wall, %U s user, %S s system'
{ time ft nft replace bgp_spamd - <"$MX_TMP/big"; } 2>"$MX_TMP/time"
is "$rc" 0 "replace bgp_spamd with $big prefixes" || diag "$err"
diag "nft back-end, into empty sets: $err; $(cat "$MX_TMP/time")"
is "$(elems inet mxsuite bgp_spamd | wc -l)/$(elems inet mxsuite \
    bgp_spamd-v6 | wc -l)" "$n4/$n6" "nft holds $n4 + $n6 elements"
{ time ft nft replace bgp_spamd - <"$MX_TMP/big"; } 2>"$MX_TMP/time"
is "$rc" 0 "replace $big over $big" || diag "$err"
diag "nft back-end, over full sets: $err; $(cat "$MX_TMP/time")"

# --- packets: whitelisted SMTP to the MTA, the rest to greyd -----------

cat >"$MX_TMP/servers.py" <<'PY'
import socket, struct, sys, threading
def serve(fam, addr, port, name):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if fam == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind((addr, port))
    s.listen(8)
    def loop():
        while True:
            c, peer = s.accept()
            orig = "-"
            try:
                if fam == socket.AF_INET:
                    b = c.getsockopt(socket.SOL_IP, 80, 16)
                    orig = "%s:%d" % (socket.inet_ntop(socket.AF_INET,
                        b[4:8]), struct.unpack("!H", b[2:4])[0])
                else:
                    b = c.getsockopt(socket.IPPROTO_IPV6, 80, 28)
                    orig = "[%s]:%d" % (socket.inet_ntop(socket.AF_INET6,
                        b[8:24]), struct.unpack("!H", b[2:4])[0])
            except OSError:
                pass
            c.sendall(("220 %s from=%s orig=%s\r\n" %
                       (name, peer[0], orig)).encode())
            c.close()
    threading.Thread(target=loop, daemon=True).start()
serve(socket.AF_INET, "0.0.0.0", 25, "mta")
serve(socket.AF_INET6, "::", 25, "mta")
serve(socket.AF_INET, "127.0.0.1", 8025, "greyd")
serve(socket.AF_INET6, "::", 8025, "greyd")
def sync(path):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("0.0.0.0", 8025))
    while True:
        data, peer = u.recvfrom(2048)
        with open(path, "a") as f:
            f.write("%s %s\n" % (peer[0], data.decode()))
threading.Thread(target=sync, args=(sys.argv[1],), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
PY

cat >"$MX_TMP/client.py" <<'PY'
import socket, sys
src, dst, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(5)
s.bind((src, 0))
try:
    s.connect((dst, port))
    print(s.recv(200).decode().strip())
except OSError as e:
    print("error:", e)
PY

# What greylogd reads: NFLOG group 1, one line per logged packet,
# "source destination port".
cat >"$MX_TMP/nflog.py" <<'PY'
import socket, struct, sys, time
group = int(sys.argv[1])
NETLINK_NETFILTER = 12
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
s.bind((0, 0))
def cfg(attrs):
    body = struct.pack("=BBH", socket.AF_UNSPEC, 0, socket.htons(group)) + attrs
    hdr = struct.pack("=IHHII", 16 + len(body), (4 << 8) | 1, 1 | 4, 0, 0)
    s.send(hdr + body)
    ack = s.recv(4096)
    err = struct.unpack("=i", ack[16:20])[0]
    if err != 0:
        sys.exit("nflog bind: error %d" % err)
# NFULA_CFG_CMD = 1, NFULNL_CFG_CMD_BIND = 1
cfg(struct.pack("=HHB3x", 5, 1, 1))
# NFULA_CFG_MODE = 2: copy_range 0xffff, NFULNL_COPY_PACKET = 2
cfg(struct.pack("=HH", 10, 2) + struct.pack("!IBB", 0xffff, 2, 0) + b"\0\0")
print("ready", flush=True)
while True:
    data = s.recv(65536)
    off = 0
    while off + 16 <= len(data):
        ln, typ = struct.unpack("=IH", data[off:off + 6])
        if ln < 16:
            break
        msg = data[off:off + ln]
        off += (ln + 3) & ~3
        if typ != (4 << 8) | 0:
            continue
        a = 20
        while a + 4 <= len(msg):
            alen, atyp = struct.unpack("=HH", msg[a:a + 4])
            if alen < 4:
                break
            if (atyp & 0x7fff) == 9:
                pkt = msg[a + 4:a + alen]
                v = pkt[0] >> 4
                if v == 4:
                    ihl = (pkt[0] & 15) * 4
                    src = socket.inet_ntop(socket.AF_INET, pkt[12:16])
                    dst = socket.inet_ntop(socket.AF_INET, pkt[16:20])
                    dport = struct.unpack("!H", pkt[ihl + 2:ihl + 4])[0]
                else:
                    src = socket.inet_ntop(socket.AF_INET6, pkt[8:24])
                    dst = socket.inet_ntop(socket.AF_INET6, pkt[24:40])
                    dport = struct.unpack("!H", pkt[42:44])[0]
                print("%s %s %d" % (src, dst, dport), flush=True)
            a += (alen + 3) & ~3
PY

cat >"$MX_TMP/flood.py" <<'PY'
import socket, sys
src, dst, port, n = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
for i in range(n):
    s = socket.socket()
    s.settimeout(0.5)
    s.bind((src, 0))
    try:
        s.connect((dst, port))
    except OSError:
        pass
    s.close()
PY

veth=mxfw$$
ip link add "${veth}a" type veth peer name "${veth}b" ||
    bail "cannot create a veth pair"
# The client's namespace: a process of ours that only sleeps in it.
unshare -n sleep 300 &
cpid=$!
mx_pids+=("$cpid")
sleep 0.2
inc() { nsenter -t "$cpid" -n -- "$@"; }
ip link set "${veth}b" netns "$cpid" || bail "cannot move ${veth}b"
ip addr add 10.77.0.1/24 dev "${veth}a"
ip addr add 2001:db8:77::1/64 dev "${veth}a" nodad
ip link set "${veth}a" up
inc ip link set lo up
inc ip addr add 10.77.0.2/24 dev "${veth}b"
inc ip addr add 10.77.0.3/24 dev "${veth}b"
inc ip addr add 2001:db8:77::2/64 dev "${veth}b" nodad
inc ip addr add 2001:db8:77::3/64 dev "${veth}b" nodad
inc ip link set "${veth}b" up
# dnat to 127.0.0.1 from another interface needs route_localnet
sysctl -qw net.ipv4.conf.all.route_localnet=1
sysctl -qw "net.ipv4.conf.${veth}a.route_localnet=1"

nft -f "$RULES" || bail "cannot load the ruleset"
mx_bg python3 -u "$MX_TMP/servers.py" "$MX_TMP/sync.got"
mx_wait_port 25 127.0.0.1 || bail "test servers did not start"
mx_wait_port 8025 127.0.0.1 || bail "test servers did not start"

python3 -u "$MX_TMP/nflog.py" 1 >"$MX_TMP/nflog.out" 2>&1 &
nflogpid=$!
mx_pids+=("$nflogpid")
for i in $(seq 50); do
	grep -q ready "$MX_TMP/nflog.out" 2>/dev/null && break
	sleep 0.1
done
grep -q ready "$MX_TMP/nflog.out" || bail "cannot listen to NFLOG group 1"

ft nft replace spamd-white 10.77.0.2 2001:db8:77::2
is "$rc" 0 "whitelist 10.77.0.2 and 2001:db8:77::2" || diag "$err"

got=$(inc timeout 10 python3 "$MX_TMP/client.py" 10.77.0.2 10.77.0.1 25)
like "$got" "^220 mta from=10.77.0.2 " \
    "whitelisted IPv4 source reaches the MTA on :25"
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 10.77.0.3 10.77.0.1 25)
like "$got" "^220 greyd from=10.77.0.3 orig=10.77.0.1:25" \
    "other IPv4 source reaches greyd on 127.0.0.1:8025 (SO_ORIGINAL_DST)"
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 2001:db8:77::2 \
    2001:db8:77::1 25)
like "$got" "^220 mta from=2001:db8:77::2 " \
    "whitelisted IPv6 source reaches the MTA"
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 2001:db8:77::3 \
    2001:db8:77::1 25)
like "$got" "^220 greyd from=2001:db8:77::3 orig=\[2001:db8:77::1\]:25" \
    "other IPv6 source is redirected to greyd's port"

# outbound SMTP (to a host that does not listen: the SYN is enough)
timeout 10 python3 "$MX_TMP/client.py" 10.77.0.1 10.77.0.2 25 >/dev/null
sleep 1.5			# NFLOG sends its batch after a second
kill "$nflogpid"
logged=$(grep -v ready "$MX_TMP/nflog.out" | sort | tr '\n' ',')
is "$logged" "10.77.0.1 10.77.0.2 25,10.77.0.2 10.77.0.1 25,\
2001:db8:77::2 2001:db8:77::1 25," \
    "NFLOG group 1: the whitelisted SYNs in and the SYN out, nothing else"

# greyd whitelists 10.77.0.3: its next connection reaches the MTA
ft nft add spamd-white 10.77.0.3
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 10.77.0.3 10.77.0.1 25)
like "$got" "^220 mta from=10.77.0.3 " "after add, 10.77.0.3 reaches the MTA"

# greyd-setup blacklists 10.77.0.2 (spamd): submission goes to greyd too
ft nft replace spamd 10.77.0.2
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 10.77.0.2 10.77.0.1 587)
like "$got" "^220 greyd from=10.77.0.2 orig=10.77.0.1:587" \
    "blacklisted source's submission is redirected to greyd"

# greyd's port is not reachable directly from outside
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 10.77.0.3 10.77.0.1 8025)
like "$got" "^error" "greyd's port is closed to direct connections"

# spamd-sync: udp/8025 only from the peers in the set
udp() {
	inc python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 0))
s.sendto(sys.argv[3].encode(), (sys.argv[2], 8025))' "$@"
}
udp 10.77.0.2 10.77.0.1 not-a-peer
ft nft replace spamd-sync 10.77.0.3
udp 10.77.0.3 10.77.0.1 peer
sleep 0.5
is "$(cat "$MX_TMP/sync.got" 2>/dev/null)" "10.77.0.3 peer" \
    "udp/8025 reaches greysync from a peer in spamd-sync only"

# max-src-conn-rate 50/5 ... overload <bruteforce>: a source opening
# IMAP connections too fast lands in bruteforce, a slow one does not
inc timeout 30 python3 "$MX_TMP/flood.py" 10.77.0.2 10.77.0.1 993 5
inc timeout 30 python3 "$MX_TMP/flood.py" 10.77.0.3 10.77.0.1 993 80
is "$(elems inet mxsuite bruteforce | tr '\n' ' ')" "10.77.0.3 " \
    "80 IMAPS connections at once put the source in bruteforce"
# and bruteforce blocks everything from it
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 10.77.0.3 10.77.0.1 25)
like "$got" "^error" "a source in bruteforce is blocked"
got=$(inc timeout 10 python3 "$MX_TMP/client.py" 10.77.0.2 10.77.0.1 25)
like "$got" "^220 mta" "the other source still gets through"

done_testing
