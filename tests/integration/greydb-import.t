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
# tests/integration/greydb-import.t: greydb -I reads spamdb(8) output
# (GREY, WHITE, TRAPPED, SPAMTRAP lines) from a file or stdin and stores
# each entry with its times and counts: greydb then prints the same
# lines.  A bad line is reported as file:line: message and makes the exit
# status 1; the good lines are stored all the same.

. "$MX_TOP/tests/lib/tap.sh"

GREYDB=$MX_BUILD/greyd/greydb
[ -x "$GREYDB" ] || bail "$GREYDB not built"
greydb() { mx_timeout 20 "$GREYDB" "$@"; }
D=$MX_TMP
now=$(date +%s)
exp=$((now + 3600))

# what spamdb prints on OpenBSD (hash order), times in the future so
# that nothing has expired
cat >"$D/dump" <<EOT
GREY|192.0.2.10|mx.example.org|<Alice@Example.org>|<bob@example.net>|$now|$((now + 1500))|$((now + 14400))|3|0
GREY|192.0.2.11||<a@example.org>|<b@example.net>|$now|$now|$exp|1|0
GREY|2001:db8::5|v6.example.org|<>|<postmaster@example.net>|$now|$now|$exp|1|0
WHITE|62.65.39.200|||1462530565|1462530565|$((now + 3110400))|1|0
WHITE|2001:db8::7|||$now|$((now + 10))|$exp|7|2
TRAPPED|198.51.100.9|$((now + 86400))
SPAMTRAP|trap@example.net
EOT

greydb -I -f "$D/db1" "$D/dump" >"$D/out" 2>&1
is "$?" 0 "greydb -I file: exit 0" || diag "$(cat "$D/out")"
is "$(cat "$D/out")" "" "... nothing printed"
is "$(greydb -f "$D/db1" | sort)" "$(sort "$D/dump")" \
    "greydb prints every imported line as spamdb printed it"
is "$(greydb -f "$D/db1" 192.0.2.200 62.65.39.200)" \
    "WHITE|62.65.39.200|||1462530565|1462530565|$((now + 3110400))|1|0" \
    "an imported WHITE entry is found by its IP"

# stdin, over an existing entry: replaced by the imported values
greydb -f "$D/db1" -a 203.0.113.1
printf 'WHITE|203.0.113.1|||100|200|%s|9|8\r\n' "$exp" |
    greydb -I -f "$D/db1" >"$D/out" 2>&1
is "$?" 0 "greydb -I from stdin (CRLF line)"
is "$(greydb -f "$D/db1" 203.0.113.1)" "WHITE|203.0.113.1|||100|200|$exp|9|8" \
    "an existing entry takes the imported values"
printf 'SPAMTRAP|Other@Example.NET\n' | greydb -I -f "$D/db1" -
is "$(greydb -f "$D/db1" other@example.net)" "SPAMTRAP|other@example.net" \
    "'-' is stdin; SPAMTRAP addresses lower-cased, as spamdb -T -a"

# bad lines
cat >"$D/bad" <<EOT
# a comment, then a blank line

WHITE|192.0.2.50|||$now|$now|$exp|1|0
GREY|192.0.2.51|h|<a@b>|<c@d>|$now|$now|$exp|1
BLACK|192.0.2.52|$exp
WHITE|192.0.2.300|||$now|$now|$exp|1|0
TRAPPED|192.0.2.53|soon
WHITE|192.0.2.54|||$now|$now|$exp|1|-1
SPAMTRAP|nobody
WHITE|192.0.2.55|x||$now|$now|$exp|1|0
GREY|192.0.2.56|h|<a@b>||$now|$now|$exp|1|0
TRAPPED|192.0.2.57|$exp
EOT
greydb -I -f "$D/db2" "$D/bad" >"$D/out" 2>&1
is "$?" 1 "bad lines: exit 1"
is "$(cat "$D/out")" "$D/bad:4: wrong number of fields
$D/bad:5: not a GREY, WHITE, TRAPPED or SPAMTRAP line
$D/bad:6: invalid ip address
$D/bad:7: bad time
$D/bad:8: bad count
$D/bad:9: not an email address
$D/bad:10: WHITE with helo or from fields
$D/bad:11: GREY without a recipient" "each bad line: file:line: why"
is "$(greydb -f "$D/db2" | cut -d'|' -f1,2 | sort | tr '\n' ' ')" \
    "TRAPPED|192.0.2.57 WHITE|192.0.2.50 " \
    "the good lines are stored all the same"
printf 'WHITE|x\n' | greydb -I -f "$D/db2" >"$D/out" 2>&1
is "$(cat "$D/out")" "stdin:1: wrong number of fields" "stdin is named stdin"

# more lines than a transaction holds (1,000): bad ones on both sides of
# the batch boundaries are reported in line order, the good ones kept; a
# key repeated in the same batch takes its last values
awk -v now="$now" -v ex="$exp" 'BEGIN {
	for (i = 1; i <= 2500; i++) {
		if (i == 1000 || i == 1001)
			print "WHITE|10.0." int(i / 256) "." (i % 256) "|||x"
		else if (i == 2500)
			print "SPAMTRAP|not-an-address"
		else if (i == 1500)
			print "WHITE|10.0.0.2|||" now "|" now "|" ex "|42|0"
		else
			print "WHITE|10.0." int(i / 256) "." (i % 256) "|||" \
			    now "|" now "|" ex "|1|0"
	}
}' >"$D/big"
greydb -I -f "$D/db3" "$D/big" >"$D/out" 2>&1
is "$?" 1 "2,500 lines, 3 bad: exit 1"
is "$(cat "$D/out")" "$D/big:1000: wrong number of fields
$D/big:1001: wrong number of fields
$D/big:2500: not an email address" "... the bad lines said, in order"
is "$(greydb -f "$D/db3" | wc -l)" 2496 \
    "... the other 2,496 entries stored (one key twice)"
is "$(greydb -f "$D/db3" 10.0.0.2 | cut -d'|' -f8)" 42 \
    "... the key given twice has its last values"

greydb -I -f "$D/db2" "$D/missing" >"$D/out" 2>&1
is "$?" 1 "a missing file: exit 1"
like "$(cat "$D/out")" "missing: No such file or directory" "... and says so"
greydb -I -a -f "$D/db2" "$D/dump" >/dev/null 2>&1
is "$?" 1 "-I with -a: usage"
greydb -I -f "$D/db2" "$D/dump" "$D/bad" >/dev/null 2>&1
is "$?" 1 "-I with two files: usage"
like "$(greydb -x 2>&1)" "-I \[-f dir\] \[file\]" "usage shows -I"

done_testing
