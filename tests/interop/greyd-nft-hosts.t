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
# tests/interop/greyd-nft-hosts.t: greyd behind conf/nftables/mxsuite.nft
# for clients on other hosts (tests/lib/tap.sh mx_host), over IPv6 and
# IPv4, with a real OpenSMTPD as the MTA.
#
# The server is this script's namespace (10.0.0.254, fd00::fe on the
# bridge): the ruleset, OpenSMTPD on port 25 of both addresses, and greyd
# started WITHOUT -l, so that its default listeners (127.0.0.1 and [::])
# are what the ruleset's dnat (IPv4) and redirect (IPv6) reach.
#	grey  fd00::1 (and 10.0.0.1): port 25 redirected to greyd, 451,
#	      451 after the pass time, then fd00::1 in spamd-white-v6 and
#	      WHITE in greydb; the next connection reaches OpenSMTPD, which
#	      delivers the message
#	black fd00::2 and 10.0.0.2, on a greyd-setup file list: the whole
#	      dialogue through the redirect, stuttered (-s 40ms) from the
#	      first byte of the banner to the last of the list's 450 reply,
#	      on one connection that greyd closes only after that reply
#	lowprio fd00::3 mails the low-priority MX address fd00::fd (-M; on
#	      the server's lo, routed by the client via fd00::fe): the
#	      redirect lands on [fd00::fe]:8025, greyd reads fd00::fd with
#	      IP6T_SO_ORIGINAL_DST and, after its first 60 s, traps fd00::3
#
# Needs root (OpenSMTPD, nft): a private mount namespace holds
# OpenSMTPD's /var/spool and /run.

. "$MX_TOP/tests/lib/greyd-opensmtpd.sh"
mx_root_netns "OpenSMTPD and nft" "$@"
. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

mx_greyd_opensmtpd_init

D=$MX_TMP
chmod 755 "$D"
SRV4=10.0.0.254
SRV6=fd00::fe

mx_host grey 10.0.0.1 fd00::1
mx_host black 10.0.0.2 fd00::2
mx_host lowprio 10.0.0.3 fd00::3
ip -6 addr add fd00::fd/128 dev lo nodad || bail "cannot add fd00::fd"
mx_in lowprio ip -6 route add fd00::fd/128 via fd00::fe ||
    bail "no route to fd00::fd"
# dnat to 127.0.0.1 from the bridge needs route_localnet (mxsuite.nft)
sysctl -qw net.ipv4.conf.all.route_localnet=1
sysctl -qw net.ipv4.conf.mxbr0.route_localnet=1
nft -f "$RULES" 2>"$D/nft.err" || bail "ruleset: $(cat "$D/nft.err")"

# --- OpenSMTPD on both addresses ---------------------------------------

mx_opensmtpd_maildir $SRV4 $SRV6

# --- greyd, default listeners -------------------------------------------

DB=$D/db
mkdir "$D/jail"
started=$(date +%s)
mx_bg "$GREYD" -d -v -G 2s:1h:36d -I 1 -S 0 -s 40ms -h mx.example.test \
    -M fd00::fd \
    -u nobody -D "$DB" -j "$D/jail"
GREYD_PID=$MX_LASTPID
mx_wait_port 8025 || bail "greyd did not start: $(cat "$D/greyd.log")"
mx_wait_port 8026 || bail "greyd: no config socket"
mx_wait_port 8025 ::1 || bail "greyd does not listen on [::]:8025"
listen=$(ss -Htln 'sport = :8025' | awk '{print $4}' | sort | tr '\n' ' ')
is "$listen" "127.0.0.1:8025 [::]:8025 " \
    "without -l greyd listens on 127.0.0.1 and [::] (port 8025)"

# What the ruleset's comments say: IPv6 cannot be dnat-ed to ::1 (the
# kernel drops a packet from another interface addressed to loopback),
# which is why IPv6 goes through "redirect" to greyd's [::] socket.
nft -f - <<'EOT' || bail "cannot add the ::1 test table"
table ip6 v6test {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		tcp dport 26 dnat to [::1]:8025
	}
}
EOT
mx_in grey timeout 5 python3 -c 'import socket
s = socket.create_connection(("fd00::fe", 26), timeout=3)
print(s.recv(4))' >/dev/null 2>&1
ok $(( $? == 0 )) "dnat ip6 to [::1]:8025 from another host does not connect"
nft delete table ip6 v6test

# --- IPv6 greylisting through the redirect -------------------------------

# swaks needs IO::Socket::INET6 for IPv6: a python client instead.  It
# prints "<- CODE TEXT" for the banner and every reply, "** " for the
# one that ended the dialogue.
cat >"$D/send.py" <<'PY'
import smtplib, sys
server, subject, body = sys.argv[1], sys.argv[2], sys.argv[3]
c = smtplib.SMTP(timeout=20)
code, msg = c.connect(server, 25)
print("<-  %d %s" % (code, msg.decode()))
for verb, arg in (("helo", "client6.test"),
                  ("mail", "FROM:<alice@client.test>"),
                  ("rcpt", "TO:<bob@example.test>"), ("data", "")):
    code, msg = c.docmd(verb, arg)
    if code >= 400:
        print("<** %d %s" % (code, msg.decode()))
        sys.exit(0)
    print("<-  %d %s" % (code, msg.decode()))
c.send(("Subject: %s\r\n\r\n%s\r\n.\r\n" % (subject, body)).encode())
code, msg = c.getreply()
print("%s %d %s" % ("<- " if code < 400 else "<**", code, msg.decode()))
c.docmd("quit")
PY
send() {
	mx_in "$1" timeout -k 2 30 python3 "$D/send.py" "$2" "$3" \
	    "${4:-a message}" 2>&1
}

out=$(send grey $SRV6 first)
like "$out" "<-  220 mx\.example\.test ESMTP spamd IP-based SPAM blocker" \
    "IPv6 fd00::1 -> [fd00::fe]:25 is redirected to greyd" || diag "$out"
like "$out" "<\*\* 451 Temporary failure, please try again later\." \
    "IPv6 first attempt: 451"
like "$(cat "$D/greyd.log")" "fd00::1: connected" \
    "greyd sees the IPv6 source address"
sleep 3
in_white6() { elems spamd-white-v6 | grep -qx "$1"; }
in_white6 fd00::1
is "$?" 1 "before its retry, fd00::1 is not in spamd-white-v6"
out=$(send grey $SRV6 retry)
like "$out" "<-  220 mx\.example\.test ESMTP spamd" "IPv6 retry: still greyd"
like "$out" "<\*\* 451 Temporary failure" "IPv6 retry after the pass time: 451"
mx_wait_for 10 in_white6 fd00::1
ok $? "after the scan, fd00::1 is in spamd-white-v6" ||
    diag "$(nft list set inet mxsuite spamd-white-v6)"
like "$(greydb -f "$DB" fd00::1)" \
    '^WHITE\|fd00::1\|\|\|[0-9]+\|[0-9]+\|[0-9]+\|2\|0$' \
    "greydb prints fd00::1's WHITE line"
like "$(greydb -f "$DB" | grep '^GREY|fd00::1|')" \
    '^GREY\|fd00::1\|client6\.test\|<alice@client\.test>\|<bob@example\.test>\|' \
    "greydb prints the IPv6 tuple"
is "$(elems spamd-white)" "" "no IPv4 address was whitelisted"

out=$(send grey $SRV6 "IPv6 through greyd" \
    "greylisted over IPv6, whitelisted, delivered")
like "$out" "<-  220 mx\.example\.test ESMTP OpenSMTPD" \
    "the next IPv6 connection reaches OpenSMTPD" || diag "$out"
like "$out" "<-  250 2\.0\.0 [0-9a-f]+ Message accepted for delivery" \
    "OpenSMTPD accepts the message"
delivered() { grep -lqs "^Subject: IPv6 through greyd" "$D"/Maildir/new/*; }
mx_wait_for 15 delivered
ok $? "the message is in the maildir" ||
    diag "$(ls -lR "$D/Maildir")" "$(tail -20 "$D/smtpd.log")"
like "$(cat "$D"/Maildir/new/* 2>/dev/null)" "\[fd00::1\]" \
    "delivered with OpenSMTPD's Received line for fd00::1"

# the same host over IPv4 is still greylisted: the sets are per address
out=$(send grey $SRV4 v4)
like "$out" "<-  220 mx\.example\.test ESMTP spamd" \
    "10.0.0.1 (the same host over IPv4) still meets greyd" || diag "$out"
like "$out" "<\*\* 451 Temporary failure" "... and gets 451"

# --- a blacklisted host, the whole dialogue stuttered --------------------

printf '# the file list\n10.0.0.2\nfd00::2\n' >"$D/black.txt"
cat >"$D/spamd.conf" <<EOT
all:\\
	:filelist:
filelist:\\
	:black:\\
	:msg="Your address %A is on the file list":\\
	:method=file:\\
	:file=$D/black.txt:
EOT
mx_timeout 60 "$SETUP" -d -u nobody -f "$D/spamd.conf" >"$D/setup.out" 2>&1
is "$?" 0 "greyd-setup loads the list" || diag "$(cat "$D/setup.out")"

cat >"$D/black.py" <<'PY'
import socket, sys, time
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam)
s.settimeout(30)
s.connect((sys.argv[1], 25))
t0 = time.monotonic()
got = b""
stamps = []
def readreply():
    global got
    line = b""
    r = b""
    while True:
        b = s.recv(1)
        if not b:
            return None
        stamps.append(time.monotonic())
        got += b
        line += b
        if b == b"\n":
            r += line
            if len(line) < 4 or line[3:4] != b"-":
                return r.decode(errors="replace")
            line = b""
def cmd(c):
    s.sendall(c)
    return readreply()
banner = readreply()
print("banner=" + banner.strip())
cmd(b"HELO spammer.test\r\n")
cmd(b"MAIL FROM:<spam@spammer.test>\r\n")
cmd(b"RCPT TO:<bob@example.test>\r\n")
print("data=" + cmd(b"DATA\r\n").strip())
r = cmd(b"Subject: spam\r\n\r\nspam\r\n.\r\n")
print("reply=" + (r or "EOF").replace("\r\n", "|"))
eof = s.recv(1)
print("closed=%s" % (eof == b""))
gaps = [b - a for a, b in zip(stamps, stamps[1:])]
# gaps inside a reply: every byte after one stutter delay
small = sorted(gaps)[len(gaps) // 10]
print("bytes=%d total=%.2f gap10=%.3f" % (len(got), time.monotonic() - t0,
      small))
PY
black() { mx_in black timeout -k 2 120 python3 "$D/black.py" "$@" 2>&1; }

for srv in $SRV6 $SRV4; do
	case $srv in *:*) src=fd00::2;; *) src=10.0.0.2;; esac
	out=$(black $srv)
	like "$out" "banner=220 mx\.example\.test ESMTP spamd IP-based SPAM blocker" \
	    "$src: redirected to greyd (stuttered)" || diag "$out"
	like "$out" "data=354 Enter spam" "$src: DATA gets 354"
	like "$out" "reply=450 Your address ${src//./\\.} is on the file list\|$" \
	    "$src: the list's message with its address, and 450"
	like "$out" "closed=True" "$src: greyd closes the connection after it"
	bytes=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' <<<"$out")
	total=$(sed -n 's/.*total=\([0-9.]*\).*/\1/p' <<<"$out")
	gap=$(sed -n 's/.*gap10=\([0-9.]*\).*/\1/p' <<<"$out")
	# 40 ms a byte: the whole dialogue, on one connection
	ok "$(awk -v b="${bytes:-0}" -v t="${total:-0}" -v g="${gap:-0}" \
	    'BEGIN { print !(b > 250 && t >= b * 0.04 * 0.9 && g >= 0.03) }')" \
	    "$src: every byte of the dialogue stuttered (bytes=$bytes, \
${total}s, 10th percentile gap ${gap}s)" || diag "$out"
	like "$(cat "$D/greyd.log")" \
	    "$src: disconnected after [0-9]+ seconds\. lists: filelist" \
	    "$src: greyd logs the whole connection with its list"
done

# --- the low-priority MX over IPv6 (-M), after greyd's first 60 s ------

left=$((started + 62 - $(date +%s)))
[ "$left" -le 0 ] || sleep "$left"
out=$(send lowprio fd00::fd "to the backup MX")
like "$out" "<-  220 mx\.example\.test ESMTP spamd" \
    "fd00::3 -> [fd00::fd]:25 is redirected to greyd" || diag "$out"
like "$out" "<\*\* 451 Temporary failure" "... and gets 451"
trapped() { greydb -f "$DB" fd00::3 | grep -q '^TRAPPED'; }
mx_wait_for 5 trapped
like "$(greydb -f "$DB" fd00::3)" '^TRAPPED\|fd00::3\|[0-9]+$' \
    "a new tuple to the -M address fd00::fd traps fd00::3 (the original \
destination, read with IP6T_SO_ORIGINAL_DST)" ||
    diag "$(grep 'fd00::3' "$D/greyd.log")"
is "$(greydb -f "$DB" | grep -c '^GREY|fd00::3|')" 0 "... with no GREY tuple"

kill "$GREYD_PID"
timeout 10 tail --pid="$GREYD_PID" -f /dev/null
unlike "$(cat "$D/greyd.log" "$D/setup.out")" \
    "AddressSanitizer|runtime error|LeakSanitizer" \
    "greyd, greyd-setup: no sanitizer report"

done_testing
