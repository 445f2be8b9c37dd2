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
 * filterd's Hyperscan prefilter (sa_hs.h).
 *
 * Why a match of the PCRE2 pattern P on one line L implies a match of
 * its prefilter on T, the lines joined with '\n' (each line followed by
 * '\n'): PCRE2 matches P on L from offset a to b; T holds L at some
 * offset o, preceded by '\n' (or T's start) and followed by '\n'.
 * Hyperscan's prefilter mode guarantees a superset of P's matches on T,
 * so it is enough that P itself matches T at o + a .. o + b; every
 * construct whose outcome depends only on the characters it consumes
 * does so unchanged.  The ones that look around the match:
 *
 * - ^ without /m matches at L's start only; in T that offset follows
 *   '\n' or is T's start, where ^ under HS_FLAG_MULTILINE matches.
 *   With (?m) PCRE2's ^ also matches after a '\n' inside L, which is a
 *   '\n' in T too.  A group that turns /m off ((?-m), (?^...)) would
 *   undo HS_FLAG_MULTILINE: refused.
 * - $ without /m matches at L's end or before a final '\n' of L; with
 *   /m before any '\n' of L.  In T L's end is followed by '\n', and
 *   every '\n' of L is one of T: multiline $ matches before each.
 *   PCRE2's newline is LF (the build's default, which Debian keeps),
 *   so '\r' plays no part in ^ $ or '.' for either engine.
 * - \b \B look at the characters on both sides, "outside L" counting as
 *   a non-word character for PCRE2; in T outside L is '\n' or T's end,
 *   also non-word: the same outcome.
 * - Lookahead and lookbehind (which could see past L in T) and
 *   backreferences are not kept by prefilter mode: Hyperscan replaces
 *   them with constructs that accept at least as much, which is still
 *   a superset whatever surrounds L.
 * - \A \z \Z \G mean the subject's ends or the start offset: in T they
 *   would lose L's ends, so a pattern with any of them is refused, as
 *   are (*VERBS) (they can change newline conventions).
 * - Case and classes: PCRE2 here is 8-bit without UTF or UCP and with
 *   its built-in C-locale tables, like Hyperscan without HS_FLAG_UTF8
 *   and HS_FLAG_UCP: \w \d \s (with VT), [[:classes:]] and /i are
 *   ASCII for both.
 * - Atomic groups and possessive quantifiers can only make PCRE2 fail
 *   where the plain construct would match; Hyperscan treats them as
 *   plain (or refuses them): a superset.
 * - A pattern that matches the empty string matches every line; the
 *   engine gives its PCRE2 minimum length and 0 is refused (Hyperscan
 *   refuses most such patterns itself, but accepts "^").
 *
 * Repeats are relaxed before a pattern goes to Hyperscan (sa_hs_relax):
 * an atom's X{m,n} becomes X* (m = 0) or X+; a group's (X){m,n} or
 * (X)+ (m >= 1) becomes (X)(?s:.*), and an optional group, (X)?, (X)*
 * or (X){0,n}, becomes (?s:.*) alone.  Each matches every X^k with
 * m <= k <= n (and more), so the superset holds, and Hyperscan
 * compiles in milliseconds what took it seconds (SpamAssassin's
 * ReplaceTags rules are full of {1,40} and of large optional groups:
 * __FILL_THIS_FORM_PARTIAL alone took 35 s), and the filter still
 * checks every part a match needs.
 *
 * Anything else Hyperscan cannot take (conditionals, recursion, \R, \K,
 * some (?x) comments) makes hs_compile fail: the pattern is refused.
 * Each pattern is compiled alone, into a database of its own: one bad
 * pattern only loses its own rule's prefilter, and hs_compile_multi
 * grows much faster than linearly on these patterns (measured on the
 * stock rules: 119 patterns as one database 8.9 s of CPU, in chunks of
 * 16 3.1 s, alone 0.6 s in all), while a scan costs little more per
 * database than per pattern.  HS_FLAG_SINGLEMATCH: one report per
 * pattern is all the engine needs.  Patterns longer than SA_HS_MAXLEN
 * once relaxed are refused, to keep start-up short: on the stock rules
 * the 113 below it compile in 0.2 to 0.4 s of CPU, while the FUZZY and
 * ReplaceTags patterns above it take 0.1 to 1 s each (about 10 s in
 * all), and the largest (137 KB) exceed Hyperscan's length limit.
 * Inline flags ((?i) (?s) (?x) ...) stay in the pattern: Hyperscan
 * reads them as PCRE2 does.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef MX_HAVE_HYPERSCAN
#include <hs.h>
#endif

#include "sa_hs.h"
#include "xmalloc.h"

#define SA_HS_MAXLEN	1200

struct sa_hs {
	unsigned int		 *ids;
	size_t			  n, cap;
#ifdef MX_HAVE_HYPERSCAN
	hs_database_t		**db;
	hs_scratch_t		 *scratch;
#endif
	int			  finished;
	uint32_t		 *mark;		/* during a scan */
	uint32_t		  gen;
	unsigned int		  cur;		/* its id */
};

static size_t	class_end(const char *, size_t);
static size_t	quant_end(const char *, size_t);

#ifdef MX_HAVE_HYPERSCAN
#define SA_HS_FLAGS	(HS_FLAG_PREFILTER | HS_FLAG_SINGLEMATCH | \
			    HS_FLAG_MULTILINE)
static int	hs_on_match(unsigned int, unsigned long long,
		    unsigned long long, unsigned int, void *);
#endif

int
sa_hs_available(void)
{
#ifdef MX_HAVE_HYPERSCAN
	return (1);
#else
	return (0);
#endif
}

struct sa_hs *
sa_hs_new(void)
{
	return (xcalloc(1, sizeof(struct sa_hs)));
}

int
sa_hs_check(const char *p, char *err, size_t errlen)
{
	const char	*q;
	size_t		 i;
	int		 off;

	for (i = 0; p[i] != '\0'; i++) {
		if (p[i] == '\\') {
			if (p[i + 1] == 'Q') {
				if ((q = strstr(p + i + 2, "\\E")) == NULL)
					break;
				i = (size_t)(q - p) + 1;
				continue;
			}
			if (p[i + 1] != '\0' &&
			    strchr("AzZGK", p[i + 1]) != NULL) {
				(void)snprintf(err, errlen, "\\%c", p[i + 1]);
				return (-1);
			}
			if (p[i + 1] != '\0')
				i++;
			continue;
		}
		if (p[i] != '(')
			continue;
		if (p[i + 1] == '*') {
			(void)snprintf(err, errlen, "(*verb)");
			return (-1);
		}
		if (p[i + 1] != '?')
			continue;
		/* (?flags) or (?flags:...): /m must not be turned off */
		off = 0;
		for (q = p + i + 2; *q != '\0' && *q != ':' && *q != ')';
		    q++) {
			if (*q == '^' || (*q == 'm' && off)) {
				(void)snprintf(err, errlen, "turns /m off");
				return (-1);
			}
			if (*q == '-')
				off = 1;
			else if ((*q < 'a' || *q > 'z') &&
			    (*q < 'A' || *q > 'Z'))
				break;
		}
	}
	return (0);
}

/* index past the ']' closing the class that opens at p[i] */
static size_t
class_end(const char *p, size_t i)
{
	i++;
	if (p[i] == '^')
		i++;
	if (p[i] == ']')
		i++;
	while (p[i] != '\0' && p[i] != ']') {
		if (p[i] == '\\' && p[i + 1] != '\0')
			i += 2;
		else if (p[i] == '[' && p[i + 1] == ':' &&
		    strchr(p + i + 2, ']') != NULL &&
		    strchr(p + i + 2, ']')[-1] == ':')
			i = (size_t)(strchr(p + i + 2, ']') - p) + 1;
		else
			i++;
	}
	return (p[i] == ']' ? i + 1 : i);
}

/* a quantifier {m} {m,} {m,n} at p[i]: index past it, else 0 */
static size_t
quant_end(const char *p, size_t i)
{
	size_t	j = i + 1;

	if (p[j] < '0' || p[j] > '9')
		return (0);
	while (p[j] >= '0' && p[j] <= '9')
		j++;
	if (p[j] == ',')
		for (j++; p[j] >= '0' && p[j] <= '9'; j++)
			;
	return (p[j] == '}' ? j + 1 : 0);
}

char *
sa_hs_relax(const char *p)
{
	size_t	 i, j, o = 0, len = strlen(p), *open, depth = 0, last = 0;
	char	*out = xcalloc(len + 1, 8);
	int	 group = 0, zero, closed;

	open = xcalloc(len + 1, sizeof(*open));
	for (i = 0; i < len; ) {
		zero = -1;
		closed = 0;
		if (p[i] == '\\' && p[i + 1] == 'Q') {
			const char	*q = strstr(p + i + 2, "\\E");

			j = q != NULL ? (size_t)(q - p) + 2 : len;
		} else if (p[i] == '\\' && p[i + 1] != '\0') {
			j = i + 2;
			/* \cX takes X, whatever it is */
			if (p[i + 1] == 'c' && p[j] != '\0')
				j++;
			/* \x{..} \o{..} \p{..} \g{..} \k{..} \N{..} */
			if (strchr("xopPgkN", p[i + 1]) != NULL &&
			    p[j] == '{' && strchr(p + j, '}') != NULL)
				j = (size_t)(strchr(p + j, '}') - p) + 1;
		} else if (p[i] == '[')
			j = class_end(p, i);
		else if (p[i] == '{' && i > 0 && (j = quant_end(p, i)) != 0)
			zero = strtoul(p + i + 1, NULL, 10) == 0;
		else if (group && (p[i] == '+' || p[i] == '*' ||
		    p[i] == '?')) {
			j = i + 1;
			zero = p[i] != '+';
		} else
			j = i + 1;
		if (zero == 1 && group) {
			/* (X)? (X)* (X){0,n}: anything */
			o = last;
			memcpy(out + o, "(?s:.*)", 7);
			o += 7;
		} else if (zero == 0 && group) {
			/* (X)+ (X){m,n}: X then anything */
			memcpy(out + o, "(?s:.*)", 7);
			o += 7;
		} else if (zero != -1)
			out[o++] = zero ? '*' : '+';
		else {
			if (j == i + 1 && p[i] == '(')
				open[depth++] = o;
			else if (j == i + 1 && p[i] == ')' && depth > 0) {
				last = open[--depth];
				closed = 1;
			}
			memcpy(out + o, p + i, j - i);
			o += j - i;
		}
		group = closed;
		i = j;
	}
	out[o] = '\0';
	free(open);
	return (out);
}

int
sa_hs_add(struct sa_hs *h, const char *pat, size_t minlen, unsigned int id,
    char *err, size_t errlen)
{
#ifdef MX_HAVE_HYPERSCAN
	hs_database_t		*db;
	hs_compile_error_t	*ce;
	char			*rp;

	if (h->finished) {
		(void)snprintf(err, errlen, "prefilter already built");
		return (-1);
	}
	if (minlen == 0) {
		(void)snprintf(err, errlen, "can match the empty string");
		return (-1);
	}
	if (sa_hs_check(pat, err, errlen) == -1)
		return (-1);
	rp = sa_hs_relax(pat);
	if (strlen(rp) > SA_HS_MAXLEN) {
		(void)snprintf(err, errlen, "longer than %d", SA_HS_MAXLEN);
		free(rp);
		return (-1);
	}
	if (hs_compile(rp, SA_HS_FLAGS, HS_MODE_BLOCK, NULL, &db, &ce) !=
	    HS_SUCCESS) {
		(void)snprintf(err, errlen, "hyperscan: %s",
		    ce != NULL ? ce->message : "compile error");
		hs_free_compile_error(ce);
		free(rp);
		return (-1);
	}
	free(rp);
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->db = xreallocarray(h->db, h->cap, sizeof(*h->db));
		h->ids = xreallocarray(h->ids, h->cap, sizeof(*h->ids));
	}
	h->db[h->n] = db;
	h->ids[h->n] = id;
	h->n++;
	return (0);
#else
	(void)h;
	(void)pat;
	(void)minlen;
	(void)id;
	(void)snprintf(err, errlen, "built without Hyperscan");
	return (-1);
#endif
}

int
sa_hs_finish(struct sa_hs *h, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	h->finished = 1;
	return (0);
}

size_t
sa_hs_count(const struct sa_hs *h)
{
#ifdef MX_HAVE_HYPERSCAN
	return (h != NULL && h->finished ? h->n : 0);
#else
	(void)h;
	return (0);
#endif
}

#ifdef MX_HAVE_HYPERSCAN
static int
hs_on_match(unsigned int id, unsigned long long from, unsigned long long to,
    unsigned int flags, void *arg)
{
	struct sa_hs	*h = arg;

	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	h->mark[h->cur] = h->gen;
	return (1);		/* enough: stop this database */
}
#endif

int
sa_hs_scan(struct sa_hs *h, const char *buf, size_t len, uint32_t *mark,
    uint32_t gen)
{
#ifdef MX_HAVE_HYPERSCAN
	hs_error_t	rc;
	size_t		i;

	if (h == NULL || !h->finished || h->n == 0)
		return (0);
	if (len > 0xffffffffU)
		return (-1);
	if (h->scratch == NULL) {
		/* after a fork, in the process that scans */
		for (i = 0; i < h->n; i++)
			if (hs_alloc_scratch(h->db[i], &h->scratch) !=
			    HS_SUCCESS) {
				if (h->scratch != NULL)
					hs_free_scratch(h->scratch);
				h->scratch = NULL;
				return (-1);
			}
	}
	h->mark = mark;
	h->gen = gen;
	if (buf == NULL)
		buf = "";
	for (i = 0; i < h->n; i++) {
		h->cur = h->ids[i];
		rc = hs_scan(h->db[i], buf, (unsigned int)len, 0, h->scratch,
		    hs_on_match, h);
		if (rc != HS_SUCCESS && rc != HS_SCAN_TERMINATED)
			return (-1);
	}
	return (0);
#else
	(void)h;
	(void)buf;
	(void)len;
	(void)mark;
	(void)gen;
	return (0);
#endif
}

void
sa_hs_free(struct sa_hs *h)
{
#ifdef MX_HAVE_HYPERSCAN
	size_t	i;
#endif

	if (h == NULL)
		return;
#ifdef MX_HAVE_HYPERSCAN
	if (h->scratch != NULL)
		hs_free_scratch(h->scratch);
	for (i = 0; i < h->n; i++)
		hs_free_database(h->db[i]);
	free(h->db);
#endif
	free(h->ids);
	free(h);
}
