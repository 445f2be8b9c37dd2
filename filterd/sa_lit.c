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
 * The scan's prefilter: from a PCRE2 pattern, a set of literals one of
 * which every match must contain (compared without ASCII case), so a
 * rule whose literals are all absent from a message's text need not
 * run its regex on any line of it.
 *
 * A recursive walk over the pattern: a sequence's literal runs (an atom
 * made optional by ?, *, {0,...} leaves the run; +, {n,...} ends it),
 * a group's alternatives each giving a set (the union), lookarounds,
 * classes, anchors and escapes like \b \d breaking runs.  Anything it
 * does not know (/x, \Q, conditionals, verbs) gives no literal: the
 * rule always runs.  The best set is the one whose shortest literal is
 * longest; shorter than SA_LIT_MIN: none.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "sa_priv.h"
#include "xmalloc.h"

#define SA_LIT_MIN	3
#define SA_LIT_MAXSET	16
#define SA_LIT_MAXLEN	64

struct lset {
	int	 none;			/* no requirement */
	size_t	 n;
	char	 v[SA_LIT_MAXSET][SA_LIT_MAXLEN + 1];
};

struct lp {
	const char	*s;
	size_t		 i, len;
	int		 fail;		/* unknown syntax: no literal */
};

static void	alt(struct lp *, struct lset *);

static size_t
minlen(const struct lset *a)
{
	size_t	i, m = (size_t)-1;

	if (a->none || a->n == 0)
		return (0);
	for (i = 0; i < a->n; i++)
		if (strlen(a->v[i]) < m)
			m = strlen(a->v[i]);
	return (m);
}

static void
better(struct lset *best, const struct lset *c)
{
	size_t	mb = minlen(best), mc = minlen(c);

	if (mc > mb || (mc == mb && mc > 0 && c->n < best->n))
		*best = *c;
}

static void
run_done(struct lset *best, char *run, size_t *rl)
{
	struct lset	c;

	if (*rl > 0) {
		memset(&c, 0, sizeof(c));
		c.n = 1;
		memcpy(c.v[0], run, *rl);
		c.v[0][*rl] = '\0';
		better(best, &c);
	}
	*rl = 0;
}

/* a quantifier at p->i: its minimum (1 if none); advances */
static int
quant(struct lp *p)
{
	const char	*s = p->s;
	size_t		 j;
	int		 min = 1;

	if (p->i >= p->len)
		return (1);
	switch (s[p->i]) {
	case '?':
	case '*':
		min = 0;
		p->i++;
		break;
	case '+':
		min = 1;
		p->i++;
		break;
	case '{':
		j = p->i + 1;
		if (j >= p->len || !isdigit((unsigned char)s[j]))
			return (1);	/* a literal { */
		min = 0;
		while (j < p->len && isdigit((unsigned char)s[j]))
			min = min * 10 + (s[j++] - '0');
		if (j < p->len && s[j] == ',') {
			j++;
			while (j < p->len && isdigit((unsigned char)s[j]))
				j++;
		}
		if (j >= p->len || s[j] != '}')
			return (1);
		p->i = j + 1;
		return (min > 0 ? 2 : 0);
	default:
		return (1);
	}
	if (p->i < p->len && (s[p->i] == '?' || s[p->i] == '+'))
		p->i++;
	return (min == 0 ? 0 : 2);
}

static void
skip_class(struct lp *p)
{
	const char	*s = p->s;

	p->i++;			/* [ */
	if (p->i < p->len && s[p->i] == '^')
		p->i++;
	if (p->i < p->len && s[p->i] == ']')
		p->i++;
	while (p->i < p->len && s[p->i] != ']') {
		if (s[p->i] == '\\')
			p->i++;
		else if (s[p->i] == '[' && p->i + 1 < p->len &&
		    s[p->i + 1] == ':') {
			const char *e = strstr(s + p->i + 2, ":]");

			if (e != NULL)
				p->i = e - s + 1;
		}
		p->i++;
	}
	if (p->i >= p->len)
		p->fail = 1;
	else
		p->i++;
}

/* a sequence up to | or ) or the end */
static void
seq(struct lp *p, struct lset *best)
{
	const char	*s = p->s;
	char		 run[SA_LIT_MAXLEN + 1];
	size_t		 rl = 0, k;
	int		 c, q, lit;
	struct lset	 g;

	memset(best, 0, sizeof(*best));
	best->none = 1;
	while (p->i < p->len && !p->fail && s[p->i] != '|' && s[p->i] != ')') {
		c = (unsigned char)s[p->i];
		lit = -1;
		if (c == '(') {
			run_done(best, run, &rl);
			p->i++;
			if (p->i < p->len && s[p->i] == '?') {
				p->i++;
				if (p->i >= p->len) {
					p->fail = 1;
					return;
				}
				c = s[p->i];
				if (c == '#') {
					while (p->i < p->len && s[p->i] != ')')
						p->i++;
					p->i++;
					continue;
				}
				if (c == '=' || c == '!' || (c == '<' &&
				    p->i + 1 < p->len && (s[p->i + 1] == '=' ||
				    s[p->i + 1] == '!'))) {
					/* lookaround: zero width */
					alt(p, &g);
					if (p->i >= p->len) {
						p->fail = 1;
						return;
					}
					p->i++;
					(void)quant(p);
					continue;
				}
				if (c == '(' || c == 'R' || c == '&' ||
				    c == 'C' || isdigit(c)) {
					p->fail = 1;
					return;
				}
				if (c == '<' || c == '\'' || c == 'P') {
					while (p->i < p->len &&
					    s[p->i] != '>' && s[p->i] != '\'')
						p->i++;
					p->i++;
				} else if (c == ':' || c == '>' || c == '|')
					p->i++;
				else {
					/* flags: (?i) or (?i:...) */
					k = p->i;
					while (p->i < p->len && (isalpha(
					    (unsigned char)s[p->i]) ||
					    s[p->i] == '-' || s[p->i] == '^'))
						p->i++;
					if (memchr(s + k, 'x', p->i - k) !=
					    NULL || p->i >= p->len) {
						p->fail = 1;
						return;
					}
					if (s[p->i] == ')') {
						p->i++;
						continue;
					}
					if (s[p->i] != ':') {
						p->fail = 1;
						return;
					}
					p->i++;
				}
			} else if (p->i < p->len && s[p->i] == '*') {
				p->fail = 1;
				return;
			}
			alt(p, &g);
			if (p->fail || p->i >= p->len) {
				p->fail = 1;
				return;
			}
			p->i++;		/* ) */
			if (quant(p) != 0)
				better(best, &g);
			continue;
		}
		if (c == '[') {
			run_done(best, run, &rl);
			skip_class(p);
			(void)quant(p);
			continue;
		}
		if (c == '.' || c == '^' || c == '$') {
			run_done(best, run, &rl);
			p->i++;
			(void)quant(p);
			continue;
		}
		if (c == '\\') {
			p->i++;
			if (p->i >= p->len) {
				p->fail = 1;
				return;
			}
			c = (unsigned char)s[p->i++];
			if (strchr("bBAzZGdDwWsShHvVRNX", c) != NULL ||
			    isdigit(c) || c == 'g' || c == 'k' || c == 'p' ||
			    c == 'P') {
				if (c == 'p' || c == 'P' || c == 'g' ||
				    c == 'k') {
					p->fail = 1;
					return;
				}
				run_done(best, run, &rl);
				(void)quant(p);
				continue;
			}
			if (c == 'x') {
				char	 h[3] = { 0, 0, 0 };

				if (p->i < p->len && s[p->i] == '{') {
					p->fail = 1;
					return;
				}
				for (k = 0; k < 2 && p->i < p->len &&
				    isxdigit((unsigned char)s[p->i]); k++)
					h[k] = s[p->i++];
				lit = (int)strtol(h, NULL, 16);
			} else if (c == 'n')
				lit = '\n';
			else if (c == 't')
				lit = '\t';
			else if (c == 'r')
				lit = '\r';
			else if (c == 'f')
				lit = '\f';
			else if (c == 'e')
				lit = 033;
			else if (c == 'a')
				lit = 007;
			else if (isalnum(c)) {
				p->fail = 1;
				return;
			} else
				lit = c;
		} else {
			if (c == '*' || c == '+' || c == '?') {
				p->fail = 1;	/* a quantifier alone */
				return;
			}
			lit = c;
			p->i++;
		}
		/* a literal character, maybe quantified */
		q = quant(p);
		if (q == 0) {
			run_done(best, run, &rl);
			continue;
		}
		if (rl < SA_LIT_MAXLEN)
			run[rl++] = tolower(lit & 0xff);
		if (q != 1)
			run_done(best, run, &rl);
		else if (rl == SA_LIT_MAXLEN)
			run_done(best, run, &rl);
	}
	run_done(best, run, &rl);
}

/* alternatives up to ) or the end: the union of the branches' sets */
static void
alt(struct lp *p, struct lset *out)
{
	struct lset	b;
	size_t		i;
	int		first = 1;

	memset(out, 0, sizeof(*out));
	for (;;) {
		seq(p, &b);
		if (p->fail)
			return;
		if (first)
			*out = b;
		else if (!out->none) {
			if (b.none || out->n + b.n > SA_LIT_MAXSET)
				out->none = 1;
			else
				for (i = 0; i < b.n; i++)
					memcpy(out->v[out->n++], b.v[i],
					    sizeof(b.v[i]));
		}
		first = 0;
		if (p->i < p->len && p->s[p->i] == '|') {
			p->i++;
			continue;
		}
		return;
	}
}

/*
 * The literals (lower case, malloc'd, NULL-terminated) one of which
 * every match of the pattern contains; NULL if there are none.
 */
char **
sa_lit_extract(const char *pat)
{
	struct lp	 p;
	struct lset	 r;
	char		**v;
	size_t		 i;

	memset(&p, 0, sizeof(p));
	p.s = pat;
	p.len = strlen(pat);
	alt(&p, &r);
	if (p.fail || p.i != p.len || r.none || minlen(&r) < SA_LIT_MIN)
		return (NULL);
	v = xcalloc(r.n + 1, sizeof(*v));
	for (i = 0; i < r.n; i++)
		v[i] = xstrdup(r.v[i]);
	return (v);
}

void
sa_lit_free(char **v)
{
	size_t	i;

	for (i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

/*
 * Aho-Corasick over every rule's literals: one pass over a text marks
 * the literals it contains (seen[id] = gen), instead of one memmem per
 * literal.  A dense automaton (256 transitions per state).
 */
struct sa_ac {
	int32_t		*delta;		/* state * 256 + byte */
	int32_t		*out;		/* literal id ending here, or -1 */
	int32_t		*dict;		/* next state with an output */
	size_t		 nstates, cap;
	size_t		 nlits;
};

static int32_t
ac_new_state(struct sa_ac *a)
{
	size_t	i;

	if (a->nstates == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 1024;
		a->delta = xreallocarray(a->delta, a->cap, 256 *
		    sizeof(*a->delta));
		a->out = xreallocarray(a->out, a->cap, sizeof(*a->out));
		a->dict = xreallocarray(a->dict, a->cap, sizeof(*a->dict));
	}
	for (i = 0; i < 256; i++)
		a->delta[a->nstates * 256 + i] = -1;
	a->out[a->nstates] = -1;
	a->dict[a->nstates] = -1;
	return ((int32_t)a->nstates++);
}

struct sa_ac *
sa_ac_new(void)
{
	struct sa_ac	*a = xcalloc(1, sizeof(*a));

	(void)ac_new_state(a);
	return (a);
}

/* Adds a literal; its id (the same id for the same literal). */
int
sa_ac_add(struct sa_ac *a, const char *lit, size_t len)
{
	int32_t	s = 0, t;
	size_t	i;

	for (i = 0; i < len; i++) {
		t = a->delta[(size_t)s * 256 + (unsigned char)lit[i]];
		if (t == -1) {
			t = ac_new_state(a);
			a->delta[(size_t)s * 256 + (unsigned char)lit[i]] = t;
		}
		s = t;
	}
	if (a->out[s] == -1)
		a->out[s] = (int32_t)a->nlits++;
	return (a->out[s]);
}

/* Failure links folded into the transitions (breadth first). */
void
sa_ac_finish(struct sa_ac *a)
{
	int32_t	*fail, *queue, s, t, f;
	size_t	 qh = 0, qt = 0, c;

	fail = xcalloc(a->nstates, sizeof(*fail));
	queue = xcalloc(a->nstates, sizeof(*queue));
	for (c = 0; c < 256; c++) {
		t = a->delta[c];
		if (t == -1)
			a->delta[c] = 0;
		else {
			fail[t] = 0;
			queue[qt++] = t;
		}
	}
	while (qh < qt) {
		s = queue[qh++];
		f = fail[s];
		a->dict[s] = a->out[f] != -1 ? f : a->dict[f];
		for (c = 0; c < 256; c++) {
			t = a->delta[(size_t)s * 256 + c];
			if (t == -1)
				a->delta[(size_t)s * 256 + c] =
				    a->delta[(size_t)f * 256 + c];
			else {
				fail[t] = a->delta[(size_t)f * 256 + c];
				queue[qt++] = t;
			}
		}
	}
	free(fail);
	free(queue);
}

size_t
sa_ac_nlits(const struct sa_ac *a)
{
	return (a->nlits);
}

/* Marks seen[id] = gen for every literal occurring in s. */
void
sa_ac_scan(const struct sa_ac *a, const char *s, size_t n, uint32_t *seen,
    uint32_t gen)
{
	const int32_t	*d = a->delta;
	int32_t		 st = 0, o;
	size_t		 i;

	for (i = 0; i < n; i++) {
		st = d[(size_t)st * 256 + (unsigned char)s[i]];
		for (o = a->out[st] != -1 ? st : a->dict[st]; o != -1;
		    o = a->dict[o]) {
			if (seen[a->out[o]] == gen)
				break;	/* it and its suffixes: marked */
			seen[a->out[o]] = gen;
		}
	}
}

void
sa_ac_free(struct sa_ac *a)
{
	if (a == NULL)
		return;
	free(a->delta);
	free(a->out);
	free(a->dict);
	free(a);
}
