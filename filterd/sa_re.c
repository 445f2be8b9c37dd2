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
 * SpamAssassin regexes to PCRE2.
 *
 * sa_re_strip() is Util::compile_regexp's front half: it takes `/re/flags`,
 * `m{re}flags`, `m!re!flags` ... apart and gives "(?flags)re", the form
 * SpamAssassin keeps (and ReplaceTags rewrites).  sa_re_to_pcre() turns
 * that into a PCRE2 pattern: SpamAssassin compiles every rule with /aa
 * (ASCII \d \w \s \b); PCRE2 in 8-bit mode without UCP means the same, so
 * the charset flags (a, aa, u, l, d) are dropped from inline flag groups,
 * as are the flags PCRE2 lacks and Perl ignores in a pattern (p o g c).
 * sa_re_compile() compiles it (and JIT-compiles it when it can).
 * sa_re_compile_split() handles the few ReplaceTags patterns too large for
 * PCRE2's compiled-size limit (link size 2): it splits the largest
 * non-capturing alternation group into two halves, each a pattern of its
 * own, until every piece compiles; the rule matches if any piece does,
 * which for a yes/no match is the same thing.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "log.h"
#include "xmalloc.h"
#include "sa_conf.h"

#define SA_RE_MAXPIECES	64

static size_t	re_class_end(const char *, size_t, size_t);
static size_t	re_group_end(const char *, size_t, size_t);
static int	re_split(const char *, char **, char **);
static int	re_subroutine(const char *, char **);
static int	re_has_refs(const char *);
static size_t	re_bars(const char *, size_t, size_t, size_t, size_t *);
static void	re_best(const char *, size_t, size_t, size_t, size_t *,
		    size_t *);
static int	re_compile_into(struct sa_re *, const char *, int, int,
		    char *, size_t);
static void	*re_compile_one(const char *, int *, char *, size_t);

char *
sa_re_strip(const char *text, int strip, char *err, size_t errlen)
{
	const char	*p = text, *mods, *e;
	char		 delim = '\0', *re, *out;
	size_t		 len, i, n;

	if (strip) {
		if (*p == '/') {
			delim = '/';
			p++;
		} else if (*p == 'm' || (p[0] == 'q' && p[1] == 'r')) {
			p += (*p == 'm') ? 1 : 2;
			switch (*p) {
			case '{': delim = '}'; break;
			case '(': delim = ')'; break;
			case '<': delim = '>'; break;
			case '[': delim = ']'; break;
			default:
				if (*p == '\0' || *p == '_' ||
				    (*p >= '0' && *p <= '9') ||
				    (*p >= 'a' && *p <= 'z') ||
				    (*p >= 'A' && *p <= 'Z')) {
					snprintf(err, errlen,
					    "missing regexp delimiters");
					return NULL;
				}
				if (*p == '\\') {
					snprintf(err, errlen, "backslash "
					    "delimiter not allowed");
					return NULL;
				}
				delim = *p;
			}
			p++;
		} else {
			snprintf(err, errlen, "missing regexp delimiters");
			return NULL;
		}
	}
	len = strlen(p);
	mods = p + len;
	if (delim != '\0') {
		/* the delimiter, then [a-df-z]* to the end */
		e = p + len;
		while (e > p && e[-1] >= 'a' && e[-1] <= 'z' && e[-1] != 'e')
			e--;
		if (e == p || e[-1] != delim) {
			snprintf(err, errlen, "invalid end delimiter/mods");
			return NULL;
		}
		mods = e;
		len = (size_t)(e - 1 - p);
	}
	re = xstrndup(p, len);
	if (strstr(re, "(?{") != NULL || strstr(re, "(??{") != NULL) {
		snprintf(err, errlen, "eval (?{}) found");
		free(re);
		return NULL;
	}
	if (delim != '\0' && delim != '}' && delim != ')' && delim != ']') {
		/* an unescaped delimiter, once the "\\" pairs are gone */
		char	*d = xmalloc(strlen(re) + 1);
		size_t	 o = 0;

		for (i = 0; re[i] != '\0'; i++) {
			if (re[i] == '\\' && re[i + 1] == '\\') {
				i++;
				continue;
			}
			d[o++] = re[i];
		}
		d[o] = '\0';
		for (i = 0; i < o; i++)
			if (d[i] == delim && (i == 0 || d[i - 1] != '\\')) {
				snprintf(err, errlen,
				    "unquoted delimiter '%c' found", delim);
				free(d);
				free(re);
				return NULL;
			}
		free(d);
	}
	n = strlen(mods);
	if (n > 0) {
		if (xasprintf(&out, "(?%s)%s", mods, re) == -1)
			fatalx("%s: asprintf", __func__);
		free(re);
		return out;
	}
	return re;
}

/* index just past the ']' closing the class opened at s[i] == '[' */
static size_t
re_class_end(const char *s, size_t len, size_t i)
{
	i++;
	if (i < len && s[i] == '^')
		i++;
	if (i < len && s[i] == ']')
		i++;
	while (i < len && s[i] != ']') {
		if (s[i] == '\\' && i + 1 < len)
			i += 2;
		else if (s[i] == '[' && i + 1 < len && s[i + 1] == ':') {
			const char *c = memchr(s + i + 2, ']', len - i - 2);

			if (c != NULL && c[-1] == ':')
				i = (size_t)(c - s) + 1;
			else
				i++;
		} else
			i++;
	}
	return i < len ? i + 1 : len;
}

/* index of the ')' closing the group opened at s[i] == '(', or len */
static size_t
re_group_end(const char *s, size_t len, size_t i)
{
	int	depth = 0;

	for (; i < len; i++) {
		if (s[i] == '\\') {
			if (i + 1 < len && s[i + 1] == 'Q') {
				const char *e = strstr(s + i + 2, "\\E");

				i = e != NULL ? (size_t)(e - s) + 1 : len;
			} else
				i++;
		} else if (s[i] == '[')
			i = re_class_end(s, len, i) - 1;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i;
	}
	return len;
}

char *
sa_re_to_pcre(const char *sa, char *err, size_t errlen)
{
	size_t	 len = strlen(sa), i, j, o = 0;
	char	*out = xmalloc(len + 1);

	for (i = 0; i < len; i++) {
		if (sa[i] == '\\' && i + 1 < len) {
			if (sa[i + 1] == 'Q') {
				const char *e = strstr(sa + i + 2, "\\E");
				size_t end = e != NULL ?
				    (size_t)(e - sa) + 2 : len;

				memcpy(out + o, sa + i, end - i);
				o += end - i;
				i = end - 1;
				continue;
			}
			out[o++] = sa[i++];
			out[o++] = sa[i];
			continue;
		}
		if (sa[i] == '[') {
			j = re_class_end(sa, len, i);
			memcpy(out + o, sa + i, j - i);
			o += j - i;
			i = j - 1;
			continue;
		}
		if (sa[i] == '(' && i + 1 < len && sa[i + 1] == '?') {
			size_t	 k = i + 2, start = o;
			int	 keep = 0;

			while (k < len && ((sa[k] >= 'a' && sa[k] <= 'z') ||
			    (sa[k] >= 'A' && sa[k] <= 'Z') || sa[k] == '^' ||
			    sa[k] == '-'))
				k++;
			if (k < len && (sa[k] == ':' || sa[k] == ')') &&
			    k > i + 2) {
				out[o++] = '(';
				out[o++] = '?';
				for (j = i + 2; j < k; j++) {
					if (strchr("aulpogcd", sa[j]) != NULL)
						continue;
					out[o++] = sa[j];
					if (sa[j] != '-')
						keep = 1;
				}
				if (!keep && sa[k] == ')') {
					/* (?aa) alone: nothing left */
					o = start;
					i = k;
					continue;
				}
				if (!keep && out[o - 1] == '-')
					o--;
				out[o++] = sa[k];
				i = k;
				continue;
			}
		}
		out[o++] = sa[i];
	}
	out[o] = '\0';
	(void)err;
	(void)errlen;
	return out;
}

static void *
re_compile_one(const char *pat, int *errcode, char *err, size_t errlen)
{
	pcre2_code	*code;
	PCRE2_SIZE	 off;
	PCRE2_UCHAR	 msg[256];

	code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0,
	    errcode, &off, NULL);
	if (code == NULL) {
		pcre2_get_error_message(*errcode, msg, sizeof(msg));
		snprintf(err, errlen, "%s at offset %zu", (char *)msg,
		    (size_t)off);
	}
	return code;
}

struct sa_re *
sa_re_compile(const char *pat, char *err, size_t errlen)
{
	struct sa_re	*re = xcalloc(1, sizeof(*re));

	if (re_compile_into(re, pat, 0, 0, err, errlen) == -1) {
		sa_re_free(re);
		return NULL;
	}
	return re;
}

struct sa_re *
sa_re_compile_split(const char *pat, char *err, size_t errlen)
{
	struct sa_re	*re = xcalloc(1, sizeof(*re));

	if (re_compile_into(re, pat, 1, 0, err, errlen) == -1) {
		sa_re_free(re);
		return NULL;
	}
	return re;
}

static int
re_compile_into(struct sa_re *re, const char *pat, int split, int depth,
    char *err, size_t errlen)
{
	pcre2_code	*code;
	char		*a, *b;
	int		 errcode, rc;

	code = re_compile_one(pat, &errcode, err, errlen);
	if (code == NULL) {
		if (!split || errcode != PCRE2_ERROR_PATTERN_TOO_LARGE ||
		    depth > 12)
			return -1;
		if (re_split(pat, &a, &b) == -1) {
			if (re_subroutine(pat, &a) == -1)
				return -1;
			rc = re_compile_into(re, a, split, depth + 1, err,
			    errlen);
			free(a);
			return rc;
		}
		rc = re_compile_into(re, a, split, depth + 1, err, errlen);
		if (rc == 0)
			rc = re_compile_into(re, b, split, depth + 1, err,
			    errlen);
		free(a);
		free(b);
		return rc;
	}
	if (re->ncodes >= SA_RE_MAXPIECES) {
		pcre2_code_free(code);
		snprintf(err, errlen, "too many pieces after splitting");
		return -1;
	}
	re->codes = xreallocarray(re->codes, re->ncodes + 1,
	    sizeof(*re->codes));
	re->codes[re->ncodes++] = code;
	re->jit = pcre2_jit_compile(code, PCRE2_JIT_COMPLETE) == 0 &&
	    (re->ncodes == 1 || re->jit);
	return 0;
}

/* backreferences or subroutine calls: group numbers must not move */
static int
re_has_refs(const char *s)
{
	size_t	i, len = strlen(s);

	for (i = 0; i + 1 < len; i++) {
		if (s[i] == '\\' && ((s[i + 1] >= '1' && s[i + 1] <= '9') ||
		    s[i + 1] == 'g' || s[i + 1] == 'k'))
			return 1;
		if (s[i] == '(' && s[i + 1] == '?' && i + 2 < len &&
		    strchr("0123456789+-&RP", s[i + 2]) != NULL &&
		    !(s[i + 2] == 'P' && s[i + 3] == '<'))
			return 1;
		if (s[i] == '\\')
			i++;
	}
	return 0;
}

/*
 * The other way to make a pattern smaller: a large group under a
 * counted quantifier, (?:X){5}, is compiled five times over; (X)(?N){4}
 * calls it instead (PCRE2 10.30+ backtracks into subroutine calls as
 * Perl does into the repeated group).  The largest such group is
 * rewritten; the new capturing group gets the number its place gives.
 */
static int
re_subroutine(const char *s, char **out)
{
	size_t	 len = strlen(s), i, j, stack[256], depth = 0;
	size_t	 bo = 0, bc = 0, bqe = 0, blen = 0, caps = 0, bnum = 0;
	size_t	 capat[256];
	long	 bm = 0, bn = 0;
	int	 bplain = 0;

	if (re_has_refs(s))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\') {
			if (s[i + 1] == 'Q') {
				const char *e = strstr(s + i + 2, "\\E");

				i = e != NULL ? (size_t)(e - s) + 1 : len;
			} else
				i++;
			continue;
		}
		if (s[i] == '[') {
			i = re_class_end(s, len, i) - 1;
			continue;
		}
		if (s[i] == '(') {
			if (depth >= nitems(stack))
				return -1;
			capat[depth] = caps;
			stack[depth++] = i;
			if (s[i + 1] != '?' || (s[i + 2] == '<' &&
			    s[i + 3] != '=' && s[i + 3] != '!') ||
			    s[i + 2] == '\'' || (s[i + 2] == 'P' &&
			    s[i + 3] == '<'))
				caps++;
			continue;
		}
		if (s[i] != ')' || depth == 0)
			continue;
		j = stack[--depth];
		{
			const char	*q = s + i + 1;
			char		*e;
			long		 m, n = -1;
			int		 plain = s[j + 1] != '?';

			if (!plain && s[j + 2] != ':')
				continue;
			if (*q == '+') {
				m = 1;
				n = -1;
				q++;
			} else if (*q == '{' && q[1] >= '0' && q[1] <= '9') {
				m = strtol(q + 1, &e, 10);
				if (*e == '}')
					n = m;
				else if (*e == ',' && e[1] == '}') {
					n = -1;
					e++;
				} else if (*e == ',' && e[1] >= '0' &&
				    e[1] <= '9') {
					n = strtol(e + 1, &e, 10);
					if (*e != '}')
						continue;
				} else
					continue;
				q = e + 1;
			} else
				continue;
			if (*q == '+' || m < 1 || m > 1000 || (n != -1 &&
			    n < m))
				continue;
			if (i - j > blen) {
				blen = i - j;
				bo = j;
				bc = i;
				bqe = (size_t)(q - s);
				bm = m;
				bn = n;
				bplain = plain;
				bnum = capat[depth] + 1;
			}
		}
	}
	if (blen == 0)
		return -1;
	{
		char	 quant[64];
		size_t	 body = bo + (bplain ? 1 : 3);

		if (bn == -1)
			snprintf(quant, sizeof(quant), "{%ld,}", bm - 1);
		else
			snprintf(quant, sizeof(quant), "{%ld,%ld}", bm - 1,
			    bn - 1);
		if (xasprintf(out, "%.*s(%.*s)(?%zu)%s%s", (int)bo, s,
		    (int)(bc - body), s + body, bnum, quant, s + bqe) == -1)
			fatalx("%s: asprintf", __func__);
	}
	return 0;
}

/* the top-level '|' of s[lo..hi): count, and the middle one's index */
static size_t
re_bars(const char *s, size_t len, size_t lo, size_t hi, size_t *mid)
{
	size_t	i, n = 0, pos[4096];

	for (i = lo; i < hi; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '[') {
			i = re_class_end(s, len, i) - 1;
			continue;
		}
		if (s[i] == '(') {
			i = re_group_end(s, len, i);
			continue;
		}
		if (s[i] == '|' && n < nitems(pos))
			pos[n++] = i;
	}
	if (n > 0)
		*mid = pos[(n - 1) / 2];
	return n;
}

/*
 * The largest alternation group in s[lo..hi) that is not under a
 * quantifier or inside a lookaround: plain and (?:...) groups are
 * looked into, the others are left alone.
 */
static void
re_best(const char *s, size_t len, size_t lo, size_t hi, size_t *blo,
    size_t *bhi)
{
	size_t	i, j, in, mid;

	for (i = lo; i < hi; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '[') {
			i = re_class_end(s, len, i) - 1;
			continue;
		}
		if (s[i] != '(')
			continue;
		j = re_group_end(s, len, i);
		if (j >= len)
			return;
		if (s[i + 1] != '?')
			in = i + 1;
		else if (s[i + 2] == ':')
			in = i + 3;
		else {
			i = j;
			continue;
		}
		if (j + 1 < len && strchr("*+?{", s[j + 1]) != NULL) {
			i = j;
			continue;
		}
		if (re_bars(s, len, in, j, &mid) > 0 &&
		    j - in > *bhi - *blo) {
			*blo = in;
			*bhi = j;
		}
		re_best(s, len, in, j, blo, bhi);
		i = j;
	}
}

/*
 * Split a pattern in two whose matches together are the original's:
 * the branches of the largest alternation that every match goes
 * through once (the pattern's own, or a group's not under a quantifier
 * or in a lookaround) are halved.  Not with backreferences (the group
 * numbers would move) or /x (comments could hide parentheses).
 */
static int
re_split(const char *s, char **a, char **b)
{
	size_t	 len = strlen(s), j, lo = 0, hi = 0, k, fl = 0;

	if (re_has_refs(s))
		return -1;
	if (strncmp(s, "(?", 2) == 0) {
		j = 2;
		while (j < len && strchr("imsxn^-", s[j]) != NULL)
			j++;
		if (j < len && s[j] == ')' && j > 2) {
			if (memchr(s + 2, 'x', j - 2) != NULL)
				return -1;
			fl = j + 1;
		}
	}
	if (re_bars(s, len, 0, len, &k) > 0) {
		/* the pattern's own alternation: flags go to both halves */
		if (fl > k)
			return -1;
		*a = xstrndup(s, k);
		if (xasprintf(b, "%.*s%s", (int)fl, s, s + k + 1) == -1)
			fatalx("%s: asprintf", __func__);
		return 0;
	}
	re_best(s, len, 0, len, &lo, &hi);
	if (hi == lo || re_bars(s, len, lo, hi, &k) == 0)
		return -1;
	if (xasprintf(a, "%.*s%s", (int)k, s, s + hi) == -1 ||
	    xasprintf(b, "%.*s%s", (int)lo, s, s + k + 1) == -1)
		fatalx("%s: asprintf", __func__);
	return 0;
}

void
sa_re_free(struct sa_re *re)
{
	size_t	i;

	if (re == NULL)
		return;
	for (i = 0; i < re->ncodes; i++)
		pcre2_code_free(re->codes[i]);
	free(re->codes);
	free(re);
}

/* 1 if any piece matches, 0 if none, -1 on a matching error */
int
sa_re_match(const struct sa_re *re, const char *s, size_t len)
{
	pcre2_match_data	*md;
	size_t			 i;
	int			 rc, any = 0;

	for (i = 0; i < re->ncodes && !any; i++) {
		md = pcre2_match_data_create_from_pattern(re->codes[i], NULL);
		if (md == NULL)
			fatalx("%s: out of memory", __func__);
		rc = pcre2_match(re->codes[i], (PCRE2_SPTR)s, len, 0, 0, md,
		    NULL);
		pcre2_match_data_free(md);
		if (rc >= 0)
			any = 1;
		else if (rc != PCRE2_ERROR_NOMATCH)
			return -1;
	}
	return any;
}
