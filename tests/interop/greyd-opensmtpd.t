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
# tests/interop/greyd-opensmtpd.t: the article's inbound path end to
# end (issue 3, Tests), with real nftables and a real OpenSMTPD.
#
# The "server" is this script's private network namespace: the ruleset
# conf/nftables/mxsuite.nft, greyd (-F nft, table inet mxsuite) started
# as root with -u nobody on a database directory that does not exist
# yet, and OpenSMTPD on port 25 delivering example.test to a maildir.
# The "client" is a second network namespace joined by a veth pair;
# swaks and small python clients connect from its addresses to the
# server's port 25:
#	10.78.0.2  greylisted: 451, 451 after the pass time, then in
#	           spamd-white and WHITE in greydb; its next connection
#	           reaches OpenSMTPD, which delivers the message
#	10.78.0.3  on a file list, 10.78.0.4 on an http list (greyd-setup,
#	           python's http.server): stuttered, the list's message, 450
#	10.78.0.5  mails a spamtrap: TRAPPED
#	10.78.0.6  holds a connection open (see "crowded" below)
# Then greyd is restarted over an emptied ruleset: the WHITE entry is
# still there and spamd-white is filled again.
#
# OpenSMTPD's queue and control socket are compiled in (/var/spool/smtpd,
# /var/run/smtpd.sock): the test runs in a private mount namespace with
# a tmpfs on /var/spool and /run.  Both daemons must
# start as root.

. "$MX_TOP/tests/lib/greyd-opensmtpd.sh"
mx_root_netns "greyd -u and OpenSMTPD" "$@"
. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

mx_greyd_opensmtpd_init

D=$MX_TMP
chmod 755 "$D"			# nobody walks to its database and jail
SRV=10.78.0.1
veth=mxge$$
cpid=

# Every wait is bounded; the client namespace and the veth pair go away
# with the processes, but say so explicitly.
e2e_cleanup() {
	ip link del "${veth}a" 2>/dev/null
	mx_cleanup
}
trap e2e_cleanup EXIT

# --- the two namespaces -----------------------------------------------

ip link add "${veth}a" type veth peer name "${veth}b" ||
    bail "cannot create a veth pair"
unshare -n sleep 600 &
cpid=$!
mx_pids+=("$cpid")
# the client namespace exists once sleep runs in it
for i in $(seq 50); do
	[ "$(readlink /proc/$cpid/ns/net)" != "$(readlink /proc/self/ns/net)" ] &&
	    break
	sleep 0.05
done
inc() { nsenter -t "$cpid" -n -- "$@"; }
ip link set "${veth}b" netns "$cpid" || bail "cannot move ${veth}b"
ip addr add $SRV/24 dev "${veth}a"
ip link set "${veth}a" up
inc ip link set lo up
for h in 2 3 4 5 6; do
	inc ip addr add 10.78.0.$h/24 dev "${veth}b"
done
inc ip link set "${veth}b" up
# dnat to 127.0.0.1 from another interface needs route_localnet
sysctl -qw net.ipv4.conf.all.route_localnet=1
sysctl -qw "net.ipv4.conf.${veth}a.route_localnet=1"
nft -f "$RULES" 2>"$D/nft.err" || bail "ruleset: $(cat "$D/nft.err")"

# mx_wait_for SECS CMD...: run CMD every 0.1 s until it succeeds, SECS at most

# --- OpenSMTPD --------------------------------------------------------

mx_opensmtpd_maildir $SRV

# --- greyd ------------------------------------------------------------

DB=$D/var/db/greyd		# /var/db: Debian has none, greyd makes it
mkdir "$D/jail"
GREYD_ARGS=(-d -v -G 2s:1h:36d -I 1 -S 0 -s 1 -c 7 -B 6
    -h mx.example.test -u nobody -D "$DB" -j "$D/jail")

# a database directory holding someone else's files is not taken over
mkdir "$D/notdb"
touch "$D/notdb/precious"
out=$(mx_timeout 10 "$GREYD" "${GREYD_ARGS[@]}" -D "$D/notdb" -p 2599 2>&1)
rc=$?
is "$rc" 1 "greyd refuses a foreign database directory" || diag "$out"
like "$out" "notdb: owned by uid 0 and holds other files than the \
database; give it to nobody" "... and says why"
is "$(stat -c %U "$D/notdb")" root "... and leaves it alone"

start_greyd() {
	mx_bg "$GREYD" "${GREYD_ARGS[@]}"
	GREYD_PID=$MX_LASTPID
	mx_wait_port 8025 || bail "greyd did not start: $(cat "$D/greyd.log")"
	mx_wait_port 8026 || bail "greyd: no config socket"
}
stop_greyd() {
	kill "$GREYD_PID"
	if ! timeout 10 tail --pid="$GREYD_PID" -f /dev/null; then
		diag "greyd did not exit in 10 s"
		kill -9 "$GREYD_PID"
	fi
	wait "$GREYD_PID"
}

# one that greydb made as root (nothing but LMDB's files) is given to
# nobody, files included, and keeps its entries
greydb -f "$D/rootdb" -a 192.0.2.9
mx_bg "$GREYD" "${GREYD_ARGS[@]}" -D "$D/rootdb" -p 2599
mx_wait_port 2599 || bail "greyd did not start: $(cat "$D/greyd.log")"
kill "$MX_LASTPID"
timeout 10 tail --pid="$MX_LASTPID" -f /dev/null
is "$(stat -c '%U %a' "$D/rootdb" "$D/rootdb/data.mdb" "$D/rootdb/lock.mdb" |
    tr '\n' ' ')" "nobody 700 nobody 600 nobody 600 " \
    "greyd takes over a bare database directory made by root"
like "$(greydb -f "$D/rootdb")" '^WHITE\|192\.0\.2\.9\|' "... entries kept"
like "$(cat "$D/greyd.log")" "database directory $D/rootdb taken over for \
nobody" "... and says so"

[ ! -e "$DB" ] || bail "$DB exists"
start_greyd
is "$(stat -c '%U %a' "$D/var" "$D/var/db" "$DB" | tr '\n' ' ')" \
    "root 755 root 755 nobody 700 " \
    "root greyd -u nobody creates -D (and its parents) for nobody, mode 0700"
like "$(cat "$D/greyd.log")" "database directory $DB created for nobody" \
    "greyd logs it"

# --- greylisting ------------------------------------------------------

# swaks from SRC: one message from alice@client.test to bob@example.test
send() {
	local src=$1; shift
	inc timeout -k 2 30 swaks --server $SRV --port 25 \
	    --local-interface "$src" --helo client.test \
	    --from alice@client.test --to bob@example.test \
	    --timeout 15 "$@" 2>&1
}

out=$(send 10.78.0.2 --header "Subject: first")
like "$out" "<-  220 mx\.example\.test ESMTP spamd IP-based SPAM blocker" \
    "first attempt: port 25 is redirected to greyd (its banner)"
like "$out" "<\*\* 451 Temporary failure, please try again later\." \
    "first attempt: 451" || diag "$out"
sleep 3				# the pass time is 2 s; two scans ran
in_white() { elems spamd-white | grep -qx "$1"; }
in_white 10.78.0.2
is "$?" 1 "before its retry, 10.78.0.2 is not whitelisted"
out=$(send 10.78.0.2 --header "Subject: retry")
like "$out" "<-  220 mx\.example\.test ESMTP spamd" \
    "retry after the pass time: still greyd"
like "$out" "<\*\* 451 Temporary failure" "retry after the pass time: 451"
mx_wait_for 10 in_white 10.78.0.2
ok $? "after the scan, 10.78.0.2 is in spamd-white" ||
    diag "$(nft list set inet mxsuite spamd-white)"
now=$(date +%s)
white=$(greydb -f "$DB" 10.78.0.2)
like "$white" '^WHITE\|10\.78\.0\.2\|\|\|[0-9]+\|[0-9]+\|[0-9]+\|2\|0$' \
    "greydb prints WHITE|ip|||first|pass|expire|bcount|pcount"
IFS='|' read -r _ _ _ _ first pass expire _ <<<"$white"
ok $(( !(pass - first >= 2 && pass <= now && now - first < 30 &&
    expire - now > 3110400 - 30 && expire - now <= 3110400) )) \
    "WHITE times: first + 2 s <= pass <= now, expire = scan + 36 days" ||
    diag "now=$now first=$first pass=$pass expire=$expire"
is "$(greydb -f "$DB" | grep '^GREY|10\.78\.0\.2|')" \
    "GREY|10.78.0.2|client.test|<alice@client.test>|<bob@example.test>|\
$first|$pass|$((first + 3600))|2|0" \
    "greydb prints the tuple: GREY|ip|helo|from|to|first|pass|expire|2|0"
like "$(cat "$D/greyd.log")" \
    "10\.78\.0\.2 greylisted helo=client\.test from=<alice@client\.test> \
to=<bob@example\.test>" \
    "greyd logged the tuple as the client sent it"

out=$(send 10.78.0.2 --header "Subject: through greyd to OpenSMTPD" \
    --body "greylisted, whitelisted, delivered")
like "$out" "<-  220 mx\.example\.test ESMTP OpenSMTPD" \
    "the next connection reaches OpenSMTPD (its banner, not greyd's)"
like "$out" "<-  250 2\.0\.0 [0-9a-f]+ Message accepted for delivery" \
    "OpenSMTPD accepts the message" || diag "$out"
delivered() { grep -lqs "^Subject: through greyd to OpenSMTPD" \
    "$D"/Maildir/new/*; }
mx_wait_for 15 delivered
ok $? "the message is in the maildir" ||
    diag "$(ls -lR "$D/Maildir")" "$(tail -20 "$D/smtpd.log")"
like "$(cat "$D"/Maildir/new/* 2>/dev/null)" \
    "Received: from client\.test \(.*\[10\.78\.0\.2\]\)" \
    "delivered with OpenSMTPD's Received line for 10.78.0.2"

# --- greyd-setup: a file list and an http list -------------------------

printf '# the file list\n10.78.0.3\n192.0.2.0/24\n' >"$D/black.txt"
mkdir "$D/www"
printf '# the http list, gzipped\n10.78.0.4 - 10.78.0.4\n198.51.100.0/24\n' |
    gzip >"$D/www/black.gz"
cat >"$D/spamd.conf" <<EOT
all:\\
	:filelist:httplist:
filelist:\\
	:black:\\
	:msg="Your address %A is on the file list":\\
	:method=file:\\
	:file=$D/black.txt:
httplist:\\
	:black:\\
	:msg="Your address %A is on the http list\\nsee the web":\\
	:method=http:\\
	:file=127.0.0.1/black.gz:
EOT
mx_bg python3 -m http.server --bind 127.0.0.1 --directory "$D/www" 80
mx_wait_port 80 || bail "http.server did not start"
mx_timeout 60 "$SETUP" -d -u nobody -f "$D/spamd.conf" >"$D/setup.out" 2>&1
is "$?" 0 "greyd-setup (root) loads both lists into greyd" ||
    diag "$(cat "$D/setup.out")"
out=$(cat "$D/setup.out")
like "$out" "filelist: [0-9]+ bytes sent to greyd from port 1[0-9][0-9][0-9]" \
    "greyd-setup sends from a reserved port" || diag "$out"
like "$(cat "$D/greyd.log")" "blacklists loaded: .* 2 lists" \
    "greyd holds two lists" || diag "$(tail -5 "$D/greyd.log")"

# The blacklisted client (python, in the client namespace): it times the
# first bytes of the banner, then opens a second connection from HOLD and
# keeps it open.  With -c 7 that makes clients + 5 >= maxcon, when greyd
# (as spamd) stops stuttering, so the rest of the dialogue comes at once
# and the test need not wait the 5 minutes a tarpit takes.
cat >"$D/black.py" <<'PY'
import socket, sys, time
src, hold, dst = sys.argv[1], sys.argv[2], sys.argv[3]
def conn(a):
    s = socket.socket()
    s.settimeout(20)
    s.bind((a, 0))
    s.connect((dst, 25))
    return s
s = conn(src)
t = []
first = b""
while len(first) < 4:
    b = s.recv(1)
    if not b:
        break
    t.append(time.monotonic())
    first += b
print("first=%s gap=%.2f maxrecv=%d" % (first.decode(), t[-1] - t[0], 1))
h = conn(hold)
t0 = time.monotonic()
f = s.makefile("rwb")
banner = first + f.readline()
def cmd(c):
    f.write(c)
    f.flush()
    r = b""
    while True:
        l = f.readline()
        r += l
        if len(l) < 4 or l[3:4] != b"-":
            return r.decode(errors="replace")
print("banner=%s" % banner.decode().strip())
cmd(b"HELO spammer.test\r\n")
cmd(b"MAIL FROM:<spam@spammer.test>\r\n")
cmd(b"RCPT TO:<bob@example.test>\r\n")
print("data=%s" % cmd(b"DATA\r\n").strip())
r = cmd(b"Subject: spam\r\n\r\nspam\r\n.\r\n")
print("rest=%.2f" % (time.monotonic() - t0))
print("reply=" + r.replace("\r\n", "|"))
s.close()
h.close()
PY
black() { inc timeout -k 2 40 python3 "$D/black.py" "$@" 2>&1; }

out=$(black 10.78.0.3 10.78.0.6 $SRV)
like "$out" "first=220  gap=(2\.[5-9]|[3-7]\.)" \
    "file list: stuttered, one byte a second (3 gaps timed; loose upper \
bound for a loaded machine)" || diag "$out"
like "$out" "banner=220 mx\.example\.test ESMTP spamd IP-based SPAM blocker" \
    "file list: greyd's banner"
like "$out" "data=354 " "file list: DATA accepted, as spamd does"
like "$out" "reply=450 Your address 10\.78\.0\.3 is on the file list\|$" \
    "file list: its message, %A expanded, and 450"
like "$out" "rest=[0-9]\." "clients + 5 >= maxcon: the rest unstuttered"

out=$(black 10.78.0.4 10.78.0.6 $SRV)
like "$out" "first=220  gap=(2\.[5-9]|[3-7]\.)" \
    "http list: stuttered, one byte a second" || diag "$out"
like "$out" \
    "reply=450-Your address 10\.78\.0\.4 is on the http list\|450 see the web\|$" \
    "http list: its message, two lines, and 450"
like "$(cat "$D/greyd.log")" \
    "10\.78\.0\.4: connected \([0-9]+/[0-9]+\), lists: httplist" \
    "greyd logs the list of the connection"

# --- a spamtrap -------------------------------------------------------

greydb -f "$DB" -T -a trap@example.test
is "$(greydb -f "$DB" trap@example.test)" "SPAMTRAP|trap@example.test" \
    "greydb -T -a adds the spamtrap"
out=$(inc timeout -k 2 30 swaks --server $SRV --port 25 \
    --local-interface 10.78.0.5 --helo trapped.test \
    --from x@trapped.test --to Trap@Example.test --timeout 15 2>&1)
like "$out" "ESMTP spamd" "10.78.0.5 reaches greyd"
now=$(date +%s)
trapped() { greydb -f "$DB" 10.78.0.5 | grep -q '^TRAPPED'; }
mx_wait_for 5 trapped
got=$(greydb -f "$DB" 10.78.0.5)
like "$got" '^TRAPPED\|10\.78\.0\.5\|[0-9]+$' \
    "mailing the spamtrap makes the source TRAPPED (greydb)"
exp=${got##*|}
ok $(( !(exp - now > 86400 - 30 && exp - now <= 86400) )) \
    "TRAPPED for 24 hours" || diag "now=$now expire=$exp"
in_white 10.78.0.5
is "$?" 1 "a trapped source is not whitelisted"
out=$(black 10.78.0.5 10.78.0.6 $SRV)
like "$out" \
    "reply=450 Your address 10\.78\.0\.5 has mailed to spamtraps here\|$" \
    "the trapped source is tarpitted with spamd's trap message" ||
    diag "$out"

# --- greyd restarted over an emptied ruleset --------------------------

stop_greyd
is "$?" 0 "greyd exits 0 on SIGTERM"
nft -f "$RULES"
is "$(elems spamd-white)" "" "ruleset loaded again: spamd-white is empty"
start_greyd
mx_wait_for 10 in_white 10.78.0.2
ok $? "greyd restarted: spamd-white refilled from the database" ||
    diag "$(nft list set inet mxsuite spamd-white)"
is "$(greydb -f "$DB" 10.78.0.2)" "$white" \
    "the WHITE entry is unchanged"
like "$(greydb -f "$DB" 10.78.0.5)" '^TRAPPED\|10\.78\.0\.5\|' \
    "the TRAPPED entry is still there"
out=$(send 10.78.0.2 --header "Subject: after the restart")
like "$out" "<-  220 mx\.example\.test ESMTP OpenSMTPD" \
    "the whitelisted source still reaches OpenSMTPD"
like "$out" "<-  250 2\.0\.0 [0-9a-f]+ Message accepted for delivery" \
    "and its mail is accepted"
stop_greyd
unlike "$(cat "$D/greyd.log" "$D/setup.out")" \
    "AddressSanitizer|runtime error|LeakSanitizer" \
    "greyd, greyd-setup: no sanitizer report"

done_testing
