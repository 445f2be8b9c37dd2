/*
 * Copyright (c) 2026 The mxsuite developers
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 *
 * THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
 * WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
 * MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
 * ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
 * WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
 * ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
 * OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
 */

/*
 * filterd's Hyperscan prefilter (filterd/sa_hs.h): the patterns it
 * refuses, the relaxed form it compiles, its superset property over
 * joined lines on hand-made edge cases (each PCRE2 match on a line must
 * be flagged, and a few texts must not be).  The engine's use of it
 * (rules skipped, results the same without it) is in t_sa_engine.c.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "tap.h"
#include "compat.h"

#include "../filterd/sa_hs.h"

struct sup {
	const char	*re;
	const char	*lines[4];	/* NULL-terminated */
	int		 match;		/* PCRE2 matches a line (checked) */
};

static int	pcre_lines(const char *, const char *const *, size_t *);
static int	hs_flags(const char *, size_t, const char *const *, int *);

/*
 * PCRE2 as the engine runs it: compiled with no options, matched on
 * each line alone.  1 if a line matches; minlen set; -1: no compile.
 */
static int
pcre_lines(const char *re, const char *const *lines, size_t *minlen)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		 off;
	uint32_t		 ml;
	int			 ec, hit = 0;
	size_t			 i;

	code = pcre2_compile((PCRE2_SPTR)re, PCRE2_ZERO_TERMINATED, 0, &ec,
	    &off, NULL);
	if (code == NULL)
		return (-1);
	if (pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &ml) != 0)
		ml = 0;
	*minlen = ml;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	for (i = 0; lines[i] != NULL; i++)
		if (pcre2_match(code, (PCRE2_SPTR)lines[i], strlen(lines[i]),
		    0, 0, md, NULL) >= 0)
			hit = 1;
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return (hit);
}

/* the prefilter over the lines joined: 0 and *flagged, or -1: refused */
static int
hs_flags(const char *re, size_t minlen, const char *const *lines,
    int *flagged)
{
	struct sa_hs	*h;
	uint32_t	 mark[4] = { 0, 0, 0, 0 };
	char		 err[128], *t = NULL;
	size_t		 i, len = 0;
	int		 rc = -1;

	h = sa_hs_new();
	if (sa_hs_add(h, re, minlen, 2, err, sizeof(err)) == 0 &&
	    sa_hs_finish(h, err, sizeof(err)) == 0) {
		for (i = 0; lines[i] != NULL; i++) {
			t = realloc(t, len + strlen(lines[i]) + 2);
			memcpy(t + len, lines[i], strlen(lines[i]));
			len += strlen(lines[i]);
			t[len++] = '\n';
		}
		if (sa_hs_scan(h, t, len, mark, 7) == 0) {
			*flagged = mark[2] == 7;
			rc = 0;
		}
	}
	free(t);
	sa_hs_free(h);
	return (rc);
}

int
main(void)
{
	static const struct sup	 sups[] = {
		/* anchors: ^ $ of a line are next to '\n' in the text */
		{ "^foo$", { "x", "foo", "y", NULL }, 1 },
		{ "^foo$", { "foo", NULL }, 1 },
		{ "^foo", { "xfoo", NULL }, 0 },
		{ "foo$", { "foox", NULL }, 0 },
		{ "bar$", { "a bar\n", NULL }, 1 },	/* before final \n */
		{ "(?m)^b$", { "a\nb\nc", NULL }, 1 },
		{ "(?m:^)x(?m:$)", { "q", "x", NULL }, 1 },
		{ "\\bfoo\\b", { "a", "foo", "b", NULL }, 1 },
		{ "\\Bfoo", { "foo", NULL }, 0 },
		{ "foo\\B", { "foo", "o", NULL }, 0 },
		/* flags */
		{ "(?i)HeLLo", { "hello", NULL }, 1 },
		{ "HeLLo", { "hello", NULL }, 0 },
		{ "(?i:a)B", { "Ab", NULL }, 0 },
		{ "(?s)a.b", { "a\nb", NULL }, 1 },
		{ "a.b", { "a", "b", NULL }, 0 },
		{ "(?x) f o o  # comment\n", { "foo", NULL }, 1 },
		{ "a\\sb", { "a\vb", NULL }, 1 },
		{ "a[[:space:]]b", { "a\vb", NULL }, 1 },
		{ "a\\wb", { "a\xe9" "b", NULL }, 0 },
		/* lookaround at a line's ends sees nothing in PCRE2 */
		{ "(?<!\\s)foo", { "x ", "foo", NULL }, 1 },
		{ "(?<![a-z\\n])foo", { "x", "foo", NULL }, 1 },
		{ "(?<=^)foo", { "y", "foo", NULL }, 1 },
		{ "foo(?!\\n)", { "foo", "z", NULL }, 1 },
		{ "foo(?![\\s\\S])", { "foo", "z", NULL }, 1 },
		{ "foo(?=bar)", { "foox", NULL }, 0 },
		/* backreferences, alternations with empty branches */
		{ "(a+)b\\1", { "aabaa", NULL }, 1 },
		{ "(?:|x)foo", { "foo", NULL }, 1 },
		{ "foo(?:bar|)", { "foo", NULL }, 1 },
		{ "(?:a|b|)c", { "zz", "c", NULL }, 1 },
		/* counted repeats, relaxed */
		{ "x[a-z]{2,3}y", { "xaby", NULL }, 1 },
		{ "x[a-z]{2,3}y", { "xy", NULL }, 0 },
		{ "(?:ab){3}", { "ababab", NULL }, 1 },
		{ "(?:ab){0,2}c", { "c", NULL }, 1 },
		{ "x(?:ab|cd){2}y", { "xabcdy", NULL }, 1 },
		{ "x(?:ab|cd)*y", { "xy", NULL }, 1 },
		{ "x(?:ab|cd)+y", { "xaby", NULL }, 1 },
		{ "x(?:a(b)?c)?y", { "xacy", "xy", NULL }, 1 },
		/* \c( is a control character, not a group (found by fuzzing) */
		{ "(?:a\\c(?:b)?x", { "x", NULL }, 1 },
		{ "x(?:a(b)?c)?y", { "xa", "y", NULL }, 0 },
		{ "a\\x{41}{2}", { "aAA", NULL }, 1 },
		{ "\\Qa{2}\\E", { "a{2}", NULL }, 1 },
		{ "a{,2}", { "a{,2}", NULL }, 1 },
		/* atomic, possessive, lazy */
		{ "(?>a+)ab", { "aaab", NULL }, 0 },
		{ "a++b", { "aab", NULL }, 1 },
		{ "a+?b", { "aab", NULL }, 1 },
		/* binary */
		{ "\\x00\\xff", { "a", NULL }, 0 },
	};
	static const char *const refused[] = {
		"\\Afoo", "foo\\z", "foo\\Z", "\\Gfoo", "a\\Kb",
		"(*CRLF)foo$", "(?-m)^foo", "(?i-m:^foo)", "(?^:foo)",
		"(?(1)a|b)", "x*", "(?:)", "^", "a?",
	};
	char			 err[256], *rx;
	size_t			 i, ml;
	int			 m, f, n, rc;

	for (i = 0; i < nitems(refused); i++) {
		struct sa_hs	*h = sa_hs_new();

		ok(sa_hs_add(h, refused[i], pcre_lines(refused[i],
		    (const char *const []){ NULL }, &ml) == -1 ? 1 : ml, 1,
		    err, sizeof(err)) == -1, "refused: %s (%s)", refused[i],
		    err);
		sa_hs_free(h);
	}
	ok(sa_hs_check("a\\\\Afoo", err, sizeof(err)) == 0,
	    "an escaped backslash before A is not \\A");
	ok(sa_hs_check("(?i-s:foo)\\Qa\\z\\E", err, sizeof(err)) == 0,
	    "(?i-s:) and \\Q\\z\\E are fine");

	rx = sa_hs_relax("a{2,5}b[x{2}]c{0,3}\\x{41}{3}\\Qd{2}\\E{1}e{00}"
	    "f{,2}");
	is_str(rx, "a+b[x{2}]c*\\x{41}+\\Qd{2}\\E+e*f{,2}", "relaxed form");
	free(rx);
	rx = sa_hs_relax("(?:ab){2,3}c(d)*e(?:f)+?g(h){0,2}i(j)?\\)+k");
	is_str(rx, "(?:ab)(?s:.*)c(?s:.*)e(?:f)(?s:.*)?g(?s:.*)i(?s:.*)"
	    "\\)+k", "relaxed groups");
	free(rx);
	rx = sa_hs_relax("a(?:b(c)?d)?e)?f");
	is_str(rx, "a(?s:.*)e)?f", "relaxed nested groups, stray ')'");
	free(rx);

	for (i = 0; i < nitems(sups); i++) {
		m = pcre_lines(sups[i].re, sups[i].lines, &ml);
		/* a description stays on one line */
		n = (int)strcspn(sups[i].re, "\n");
		is_int(m, sups[i].match, "PCRE2: /%.*s/ %s", n, sups[i].re,
		    sups[i].match ? "matches" : "does not match");
		if (!sa_hs_available()) {
			ok(hs_flags(sups[i].re, ml, sups[i].lines, &f) == -1,
			    "no Hyperscan: /%.*s/ refused", n, sups[i].re);
			continue;
		}
		rc = hs_flags(sups[i].re, ml, sups[i].lines, &f);
		if (rc == -1) {
			ok(1, "/%.*s/ refused (the rule always runs)", n,
			    sups[i].re);
			continue;
		}
		if (m == 1)
			ok(f, "superset: /%.*s/ flagged", n, sups[i].re);
		else
			ok(1, "/%.*s/ %s (no match)", n, sups[i].re,
			    f ? "flagged" : "not flagged");
	}
	/* the prefilter must also say no, or it would be useless */
	if (sa_hs_available()) {
		ok(hs_flags("f[o0]+x", 3, (const char *const []){ "fo",
		    "0x", NULL }, &f) == 0 && !f, "f[o0]+x not flagged "
		    "across lines");
		ok(hs_flags("^foo", 3, (const char *const []){ "xfoo",
		    NULL }, &f) == 0 && !f, "^foo not flagged on xfoo");
		ok(hs_flags("(?i)a\\W{1,3}b", 3, (const char *const []){
		    "a____b", NULL }, &f) == 0 && !f,
		    "a\\W{1,3}b not flagged on a____b");
	}

	return (done_testing());
}
