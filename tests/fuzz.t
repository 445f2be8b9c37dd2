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
# tests/fuzz.t: run every libFuzzer target a few seconds (FUZZ_CHECK_TIME,
# default 3) from its seed corpus.  `make fuzz` runs them longer.

. "${MX_TOP:-$(dirname "$0")/..}/tests/lib/tap.sh"
cd "$MX_TOP" || bail "cd $MX_TOP"
t=${FUZZ_CHECK_TIME:-3}
mapfile -t srcs < <(ls tests/fuzz/fuzz_*.c 2>/dev/null | sort)
ok $([ ${#srcs[@]} -gt 0 ]; echo $?) "there are fuzz targets (${#srcs[@]})"
for s in "${srcs[@]}"; do
	n=$(basename "$s" .c)
	bin=${MX_FUZZ_BUILD:-$MX_TOP/build-fuzz}/$n
	if [ ! -x "$bin" ]; then
		skip_or_fail 1 "$n not built (needs clang: make fuzz-build)"
		continue
	fi
	corpus=$MX_TMP/$n
	mkdir -p "$corpus"
	seeds=tests/fuzz/corpus/${n#fuzz_}
	[ -d "$seeds" ] && cp -r "$seeds"/. "$corpus"/
	out=$(timeout -k 5 $((t + 60)) "$bin" -max_total_time="$t" \
	    -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$MX_TMP/$n-" \
	    "$corpus" 2>&1)
	rc=$?
	runs=$(printf '%s\n' "$out" | sed -n 's/^Done \([0-9]*\) runs.*/\1/p')
	ok $([ $rc = 0 ] && [ -n "$runs" ]; echo $?) \
	    "$n: ${runs:-no} runs in ${t}s, no crash"
	[ $rc = 0 ] && continue
	for a in "$MX_TMP/$n"-*; do
		[ -f "$a" ] && diag "crash input (base64): $(base64 -w0 "$a")"
	done
	printf '%s\n' "$out" | tail -30 | sed 's/^/# /' >&2
done
done_testing
