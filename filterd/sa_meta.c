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
 * Meta expressions and `if` conditions.  SpamAssassin cuts both into
 * tokens with one regex (Constants.pm ARITH_EXPRESSION_LEXER; characters
 * it does not match are dropped), joins them with spaces and lets Perl
 * evaluate the result.  Here the same tokens go through a parser with
 * Perl's (5.36) precedence, comparisons chaining as in Perl 5.32+:
 *	?:  <  ||  <  &&  <  ^  <  == !=  <  < > <= >=  <  + -  <  * /
 *	<  unary ! - +
 * and evaluation keeps Perl's values: && and || give the operand that
 * decided, comparisons and ! give 1 or 0, a rule is worth its hit count.
 */

#include <sys/types.h>

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"
#include "sa_conf.h"

enum mtok { T_END, T_NUM, T_NAME, T_STR, T_LP, T_RP, T_OR, T_AND, T_XOR,
	T_NOT, T_GT, T_GE, T_LT, T_LE, T_EQ, T_NE, T_ADD, T_SUB, T_MUL,
	T_DIV, T_QUEST, T_COLON };

struct mtoken {
	enum mtok	 t;
	double		 num;
	char		*s;
};

struct mparser {
	struct mtoken	*tok;
	size_t		 ntok, pos;
	int		 mode;
	char		*err;
	size_t		 errlen;
	int		 failed;
	int		 depth;
};

static int	 lex(const char *, int, struct mtoken **, size_t *, char *,
		    size_t);
static void	 addtok(struct mtoken **, size_t *, enum mtok, double,
		    const char *, size_t);
static struct sa_mnode *node(enum sa_mop, struct sa_mnode *,
		    struct sa_mnode *);
static struct sa_mnode *p_cond(struct mparser *);
static struct sa_mnode *p_or(struct mparser *);
static struct sa_mnode *p_and(struct mparser *);
static struct sa_mnode *p_xor(struct mparser *);
static struct sa_mnode *p_eq(struct mparser *);
static struct sa_mnode *p_rel(struct mparser *);
static struct sa_mnode *p_add(struct mparser *);
static struct sa_mnode *p_mul(struct mparser *);
static struct sa_mnode *p_unary(struct mparser *);
static struct sa_mnode *p_primary(struct mparser *);
static void	 fail(struct mparser *, const char *);
static struct sa_mnode *copy_node(const struct sa_mnode *);
static struct sa_mnode *chain(struct sa_mnode *, struct sa_mnode **,
		    enum sa_mop, struct sa_mnode *);
static void	 collect_deps(struct sa_meta *, const struct sa_mnode *);

static void
addtok(struct mtoken **v, size_t *n, enum mtok t, double num,
    const char *s, size_t len)
{
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].t = t;
	(*v)[*n].num = num;
	(*v)[*n].s = s != NULL ? xstrndup(s, len) : NULL;
	(*n)++;
}

static int
isw(int c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* SpamAssassin's lexer, then numbers split into signs and literals */
static int
lex(const char *s, int mode, struct mtoken **tok, size_t *ntok, char *err,
    size_t errlen)
{
	size_t	i = 0, j, k, len = strlen(s);

	while (i < len) {
		char c = s[i];

		if (c == '-' || c == '+' || c == '.' ||
		    isdigit((unsigned char)c)) {
			j = i;
			while (j < len && (s[j] == '-' || s[j] == '+' ||
			    s[j] == '.' || isdigit((unsigned char)s[j])))
				j++;
			/* "-1+2.5" : signs are operators, the rest literals */
			for (k = i; k < j;) {
				if (s[k] == '-' || s[k] == '+') {
					addtok(tok, ntok, s[k] == '-' ?
					    T_SUB : T_ADD, 0, NULL, 0);
					k++;
					continue;
				}
				{
					size_t	 m = k;
					int	 dots = 0, digits = 0;
					char	 buf[64];

					while (m < j && (s[m] == '.' ||
					    isdigit((unsigned char)s[m]))) {
						if (s[m] == '.')
							dots++;
						else
							digits++;
						m++;
					}
					if (dots > 1 || digits == 0 ||
					    m - k >= sizeof(buf)) {
						snprintf(err, errlen,
						    "bad number '%.*s'",
						    (int)(j - i), s + i);
						return -1;
					}
					memcpy(buf, s + k, m - k);
					buf[m - k] = '\0';
					addtok(tok, ntok, T_NUM,
					    strtod(buf, NULL), NULL, 0);
					k = m;
				}
			}
			i = j;
			continue;
		}
		if (isw(c)) {
			j = i + 1;
			while (j < len && (isw(s[j]) || s[j] == ':'))
				j++;
			addtok(tok, ntok, T_NAME, 0, s + i, j - i);
			i = j;
			continue;
		}
		if (mode == SA_MP_IF && c == '\'') {
			/* not from SA's lexer: our own quoting is never used */
			i++;
			continue;
		}
		switch (c) {
		case '(': addtok(tok, ntok, T_LP, 0, NULL, 0); break;
		case ')': addtok(tok, ntok, T_RP, 0, NULL, 0); break;
		case '^': addtok(tok, ntok, T_XOR, 0, NULL, 0); break;
		case '*': addtok(tok, ntok, T_MUL, 0, NULL, 0); break;
		case '/': addtok(tok, ntok, T_DIV, 0, NULL, 0); break;
		case '?': addtok(tok, ntok, T_QUEST, 0, NULL, 0); break;
		case ':': addtok(tok, ntok, T_COLON, 0, NULL, 0); break;
		case '|':
			if (s[i + 1] == '|') {
				addtok(tok, ntok, T_OR, 0, NULL, 0);
				i++;
			}
			break;
		case '&':
			if (s[i + 1] == '&') {
				addtok(tok, ntok, T_AND, 0, NULL, 0);
				i++;
			}
			break;
		case '!':
			if (s[i + 1] == '=') {
				addtok(tok, ntok, T_NE, 0, NULL, 0);
				i++;
			} else
				addtok(tok, ntok, T_NOT, 0, NULL, 0);
			break;
		case '>':
			if (s[i + 1] == '=') {
				addtok(tok, ntok, T_GE, 0, NULL, 0);
				i++;
			} else
				addtok(tok, ntok, T_GT, 0, NULL, 0);
			break;
		case '<':
			if (s[i + 1] == '=') {
				addtok(tok, ntok, T_LE, 0, NULL, 0);
				i++;
			} else
				addtok(tok, ntok, T_LT, 0, NULL, 0);
			break;
		case '=':
			if (s[i + 1] == '=') {
				addtok(tok, ntok, T_EQ, 0, NULL, 0);
				i++;
			}
			break;
		default:
			break;		/* SA's lexer skips it */
		}
		i++;
	}
	addtok(tok, ntok, T_END, 0, NULL, 0);
	return 0;
}

static void
fail(struct mparser *p, const char *what)
{
	if (!p->failed)
		snprintf(p->err, p->errlen, "%s", what);
	p->failed = 1;
}

static struct sa_mnode *
node(enum sa_mop op, struct sa_mnode *a, struct sa_mnode *b)
{
	struct sa_mnode	*n = xcalloc(1, sizeof(*n));

	n->op = op;
	n->a = a;
	n->b = b;
	n->idx = SA_NOIDX;
	return n;
}

static enum mtok
peek(struct mparser *p)
{
	return p->tok[p->pos].t;
}

static struct sa_mnode *
p_cond(struct mparser *p)
{
	struct sa_mnode	*c, *n;

	if (++p->depth > 200) {
		fail(p, "expression nested too deeply");
		p->depth--;
		return NULL;
	}
	c = p_or(p);
	if (!p->failed && peek(p) == T_QUEST) {
		p->pos++;
		n = node(SA_M_COND, c, p_cond(p));
		if (!p->failed && peek(p) == T_COLON) {
			p->pos++;
			n->c = p_cond(p);
		} else
			fail(p, "syntax error: '?' without ':'");
		c = n;
	}
	p->depth--;
	return c;
}

static struct sa_mnode *
p_or(struct mparser *p)
{
	struct sa_mnode	*n = p_and(p);

	while (!p->failed && peek(p) == T_OR) {
		p->pos++;
		n = node(SA_M_OR, n, p_and(p));
	}
	return n;
}

static struct sa_mnode *
p_and(struct mparser *p)
{
	struct sa_mnode	*n = p_xor(p);

	while (!p->failed && peek(p) == T_AND) {
		p->pos++;
		n = node(SA_M_AND, n, p_xor(p));
	}
	return n;
}

static struct sa_mnode *
p_xor(struct mparser *p)
{
	struct sa_mnode	*n = p_eq(p);

	while (!p->failed && peek(p) == T_XOR) {
		p->pos++;
		n = node(SA_M_XOR, n, p_eq(p));
	}
	return n;
}

static struct sa_mnode *
copy_node(const struct sa_mnode *n)
{
	struct sa_mnode	*c;

	if (n == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	*c = *n;
	c->name = n->name != NULL ? xstrdup(n->name) : NULL;
	c->a = copy_node(n->a);
	c->b = copy_node(n->b);
	c->c = copy_node(n->c);
	return c;
}

/* Perl 5.32+ chains them: a < b <= c is (a < b) && (b <= c) */
static struct sa_mnode *
chain(struct sa_mnode *n, struct sa_mnode **last, enum sa_mop op,
    struct sa_mnode *rhs)
{
	struct sa_mnode	*cmp;

	if (*last == NULL) {
		cmp = node(op, n, rhs);
		*last = rhs;
		return cmp;
	}
	cmp = node(op, copy_node(*last), rhs);
	*last = rhs;
	return node(SA_M_AND, n, cmp);
}

static struct sa_mnode *
p_eq(struct mparser *p)
{
	struct sa_mnode	*n = p_rel(p), *last = NULL;
	enum mtok	 t;

	while (!p->failed && ((t = peek(p)) == T_EQ || t == T_NE)) {
		p->pos++;
		n = chain(n, &last, t == T_EQ ? SA_M_EQ : SA_M_NE, p_rel(p));
	}
	return n;
}

static struct sa_mnode *
p_rel(struct mparser *p)
{
	struct sa_mnode	*n = p_add(p), *last = NULL;
	enum mtok	 t;
	enum sa_mop	 op;

	while (!p->failed && ((t = peek(p)) == T_LT || t == T_LE ||
	    t == T_GT || t == T_GE)) {
		op = t == T_LT ? SA_M_LT : t == T_LE ? SA_M_LE :
		    t == T_GT ? SA_M_GT : SA_M_GE;
		p->pos++;
		n = chain(n, &last, op, p_add(p));
	}
	return n;
}

static struct sa_mnode *
p_add(struct mparser *p)
{
	struct sa_mnode	*n = p_mul(p);
	enum mtok	 t;

	while (!p->failed && ((t = peek(p)) == T_ADD || t == T_SUB)) {
		p->pos++;
		n = node(t == T_ADD ? SA_M_ADD : SA_M_SUB, n, p_mul(p));
	}
	return n;
}

static struct sa_mnode *
p_mul(struct mparser *p)
{
	struct sa_mnode	*n = p_unary(p);
	enum mtok	 t;

	while (!p->failed && ((t = peek(p)) == T_MUL || t == T_DIV)) {
		p->pos++;
		n = node(t == T_MUL ? SA_M_MUL : SA_M_DIV, n, p_unary(p));
	}
	return n;
}

static struct sa_mnode *
p_unary(struct mparser *p)
{
	struct sa_mnode	*n;
	enum mtok	 t = peek(p);

	if (t == T_NOT || t == T_SUB || t == T_ADD) {
		if (++p->depth > 200) {
			fail(p, "expression nested too deeply");
			p->depth--;
			return NULL;
		}
		p->pos++;
		n = node(t == T_NOT ? SA_M_NOT : t == T_SUB ? SA_M_NEG :
		    SA_M_POS, p_unary(p), NULL);
		p->depth--;
		return n;
	}
	return p_primary(p);
}

static int
meta_is_rulename(const char *s)
{
	size_t	i;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!isw(s[i]))
			return 0;
	return i <= 128;
}

static struct sa_mnode *
p_primary(struct mparser *p)
{
	struct mtoken	*t = &p->tok[p->pos];
	struct sa_mnode	*n;

	switch (t->t) {
	case T_NUM:
		p->pos++;
		n = node(SA_M_NUM, NULL, NULL);
		n->num = t->num;
		return n;
	case T_LP:
		p->pos++;
		n = p_cond(p);
		if (!p->failed && peek(p) != T_RP)
			fail(p, "syntax error: missing ')'");
		else
			p->pos++;
		return n;
	case T_NAME:
		p->pos++;
		if (p->mode == SA_MP_IF) {
			if (strcmp(t->s, "version") == 0) {
				n = node(SA_M_NUM, NULL, NULL);
				n->num = SA_VERSION_NUM;
				return n;
			}
			if (strcmp(t->s, "perl_version") == 0) {
				n = node(SA_M_NUM, NULL, NULL);
				n->num = 5.036000;
				return n;
			}
			if (strcmp(t->s, "plugin") == 0 ||
			    strcmp(t->s, "can") == 0 ||
			    strcmp(t->s, "has") == 0) {
				n = node(SA_M_CALL, NULL, NULL);
				n->name = xstrdup(t->s);
				if (peek(p) == T_LP &&
				    p->tok[p->pos + 1].t == T_NAME &&
				    p->tok[p->pos + 2].t == T_RP) {
					n->a = node(SA_M_STR, NULL, NULL);
					n->a->name =
					    xstrdup(p->tok[p->pos + 1].s);
					p->pos += 3;
				} else if (peek(p) == T_LP &&
				    p->tok[p->pos + 1].t == T_RP)
					p->pos += 2;
				return n;
			}
			if (strcmp(t->s, "local_tests_only") == 0) {
				n = node(SA_M_RULE, NULL, NULL);
				n->name = xstrdup(t->s);
				return n;
			}
			n = node(SA_M_STR, NULL, NULL);
			n->name = xstrdup(t->s);
			return n;
		}
		if (!meta_is_rulename(t->s)) {
			fail(p, "invalid meta token");
			return NULL;
		}
		n = node(SA_M_RULE, NULL, NULL);
		n->name = xstrdup(t->s);
		return n;
	case T_END:
		fail(p, "syntax error at end of expression");
		return NULL;
	default:
		fail(p, "syntax error");
		return NULL;
	}
}

static void
collect_deps(struct sa_meta *m, const struct sa_mnode *n)
{
	size_t	i;

	if (n == NULL)
		return;
	if (n->op == SA_M_RULE && strcmp(n->name, "local_tests_only") != 0) {
		for (i = 0; i < m->ndeps; i++)
			if (strcmp(m->deps[i], n->name) == 0)
				break;
		if (i == m->ndeps) {
			m->deps = xreallocarray(m->deps, m->ndeps + 1,
			    sizeof(*m->deps));
			m->deps[m->ndeps++] = xstrdup(n->name);
		}
	}
	collect_deps(m, n->a);
	collect_deps(m, n->b);
	collect_deps(m, n->c);
}

/*
 * Parse a meta expression (SA_MP_META) or an `if` condition (SA_MP_IF).
 * NULL and a message in err if SpamAssassin would reject it.
 */
struct sa_meta *
sa_meta_parse(const char *expr, int mode, char *err, size_t errlen)
{
	struct mparser	 p;
	struct sa_meta	*m;
	struct mtoken	*tok = NULL;
	size_t		 ntok = 0, i;

	memset(&p, 0, sizeof(p));
	if (mode == SA_MP_META && (strstr(expr, "::") != NULL ||
	    strstr(expr, "->") != NULL || strpbrk(expr, "$@%;{}") != NULL)) {
		snprintf(err, errlen, "invalid meta rule");
		return NULL;
	}
	if (lex(expr, mode, &tok, &ntok, err, errlen) == -1) {
		for (i = 0; i < ntok; i++)
			free(tok[i].s);
		free(tok);
		return NULL;
	}
	m = xcalloc(1, sizeof(*m));
	p.tok = tok;
	p.ntok = ntok;
	p.mode = mode;
	p.err = err;
	p.errlen = errlen;
	/* "()" alone: SA's declaration of a rule that never hits by itself */
	if (!(ntok == 3 && tok[0].t == T_LP && tok[1].t == T_RP)) {
		m->root = p_cond(&p);
		if (!p.failed && peek(&p) != T_END)
			fail(&p, "syntax error: trailing tokens");
	}
	for (i = 0; i < ntok; i++)
		free(tok[i].s);
	free(tok);
	if (p.failed) {
		sa_meta_free(m);
		return NULL;
	}
	collect_deps(m, m->root);
	return m;
}

void
sa_mnode_free(struct sa_mnode *n)
{
	if (n == NULL)
		return;
	sa_mnode_free(n->a);
	sa_mnode_free(n->b);
	sa_mnode_free(n->c);
	free(n->name);
	free(n);
}

void
sa_meta_free(struct sa_meta *m)
{
	size_t	i;

	if (m == NULL)
		return;
	sa_mnode_free(m->root);
	for (i = 0; i < m->ndeps; i++)
		free(m->deps[i]);
	free(m->deps);
	free(m);
}

/*
 * Evaluate with Perl's semantics; val() gives a RULE's (or a CALL's)
 * value.  Division by zero gives 0 (Perl would die in the rule).
 */
double
sa_meta_eval(const struct sa_mnode *n,
    double (*val)(void *, const struct sa_mnode *), void *arg)
{
	double	a, b;

	if (n == NULL)
		return 0;
	switch (n->op) {
	case SA_M_NUM:
		return n->num;
	case SA_M_STR:
		return n->name != NULL && n->name[0] != '\0';
	case SA_M_RULE:
	case SA_M_CALL:
		return val(arg, n);
	case SA_M_NOT:
		return sa_meta_eval(n->a, val, arg) == 0;
	case SA_M_NEG:
		return -sa_meta_eval(n->a, val, arg);
	case SA_M_POS:
		return sa_meta_eval(n->a, val, arg);
	case SA_M_AND:
		a = sa_meta_eval(n->a, val, arg);
		return a == 0 ? a : sa_meta_eval(n->b, val, arg);
	case SA_M_OR:
		a = sa_meta_eval(n->a, val, arg);
		return a != 0 ? a : sa_meta_eval(n->b, val, arg);
	case SA_M_COND:
		return sa_meta_eval(n->a, val, arg) != 0 ?
		    sa_meta_eval(n->b, val, arg) :
		    sa_meta_eval(n->c, val, arg);
	default:
		break;
	}
	a = sa_meta_eval(n->a, val, arg);
	b = sa_meta_eval(n->b, val, arg);
	switch (n->op) {
	case SA_M_MUL: return a * b;
	case SA_M_DIV: return b == 0 ? 0 : a / b;
	case SA_M_ADD: return a + b;
	case SA_M_SUB: return a - b;
	case SA_M_LT: return a < b;
	case SA_M_LE: return a <= b;
	case SA_M_GT: return a > b;
	case SA_M_GE: return a >= b;
	case SA_M_EQ: return a == b;
	case SA_M_NE: return a != b;
	case SA_M_XOR:
		return (double)((uint64_t)fabs(a) ^ (uint64_t)fabs(b));
	default:
		return 0;
	}
}
