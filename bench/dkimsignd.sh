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
# bench/dkimsignd.sh: dkimsignd signing 4 KB messages, beside Mail::DKIM
# signing the same message and beside `openssl speed rsa2048`, in the
# same run, in a private network namespace on loopback.
#
# Postfix's smtp-source sends 4 KB messages (-l 4096) to dkimsignd
# (article's config: RSA-2048, c=relaxed), which relays them to a sink
# on our SMTP engine (smtpd-test -s).  Printed: messages per second over
# 1 and 20 sessions, dkimsignd's CPU time per message and what that
# makes per core; the same with a second, Ed25519 signature; Mail::DKIM
# (libmail-dkim-perl, what dkimproxy signs with) signing a 4 KB message
# in a loop, in-process, no SMTP at all; OpenSSL's RSA-2048 signing
# rate, the floor for one RSA signature per message.  Then the ratios.
# dkimproxy 1.4.1 itself (not packaged in Debian 12) measured about 77
# messages/s per core and 11/s on one connection on this kind of host.
#
# Environment: MX_BUILD, MX_POSTFIX_DIR, BENCH_MSGS (messages per run,
# default 3000), BENCH_PERL_MSGS (Mail::DKIM loop, default 500).

set -u

. "$(dirname "$0")/lib.sh"
bench_netns dkimsignd.sh "$@"
bench_postfix
SINK=$MX_BUILD/tests/bin/smtpd-test
DKIMSIGND=$MX_BUILD/dkimsignd/dkimsignd
MSGS=${BENCH_MSGS:-3000}
PMSGS=${BENCH_PERL_MSGS:-500}
LEN=4096
bench_tmp

openssl genrsa -traditional -out "$tmp/rsa.pem" 2048 2>/dev/null &&
    openssl genpkey -algorithm ED25519 -out "$tmp/ed.pem" ||
    { echo "dkimsignd.sh: openssl failed" >&2; exit 1; }
cat >"$tmp/rsa.conf" <<EOT
listen    127.0.0.1:10027
relay     127.0.0.1:10028
domain    example.org
signature dkim(c=relaxed)
keyfile   $tmp/rsa.pem
selector  default
EOT
sed -e 's/10027/10037/' "$tmp/rsa.conf" >"$tmp/dual.conf"
echo "signature dkim(a=ed25519-sha256,s=ed,key=$tmp/ed.pem)" \
    >>"$tmp/dual.conf"

"$SINK" -d -s -p 10028 >"$tmp/sink.log" 2>&1 &
sink_pid=$!
pids="$pids $!"
"$DKIMSIGND" -d -f "$tmp/rsa.conf" >"$tmp/rsa.log" 2>&1 &
rsa_pid=$!
pids="$pids $!"
"$DKIMSIGND" -d -f "$tmp/dual.conf" >"$tmp/dual.log" 2>&1 &
dual_pid=$!
pids="$pids $!"
wait_port 10028
wait_port 10027
wait_port 10037

set -- $(best 10027 "$rsa_pid" 1)
r1=$1 rc1=$2
set -- $(best 10027 "$rsa_pid" 20)
r20=$1 rc20=$2
set -- $(best 10037 "$dual_pid" 1)
d1=$1 dc1=$2
set -- $(best 10037 "$dual_pid" 20)
d20=$1 dc20=$2
set -- $(best 10028 "$sink_pid" 1)
s1=$1
set -- $(best 10028 "$sink_pid" 20)
s20=$1
rc=$(echo "$rc1 $rc20" | awk '{ print ($1 < $2) ? $1 : $2 }')
dc=$(echo "$dc1 $dc20" | awk '{ print ($1 < $2) ? $1 : $2 }')
nsigned=$(grep -c "signed message-id" "$tmp/rsa.log")
nfailed=$(grep -c "signing error" "$tmp/rsa.log")

# Mail::DKIM: the same kind of message, signed in a loop in-process
cat >"$tmp/mdkim.pl" <<'EOT'
use strict; use warnings;
use Mail::DKIM::Signer;
my ($key, $n) = @ARGV;
my $msg = "From: <bench\@example.org>\r\nTo: <sink\@example.org>\r\n" .
    "Date: Wed, 25 Nov 2026 10:00:00 +0000 (UTC)\r\n" .
    "Message-Id: <bench\@example.org>\r\n\r\n";
$msg .= sprintf("%dX%s\r\n", $_, "X" x 76) for (1 .. 52);
my ($u0, $s0) = times;
for (1 .. $n) {
	my $d = Mail::DKIM::Signer->new(Algorithm => "rsa-sha256",
	    Method => "relaxed", Domain => "example.org",
	    Selector => "default", KeyFile => $key);
	$d->PRINT($msg);
	$d->CLOSE;
	die "no signature" unless $d->signature->as_string;
}
my ($u1, $s1) = times;
printf "%.1f\n", (($u1 - $u0) + ($s1 - $s0)) * 1e6 / $n;
EOT
pc=$(perl "$tmp/mdkim.pl" "$tmp/rsa.pem" "$PMSGS" 2>"$tmp/perl.err") ||
    { cat "$tmp/perl.err" >&2; pc=0; }

# OpenSSL's RSA-2048 signing rate (CPU-time based)
os=$(openssl speed -seconds 3 rsa2048 2>/dev/null |
    awk '$1 == "rsa" && $2 == "2048" && $3 == "bits" { print $6 }')
: "${os:=0}"

percore() {
	echo "$1" | awk '{ if ($1 > 0) printf "%.0f", 1e6 / $1; else print 0 }'
}
echo "dkimsignd, 4 KB messages (smtp-source -l $LEN, -m $MSGS), RSA-2048,"
echo "c=relaxed; best of three runs; $nsigned signed, $nfailed failed"
printf '%-26s %10s %10s %10s %10s\n' "" "msg/s -s1" "msg/s -s20" \
    "CPU us/msg" "msg/s/core"
printf '%-26s %10s %10s %10s %10s\n' "dkimsignd rsa-sha256" "$r1" "$r20" \
    "$rc" "$(percore "$rc")"
printf '%-26s %10s %10s %10s %10s\n' "dkimsignd rsa + ed25519" "$d1" \
    "$d20" "$dc" "$(percore "$dc")"
printf '%-26s %10s %10s %10s %10s\n' "(the sink alone, no proxy)" "$s1" \
    "$s20" - -
printf '%-26s %10s %10s %10s %10s\n' "Mail::DKIM (no SMTP)" - - "$pc" \
    "$(percore "$pc")"
printf '%-26s %10s %10s %10s %10s\n' "openssl speed rsa2048" - - \
    "$(echo "$os" | awk '{ if ($1 > 0) printf "%.1f", 1e6 / $1;
    else print 0 }')" "$(echo "$os" | awk '{ printf "%.0f", $1 }')"
echo "$rc $pc $os" | awk '{
	if ($1 > 0 && $2 > 0)
		printf "ratio: dkimsignd %.1fx the messages per core of " \
		    "Mail::DKIM alone\n", $2 / $1
	if ($1 > 0 && $3 > 0)
		printf "ratio: dkimsignd at %.0f%% of the OpenSSL RSA-2048 " \
		    "floor (%.2fx its time per signature)\n",
		    100 * (1e6 / $3) / $1, $1 / (1e6 / $3)
	printf "goal: 1000 messages/s per core: %s\n",
	    ($1 > 0 && 1e6 / $1 >= 1000) ? "met" : "NOT met"
}'
echo "dkimproxy 1.4.1 (research, same kind of host): ~77 msg/s/core," \
    "11 msg/s on one connection"
