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
 * filterd/sa_re.c: SpamAssassin's regex delimiters and flags, the
 * conversion to PCRE2 (charset flags dropped), matching with Perl's /aa
 * semantics, PCRE2's messages, and the splitting of patterns too large
 * for PCRE2 into pieces that match together what the whole would.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../filterd/sa_conf.h"

static char	 err[512];

static const char *
strip(const char *in)
{
	static char	 buf[512];
	char		*s;

	err[0] = '\0';
	if ((s = sa_re_strip(in, 1, err, sizeof(err))) == NULL)
		return err;
	strlcpy(buf, s, sizeof(buf));
	free(s);
	return buf;
}

static const char *
conv(const char *in)
{
	static char	 buf[512];
	char		*s;

	s = sa_re_to_pcre(in, err, sizeof(err));
	strlcpy(buf, s, sizeof(buf));
	free(s);
	return buf;
}

/* match a SA rule's text "/re/flags" against s: 1, 0, or -1 (error) */
static int
m(const char *rule, const char *s)
{
	char		*sa, *p;
	struct sa_re	*re;
	int		 r;

	if ((sa = sa_re_strip(rule, 1, err, sizeof(err))) == NULL)
		return -1;
	p = sa_re_to_pcre(sa, err, sizeof(err));
	re = sa_re_compile(p, err, sizeof(err));
	free(sa);
	free(p);
	if (re == NULL)
		return -1;
	r = sa_re_match(re, s, strlen(s));
	sa_re_free(re);
	return r;
}

/* a pattern of n words, each letter a homoglyph-like alternation */
static char *
big_pattern(int n)
{
	static const char *const words[] = { "alpha", "bravo", "charlie",
	    "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet",
	    "kilo", "lima", "mike", "november", "oscar", "papa" };
	size_t	 cap = 1 << 22, len = 0;
	char	*p = malloc(cap);
	int	 i, j;

	len += snprintf(p + len, cap - len, "(?i)(?:^|\\s)(?:");
	for (i = 0; i < n; i++) {
		const char *w = words[i % 16];

		if (i > 0)
			p[len++] = '|';
		for (j = 0; w[j] != '\0'; j++)
			len += snprintf(p + len, cap - len,
			    "(?:[%c%c]|\\xc3[\\x80-\\x85\\xa0-\\xa5]|\\xce"
			    "[\\x91\\xb1]|\\xd0[\\x90\\xb0]|\\xf0\\x9d(?:"
			    "\\x90[\\x80\\x9a\\xb4]|\\x91[\\x8e\\xa8]|\\x92"
			    "[\\x82\\x9c\\xb6]|\\x93[\\x90\\xaa]))", w[j],
			    w[j] - 32);
		len += snprintf(p + len, cap - len, "%d", i);
	}
	snprintf(p + len, cap - len, ")\\b");
	return p;
}

int
main(void)
{
	struct sa_re	*re;
	char		*big, *p;

	/* delimiters and flags, as Util::compile_regexp */
	is_str(strip("/foo/"), "foo", "/re/");
	is_str(strip("/foo/i"), "(?i)foo", "/re/i");
	is_str(strip("/foo/ism"), "(?ism)foo", "/re/ism");
	is_str(strip("m{fo/o}i"), "(?i)fo/o", "m{re}i, / inside");
	is_str(strip("m(a(b)c)"), "a(b)c", "m(re)");
	is_str(strip("m<a>"), "a", "m<re>");
	is_str(strip("m[a]"), "a", "m[re]");
	is_str(strip("m|a/b|"), "a/b", "m|re|");
	is_str(strip("m!a!x"), "(?x)a", "m!re!x");
	is_str(strip("qr/a/"), "a", "qr/re/");
	is_str(strip("/a\\/b/"), "a\\/b", "escaped delimiter");
	is_str(strip("/a\\\\/b/"), "unquoted delimiter '/' found",
	    "\\\\ then an unescaped delimiter");
	is_str(strip("/a/b/"), "unquoted delimiter '/' found",
	    "unescaped delimiter");
	is_str(strip("foo"), "missing regexp delimiters", "no delimiters");
	is_str(strip("mfoof"), "missing regexp delimiters",
	    "a word character is no delimiter");
	is_str(strip("m\\a\\"), "backslash delimiter not allowed",
	    "backslash delimiter");
	is_str(strip("/a/e"), "invalid end delimiter/mods", "no /e");
	is_str(strip("/a"), "invalid end delimiter/mods", "unterminated");
	is_str(strip("/a(?{ 1 })/"), "eval (?{}) found", "no code blocks");

	/* to PCRE2 */
	is_str(conv("(?aa)foo"), "foo", "(?aa) dropped");
	is_str(conv("(?aa)(?i)foo"), "(?i)foo", "(?aa)(?i)");
	is_str(conv("(?ia)x"), "(?i)x", "(?ia) is (?i)");
	is_str(conv("(?^aa:x)"), "(?^:x)", "(?^aa: is (?^:");
	is_str(conv("(?u-i:x)"), "(?-i:x)", "(?u-i:");
	is_str(conv("(?a:x)"), "(?:x)", "(?a: is (?:");
	is_str(conv("[(?aa)]"), "[(?aa)]", "not in a class");
	is_str(conv("\\(?aa)"), "\\(?aa)", "not after a backslash");
	is_str(conv("\\Q(?aa)\\E"), "\\Q(?aa)\\E", "not in \\Q..\\E");
	is_str(conv("(?<name>x)(?=y)(?!z)(?<=a)(?<!b)"),
	    "(?<name>x)(?=y)(?!z)(?<=a)(?<!b)", "groups untouched");

	/* Perl /aa semantics in PCRE2 */
	is_int(m("/foo$/", "x foo\n"), 1, "$ before a final newline");
	is_int(m("/foo$/", "foo\nbar"), 0, "$ not before an inner newline");
	is_int(m("/foo$/m", "foo\nbar"), 1, "/m");
	is_int(m("/a.b/", "a\nb"), 0, ". without /s");
	is_int(m("/a.b/s", "a\nb"), 1, ". with /s");
	is_int(m("/\\bcaf\\b/", "caf\xc3\xa9"), 1,
	    "\\b is ASCII: \xc3 is no word character");
	is_int(m("/\\w/", "\xc3\xa9"), 0, "\\w is ASCII");
	is_int(m("/\\xc3\\xa9/", "caf\xc3\xa9"), 1, "\\xHH bytes");
	is_int(m("/\xc3\xa9t\xc3\xa9/i", "\xc3\xa9T\xc3\xa9"), 1,
	    "raw UTF-8 bytes, /i on ASCII only");
	is_int(m("/VIAGRA/i", "viagra"), 1, "/i");
	is_int(m("/(?aa)[[:xdigit:]]{4}\\z/", "beef"), 1,
	    "inline (?aa), POSIX class, \\z");
	is_int(m("/x # comment\n/x", "x"), 1, "/x comments");
	is_int(m("/(a)\\1/", "aa"), 1, "backreference");
	is_int(m("/a++b/", "aab"), 1, "possessive");
	is_int(m("/unclosed(/", "x"), -1, "a bad regex");
	ok(strstr(err, "missing closing parenthesis") != NULL &&
	    strstr(err, "at offset") != NULL, "PCRE2's message and offset");

	/* splitting */
	big = big_pattern(160);
	re = sa_re_compile(big, err, sizeof(err));
	ok(re == NULL && strstr(err, "too large") != NULL,
	    "the big pattern is too large for PCRE2 (%s)", err);
	sa_re_free(re);
	re = sa_re_compile_split(big, err, sizeof(err));
	ok(re != NULL && re->ncodes > 1, "split into %zu pieces",
	    re != NULL ? re->ncodes : 0);
	if (re != NULL) {
		is_int(sa_re_match(re, "say alpha0 now", 14), 1,
		    "the first branch matches");
		is_int(sa_re_match(re, "x PAPA159", 9), 1,
		    "the last branch matches");
		is_int(sa_re_match(re, "x \xd0\xb0lph\xce\xb1" "0", 11), 1,
		    "homoglyphs match");
		is_int(sa_re_match(re, "x kilo106", 9), 1, "a middle branch");
		is_int(sa_re_match(re, "x kilo1", 7), 0,
		    "a branch with the wrong number does not");
		is_int(sa_re_match(re, "xalpha0", 7), 0,
		    "the shared prefix still applies");
		is_int(sa_re_match(re, "x alpha0z", 9), 0,
		    "the shared suffix still applies");
	} else
		skip(7, "no split");
	sa_re_free(re);
	free(big);
	if (asprintf(&p, "(?:%s){2}", "(?:a|b)") != -1) {
		re = sa_re_compile_split(p, err, sizeof(err));
		ok(re != NULL && re->ncodes == 1,
		    "a small pattern stays whole");
		sa_re_free(re);
		free(p);
	}
	big = big_pattern(160);
	if (asprintf(&p, "(?:%s)+", big) != -1) {
		re = sa_re_compile_split(p, err, sizeof(err));
		ok(re == NULL, "a quantified alternation is not split");
		sa_re_free(re);
		free(p);
	}
	if (asprintf(&p, "(a)\\1%s", big) != -1) {
		re = sa_re_compile_split(p, err, sizeof(err));
		ok(re == NULL, "nor a pattern with backreferences");
		sa_re_free(re);
		free(p);
	}
	free(big);

	/* a large group under {n}: called, not copied */
	big = big_pattern(40);
	if (asprintf(&p, "(?:%s){3}", big) != -1) {
		re = sa_re_compile(p, err, sizeof(err));
		ok(re == NULL && strstr(err, "too large") != NULL,
		    "(?:big){3} is too large for PCRE2");
		sa_re_free(re);
		re = sa_re_compile_split(p, err, sizeof(err));
		ok(re != NULL && re->ncodes == 1,
		    "(?:big){3} compiles as (big)(?1){2,2}");
		if (re != NULL) {
			const char *s1 = " alpha0 bravo1 charlie2";
			const char *s2 = " alpha0 kilo26 alpha0x";
			const char *s3 = " golf6 golf22 \xce\xb1lpha16";

			is_int(sa_re_match(re, s1, strlen(s1)), 1,
			    "three repetitions match");
			is_int(sa_re_match(re, s2, strlen(s2)), 0,
			    "two do not");
			is_int(sa_re_match(re, s3, strlen(s3)), 1,
			    "a homoglyph in the third");
		} else
			skip(3, "did not compile");
		sa_re_free(re);
		free(p);
	}
	free(big);
	return done_testing();
}
