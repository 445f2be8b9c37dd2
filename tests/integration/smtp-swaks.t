#!/usr/bin/env bash
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
# tests/integration/smtp-swaks.t: swaks against smtpd-test (the common
# SMTP engine): plain, pipelined, STARTTLS, smtps, AUTH PLAIN and LOGIN
# under TLS (refused in clear), SIZE, an 8-bit body, LMTP with one
# recipient refused at delivery.

. "${MX_TOP:-$(dirname "$0")/../..}/tests/lib/tap.sh"
mx_netns "$@"

BIN=$MX_BUILD/tests/bin/smtpd-test
[ -x "$BIN" ] || bail "$BIN not built"
command -v swaks >/dev/null || bail "swaks not installed"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$MX_TMP/key.pem" -out "$MX_TMP/cert.pem" -days 2 \
    -subj /CN=mx.test >/dev/null 2>&1 || bail "cannot make a certificate"
mkdir -p "$MX_TMP/spool" "$MX_TMP/lmtp"

mx_bg "$BIN" -d -p 2525 -o "$MX_TMP/spool" -z 4000 \
    -C "$MX_TMP/cert.pem" -K "$MX_TMP/key.pem" -A joe:s3cret
pids=$MX_LASTPID
mx_bg "$BIN" -d -p 2465 -S -C "$MX_TMP/cert.pem" -K "$MX_TMP/key.pem"
pids="$pids $MX_LASTPID"
mx_bg "$BIN" -d -p 2424 -L -o "$MX_TMP/lmtp" -F 'bad@*'
pids="$pids $MX_LASTPID"
for p in 2525 2465 2424; do
	mx_wait_port $p || bail "smtpd-test on $p did not start"
done

sw() {
	mx_timeout 20 swaks --server 127.0.0.1 --from a@example.org \
	    --to b@example.org --helo client.example "$@" 2>&1
}

plan 30

out=$(sw --port 2525); rc=$?
is "$rc" 0 "plain: swaks succeeds"
like "$out" '<-  250 2\.0\.0 Ok: queued' "plain: message queued"

out=$(sw --port 2525 --pipeline --to b@example.org,c@example.org); rc=$?
is "$rc" 0 "--pipeline: swaks succeeds"
like "$out" 'PIPELINING' "--pipeline: PIPELINING advertised"
first_reply=$(printf '%s\n' "$out" | grep -n '^<.  250 2\.1\.0' | cut -d: -f1)
data_sent=$(printf '%s\n' "$out" | grep -n '^ -> DATA' | cut -d: -f1)
ok $([ -n "$first_reply" ] && [ -n "$data_sent" ] &&
    [ "$data_sent" -lt "$first_reply" ]; echo $?) \
    "--pipeline: MAIL..DATA sent as one batch before the replies"
env=$(cat "$(ls "$MX_TMP"/spool/msg.*.env | sort -V | tail -1)")
is "$env" "from=<a@example.org>
rcpt=<b@example.org>
rcpt=<c@example.org>" "--pipeline: envelope with two recipients"

out=$(sw --port 2525 --tls); rc=$?
is "$rc" 0 "STARTTLS: swaks succeeds"
like "$out" 'TLS started with cipher' "STARTTLS: TLS started"
like "$out" '<~  221 ' "STARTTLS: QUIT answered over TLS before the close"
grep -q 'event=tls address=127.0.0.1 version=TLSv1' "$MX_TMP/smtpd-test.log"
ok $? "STARTTLS: logged"

out=$(sw --port 2465 --tls-on-connect); rc=$?
is "$rc" 0 "smtps: swaks --tls-on-connect succeeds"
like "$out" '<~  220 mx\.test ESMTP' "smtps: banner under TLS"
like "$out" '<~  221 ' "smtps: QUIT answered over TLS before the close"

out=$(sw --port 2525 --quit-after EHLO)
unlike "$out" 'AUTH PLAIN' "AUTH not offered in clear"
out=$(sw --port 2525 --tls --quit-after EHLO)
like "$out" '250-AUTH PLAIN LOGIN' "AUTH PLAIN LOGIN offered under TLS"
out=$(sw --port 2525 --tls --auth PLAIN --auth-user joe \
    --auth-password s3cret); rc=$?
is "$rc" 0 "AUTH PLAIN under TLS succeeds"
like "$out" '235 2\.7\.0' "AUTH PLAIN: 235"
out=$(sw --port 2525 --tls --auth LOGIN --auth-user joe \
    --auth-password s3cret); rc=$?
is "$rc" 0 "AUTH LOGIN under TLS succeeds"
out=$(sw --port 2525 --tls --auth PLAIN --auth-user joe \
    --auth-password wrong); rc=$?
ok $([ "$rc" != 0 ]; echo $?) "AUTH with a wrong password fails (rc $rc)"
like "$out" '535 5\.7\.8' "wrong password: 535 5.7.8"
unlike "$(cat "$MX_TMP/smtpd-test.log")" 's3cret|wrong' \
    "no password in the log"
# AUTH in clear, sent by hand: refused
exec 3<>/dev/tcp/127.0.0.1/2525
printf 'EHLO x\r\nAUTH PLAIN AGpvZQBzM2NyZXQ=\r\nQUIT\r\n' >&3
out=$(timeout 5 cat <&3)
exec 3<&-
like "$out" '530 5\.7\.0 Must issue a STARTTLS' "AUTH in clear: 530"

big=$(head -c 6000 /dev/zero | tr '\0' 'x' | fold -w 70)
out=$(sw --port 2525 --body "$big"); rc=$?
ok $([ "$rc" != 0 ]; echo $?) "message over SIZE 4000 refused (rc $rc)"
like "$out" '<\*\* 552 5\.3\.4' "over SIZE: 552 5.3.4"

# swaks ends the data with CRLF.CRLF: the message is the file plus CRLF
printf 'Subject: 8bit\r\n\r\nd\303\251j\303\240 vu \342\202\254' \
    >"$MX_TMP/8bit.eml"
printf 'Subject: 8bit\r\n\r\nd\303\251j\303\240 vu \342\202\254\r\n' \
    >"$MX_TMP/8bit.want"
n0=$(ls "$MX_TMP"/spool/msg.* | grep -vc env)
out=$(sw --port 2525 --data "$MX_TMP/8bit.eml"); rc=$?
is "$rc" 0 "8-bit body accepted"
last=$(ls "$MX_TMP"/spool/msg.* | grep -v env | sort -V | tail -1)
cmp -s "$last" "$MX_TMP/8bit.want"
ok $? "8-bit body stored byte-exact ($n0 -> $last)"

out=$(mx_timeout 20 swaks --server 127.0.0.1 --port 2424 --protocol LMTP \
    --from a@example.org --to good@example.org,bad@example.org \
    --helo client.example 2>&1)
like "$out" ' -> LHLO client.example' "LMTP: LHLO"
like "$out" '<-  250 2\.0\.0 <good@example\.org> Ok: delivered' \
    "LMTP: 250 for the good recipient"
like "$out" '<\*\* 550 5\.2\.1 <bad@example\.org>: Mailbox unavailable' \
    "LMTP: 550 for the bad one, in RCPT order"

# clean exit on SIGTERM (sanitizer builds report leaks and errors here)
rcs=
for p in $pids; do
	kill -TERM "$p"
	wait "$p"
	rcs="$rcs$?"
done
is "$rcs:$(grep -c Sanitizer "$MX_TMP/smtpd-test.log")" "000:0" \
    "servers exit cleanly on SIGTERM, no sanitizer report"
grep -A30 Sanitizer "$MX_TMP/smtpd-test.log" | head -40 | sed 's/^/# /' >&2

done_testing
