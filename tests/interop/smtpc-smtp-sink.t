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
# tests/interop/smtpc-smtp-sink.t: common/smtpc (through smtpc-test)
# against Postfix's smtp-sink: pipelining on and off, several messages
# over one session, rejections per recipient at each phase, LMTP, a
# server that drops the connection, and the body byte for byte.

. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"
mx_postfix || bail "smtp-sink not found: run ./configure --install-deps"

plan 28

C=$MX_BUILD/tests/bin/smtpc-test
SINK=$POSTFIX_SBIN/smtp-sink
U=()
[ "$(id -u)" = 0 ] && U=(-u nobody)

sink() {	# sink PORT ARGS...: start smtp-sink on 127.0.0.1:PORT
	local port=$1; shift
	mx_bg "$SINK" "${U[@]}" "$@" "127.0.0.1:$port" 10
	mx_wait_port "$port" || bail "smtp-sink did not start"
}

send() {	# send ARGS...: run smtpc-test; output in $out, status in $rc
	out=$(mx_timeout 30 "$C" -f sender@example.org "$@" 2>"$MX_TMP/err")
	rc=$?
}

# A message with every awkward thing: lines starting with ".", a lone
# ".", bare LF line ends, no final newline.
msg=$MX_TMP/msg
{
	printf 'From: a@example.org\r\nSubject: test\r\n\r\n'
	printf '.leading dot\r\n.\r\n..two dots\nbare LF line\n'
	printf 'last line without newline'
} >"$msg"

chmod 755 "$MX_TMP"
mkdir -m 777 "$MX_TMP/dump"
sink 2525 -d "$MX_TMP/dump/%H%M%S."
send -p 2525 -m "$msg" --caps --count 3 r1@example.org r2@example.org
is "$rc" 0 "pipelining: 3 messages accepted"
like "$out" '^caps=0x[0-9a-f]*[13579bdf] ' "pipelining: PIPELINING offered"
is "$(echo "$out" | grep -c '^msg=[123] rcpt=<r[12]@example.org> 250 2.0.0 Ok$')" 6 \
    "pipelining: 6 per-recipient results"
is "$(ls "$MX_TMP/dump" | wc -l)" 3 "pipelining: 3 messages dumped"

# smtp-sink writes its own headers, then the message with LF line ends.
f=$(ls "$MX_TMP/dump" | head -1)
got=$(awk 'h && !/^(X-|Received:|\t)/ { h = 0 } !h' h=1 \
    "$MX_TMP/dump/$f" | od -c)
want=$({ tr -d '\r' <"$msg"; printf '\n\n'; } | od -c)
is "$got" "$want" "body arrived byte for byte (dots unstuffed by the sink)"
like "$(sed -n 's/^X-Rcpt-Args: //p' "$MX_TMP/dump/$f" | tr '\n' ' ')" \
    '^<r1@example.org> <r2@example.org> $' "envelope recipients"

rm -f "$MX_TMP/dump"/*
send -p 2525 -m "$msg" --8bit r1@example.org
f=$(ls "$MX_TMP/dump" | head -1)
is "$(sed -n 's/^X-Mail-Args: //p' "$MX_TMP/dump/$f")" \
    "<sender@example.org> BODY=8BITMIME" "BODY=8BITMIME when offered"
sink 2540 -8 -d "$MX_TMP/dump/%H%M%S."
rm -f "$MX_TMP/dump"/*
send -p 2540 -m "$msg" --8bit r1@example.org
f=$(ls "$MX_TMP/dump" | head -1)
is "$(sed -n 's/^X-Mail-Args: //p' "$MX_TMP/dump/$f")" \
    "<sender@example.org>" "no BODY= when 8BITMIME is not offered"

sink 2526 -p
send -p 2526 -m "$msg" --caps --count 2 r1@example.org r2@example.org
is "$rc" 0 "no pipelining: 2 messages accepted"
like "$out" '^caps=0x[0-9a-f]*[02468ace] ' "no pipelining: PIPELINING not offered"
is "$(echo "$out" | grep -c ' 250 2.0.0 Ok$')" 4 "no pipelining: 4 results"

sink 2527 -f RCPT
send -p 2527 -m "$msg" r1@example.org r2@example.org
is "$rc" 1 "5xx RCPT: exit 1"
is "$out" "msg=1 rcpt=<r1@example.org> 500 5.3.0 Error: command failed
msg=1 rcpt=<r2@example.org> 500 5.3.0 Error: command failed" \
    "5xx RCPT: each recipient rejected"

sink 2528 -r RCPT
send -p 2528 -m "$msg" r1@example.org
is "$rc" 1 "4xx RCPT: exit 1"
is "$out" "msg=1 rcpt=<r1@example.org> 450 4.3.0 Error: command failed" \
    "4xx RCPT: temporary"

sink 2529 -f MAIL
send -p 2529 -m "$msg" r1@example.org r2@example.org
is "$(echo "$out" | grep -c ' 500 5.3.0 ')" 2 "5xx MAIL: every recipient rejected"

sink 2530 -r .
send -p 2530 -m "$msg" r1@example.org r2@example.org
is "$out" "msg=1 rcpt=<r1@example.org> 450 4.3.0 Error: command failed
msg=1 rcpt=<r2@example.org> 450 4.3.0 Error: command failed" \
    "4xx at end of data: every recipient"

sink 2531 -f DATA
send -p 2531 -m "$msg" --count 2 r1@example.org
is "$out" "msg=1 rcpt=<r1@example.org> 500 5.3.0 Error: command failed
msg=2 rcpt=<r1@example.org> 500 5.3.0 Error: command failed" \
    "5xx DATA, twice over one session (RSET in between)"

sink 2532 -L
send -p 2532 --lmtp -m "$msg" --count 2 r1@example.org r2@example.org
is "$rc" 0 "LMTP: accepted"
is "$(echo "$out" | grep -c '^msg=[12] rcpt=<r[12]@example.org> 250 2.2.0 Ok$')" 4 \
    "LMTP: one result per recipient and message"

sink 2533 -L -r .
send -p 2533 --lmtp -m "$msg" r1@example.org r2@example.org
is "$out" "msg=1 rcpt=<r1@example.org> 450 4.3.0 Error: command failed
msg=1 rcpt=<r2@example.org> 450 4.3.0 Error: command failed" \
    "LMTP: per-recipient 4xx after data"

sink 2534 -Q MAIL
send -p 2534 -m "$msg" r1@example.org
is "$rc" 2 "421 at MAIL: session error"
like "$out" '^msg=1 rcpt=<r1@example.org> 421 ' "421 at MAIL: recipient temp-failed"

sink 2535 -q .
send -p 2535 -m "$msg" r1@example.org
is "$rc" 2 "dropped after data: session error"
like "$out" 'rcpt=<r1@example.org> 421 4.4.2 connection closed by server during end of data' \
    "dropped after data: temporary, with the phase"

send -p 2599 -m "$msg" r1@example.org
like "$out" '^error: 421 4.4.1 connect: Connection refused$' "connection refused"

# A large message with many dot lines, from a file and from memory.
big=$MX_TMP/big
awk 'BEGIN { for (i = 0; i < 50000; i++) printf ".line %d\n", i }' >"$big"
rm -f "$MX_TMP/dump"/*
send -p 2525 -m "$big" r1@example.org
is "$rc" 0 "2.6 MB message accepted"
f=$(ls "$MX_TMP/dump" | head -1)
got=$(awk 'h && !/^(X-|Received:|\t)/ { h = 0 } !h' h=1 \
    "$MX_TMP/dump/$f" | md5sum)
want=$({ cat "$big"; echo; } | md5sum)
is "$got" "$want" "large message byte for byte"

done_testing
