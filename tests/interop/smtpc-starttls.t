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
# tests/interop/smtpc-starttls.t: common/smtpc's STARTTLS policies and
# AUTH PLAIN (smtpc-test) against the engine's server (smtpd-test with a
# certificate made here by the openssl CLI): verified TLS with the right
# CA and name, refused with the wrong ones, opportunistic TLS with any
# certificate, no silent fallback, AUTH after TLS, a large body over TLS.

. "$MX_TOP/tests/lib/tap.sh"
mx_netns "$@"

plan 17

C=$MX_BUILD/tests/bin/smtpc-test
S=$MX_BUILD/tests/bin/smtpd-test
D=$MX_TMP
mkdir "$D/out" "$D/out2"

mkcert() {	# mkcert NAME CN
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$2" \
	    -addext "subjectAltName=DNS:$2" \
	    -keyout "$D/$1.key" -out "$D/$1.pem" >/dev/null 2>&1 ||
	    bail "openssl req failed"
}
mkcert mx mx.test
mkcert other other.test

mx_bg "$S" -d -p 2525 -C "$D/mx.pem" -K "$D/mx.key" -A joe:s3cret \
    -o "$D/out"
mx_wait_port 2525 || bail "smtpd-test did not start"
mx_bg "$S" -d -p 2526 -C "$D/mx.pem" -K "$D/mx.key" -T -o "$D/out2"
mx_wait_port 2526 || bail "smtpd-test did not start"
mx_bg "$S" -d -p 2527 -o "$D/out2"
mx_wait_port 2527 || bail "smtpd-test did not start"

msg=$D/msg
printf 'Subject: tls\r\n\r\n.dot\r\nbody\r\n' >"$msg"

send() {
	out=$(mx_timeout 30 "$C" -f a@example.org --caps "$@" 2>&1)
	rc=$?
}

send -p 2525 --starttls verify --cafile "$D/mx.pem" --servername mx.test \
    -m "$msg" b@example.org
is "$rc" 0 "verify: right CA and name: accepted" || diag "$out"
like "$out" 'tls=1' "verify: TLS on"
cmp -s "$msg" "$D/out/msg.1"
ok $? "verify: message byte for byte"

send -p 2525 --starttls verify --cafile "$D/mx.pem" \
    --servername other.test -m "$msg" b@example.org
is "$rc" 2 "verify: wrong name: session error"
like "$out" '^error: 421 4\.7\.0 TLS handshake: .*certificate verify failed' \
    "verify: wrong name: 421 4.7.0 certificate verify failed"

send -p 2525 --starttls verify --cafile "$D/other.pem" \
    --servername mx.test -m "$msg" b@example.org
like "$out" '^error: 421 4\.7\.0 TLS handshake: .*certificate verify failed' \
    "verify: unknown CA: 421 4.7.0"
is "$(ls "$D/out" | grep -c '^msg\.[0-9]*$')" 1 "verify failures: nothing sent"

send -p 2525 --starttls try --cafile "$D/other.pem" -m "$msg" b@example.org
is "$rc" 0 "try: any certificate: accepted"
like "$out" 'tls=1' "try: TLS on"

send -p 2527 --starttls verify --cafile "$D/mx.pem" --servername mx.test \
    -m "$msg" b@example.org
like "$out" '^error: 421 4\.7\.0 STARTTLS required but not offered$' \
    "verify: server without STARTTLS: 421 4.7.0"
send -p 2527 --starttls try -m "$msg" b@example.org
like "$out" 'tls=0' "try: server without STARTTLS: plaintext"

send -p 2526 --starttls no -m "$msg" b@example.org
is "$rc" 1 "no TLS to a server requiring it: refused"
like "$out" '^msg=1 rcpt=<b@example.org> 530 5\.7\.0 ' \
    "no TLS: the server's 530 per recipient"

send -p 2525 --starttls verify --cafile "$D/mx.pem" --servername mx.test \
    --auth joe:s3cret -m "$msg" b@example.org
is "$rc" 0 "AUTH PLAIN after STARTTLS: accepted" || diag "$out"
send -p 2525 --starttls verify --cafile "$D/mx.pem" --servername mx.test \
    --auth joe:wrong -m "$msg" b@example.org
like "$out" '^error: 535 5\.7\.8 ' "AUTH PLAIN, wrong password: 535 5.7.8"

# 2 MB over TLS, from memory and from the file, two messages
big=$D/big
awk 'BEGIN { for (i = 0; i < 40000; i++) printf ".%06d abcdefghijklmnopqrstuvwxyz 0123456789\r\n", i }' >"$big"
rm -f "$D/out"/*
send -p 2525 --starttls verify --cafile "$D/mx.pem" --servername mx.test \
    --count 2 -m "$big" b@example.org
is "$rc" 0 "2 MB over TLS: accepted"
n=0
for f in "$D/out"/msg.[0-9]; do
	cmp -s "$big" "$f" && n=$((n + 1))
done
is "$n" 2 "2 MB over TLS: both byte for byte"

done_testing
