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
 * filterd/sa_meta.c: meta expressions parsed as SpamAssassin's lexer and
 * Perl would, evaluated from hit counts (boolean and arithmetic), the
 * expressions SpamAssassin rejects, and `if` conditions.
 */

#include <sys/types.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../filterd/sa_conf.h"

struct hits {
	const char	*name;
	double		 n;
};

static double
hitval(void *arg, const struct sa_mnode *n)
{
	const struct hits	*h = arg;

	for (; h->name != NULL; h++)
		if (strcmp(h->name, n->name) == 0)
			return h->n;
	return 0;
}

/* evaluate expr with the hits; NAN if it does not parse */
static double
ev(const char *expr, const struct hits *h)
{
	struct sa_meta	*m;
	char		 err[128];
	double		 v;

	if ((m = sa_meta_parse(expr, SA_MP_META, err, sizeof(err))) == NULL)
		return NAN;
	v = sa_meta_eval(m->root, hitval, (void *)h);
	sa_meta_free(m);
	return v;
}

static int
invalid(const char *expr)
{
	struct sa_meta	*m;
	char		 err[128];

	if ((m = sa_meta_parse(expr, SA_MP_META, err, sizeof(err))) != NULL) {
		sa_meta_free(m);
		return 0;
	}
	return err[0] != '\0';
}

static double
condval(void *arg, const struct sa_mnode *n)
{
	if (n->op == SA_M_CALL && n->a != NULL &&
	    strcmp(n->name, "plugin") == 0)
		return strcmp(n->a->name,
		    "Mail::SpamAssassin::Plugin::ReplaceTags") == 0;
	return 0;
}

static double
cond(const char *expr)
{
	struct sa_meta	*m;
	char		 err[128];
	double		 v;

	if ((m = sa_meta_parse(expr, SA_MP_IF, err, sizeof(err))) == NULL)
		return NAN;
	v = sa_meta_eval(m->root, condval, NULL);
	sa_meta_free(m);
	return v;
}

#define is_num(got, want, name) do {					\
	double g_ = (got), w_ = (want);					\
	if (!ok(g_ == w_, "%s", name))					\
		diag("got %g, expected %g", g_, w_);			\
} while (0)

int
main(void)
{
	struct hits	 h1[] = { { "A", 1 }, { "B", 0 }, { "C", 1 },
	    { "__KAM_COUNT_URIS", 3 }, { "M", 2 }, { NULL, 0 } };
	struct hits	 none[] = { { NULL, 0 } };
	struct sa_meta	*m;
	char		 err[128];

	/* boolean */
	is_num(ev("A && !(B || C)", h1), 0, "A && !(B || C) with C hit");
	is_num(ev("A && !(B || C)", none), 0, "nothing hit");
	is_num(ev("A && !B", h1), 1, "A && !B");
	is_num(ev("!A", h1), 0, "!A");
	is_num(ev("!!A", h1), 1, "!!A");
	is_num(ev("UNKNOWN_RULE || A", h1), 1, "an unknown rule is 0");
	/* Perl's && and || return the deciding operand */
	is_num(ev("(M || A) + 1", h1), 3, "(M || A) is M's count");
	is_num(ev("(B && M) + 5", h1), 5, "(B && M) is B's 0");
	is_num(ev("A && M", h1), 2, "A && M is M's count");
	/* arithmetic and comparison, with counts from tflags multiple */
	is_num(ev("(3 * A - 2 * B) > 0", h1), 1, "(3 * A - 2 * B) > 0");
	is_num(ev("(A + B + C) >= 2", h1), 1, "(A + B + C) >= 2");
	is_num(ev("(A + B + C) >= 3", h1), 0, "(A + B + C) >= 3");
	is_num(ev("__KAM_COUNT_URIS == 3", h1), 1, "count == 3");
	is_num(ev("__KAM_COUNT_URIS >= 5", h1), 0, "count >= 5");
	is_num(ev("__KAM_COUNT_URIS > 2", h1), 1, "count > 2");
	is_num(ev("__KAM_COUNT_URIS < 4", h1), 1, "count < 4");
	is_num(ev("__KAM_COUNT_URIS <= 2", h1), 0, "count <= 2");
	is_num(ev("__KAM_COUNT_URIS != 3", h1), 0, "count != 3");
	is_num(ev("M / 4", h1), 0.5, "division");
	is_num(ev("M / B", h1), 0, "division by zero gives 0");
	is_num(ev("M * 2 + 1", h1), 5, "* before +");
	is_num(ev("1 + M * 2", h1), 5, "* before + (right)");
	is_num(ev("M-1", h1), 1, "\"M-1\": SA's lexer gives M and -1");
	is_num(ev("3-1", h1), 2, "\"3-1\" is one token to SA, 3 - 1 to Perl");
	is_num(ev("-M + 3", h1), 1, "unary minus");
	is_num(ev("!A > 0", h1), 0, "! binds tighter than >");
	is_num(ev("A + C > 1 && M", h1), 2, "comparison before &&");
	is_num(ev("B || A && C", h1), 1, "&& before ||");
	is_num(ev("M > 1 ? 7 : 8", h1), 7, "?: operator");
	is_num(ev("A ^ C", h1), 0, "^ is xor");
	is_num(ev("1.5 * M", h1), 3, "decimal numbers");
	is_num(ev("(((A)))", h1), 1, "parentheses");

	/* what SpamAssassin rejects */
	ok(invalid("A & B"), "a single & is not an operator");
	ok(invalid("A = B"), "a single = is not an operator");
	ok(invalid("(A && B"), "missing )");
	ok(invalid("A B"), "two operands");
	ok(invalid("A &&"), "operator at the end");
	ok(invalid("A::B"), "no :: (bug 7557)");
	ok(invalid("$x"), "no $ (bug 7557)");
	ok(invalid("A; B"), "no ;");
	ok(invalid("1.2.3"), "not a number");
	is_num(ev("0 < M < 3", h1), 1, "chained comparison (Perl 5.32+)");
	is_num(ev("0 < M < 2", h1), 0, "chained comparison, false");
	is_num(ev("A == C == 1", h1), 1, "chained equality");

	/* the empty meta and dependencies */
	m = sa_meta_parse("()", SA_MP_META, err, sizeof(err));
	ok(m != NULL && m->root == NULL && m->ndeps == 0,
	    "\"()\" is the empty meta");
	sa_meta_free(m);
	m = sa_meta_parse("A && (B || A) && !__C_1", SA_MP_META, err,
	    sizeof(err));
	ok(m != NULL, "parses");
	if (m != NULL) {
		is_int((int)m->ndeps, 3, "three dependencies, once each");
		is_str(m->deps[0], "A", "first dependency");
		is_str(m->deps[2], "__C_1", "third dependency");
	}
	sa_meta_free(m);

	/* if conditions */
	is_num(cond("(version >= 3.004002)"), 1, "version >= 3.004002");
	is_num(cond("(version < 4.000000)"), 0, "version < 4.000000");
	is_num(cond("!((version >= 3.004000))"), 0, "!((version >= ...))");
	is_num(cond("plugin(Mail::SpamAssassin::Plugin::ReplaceTags)"), 1,
	    "plugin() through the callback");
	is_num(cond("!plugin(Mail::SpamAssassin::Plugin::DCC)"), 1,
	    "!plugin()");
	is_num(cond("plugin(Mail::SpamAssassin::Plugin::ReplaceTags) && "
	    "version >= 4"), 1, "&& in a condition");
	return done_testing();
}
