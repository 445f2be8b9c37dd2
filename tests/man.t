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
# tests/man.t: every manual page is mandoc -Tlint clean (warnings and
# above), has the sections STYLE.md asks for, and every program that the
# build makes has its page.

. "${MX_TOP:-$(dirname "$0")/..}/tests/lib/tap.sh"
cd "$MX_TOP" || bail "cd $MX_TOP"
MANDOC=${MANDOC:-mandoc}
command -v "$MANDOC" >/dev/null || { plan 1; skip_or_fail 1 "no mandoc"; done_testing; }

mapfile -t pages < <(find . -path ./build -prune -o -path ./build-san -prune \
    -o -path ./build-fuzz -prune -o -path ./.deps -prune -o \
    -type f -name '*.[1-8]' -print | sed 's|^\./||' | sort)
mapfile -t progs < <(for d in "$MX_BUILD"/*/; do
	case $d in */common/|*/tests/) continue ;; esac
	find "$d" -maxdepth 1 -type f -perm -u+x -printf '%f\n' 2>/dev/null
done | sort)

ok $([ ${#pages[@]} -gt 0 ]; echo $?) "the tree has manual pages (${#pages[@]})"
for p in "${pages[@]}"; do
	out=$("$MANDOC" -Tlint -W warning "$p" 2>&1)
	rc=$?
	is "$rc:$out" "0:" "$p: mandoc -Tlint clean"
	sec=${p##*.}
	missing=
	want="NAME DESCRIPTION SEE_ALSO"
	case $sec in 1|8) want="NAME SYNOPSIS DESCRIPTION FILES EXAMPLES SEE_ALSO" ;; esac
	for s in $want; do
		grep -q "^\.Sh ${s//_/ }\$" "$p" || missing="$missing ${s//_/ }"
	done
	is "$missing" "" "$p: has the required sections"
done
for prog in "${progs[@]}"; do
	found=$(printf '%s\n' "${pages[@]}" | grep -E "(^|/)$prog\.[18]\$" | head -1)
	ok $([ -n "$found" ]; echo $?) "program $prog has a manual page"
done
done_testing
