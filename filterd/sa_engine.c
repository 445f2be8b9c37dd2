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
 * The scan: every runnable rule of the conf over one message, in
 * priority order, then the metas in dependency order, then the score
 * (see sa_engine.h).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdarg.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "mime.h"
#include "mimedec.h"
#include "msghdr.h"
#include "render.h"
#include "sa_conf.h"
#include "sa_engine.h"
#include "sa_hs.h"
#include "sa_priv.h"
#include "xmalloc.h"

#define SA_MD_PAIRS	128

/* what the scan loop needs of a rule, in run order, packed */
enum { K_HEADER, K_EXISTS, K_BODY, K_RAWBODY, K_FULL, K_URI, K_EVAL,
    K_MIMEHDR };
#define PF_NEG		0x01
#define PF_NOSUBJ	0x02
#define PF_MULTI	0x04

struct sa_plan {
	const struct sa_re	*re;
	const char		*hspec;
	const char		*if_unset;
	char			**lits;
	int			*litid;		/* Aho-Corasick ids, -1 ends */
	size_t			 idx;
	size_t			 minlen;	/* no shorter text can match */
	int			 maxhits;
	unsigned char		 kind;
	unsigned char		 flags;
	unsigned char		 hsk;		/* in e->hs[hsk - 1], 0: not */
};

struct sa_engine {
	const struct sa_conf	*c;
	int			 set;
	size_t			*order;		/* non-meta rules to run */
	size_t			 norder;
	struct sa_plan		*plan;		/* the same, packed */
	const struct sa_eval_def **evalfn;	/* by rule index */
	char			**hspec;	/* header spec by rule */
	char			***lits;	/* prefilter literals by rule */
	struct mimebuf		 low[3];	/* body, rawbody, uris: lower */
	struct sa_ac		*ac;		/* over every literal */
	uint32_t		*seen[3];	/* literal id: gen if found */
	uint32_t		 gen;
	struct sa_hs		*hs[3];		/* body, rawbody, uris */
	struct mimebuf		 txt[3];	/* their text, lines joined */
	uint32_t		*hsmark;	/* rule index: gen if flagged */
	int			 hsbad[3];	/* this scan failed: run all */
	struct sa_engine_stats	 st;
	pcre2_match_data	*md;
	pcre2_match_context	*mctx;
	pcre2_jit_stack		*jstack;
	double			*val;
	unsigned int		*ngot;
	unsigned char		*done;
	size_t			*hitlog;	/* scored hits in run order */
	size_t			 nhitlog, hitcap;
	char			*hostname;
	char			*fqdn;
	time_t			 now;
	unsigned int		 seed;
	struct sa_hcache	 hc;
};

static char	*fq_hostname(void);
static int	 phase(const struct sa_rule *);
static int	 order_cmp_q(const void *, const void *);
static size_t	 re_minlen(const struct sa_re *);
static void	 lower_add(struct mimebuf *, const char *, size_t);
static void	 join_lines(struct mimebuf *, const struct render_lines *,
		    int);
static void	 prefilter_new(struct sa_engine *);
static void	 prefilter_scan(struct sa_engine *, const struct render *);
static size_t	 re_count(struct sa_engine *, const struct sa_re *,
		    const char *, size_t, size_t);
static void	 got_hit(struct sa_msg *, size_t, double);
static void	 run_rule(struct sa_engine *, struct sa_msg *,
		    const struct sa_plan *);
static void	 run_mimeheader(struct sa_engine *, struct sa_msg *,
		    const struct sa_rule *);
static double	 meta_val(void *, const struct sa_mnode *);
static int	 hit_cmp(const void *, const void *);


/*
 * Util::fq_hostname: the host name, or when it has no dot the first of
 * its resolver names that starts with it and a dot.
 */
static char *
fq_hostname(void)
{
	struct addrinfo	 hints, *ai;
	char		 host[256];
	size_t		 n;
	char		*r;

	if (gethostname(host, sizeof(host)) == -1)
		(void)strlcpy(host, "localhost", sizeof(host));
	host[sizeof(host) - 1] = '\0';
	if (strchr(host, '.') != NULL)
		return (xstrdup(host));
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_CANONNAME;
	r = NULL;
	if (getaddrinfo(host, NULL, &hints, &ai) == 0) {
		n = strlen(host);
		if (ai->ai_canonname != NULL && strncmp(ai->ai_canonname, host,
		    n) == 0 && ai->ai_canonname[n] == '.')
			r = xstrdup(ai->ai_canonname);
		freeaddrinfo(ai);
	}
	return (r != NULL ? r : xstrdup(host));
}

const char *const *
sa_eval_names(void)
{
	static const char	**names;
	size_t			  i, n;

	if (names != NULL)
		return (names);
	for (n = 0; sa_evals[n].name != NULL; n++)
		;
	names = xcalloc(n + 1, sizeof(*names));
	for (i = 0; i < n; i++)
		names[i] = sa_evals[i].name;
	return (names);
}

/* the order SpamAssassin runs the rule types within a priority */
static int
phase(const struct sa_rule *r)
{
	switch (r->type) {
	case SA_R_HEADER:
		return (r->is_eval ? 1 : 0);
	case SA_R_BODY:
		return (r->is_eval ? 3 : 2);
	case SA_R_URI:
		return (4);
	case SA_R_RAWBODY:
		return (r->is_eval ? 6 : 5);
	case SA_R_FULL:
		return (r->is_eval ? 8 : 7);
	default:
		return (9);
	}
}

/* PCRE2's bound on the length of what a regex can match (0: none) */
static size_t
re_minlen(const struct sa_re *re)
{
	uint32_t	m;
	size_t		i, min = (size_t)-1;

	if (re == NULL || re->ncodes == 0)
		return (0);
	for (i = 0; i < re->ncodes; i++) {
		if (pcre2_pattern_info(re->codes[i], PCRE2_INFO_MINLENGTH,
		    &m) != 0)
			return (0);
		if (m < min)
			min = m;
	}
	return (min);
}

/* the prefilter's text: ASCII lower case */
static void
lower_add(struct mimebuf *b, const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		mimebuf_addc(b, s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
}

/* the lines, each followed by '\n' (lower case for the literals) */
static void
join_lines(struct mimebuf *b, const struct render_lines *l, int lower)
{
	const char	*s;
	size_t		 i, n;

	b->len = 0;
	for (i = 0; i < l->n; i++) {
		s = render_line(l, i, &n);
		if (lower)
			lower_add(b, s, n);
		else
			mimebuf_add(b, s, n);
		mimebuf_addc(b, '\n');
	}
}

/*
 * The prefilters of the body, rawbody and uri regexes: the pattern's
 * required literals (sa_lit.c) in one Aho-Corasick automaton; for a
 * pattern without any, Hyperscan (sa_hs.c) if it takes it.  A rule
 * neither takes always runs.  (Hyperscan is kept for the patterns the
 * literals cannot help: a database per pattern costs a pass over the
 * text, and the automaton already skips most rules with literals.)
 */
static void
prefilter_new(struct sa_engine *e)
{
	const struct sa_rule	*r;
	struct sa_plan		*p;
	char			 err[256];
	size_t			 i, j, k;
	int			 kk;

	for (k = 0; k < 3; k++)
		e->hs[k] = sa_hs_new();
	e->hsmark = xcalloc(e->c->nrules + 1, sizeof(*e->hsmark));
	for (k = 0; k < e->norder; k++) {
		p = &e->plan[k];
		r = e->c->rules[p->idx];
		i = p->idx;
		kk = p->kind == K_BODY ? 0 : p->kind == K_RAWBODY ? 1 :
		    p->kind == K_URI ? 2 : -1;
		if (kk == -1 || r->is_eval || r->re_pcre == NULL ||
		    p->re == NULL)
			continue;
		if ((e->lits[i] = sa_lit_extract(r->re_pcre)) == NULL) {
			if (sa_hs_add(e->hs[kk], r->re_pcre, p->minlen,
			    (unsigned int)i, err, sizeof(err)) == 0)
				p->hsk = kk + 1;
			continue;
		}
		e->st.lit_rules++;
		p->lits = e->lits[i];
		if (e->ac == NULL)
			e->ac = sa_ac_new();
		for (j = 0; p->lits[j] != NULL; j++)
			;
		p->litid = xcalloc(j + 1, sizeof(*p->litid));
		for (j = 0; p->lits[j] != NULL; j++)
			p->litid[j] = sa_ac_add(e->ac, p->lits[j],
			    strlen(p->lits[j]));
		p->litid[j] = -1;
	}
	for (k = 0; k < 3; k++)
		if (sa_hs_finish(e->hs[k], err, sizeof(err)) == -1)
			for (j = 0; j < e->norder; j++)
				if (e->plan[j].hsk == k + 1)
					e->plan[j].hsk = 0;
	for (k = 0; k < 3; k++)
		e->st.hs_rules += sa_hs_count(e->hs[k]);
	if (e->ac != NULL) {
		sa_ac_finish(e->ac);
		for (j = 0; j < 3; j++)
			e->seen[j] = xcalloc(sa_ac_nlits(e->ac) + 1,
			    sizeof(*e->seen[j]));
	}
}

/* one pass of each prefilter over each text of the message */
static void
prefilter_scan(struct sa_engine *e, const struct render *rd)
{
	const struct render_lines	*l;
	struct mimebuf			*b;
	size_t				 i, k;

	if (e->ac == NULL && e->hs[0] == NULL)
		return;
	if (++e->gen == 0) {
		for (i = 0; e->ac != NULL && i < 3; i++)
			memset(e->seen[i], 0, sa_ac_nlits(e->ac) *
			    sizeof(*e->seen[i]));
		memset(e->hsmark, 0, e->c->nrules * sizeof(*e->hsmark));
		e->gen = 1;
	}
	for (k = 0; k < 3; k++) {
		if (sa_hs_count(e->hs[k]) == 0 && e->ac == NULL)
			continue;
		/* the uris as lines */
		if (k == 2) {
			b = &e->txt[2];
			b->len = 0;
			for (i = 0; i < rd->uris.n; i++) {
				mimebuf_adds(b, rd->uris.v[i]);
				mimebuf_addc(b, '\n');
			}
		} else {
			l = k == 0 ? &rd->body : &rd->rawbody;
			join_lines(&e->txt[k], l, 0);
		}
		e->hsbad[k] = sa_hs_scan(e->hs[k], e->txt[k].buf,
		    e->txt[k].len, e->hsmark, e->gen) == -1;
		if (e->ac == NULL)
			continue;
		e->low[k].len = 0;
		lower_add(&e->low[k], e->txt[k].buf, e->txt[k].len);
		sa_ac_scan(e->ac, e->low[k].buf, e->low[k].len, e->seen[k],
		    e->gen);
	}
}

struct order_key {
	int	 prio;
	int	 phase;
	size_t	 idx;
};

static int
order_cmp_q(const void *a, const void *b)
{
	const struct order_key	*x = a, *y = b;

	if (x->prio != y->prio)
		return (x->prio < y->prio ? -1 : 1);
	if (x->phase != y->phase)
		return (x->phase < y->phase ? -1 : 1);
	return (x->idx < y->idx ? -1 : x->idx > y->idx);
}

struct sa_engine *
sa_engine_new(const struct sa_conf *c, const struct sa_engine_opts *o,
    char *err, size_t errlen)
{
	struct sa_engine	*e;
	const struct sa_rule	*r;
	struct order_key	*keys;
	const char		*mods[] = { "raw", "addr", "name", "host",
				    "domain", "ip", "revip", "first", "last" };
	char			 spec[512];
	size_t			 i, j, k;

	if (!c->finished) {
		(void)snprintf(err, errlen, "configuration not finished");
		return (NULL);
	}
	e = xcalloc(1, sizeof(*e));
	e->c = c;
	e->set = o != NULL && o->score_set >= 0 && o->score_set <= 3 ?
	    o->score_set : c->local_tests_only ? 0 : 1;
	if (o == NULL)
		e->set = c->local_tests_only ? 0 : 1;
	e->evalfn = xcalloc(c->nrules + 1, sizeof(*e->evalfn));
	e->hspec = xcalloc(c->nrules + 1, sizeof(*e->hspec));
	e->lits = xcalloc(c->nrules + 1, sizeof(*e->lits));
	e->order = xcalloc(c->nrules + 1, sizeof(*e->order));
	e->val = xcalloc(c->nrules + 1, sizeof(*e->val));
	e->ngot = xcalloc(c->nrules + 1, sizeof(*e->ngot));
	e->done = xcalloc(c->nrules + 1, 1);
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (r->type == SA_R_HEADER && r->hdr != NULL &&
		    !r->is_eval) {
			if (strlcpy(spec, r->hdr, sizeof(spec)) >=
			    sizeof(spec))
				continue;
			for (k = 0; k < 9; k++)
				if (r->hdr_mods & (1U << k)) {
					(void)strlcat(spec, ":", sizeof(spec));
					(void)strlcat(spec, mods[k],
					    sizeof(spec));
				}
			e->hspec[i] = xstrdup(spec);
		}
		if (r->type == SA_R_META || r->type == SA_R_EMPTY ||
		    r->unsupported != NULL || r->score[e->set] == 0)
			continue;
		if (r->is_eval && !r->is_mimeheader) {
			for (j = 0; sa_evals[j].name != NULL; j++)
				if (strcmp(sa_evals[j].name, r->eval_func) ==
				    0)
					break;
			if (sa_evals[j].name == NULL)
				continue;
			e->evalfn[i] = &sa_evals[j];
		} else if (r->is_mimeheader) {
			if (r->re == NULL)
				continue;
		} else if (!r->is_exists && r->re == NULL)
			continue;
		e->order[e->norder++] = i;
	}
	keys = xcalloc(e->norder + 1, sizeof(*keys));
	for (k = 0; k < e->norder; k++) {
		r = c->rules[e->order[k]];
		keys[k] = (struct order_key){ r->priority, phase(r), r->index };
	}
	qsort(keys, e->norder, sizeof(*keys), order_cmp_q);
	for (k = 0; k < e->norder; k++)
		e->order[k] = keys[k].idx;
	free(keys);
	e->plan = xcalloc(e->norder + 1, sizeof(*e->plan));
	for (k = 0; k < e->norder; k++) {
		struct sa_plan	*p = &e->plan[k];

		i = e->order[k];
		r = c->rules[i];
		p->idx = i;
		p->re = r->re;
		p->hspec = e->hspec[i];
		p->if_unset = r->if_unset;
		p->maxhits = r->maxhits;
		p->minlen = re_minlen(r->re);
		p->flags = (r->neg ? PF_NEG : 0) | ((r->tf & SA_TF_NOSUBJECT) ?
		    PF_NOSUBJ : 0) | ((r->tf & SA_TF_MULTIPLE) ? PF_MULTI : 0);
		if (r->is_mimeheader)
			p->kind = K_MIMEHDR;
		else if (r->is_eval)
			p->kind = K_EVAL;
		else if (r->type == SA_R_HEADER)
			p->kind = r->is_exists ? K_EXISTS : K_HEADER;
		else
			p->kind = r->type == SA_R_BODY ? K_BODY :
			    r->type == SA_R_RAWBODY ? K_RAWBODY :
			    r->type == SA_R_FULL ? K_FULL : K_URI;
	}
	if (o == NULL || !o->no_prefilter)
		prefilter_new(e);
	e->md = pcre2_match_data_create(SA_MD_PAIRS, NULL);
	e->mctx = pcre2_match_context_create(NULL);
	e->jstack = pcre2_jit_stack_create(32 * 1024, 4 * 1024 * 1024, NULL);
	if (e->md == NULL || e->mctx == NULL || e->jstack == NULL) {
		(void)snprintf(err, errlen, "pcre2: out of memory");
		sa_engine_free(e);
		return (NULL);
	}
	pcre2_jit_stack_assign(e->mctx, NULL, e->jstack);
	e->fqdn = fq_hostname();
	if (o != NULL && o->hostname != NULL)
		e->hostname = xstrdup(o->hostname);
	else if (sa_conf_str(c, "report_hostname") != NULL &&
	    *sa_conf_str(c, "report_hostname") != '\0')
		e->hostname = xstrdup(sa_conf_str(c, "report_hostname"));
	else
		e->hostname = xstrdup(e->fqdn);
	e->now = o != NULL ? o->now : 0;
	e->seed = o != NULL ? o->seed : 0;
	return (e);
}

void
sa_engine_free(struct sa_engine *e)
{
	size_t	i;

	if (e == NULL)
		return;
	for (i = 0; i < e->c->nrules; i++) {
		free(e->hspec[i]);
		sa_lit_free(e->lits[i]);
	}
	free(e->hspec);
	free(e->lits);
	for (i = 0; i < e->norder && e->plan != NULL; i++)
		free(e->plan[i].litid);
	free(e->plan);
	sa_ac_free(e->ac);
	for (i = 0; i < 3; i++) {
		free(e->seen[i]);
		mimebuf_free(&e->low[i]);
		mimebuf_free(&e->txt[i]);
		sa_hs_free(e->hs[i]);
	}
	free(e->hsmark);
	free(e->evalfn);
	free(e->order);
	free(e->val);
	free(e->ngot);
	free(e->done);
	free(e->hitlog);
	free(e->hostname);
	free(e->fqdn);
	sa_hcache_clear(&e->hc);
	free(e->hc.v);
	if (e->md != NULL)
		pcre2_match_data_free(e->md);
	if (e->mctx != NULL)
		pcre2_match_context_free(e->mctx);
	if (e->jstack != NULL)
		pcre2_jit_stack_free(e->jstack);
	free(e);
}

void
sa_engine_stats(const struct sa_engine *e, struct sa_engine_stats *st)
{
	*st = e->st;
}

/*
 * Matches of re in s: 0 or 1 (max 1), or up to max (0: no limit) as
 * Perl's while (m//g) counts them.
 */
static size_t
re_count(struct sa_engine *e, const struct sa_re *re, const char *s,
    size_t len, size_t max)
{
	PCRE2_SIZE	*ov;
	size_t		 i, n = 0, pos;
	uint32_t	 opt;
	int		 rc;

	for (i = 0; i < re->ncodes; i++) {
		pos = 0;
		opt = 0;
		while (pos <= len) {
			rc = pcre2_match(re->codes[i], (PCRE2_SPTR)s, len, pos,
			    opt, e->md, e->mctx);
			if (rc < 0) {
				if (rc == PCRE2_ERROR_NOMATCH && opt != 0 &&
				    pos < len) {
					pos++;
					opt = 0;
					continue;
				}
				break;
			}
			n++;
			if (max == 1 || (max != 0 && n >= max))
				return (n);
			ov = pcre2_get_ovector_pointer(e->md);
			pos = ov[1];
			opt = ov[0] == ov[1] ? PCRE2_NOTEMPTY_ATSTART : 0;
		}
	}
	return (n);
}

/* PerMsgStatus::got_hit, count times */
static void
got_hit(struct sa_msg *msg, size_t i, double value)
{
	struct sa_engine	*e = msg->engine;
	const struct sa_rule	*r = msg->conf->rules[i];

	if (r->score[e->set] == 0)
		return;
	if (e->ngot[i] > 0 && !(r->tf & SA_TF_MULTIPLE))
		return;
	if (value <= 0)
		value = 1;
	e->val[i] += value;
	e->ngot[i]++;
	if (strncmp(r->name, "__", 2) != 0) {
		msg->score += r->score[e->set];
		if (e->nhitlog == e->hitcap) {
			e->hitcap = e->hitcap ? e->hitcap * 2 : 64;
			e->hitlog = xreallocarray(e->hitlog, e->hitcap,
			    sizeof(*e->hitlog));
		}
		e->hitlog[e->nhitlog++] = i;
	}
}

double
sa_msg_rule_value(struct sa_msg *msg, const char *name)
{
	struct sa_rule	*r;

	r = sa_conf_rule((struct sa_conf *)msg->conf, name);
	return (r == NULL ? 0 : msg->val[r->index]);
}

void
sa_msg_test_log(struct sa_msg *msg, const char *fmt, ...)
{
	va_list	 ap;
	char	*t;

	va_start(ap, fmt);
	if (vasprintf(&t, fmt, ap) == -1)
		t = NULL;
	va_end(ap);
	if (t == NULL)
		return;
	msg->tlog = xreallocarray(msg->tlog, msg->ntlog + 1,
	    sizeof(*msg->tlog));
	msg->tlog[msg->ntlog++] = (struct sa_tlog){ msg->cur_rule, t };
}

/* rule idx's test_log lines, each ended by \n (NULL: none) */
static char *
tlog_take(struct sa_msg *msg, size_t idx)
{
	struct mimebuf	 b;
	size_t		 i;

	mimebuf_init(&b);
	for (i = 0; i < msg->ntlog; i++) {
		if (msg->tlog[i].idx != idx)
			continue;
		mimebuf_adds(&b, msg->tlog[i].text);
		mimebuf_addc(&b, '\n');
	}
	if (b.len == 0) {
		mimebuf_free(&b);
		return (NULL);
	}
	mimebuf_addc(&b, '\0');
	return (b.buf);
}

void
sa_msg_got_hit(struct sa_msg *msg, const char *name, double value)
{
	struct sa_rule	*r;

	r = sa_conf_rule((struct sa_conf *)msg->conf, name);
	if (r != NULL)
		got_hit(msg, r->index, value);
}

static void
run_mimeheader(struct sa_engine *e, struct sa_msg *msg,
    const struct sa_rule *r)
{
	const struct mime_part	*p;
	struct mimebuf		 v;
	size_t			 n, max, hits = 0, k, nf;
	ssize_t			 last;
	int			 raw = (r->hdr_mods & SA_HM_RAW) != 0;

	max = r->maxhits > 0 ? (size_t)r->maxhits :
	    (r->tf & SA_TF_MULTIPLE) ? 1000 : 1;
	mimebuf_init(&v);
	for (p = mime_root(msg->mime); p != NULL; p = mime_next(p)) {
		v.len = 0;
		if (strcmp(r->hdr, "ALL") == 0) {
			nf = msghdr_count(p->hdr);
			for (k = 0; k < nf; k++) {
				const char *nm;
				size_t	 nl;

				if (msghdr_field(p->hdr, k)->flags &
				    MSGHDR_F_BAD)
					continue;
				nm = msghdr_name(p->hdr, k, &nl);
				mimebuf_add(&v, nm, nl);
				mimebuf_add(&v, ": ", 2);
				sa_msg_value(&(struct sa_msg){ .hdr = p->hdr },
				    k, raw, &v);
			}
		} else if ((last = msghdr_find(p->hdr, r->hdr, -1)) != -1)
			sa_msg_value(&(struct sa_msg){ .hdr = p->hdr },
			    (size_t)last, raw, &v);
		else if (r->if_unset != NULL)
			mimebuf_adds(&v, r->if_unset);
		if (r->neg) {
			if (re_count(e, r->re, v.buf ? v.buf : "", v.len, 1))
				goto out;
			continue;
		}
		n = re_count(e, r->re, v.buf ? v.buf : "", v.len, max);
		for (k = 0; k < n && hits < max; k++, hits++)
			got_hit(msg, r->index, 1);
		if (n > 0)
			goto out;
	}
	if (r->neg)
		got_hit(msg, r->index, 1);
 out:
	mimebuf_free(&v);
}

static void
run_rule(struct sa_engine *e, struct sa_msg *msg, const struct sa_plan *p)
{
	const struct render_lines *l = NULL;
	const struct sa_rule	*r;
	const char		*s;
	size_t			 i = p->idx, len, n, k, j, max, got = 0;
	int			 rc;

	e->done[i] = 1;
	if (p->kind == K_MIMEHDR) {
		run_mimeheader(e, msg, msg->conf->rules[i]);
		return;
	}
	if (p->kind == K_EVAL) {
		r = msg->conf->rules[i];
		msg->cur_rule = i;
		rc = e->evalfn[i]->fn(msg, r, r->eval_args, r->eval_nargs);
		if (rc > 0)
			got_hit(msg, i, rc);
		return;
	}
	if (p->hsk != 0 && !e->hsbad[p->hsk - 1] && e->hsmark[i] != e->gen) {
		e->st.skipped++;
		return;			/* Hyperscan: no line can match */
	}
	if (p->litid != NULL) {
		const uint32_t	*seen = e->seen[p->kind == K_BODY ? 0 :
				    p->kind == K_RAWBODY ? 1 : 2];

		for (j = 0; p->litid[j] != -1; j++)
			if (seen[p->litid[j]] == e->gen)
				break;
		if (p->litid[j] == -1) {
			e->st.skipped++;
			return;		/* no line can match */
		}
	}
	max = (p->flags & PF_MULTI) ? (size_t)p->maxhits : 1;
	switch (p->kind) {
	case K_EXISTS:
		s = sa_msg_get_len(msg, p->hspec, &len);
		if ((s != NULL) != ((p->flags & PF_NEG) != 0))
			got_hit(msg, i, 1);
		return;
	case K_HEADER:
		s = sa_msg_get_len(msg, p->hspec, &len);
		if (s == NULL) {
			s = p->if_unset != NULL ? p->if_unset : "";
			len = strlen(s);
		}
		if (p->flags & PF_NEG) {
			if (len < p->minlen || re_count(e, p->re, s, len, 1) ==
			    0)
				got_hit(msg, i, 1);
			return;
		}
		if (len < p->minlen)
			return;
		n = re_count(e, p->re, s, len, max);
		for (k = 0; k < n; k++)
			got_hit(msg, i, 1);
		return;
	case K_BODY:
		l = &msg->render->body;
		break;
	case K_RAWBODY:
		l = &msg->render->rawbody;
		break;
	case K_FULL:
		s = msg->buf;
		len = msg->len;
		if (len >= 5 && strncmp(s, "From ", 5) == 0) {
			const char *nl = memchr(s, '\n', len);

			if (nl != NULL) {
				len -= nl + 1 - s;
				s = nl + 1;
			}
		}
		n = re_count(e, p->re, s, len, max);
		for (k = 0; k < n; k++)
			got_hit(msg, i, 1);
		return;
	case K_URI:
		for (j = 0; j < msg->render->uris.n; j++) {
			s = msg->render->uris.v[j];
			n = re_count(e, p->re, s, strlen(s),
			    max ? (max == 1 ? 1 : max - got) : 0);
			for (k = 0; k < n; k++)
				got_hit(msg, i, 1);
			got += n;
			if (n > 0 && (max == 1 || (max != 0 && got >= max)))
				return;
		}
		return;
	default:
		return;
	}
	for (j = 0; j < l->n; j++) {
		if (j == 0 && p->kind == K_BODY && (p->flags & PF_NOSUBJ))
			continue;
		s = render_line(l, j, &len);
		if (len < p->minlen)
			continue;
		n = re_count(e, p->re, s, len,
		    max ? (max == 1 ? 1 : max - got) : 0);
		for (k = 0; k < n; k++)
			got_hit(msg, i, 1);
		got += n;
		if (n > 0 && (max == 1 || (max != 0 && got >= max)))
			return;
	}
}

static double
meta_val(void *arg, const struct sa_mnode *n)
{
	struct sa_msg	*msg = arg;

	if (n->idx == SA_NOIDX || n->idx >= msg->conf->nrules)
		return (0);
	return (msg->val[n->idx]);
}

static int
hit_cmp(const void *a, const void *b)
{
	const struct sa_hit	*x = a, *y = b;

	return (strcmp(x->name, y->name));
}

int
sa_scan(struct sa_engine *e, const char *buf, size_t len,
    const struct sa_envelope *env, struct sa_result **resp)
{
	static const struct sa_envelope	 noenv;
	const struct sa_conf		*c = e->c;
	const struct sa_rule		*r;
	struct sa_msg			 msg;
	struct sa_result		*res;
	const struct mime_part		*root;
	const char			*nl;
	char				 tmp[64];
	double				 v;
	size_t				 i, k, idx;

	*resp = NULL;
	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	memset(&msg, 0, sizeof(msg));
	msg.conf = c;
	msg.engine = e;
	msg.env = env != NULL ? env : &noenv;
	msg.buf = buf;
	msg.len = len;
	if ((msg.mime = mime_parse(buf, len, NULL)) == NULL)
		return (-1);
	root = mime_root(msg.mime);
	msg.hdr = root->hdr;
	msg.hdrlen = root->bodyoff;
	nl = memchr(buf, '\n', len);
	msg.eol = nl != NULL && nl > buf && nl[-1] == '\r' ? "\r\n" : "\n";
	if ((msg.render = render_message(msg.mime, NULL)) == NULL) {
		mime_free(msg.mime);
		return (-1);
	}
	memset(e->val, 0, c->nrules * sizeof(*e->val));
	memset(e->ngot, 0, c->nrules * sizeof(*e->ngot));
	memset(e->done, 0, c->nrules);
	e->nhitlog = 0;
	msg.val = e->val;
	msg.done = e->done;
	msg.priv = &e->hc;
	(void)sa_relays_parse(&msg);
	prefilter_scan(e, msg.render);

	for (i = 0; i < e->norder; i++)
		run_rule(e, &msg, &e->plan[i]);
	for (i = 0; i < c->nmeta_order; i++) {
		idx = c->meta_order[i];
		r = c->rules[idx];
		e->done[idx] = 1;
		if (r->unsupported != NULL || r->score[e->set] == 0 ||
		    r->meta == NULL || r->meta->root == NULL)
			continue;
		v = sa_meta_eval(r->meta->root, meta_val, &msg);
		if (v != 0)
			got_hit(&msg, idx, v);
	}

	res = xcalloc(1, sizeof(*res));
	res->conf = c;
	res->buf = buf;
	res->len = len;
	res->required = sa_conf_setting(c, "required_score") != NULL ?
	    sa_conf_num(c, "required_score") : 5.0;
	(void)snprintf(tmp, sizeof(tmp), "%0.3f", msg.score);
	res->score = strtod(tmp, NULL);
	if (res->score == 0)
		res->score = 0;		/* no "-0.0" */
	res->is_spam = res->score >= res->required;
	for (i = 0; i < c->nrules; i++) {
		if (e->ngot[i] == 0)
			continue;
		r = c->rules[i];
		if (strcmp(r->name, "GTUBE") == 0)
			res->gtube = 1;
		if (strncmp(r->name, "__", 2) == 0) {
			/* SA lists a subtest once per hit */
			res->subhits = xreallocarray(res->subhits,
			    res->nsubhits + e->ngot[i], sizeof(*res->subhits));
			for (k = 0; k < e->ngot[i]; k++)
				res->subhits[res->nsubhits++] = (struct sa_hit){
				    r, r->name, r->score[e->set], e->val[i],
				    0, NULL };
			continue;
		}
	}
	res->hits = xcalloc(e->nhitlog + 1, sizeof(*res->hits));
	for (k = 0; k < e->nhitlog; k++) {
		r = c->rules[e->hitlog[k]];
		res->hits[res->nhits++] = (struct sa_hit){ r, r->name,
		    r->score[e->set], e->val[r->index], (unsigned int)k,
		    msg.ntlog > 0 ? tlog_take(&msg, r->index) : NULL };
	}
	if (res->nhits > 1)
		qsort(res->hits, res->nhits, sizeof(*res->hits), hit_cmp);
	if (res->nsubhits > 1)
		qsort(res->subhits, res->nsubhits, sizeof(*res->subhits),
		    hit_cmp);
	res->hostname = xstrdup(e->hostname);
	res->fqdn = xstrdup(e->fqdn);
	res->when = e->now != 0 ? e->now : time(NULL);
	res->boundary_rand = e->seed != 0 ? e->seed : arc4random();
	res->set = e->set;

	if (msg.eval_priv_free != NULL)
		msg.eval_priv_free(msg.eval_priv);
	if (msg.relays_priv_free != NULL)
		msg.relays_priv_free(msg.relays_priv);
	for (i = 0; i < 4; i++)
		free(msg.relays_str[i]);
	for (i = 0; i < msg.nrelays; i++) {
		struct sa_relay *rl = &msg.relays[i];

		free(rl->ip);
		free(rl->by);
		free(rl->helo);
		free(rl->rdns);
		free(rl->ident);
		free(rl->envfrom);
		free(rl->id);
		free(rl->auth);
		free(rl->as_string);
	}
	free(msg.relays);
	for (i = 0; i < msg.ntlog; i++)
		free(msg.tlog[i].text);
	free(msg.tlog);
	sa_hcache_clear(&e->hc);
	render_free(msg.render);
	mime_free(msg.mime);
	*resp = res;
	return (0);
}

void
sa_result_free(struct sa_result *res)
{
	size_t	i;

	if (res == NULL)
		return;
	for (i = 0; i < res->nhits; i++)
		free(res->hits[i].log);
	free(res->hits);
	free(res->subhits);
	free(res->hostname);
	free(res->fqdn);
	free(res->tmpl_priv);
	free(res);
}
