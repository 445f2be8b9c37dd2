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
# tests/interop/smtpc-opensmtpd.t: common/smtpc (smtpc-test) sends to a
# real OpenSMTPD, which relays to smtpd-test -o DIR; the message must
# arrive byte for byte under OpenSMTPD's Received header.  STARTTLS:
# Debian 12's OpenSMTPD 6.8.0p2 cannot finish a server-side handshake on
# OpenSSL 3 (its privsep key engine fails: OpenSMTPD issues #1171 and
# #1239), so against it we check our policies: "try" connects again and
# delivers in plaintext, "verify" never falls back.  Verified STARTTLS
# end to end is in smtpc-starttls.t.
#
# OpenSMTPD's queue is compiled in (/var/spool/smtpd): the test runs in a
# private mount namespace too, with a tmpfs on /var/spool, so the real
# system is never touched.  smtpd must start as root (it drops to its
# users opensmtpd/opensmtpq, made by the Debian package).

if [ "${MX_IN_NETNS:-}" != 1 ]; then
	if [ "$(id -u)" != 0 ]; then
		# nothing may be skipped under CI (which runs as root)
		if [ -n "${CI:-}" ]; then
			printf '1..1\nnot ok 1 - cannot run under CI: %s\n' \
			    "OpenSMTPD must start as root"
			exit 1
		fi
		echo "1..0 # SKIP OpenSMTPD must start as root"
		exit 0
	fi
	MX_IN_NETNS=1 exec unshare -n -m --propagation private -- \
	    "$BASH" "$0" "$@"
fi
. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

SMTPD=/usr/sbin/smtpd
[ -x "$SMTPD" ] || bail "OpenSMTPD not installed: ./configure --install-deps"
id opensmtpd >/dev/null 2>&1 || bail "no opensmtpd user (package setup)"
mount -t tmpfs -o mode=755 mxspool /var/spool || bail "cannot mount tmpfs"

plan 16

C=$MX_BUILD/tests/bin/smtpc-test
D=$MX_TMP
chmod 755 "$D"
mkdir "$D/out"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=mx.test" \
    -addext "subjectAltName=DNS:mx.test" \
    -keyout "$D/key.pem" -out "$D/cert.pem" >/dev/null 2>&1 ||
    bail "openssl req failed"
chmod 600 "$D/key.pem"

cat >"$D/smtpd.conf" <<EOT
pki mx.test cert "$D/cert.pem"
pki mx.test key "$D/key.pem"
listen on 127.0.0.1 port 2525 tls pki mx.test hostname mx.test
action "relay" relay host smtp://127.0.0.1:2526
match from local for any action "relay"
EOT
chmod 644 "$D/smtpd.conf"

"$SMTPD" -n -f "$D/smtpd.conf" >"$D/check.log" 2>&1
ok $? "OpenSMTPD accepts the configuration" || diag "$(cat "$D/check.log")"

mx_bg "$MX_BUILD/tests/bin/smtpd-test" -d -p 2526 -o "$D/out"
mx_wait_port 2526 || bail "smtpd-test did not start"
mx_bg "$SMTPD" -d -f "$D/smtpd.conf"
mx_wait_port 2525 || bail "OpenSMTPD did not start: $(cat "$D/smtpd.log")"

msg=$D/msg
{
	printf 'Date: Wed, 25 Nov 2026 08:00:00 +0000\r\n'
	printf 'Message-ID: <smtpc-opensmtpd@example.org>\r\n'
	printf 'From: a@example.org\r\nTo: b@example.org\r\n'
	printf 'Subject: through OpenSMTPD\r\n\r\n'
	printf '.leading dot\r\n.\r\n..\r\nlast line\r\n'
} >"$msg"

# wait_msg N: wait (10 s at most) for OpenSMTPD to relay message N
wait_msg() {
	local i=0
	while [ ! -f "$D/out/msg.$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -f "$D/out/msg.$1" ]
}

out=$(mx_timeout 30 "$C" -p 2525 --caps -f a@example.org -m "$msg" \
    b@example.org 2>"$D/c.err")
is "$?" 0 "plaintext: accepted" || diag "$out" "$(cat "$D/c.err")"
like "$out" 'caps=0x[0-9a-f]*[89a-f] ' "OpenSMTPD offers STARTTLS"
like "$out" '^msg=1 rcpt=<b@example.org> 250 2.0.0 [0-9a-f]+ Message accepted for delivery$' \
    "OpenSMTPD's own 250 reply, per recipient"
wait_msg 1
ok $? "OpenSMTPD relayed it" || diag "$(tail -20 "$D/smtpd.log")"
got=$D/out/msg.1
# OpenSMTPD's Received header: first line and its continuations
hdr=$(awk 'NR == 1 || /^[ \t]/ { print; next } { exit }' "$got" 2>/dev/null |
    tr -d '\r')
like "$hdr" '^Received: from localhost \(localhost \[127\.0\.0\.1\]\)' \
    "Received: from our client (our HELO name)"
like "$hdr" 'by mx\.test \(OpenSMTPD\) with ESMTP id [0-9a-f]+' \
    "Received: by OpenSMTPD with ESMTP"
like "$hdr" 'for <b@example\.org>' "Received: for the recipient"
nh=$(printf '%s\n' "$hdr" | wc -l)
is "$(tail -n +$((nh + 1)) "$got" 2>/dev/null | od -c)" "$(od -c <"$msg")" \
    "the message byte for byte after the Received header"
is "$(cat "$D/out/msg.1.env" 2>/dev/null)" "from=<a@example.org>
rcpt=<b@example.org>" "envelope relayed"

# two messages and two recipients over one session
out=$(mx_timeout 30 "$C" -p 2525 --count 2 -f a@example.org -m "$msg" \
    b@example.org c@example.org 2>&1)
is "$(echo "$out" | grep -c ' 250 2.0.0 [0-9a-f]* Message accepted')" 4 \
    "2 messages x 2 recipients over one session"
wait_msg 3
ok $? "both relayed"

# STARTTLS "try": OpenSMTPD offers it; whether its handshake works or
# not, the message goes through (without TLS: a new connection)
out=$(mx_timeout 30 "$C" -v -p 2525 --starttls try --caps \
    -f a@example.org -m "$msg" b@example.org 2>&1)
like "$out" '
msg=1 rcpt=<b@example.org> 250 2.0.0 [0-9a-f]+ Message accepted' \
    "STARTTLS try: delivered"
if echo "$out" | grep -q 'tls=0'; then
	like "$out" 'TLS handshake failed.*retrying without TLS' \
	    "STARTTLS try: handshake failed, retried in plaintext"
else
	like "$out" 'tls=1' "STARTTLS try: TLS"
fi

# STARTTLS "verify" (right CA and name): TLS or a temporary failure,
# never plaintext
out=$(mx_timeout 30 "$C" -p 2525 --starttls verify --cafile "$D/cert.pem" \
    --servername mx.test --caps -f a@example.org -m "$msg" \
    b@example.org 2>&1)
like "$out" '(tls=1|^error: 421 4\.7\.0 TLS handshake)' \
    "STARTTLS verify: TLS or 421 4.7.0"
unlike "$out" 'tls=0' "STARTTLS verify: never plaintext"

done_testing
