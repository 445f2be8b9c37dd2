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
 * SpamAssassin's output for a scanned message (PerMsgStatus.pm 4.0.1):
 * template tags (_replace_tags), the X-Spam-* fields as
 * _get_added_headers folds them (Util::wrap at 79 columns), the report,
 * and rewrite_mail (report_safe 0, 1, 2; rewrite_header).
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "mimedec.h"
#include "render.h"
#include "sa_conf.h"
#include "sa_engine.h"
#include "xmalloc.h"

#define SA_VERSION_TXT		"4.0.1"
#define SA_SUBVERSION_TXT	"2024-03-25"

struct strv {
	char	**v;
	size_t	  n;
};

static void	 sv_add(struct strv *, const char *, size_t);
static void	 sv_free(struct strv *);
static void	 wrap(struct mimebuf *, const char *, const char *,
		    const char *, size_t, int, int);
static void	 tag_value(const struct sa_result *, const char *,
		    const char *, struct mimebuf *, int *);
static void	 replace_tags(const struct sa_result *, const char *,
		    struct mimebuf *);
static void	 process_header(const struct sa_result *, const char *,
		    const char *, struct mimebuf *);
static int	 hdr_ascii(int);
static void	 encode_header(const char *, size_t, struct mimebuf *);
static void	 added_headers(const struct sa_result *, int,
		    struct mimebuf *);
static const char *area(const struct sa_rule *);
static int	 seq_cmp(const void *, const void *);
static void	 summary(const struct sa_result *, struct mimebuf *, int);
static void	 test_log_lines(const struct sa_hit *, struct mimebuf *, int);
static void	 preview(const struct sa_result *, struct mimebuf *);
static void	 rfc822_date(time_t, struct mimebuf *);
static const char *line_ending(const struct sa_result *);
static size_t	 header_end(const struct sa_result *, size_t *);
static void	 fixup_eol(struct mimebuf *, const char *);

static void
sv_add(struct strv *sv, const char *s, size_t n)
{
	sv->v = xreallocarray(sv->v, sv->n + 1, sizeof(*sv->v));
	sv->v[sv->n] = xmalloc(n + 1);
	memcpy(sv->v[sv->n], s, n);
	sv->v[sv->n][n] = '\0';
	sv->n++;
}

static void
sv_free(struct strv *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

static size_t
tablen(const char *s)
{
	size_t	n = strlen(s);

	for (; *s != '\0'; s++)
		if (*s == '\t')
			n += 7;
	return (n);
}

/*
 * Util::wrap(string, prefix, first, length, overflow, break): break is
 * "\s" (commas 0: split around single white space characters, kept as
 * separators) or "(?<=[\s,])" (commas 1: split after white space and
 * commas, empty separators).
 */
static void
wrap(struct mimebuf *out, const char *s, const char *prefix,
    const char *first, size_t length, int overflow, int commas)
{
	struct strv	 a = { NULL, 0 };
	size_t		 i, start, pos, pos_mod, len, k, e;
	char		*j;

	start = 0;
	for (i = 0; s[i] != '\0'; i++) {
		if (commas) {
			if (isspace((unsigned char)s[i]) || s[i] == ',') {
				sv_add(&a, s + start, i + 1 - start);
				sv_add(&a, "", 0);
				start = i + 1;
			}
		} else if (isspace((unsigned char)s[i])) {
			sv_add(&a, s + start, i - start);
			sv_add(&a, s + i, 1);
			start = i + 1;
		}
	}
	sv_add(&a, s + start, i - start);
	/* Perl's split drops trailing empty fields */
	while (a.n > 0 && a.v[a.n - 1][0] == '\0') {
		free(a.v[--a.n]);
	}
	if (*first != '\0') {
		a.v = xreallocarray(a.v, a.n + 1, sizeof(*a.v));
		memmove(a.v + 1, a.v, a.n * sizeof(*a.v));
		a.v[0] = xstrdup(first);
		a.n++;
	}
	pos = pos_mod = 0;
	while (a.n > 0 && a.n - 1 > pos) {
		len = tablen(a.v[pos]);
		if (pos_mod != 0 && overflow == 0)
			len += tablen(a.v[pos + 1]);
		if (len <= length) {
			if (xasprintf(&j, "%s%s", a.v[pos], a.v[pos + 1]) == -1)
				abort();
			free(a.v[pos]);
			free(a.v[pos + 1]);
			a.v[pos] = j;
			memmove(a.v + pos + 1, a.v + pos + 2,
			    (a.n - pos - 2) * sizeof(*a.v));
			a.n--;
			pos_mod = 1;
		} else {
			e = strlen(a.v[pos]);
			while (e > 0 && isspace((unsigned char)a.v[pos][e - 1]))
				e--;
			a.v[pos][e] = '\0';
			pos++;
			pos_mod = 0;
			a.v = xreallocarray(a.v, a.n + 1, sizeof(*a.v));
			memmove(a.v + pos + 1, a.v + pos,
			    (a.n - pos) * sizeof(*a.v));
			a.v[pos] = xstrdup(prefix);
			a.n++;
		}
	}
	for (k = 0; k < a.n; k++) {
		if (k > 0)
			mimebuf_addc(out, '\n');
		mimebuf_adds(out, a.v[k]);
	}
	sv_free(&a);
}

void
sa_out_score(const struct sa_result *res, char *buf, size_t len)
{
	char	 rs[32];
	double	 s, r;

	(void)snprintf(buf, len, "%2.1f", res->score);
	(void)snprintf(rs, sizeof(rs), "%2.1f", res->required);
	s = strtod(buf, NULL);
	r = strtod(rs, NULL);
	if (res->is_spam || s < r)
		return;
	(void)snprintf(buf, len, "%.15g", r - 0.1);
}

int
sa_out_tests(const struct sa_result *res, const char *sep,
    struct mimebuf *out)
{
	size_t	i;

	if (res->nhits == 0) {
		mimebuf_adds(out, "none");
		return (0);
	}
	for (i = 0; i < res->nhits; i++) {
		if (i > 0)
			mimebuf_adds(out, sep);
		mimebuf_adds(out, res->hits[i].name);
	}
	return (0);
}

static void
rfc822_date(time_t t, struct mimebuf *out)
{
	struct tm	 tm;
	char		 buf[64];
	long		 off;

	if (localtime_r(&t, &tm) == NULL)
		return;
	off = tm.tm_gmtoff / 60;
	if (strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S ", &tm) == 0)
		return;
	mimebuf_adds(out, buf);
	(void)snprintf(buf, sizeof(buf), "%c%02ld%02ld", off < 0 ? '-' : '+',
	    labs(off) / 60, labs(off) % 60);
	mimebuf_adds(out, buf);
}

static void
score_str(double d, struct mimebuf *out)
{
	char	buf[64];

	/* Perl's number to string: up to 15 significant digits */
	(void)snprintf(buf, sizeof(buf), "%.15g", d);
	mimebuf_adds(out, buf);
}

/* the area got_hit gets for a rule: "BODY: " ... */
static const char *
area(const struct sa_rule *r)
{
	if (r->is_mimeheader)
		return (r->neg ? "BODY: " : "");
	switch (r->type) {
	case SA_R_BODY:
		return ("BODY: ");
	case SA_R_RAWBODY:
		return ("RAW: ");
	case SA_R_URI:
		return (r->is_eval ? "" : "URI: ");
	case SA_R_FULL:
		return (r->is_eval ? "" : "FULL: ");
	default:
		return ("");
	}
}

static int
seq_cmp(const void *a, const void *b)
{
	const struct sa_hit	*x = a, *y = b;

	return (x->seq < y->seq ? -1 : x->seq > y->seq);
}

/*
 * check_cleanup's SUMMARY lines (the report's table), or with terse its
 * REPORT lines ("* score RULE area description", the X-Spam-Report of
 * report_safe 0).
 */
static void
summary(const struct sa_result *res, struct mimebuf *out, int terse)
{
	struct mimebuf	 w, first;
	const char	*desc;
	char		 sc[32];
	size_t		 i, k, fl;
	double		 s;

	struct sa_hit	*h;

	/* in the order the rules hit (SA: test_names_hit) */
	h = xcalloc(res->nhits + 1, sizeof(*h));
	memcpy(h, res->hits, res->nhits * sizeof(*h));
	qsort(h, res->nhits, sizeof(*h), seq_cmp);
	mimebuf_init(&w);
	mimebuf_init(&first);
	for (i = 0; i < res->nhits; i++) {
		s = h[i].score;
		if (s >= 10 || s <= -10)
			(void)snprintf(sc, sizeof(sc), "%4.0f", s);
		else
			(void)snprintf(sc, sizeof(sc), "%4.1f", s);
		desc = h[i].rule->describe;
		if (desc == NULL || *desc == '\0')
			desc = "No description available.";
		fl = (terse ? 4 : 3) + strlen(h[i].name) + strlen(sc) +
		    strlen(area(h[i].rule));
		first.len = 0;
		for (k = 0; k < fl; k++)
			mimebuf_addc(&first, ' ');
		mimebuf_addc(&first, '\0');
		w.len = 0;
		wrap(&w, desc, terse ? "*      " :
		    "                            ", first.buf,
		    (size_t)(sa_conf_setting(res->conf, "report_wrap_width") ?
		    sa_conf_num(res->conf, "report_wrap_width") : 75), 0, 0);
		mimebuf_addc(&w, '\0');
		k = 0;
		while (isspace((unsigned char)w.buf[k]))
			k++;
		if (terse)
			mimebuf_adds(out, "* ");
		mimebuf_adds(out, sc);
		mimebuf_addc(out, ' ');
		mimebuf_adds(out, h[i].name);
		for (fl = strlen(h[i].name); !terse && fl < 22; fl++)
			mimebuf_addc(out, ' ');
		mimebuf_addc(out, ' ');
		mimebuf_adds(out, area(h[i].rule));
		mimebuf_adds(out, w.buf + k);
		mimebuf_addc(out, '\n');
		if (h[i].log != NULL)
			test_log_lines(&h[i], out, terse);
	}
	mimebuf_free(&w);
	mimebuf_free(&first);
	free(h);
}

/* one "[...]" line of a test_log message */
static void
test_log_line(const char *s, size_t n, struct mimebuf *out, int terse)
{
	size_t	 k;

	if (!terse && n > 47)
		for (k = n + 2; k < 78; k++)
			mimebuf_addc(out, ' ');
	else if (!terse)
		mimebuf_adds(out, "                            ");
	mimebuf_addc(out, '[');
	mimebuf_add(out, s, n);
	mimebuf_adds(out, "]\n");
}

/*
 * get_report's lines under a rule its test_log strings: each cut
 * before a white space after 30 to 48 characters, "[...]" (terse: the
 * first after "*      "; else right-aligned at 78, or from column 29
 * when it has at most 47 characters).
 */
static void
test_log_lines(const struct sa_hit *h, struct mimebuf *out, int terse)
{
	const char	*s, *e;
	size_t		 n, len;
	int		 first = 1;

	for (s = h->log; *s != '\0'; s = e + 1) {
		e = strchr(s, '\n');
		len = (size_t)(e - s);
		if (h->rule->tf & SA_TF_NOLOG) {
			s = "*REDACTED*";
			len = strlen(s);
		}
		if (terse && first)
			mimebuf_adds(out, "*      ");
		first = 0;
		for (;;) {
			/* Perl's s/^(.{30,48})\s//: longest first */
			for (n = len > 48 ? 48 : len; n >= 30; n--)
				if (n < len && memchr(s, '\n', n) == NULL &&
				    isspace((unsigned char)s[n]))
					break;
			if (n < 30)
				break;
			test_log_line(s, n, out, terse);
			s += n + 1;
			len -= n + 1;
		}
		test_log_line(s, len, out, terse);
		if (h->rule->tf & SA_TF_NOLOG)
			break;
	}
}

/* get_content_preview */
static void
preview(const struct sa_result *res, struct mimebuf *out)
{
	struct mimebuf	 s, t, w;
	struct mime	*m;
	struct render	*r;
	const char	*l;
	size_t		 i, n, len, k, ln, st;
	int		 numlines = 3;

	mimebuf_init(&s);
	mimebuf_init(&t);
	mimebuf_init(&w);
	if ((m = mime_parse(res->buf, res->len, NULL)) == NULL)
		return;
	if ((r = render_message(m, NULL)) == NULL) {
		mime_free(m);
		return;
	}
	for (i = 1; i < r->body.n && s.len < 200 && numlines-- > 0; i++) {
		l = render_line(&r->body, i, &len);
		mimebuf_add(&s, l, len);
	}
	render_free(r);
	mime_free(m);
	/* s/^(.{200}).+$/$1 [...]/gm */
	for (st = 0; st <= s.len; ) {
		for (ln = st; ln < s.len && s.buf[ln] != '\n'; ln++)
			;
		if (ln - st > 200) {
			mimebuf_add(&t, s.buf + st, 200);
			mimebuf_adds(&t, " [...]");
		} else if (ln > st)
			mimebuf_add(&t, s.buf + st, ln - st);
		if (ln < s.len)
			mimebuf_addc(&t, '\n');
		st = ln + 1;
	}
	/* chomp; "\n" */
	if (t.len > 0 && t.buf[t.len - 1] == '\n')
		t.len--;
	mimebuf_addc(&t, '\n');
	/* the three removals, then white space runs to one space */
	s.len = 0;
	for (i = 0; i < t.len; ) {
		if (t.len - i >= 27 && strncmp(t.buf + i,
		    "-----Original Message-----", 26) == 0) {
			while (i < t.len && t.buf[i] != '\n')
				i++;
			continue;
		}
		if (t.len - i >= 44 && strncmp(t.buf + i,
		    "This is a multi-part message in MIME format.", 44) ==
		    0) {
			i += 44;
			continue;
		}
		for (n = i; n < t.len && strchr("-_*.", t.buf[n]) != NULL &&
		    t.buf[n] != '\0'; n++)
			;
		if (n - i >= 10) {
			i = n;
			continue;
		}
		if (isspace((unsigned char)t.buf[i])) {
			while (i < t.len && isspace((unsigned char)t.buf[i]))
				i++;
			mimebuf_addc(&s, ' ');
			continue;
		}
		mimebuf_addc(&s, t.buf[i++]);
	}
	mimebuf_addc(&s, '\0');
	wrap(&w, s.buf, "  ", "Content preview:  ", 75, 1, 0);
	mimebuf_addc(&w, '\0');
	k = 0;
	if (strncmp(w.buf, "Content preview:", 16) == 0) {
		k = 16;
		while (isspace((unsigned char)w.buf[k]))
			k++;
	}
	mimebuf_adds(out, w.buf + k);
	mimebuf_free(&s);
	mimebuf_free(&t);
	mimebuf_free(&w);
}

/* the value of one tag (get_tag_raw); *known 0 if SA has no such tag */
static void
tag_value(const struct sa_result *res, const char *tag, const char *arg,
    struct mimebuf *out, int *known)
{
	char		 buf[64];
	const char	*s;
	size_t		 i;
	long		 n;

	*known = 1;
	if (strcmp(tag, "YESNO") == 0 || strcmp(tag, "YESNOCAPS") == 0) {
		const char *sp = "Yes", *hm = "No", *c;
		char	 a[128];

		if (arg != NULL) {
			(void)strlcpy(a, arg, sizeof(a));
			sp = a;
			hm = NULL;
			if ((c = strchr(a, ',')) != NULL) {
				a[c - a] = '\0';
				hm = c + 1;
			}
			if (hm == NULL)
				hm = "No";
		}
		s = res->is_spam ? sp : hm;
		if (tag[5] == 'C')
			for (i = 0; s[i] != '\0'; i++)
				mimebuf_addc(out, toupper((unsigned char)s[i]));
		else
			mimebuf_adds(out, s);
	} else if (strcmp(tag, "SCORE") == 0 || strcmp(tag, "HITS") == 0) {
		sa_out_score(res, buf, sizeof(buf));
		if (arg != NULL && *arg != '\0' && (strspn(arg, "0") ==
		    strlen(arg) || strspn(arg, " ") == strlen(arg))) {
			long c = (long)strlen(arg) + 3 - (long)strlen(buf);

			for (n = 0; n < c && n < (long)strlen(arg); n++)
				mimebuf_addc(out, arg[0]);
		}
		mimebuf_adds(out, buf);
	} else if (strcmp(tag, "REQD") == 0) {
		(void)snprintf(buf, sizeof(buf), "%2.1f", res->required);
		mimebuf_adds(out, buf);
	} else if (strcmp(tag, "VERSION") == 0)
		mimebuf_adds(out, SA_VERSION_TXT);
	else if (strcmp(tag, "SUBVERSION") == 0)
		mimebuf_adds(out, SA_SUBVERSION_TXT);
	else if (strcmp(tag, "RULESVERSION") == 0)
		;
	else if (strcmp(tag, "HOSTNAME") == 0)
		mimebuf_adds(out, res->hostname);
	else if (strcmp(tag, "REMOTEHOSTNAME") == 0)
		mimebuf_adds(out, "localhost");
	else if (strcmp(tag, "REMOTEHOSTADDR") == 0)
		mimebuf_adds(out, "127.0.0.1");
	else if (strcmp(tag, "CONTACTADDRESS") == 0) {
		if ((s = sa_conf_str(res->conf, "report_contact")) != NULL)
			mimebuf_adds(out, s);
	} else if (strcmp(tag, "BAYES") == 0)
		mimebuf_adds(out, "0.5");
	else if (strcmp(tag, "DATE") == 0)
		rfc822_date(res->when, out);
	else if (strcmp(tag, "STARS") == 0) {
		n = (long)res->score;
		if (n > 50)
			n = 50;
		for (; n > 0; n--)
			mimebuf_adds(out, arg != NULL && *arg != '\0' ? arg :
			    "*");
	} else if (strcmp(tag, "AUTOLEARN") == 0) {
		/* no Bayes: "disabled" when SA would not learn either */
		if (sa_conf_num(res->conf, "use_bayes") == 0 ||
		    sa_conf_num(res->conf, "bayes_auto_learn") == 0)
			mimebuf_adds(out, "disabled");
		else
			mimebuf_adds(out, "no autolearn_force=no");
	}
	else if (strcmp(tag, "AUTOLEARNSCORE") == 0)
		mimebuf_adds(out, "0");
	else if (strcmp(tag, "TESTS") == 0)
		sa_out_tests(res, arg != NULL && *arg != '\0' ? arg : ",",
		    out);
	else if (strcmp(tag, "SUBTESTS") == 0) {
		if (res->nsubhits == 0)
			mimebuf_adds(out, "none");
		for (i = 0; i < res->nsubhits; i++) {
			if (i > 0)
				mimebuf_adds(out, arg != NULL && *arg != '\0' ?
				    arg : ",");
			mimebuf_adds(out, res->subhits[i].name);
		}
	} else if (strcmp(tag, "TESTSSCORES") == 0) {
		if (res->nhits == 0)
			mimebuf_adds(out, "none");
		for (i = 0; i < res->nhits; i++) {
			if (i > 0)
				mimebuf_adds(out, arg != NULL && *arg != '\0' ?
				    arg : ",");
			mimebuf_adds(out, res->hits[i].name);
			mimebuf_addc(out, '=');
			score_str(res->hits[i].score, out);
		}
	} else if (strcmp(tag, "PREVIEW") == 0)
		preview(res, out);
	else if (strcmp(tag, "SUMMARY") == 0)
		summary(res, out, 0);
	else if (strcmp(tag, "REPORT") == 0) {
		mimebuf_addc(out, '\n');
		summary(res, out, 1);
	}
	else if (strcmp(tag, "SUBJPREFIX") == 0)
		;
	else if (strcmp(tag, "HEADER") == 0)
		;
	else if (strcmp(tag, "ADDEDHEADERHAM") == 0)
		added_headers(res, 0, out);
	else if (strcmp(tag, "ADDEDHEADERSPAM") == 0)
		added_headers(res, 1, out);
	else if (strcmp(tag, "ADDEDHEADER") == 0)
		added_headers(res, res->is_spam, out);
	else
		*known = 0;
}

/*
 * _replace_tags: s{_([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*(?:\(.*?\))?)_}{...}g
 */
static void
replace_tags(const struct sa_result *res, const char *t,
    struct mimebuf *out)
{
	size_t		 i, j, e, nseg, k, segend[64], a, b;
	char		 tag[128], arg[256];
	int		 known, matched;

	for (i = 0; t[i] != '\0'; ) {
		if (t[i] != '_' || !isupper((unsigned char)t[i + 1])) {
			mimebuf_addc(out, t[i++]);
			continue;
		}
		j = i + 1;
		while (isupper((unsigned char)t[j]) ||
		    isdigit((unsigned char)t[j]))
			j++;
		nseg = 0;
		segend[nseg++] = j;
		for (e = j; t[e] == '_' && nseg < 64; ) {
			k = e + 1;
			while (isupper((unsigned char)t[k]) ||
			    isdigit((unsigned char)t[k]))
				k++;
			if (k == e + 1)
				break;
			segend[nseg++] = k;
			e = k;
		}
		matched = 0;
		/* greedy segments, backtracking; then an optional (...) */
		while (nseg > 0 && !matched) {
			e = segend[--nseg];
			a = b = 0;
			if (t[e] == '(') {
				/* .*? then ")_" */
				for (k = e + 1; t[k] != '\0' && t[k] != '\n';
				    k++)
					if (t[k] == ')' && t[k + 1] == '_')
						break;
				if (t[k] == ')') {
					a = e + 1;
					b = k;
					matched = 2;
					e = k + 1;
				}
			}
			if (!matched && t[e] == '_')
				matched = 1;
		}
		if (!matched) {
			mimebuf_addc(out, t[i++]);
			continue;
		}
		k = (matched == 2 ? a - 1 : e) - (i + 1);
		if (k >= sizeof(tag))
			k = sizeof(tag) - 1;
		memcpy(tag, t + i + 1, k);
		tag[k] = '\0';
		if (matched == 2) {
			k = b - a < sizeof(arg) - 1 ? b - a : sizeof(arg) - 1;
			memcpy(arg, t + a, k);
			arg[k] = '\0';
		}
		tag_value(res, tag, matched == 2 ? arg : NULL, out, &known);
		if (!known)
			mimebuf_add(out, t + i, e + 1 - i);
		i = e + 1;
	}
}

/* _process_header with fold_headers 1 (the default) */
static void
process_header(const struct sa_result *res, const char *name,
    const char *tmpl, struct mimebuf *out)
{
	struct mimebuf	 d, w, h;
	size_t		 i, e, s;
	char		*bang;
	int		 fold = 1;

	if (sa_conf_setting(res->conf, "fold_headers") != NULL)
		fold = sa_conf_num(res->conf, "fold_headers") != 0;
	mimebuf_init(&d);
	mimebuf_init(&w);
	mimebuf_init(&h);
	replace_tags(res, tmpl, &d);
	while (d.len > 0 && (d.buf[d.len - 1] == '\n' ||
	    (d.buf[d.len - 1] == '\r' && 0)))
		d.len--;
	mimebuf_addc(&d, '\0');
	if (!fold) {
		for (i = 0; d.buf[i] != '\0'; i++)
			mimebuf_addc(out, d.buf[i] == '\n' ? ' ' : d.buf[i]);
	} else if (strchr(d.buf, '\n') != NULL) {
		/* s/\s*\n\s*\/\n\t/g */
		for (i = 0; d.buf[i] != '\0'; ) {
			if (isspace((unsigned char)d.buf[i])) {
				for (e = i; isspace((unsigned char)d.buf[e]);
				    e++)
					;
				if (memchr(d.buf + i, '\n', e - i) != NULL)
					mimebuf_adds(out, "\n\t");
				else
					mimebuf_add(out, d.buf + i, e - i);
				i = e;
			} else
				mimebuf_addc(out, d.buf[i++]);
		}
	} else {
		mimebuf_adds(&h, "X-Spam-");
		mimebuf_adds(&h, name);
		mimebuf_adds(&h, "!!");
		mimebuf_adds(&h, d.buf);
		mimebuf_addc(&h, '\0');
		wrap(&w, h.buf, "\t", "", 79, 0, 1);
		mimebuf_addc(&w, '\0');
		/* s/^\s*\n//gm, then the part after "!!" */
		h.len = 0;
		for (s = 0; w.buf[s] != '\0'; ) {
			for (e = s; w.buf[e] != '\0' && isspace((unsigned char)
			    w.buf[e]) && w.buf[e] != '\n'; e++)
				;
			if (w.buf[e] == '\n') {
				s = e + 1;
				continue;
			}
			for (e = s; w.buf[e] != '\0' && w.buf[e] != '\n'; e++)
				;
			mimebuf_add(&h, w.buf + s, e - s + (w.buf[e] == '\n'));
			s = e + (w.buf[e] == '\n');
		}
		mimebuf_addc(&h, '\0');
		if ((bang = strstr(h.buf, "!!")) != NULL)
			mimebuf_adds(out, bang + 2);
	}
	mimebuf_free(&d);
	mimebuf_free(&w);
	mimebuf_free(&h);
}

static int
hdr_ascii(int c)
{
	return (c == '\t' || (c >= 0x20 && c <= 0x7e));
}

/*
 * mime_encode_header: each line of a field value with octets outside
 * printable ASCII gets its middle (between the leading and trailing
 * ASCII runs that end/start at white space) as one RFC 2047 word, Q or
 * B, whichever is shorter as SpamAssassin reckons it.
 */
static void
encode_header(const char *t, size_t n, struct mimebuf *out)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t		 s, e, le, k, ss, pe, ml, q;
	const unsigned char *u;
	unsigned int	 v;
	char		 hx[4];

	for (s = 0; s < n; s = e) {
		for (e = s; e < n && t[e] != '\n'; e++)
			;
		if (e < n)
			e++;
		/* the line end */
		le = e;
		if (le > s && t[le - 1] == '\n') {
			le--;
			if (le > s && t[le - 1] == '\r')
				le--;
		}
		for (k = s; k < le && hdr_ascii((unsigned char)t[k]); k++)
			;
		if (k == le) {
			mimebuf_add(out, t + s, e - s);
			continue;
		}
		/* suffix: from the first blank after the last non-ASCII */
		for (k = le; k > s && hdr_ascii((unsigned char)t[k - 1]); k--)
			;
		for (ss = k; ss < le && t[ss] != ' ' && t[ss] != '\t'; ss++)
			;
		/* prefix: the leading ASCII run through its last blank */
		for (k = s; k < le && hdr_ascii((unsigned char)t[k]); k++)
			;
		for (pe = k; pe > s && t[pe - 1] != ' ' && t[pe - 1] != '\t';
		    pe--)
			;
		mimebuf_add(out, t + s, pe - s);
		u = (const unsigned char *)t + pe;
		ml = ss - pe;
		for (k = 0, q = 0; k < ml; k++)
			if (u[k] == '=' || u[k] == '?' || u[k] == '_' ||
			    u[k] < 0x20 || u[k] >= 0x7f)
				q++;
		if ((double)(ml + q * 2) <= 4.0 * (double)(ml + 2) / 3.0) {
			mimebuf_adds(out, "=?UTF-8?Q?");
			for (k = 0; k < ml; k++) {
				if (u[k] == ' ')
					mimebuf_addc(out, '_');
				else if (u[k] == '=' || u[k] == '?' ||
				    u[k] == '_' || u[k] < 0x20 ||
				    u[k] >= 0x7f) {
					(void)snprintf(hx, sizeof(hx), "=%02X",
					    u[k]);
					mimebuf_adds(out, hx);
				} else
					mimebuf_addc(out, u[k]);
			}
		} else {
			mimebuf_adds(out, "=?UTF-8?B?");
			for (k = 0; k < ml; k += 3) {
				v = u[k] << 16;
				if (k + 1 < ml)
					v |= u[k + 1] << 8;
				if (k + 2 < ml)
					v |= u[k + 2];
				mimebuf_addc(out, b64[(v >> 18) & 63]);
				mimebuf_addc(out, b64[(v >> 12) & 63]);
				mimebuf_addc(out, k + 1 < ml ?
				    b64[(v >> 6) & 63] : '=');
				mimebuf_addc(out, k + 2 < ml ? b64[v & 63] :
				    '=');
			}
		}
		mimebuf_adds(out, "?=");
		mimebuf_add(out, t + ss, e - ss);
	}
}

/* _get_added_headers: "X-Spam-Name: value\n" each */
static void
added_headers(const struct sa_result *res, int spam, struct mimebuf *out)
{
	const struct sa_hdr	*h;
	struct mimebuf		 v;
	size_t			 i, n;

	h = spam ? res->conf->hdr_spam : res->conf->hdr_ham;
	n = spam ? res->conf->nhdr_spam : res->conf->nhdr_ham;
	mimebuf_init(&v);
	for (i = 0; i < n; i++) {
		mimebuf_adds(out, "X-Spam-");
		mimebuf_adds(out, h[i].name);
		mimebuf_adds(out, ": ");
		v.len = 0;
		process_header(res, h[i].name, h[i].tmpl, &v);
		encode_header(v.buf, v.len, out);
		mimebuf_addc(out, '\n');
	}
	mimebuf_free(&v);
}

static const char *
line_ending(const struct sa_result *res)
{
	const char	*nl, *p;
	size_t		 n = res->len;

	if ((nl = memchr(res->buf, '\n', n)) != NULL && nl > res->buf &&
	    nl[-1] == '\r')
		return ("\r\n");
	/* the last line */
	p = res->buf + n;
	if (n > 0 && p[-1] == '\n')
		p--;
	while (p > res->buf && p[-1] != '\n')
		p--;
	if (memchr(p, '\r', res->buf + n - p) != NULL && n >= 2 &&
	    res->buf[n - 1] == '\n' && res->buf[n - 2] == '\r')
		return ("\r\n");
	return ("\n");
}

static void
fixup_eol(struct mimebuf *b, const char *eol)
{
	struct mimebuf	 t;
	size_t		 i;

	if (strcmp(eol, "\n") == 0)
		return;
	mimebuf_init(&t);
	for (i = 0; i < b->len; i++) {
		if (b->buf[i] == '\r' && i + 1 < b->len && b->buf[i + 1] ==
		    '\n')
			continue;
		if (b->buf[i] == '\n')
			mimebuf_adds(&t, "\r\n");
		else
			mimebuf_addc(&t, b->buf[i]);
	}
	mimebuf_free(b);
	*b = t;
}

/*
 * The pristine header: from after an mbox "From " line (*start) to the
 * end of the blank line (or the end of the message); returns the end.
 */
static size_t
header_end(const struct sa_result *res, size_t *start)
{
	const char	*b = res->buf;
	size_t		 n = res->len, i;

	*start = 0;
	if (n >= 5 && strncmp(b, "From ", 5) == 0) {
		for (i = 0; i < n && b[i] != '\n'; i++)
			;
		*start = i < n ? i + 1 : n;
	}
	for (i = *start; i < n; ) {
		if (b[i] == '\n')
			return (i + 1);
		if (b[i] == '\r' && i + 1 < n && b[i + 1] == '\n')
			return (i + 2);
		while (i < n && b[i] != '\n')
			i++;
		i++;
	}
	return (n);
}

int
sa_out_headers(const struct sa_result *res, const char *eol,
    struct mimebuf *out)
{
	struct mimebuf	 b;

	mimebuf_init(&b);
	added_headers(res, res->is_spam, &b);
	fixup_eol(&b, eol != NULL ? eol : line_ending(res));
	mimebuf_add(out, b.buf, b.len);
	mimebuf_free(&b);
	return (0);
}

int
sa_out_header_value(const struct sa_result *res, const char *name,
    struct mimebuf *out)
{
	const struct sa_hdr	*h;
	size_t			 i, n;

	h = res->is_spam ? res->conf->hdr_spam : res->conf->hdr_ham;
	n = res->is_spam ? res->conf->nhdr_spam : res->conf->nhdr_ham;
	for (i = 0; i < n; i++)
		if (strcasecmp(h[i].name, name) == 0) {
			process_header(res, h[i].name, h[i].tmpl, out);
			return (0);
		}
	return (-1);
}

int
sa_out_report(const struct sa_result *res, struct mimebuf *out)
{
	struct mimebuf	 b;
	const char	*t = res->conf->report;

	mimebuf_init(&b);
	replace_tags(res, t != NULL && *t != '\0' ? t :
	    "(no report template found)", &b);
	/* s/\n*$/\n\n/s */
	while (b.len > 0 && b.buf[b.len - 1] == '\n')
		b.len--;
	mimebuf_adds(&b, "\n\n");
	mimebuf_add(out, b.buf, b.len);
	mimebuf_free(&b);
	return (0);
}

/* the last "Name:" field of the pristine header, value through its end */
static int
pristine_field(const char *h, size_t n, const char *name, struct mimebuf *v)
{
	size_t	i, nl = strlen(name), s, e, found = 0, vs = 0, ve = 0;

	for (i = 0; i < n; ) {
		for (e = i; e < n && h[e] != '\n'; e++)
			;
		if (e - i > nl && strncasecmp(h + i, name, nl) == 0) {
			s = i + nl;
			while (s < e && (h[s] == ' ' || h[s] == '\t'))
				s++;
			if (s < e && h[s] == ':') {
				s++;
				while (s < e && (h[s] == ' ' || h[s] == '\t'))
					s++;
				/* through continuation lines */
				while (e + 1 < n && (h[e + 1] == ' ' ||
				    h[e + 1] == '\t'))
					for (e++; e < n && h[e] != '\n'; e++)
						;
				vs = s;
				ve = e < n ? e + 1 : n;
				found = 1;
			}
		}
		i = e + 1;
	}
	if (found)
		mimebuf_add(v, h + vs, ve - vs);
	return (found ? 0 : -1);
}

static void
report_safe(const struct sa_result *res, struct mimebuf *out)
{
	static const char *const copy[] = { "From", "To", "Cc", "Subject",
	    "Date", "Message-Id" };
	struct mimebuf	 m, v, rep, tag;
	const char	*eol = line_ending(res), *ct;
	size_t		 hs, he, i;
	char		 bnd[128];
	unsigned int	 rnd = res->boundary_rand;
	int		 rs;

	rs = (int)sa_conf_num(res->conf, "report_safe");
	hs = 0;
	he = header_end(res, &hs);
	mimebuf_init(&m);
	mimebuf_init(&v);
	mimebuf_init(&rep);
	mimebuf_init(&tag);
	sa_out_report(res, &rep);
	mimebuf_adds(&m, "Received: from localhost by ");
	mimebuf_adds(&m, res->fqdn != NULL ? res->fqdn : res->hostname);
	mimebuf_adds(&m, "\n\twith SpamAssassin (version " SA_VERSION_TXT
	    ");\n\t");
	rfc822_date(res->when, &m);
	mimebuf_addc(&m, '\n');
	for (i = 0; i < 6; i++) {
		v.len = 0;
		if (pristine_field(res->buf + hs, he - hs, copy[i], &v) == -1) {
			if (i == 3 && res->conf->rewrite[0] != NULL)
				mimebuf_addc(&v, '\n');
			else
				continue;
		}
		if (i == 3 && res->conf->rewrite[0] != NULL) {
			tag.len = 0;
			replace_tags(res, res->conf->rewrite[0], &tag);
			mimebuf_addc(&tag, '\0');
			mimebuf_adds(&m, "Subject: ");
			mimebuf_adds(&m, tag.buf);
			mimebuf_addc(&m, ' ');
			if (v.len >= tag.len && strncmp(v.buf, tag.buf,
			    tag.len - 1) == 0 && v.buf[tag.len - 1] == ' ')
				mimebuf_add(&m, v.buf + tag.len,
				    v.len - tag.len);
			else
				mimebuf_add(&m, v.buf, v.len);
			continue;
		}
		mimebuf_adds(&m, copy[i]);
		mimebuf_adds(&m, ": ");
		mimebuf_add(&m, v.buf, v.len);
	}
	added_headers(res, 1, &m);
	(void)snprintf(bnd, sizeof(bnd), "----------=_%08X.%08X",
	    (unsigned int)res->when, rnd);
	mimebuf_adds(&m, "MIME-Version: 1.0\nContent-Type: multipart/mixed; "
	    "boundary=\"");
	mimebuf_adds(&m, bnd);
	mimebuf_adds(&m, "\"\n\nThis is a multi-part message in MIME format."
	    "\n\n--");
	mimebuf_adds(&m, bnd);
	mimebuf_adds(&m, "\nContent-Type: text/plain; charset=");
	mimebuf_adds(&m, sa_conf_str(res->conf, "report_charset") != NULL &&
	    *sa_conf_str(res->conf, "report_charset") != '\0' ?
	    sa_conf_str(res->conf, "report_charset") : "UTF-8");
	mimebuf_adds(&m, "\nContent-Disposition: inline\n"
	    "Content-Transfer-Encoding: 8bit\n\n");
	/* the disposition: the top Content-Type */
	v.len = 0;
	ct = NULL;
	if (pristine_field(res->buf + hs, he - hs, "Content-Type", &v) == 0) {
		mimebuf_addc(&v, '\0');
		ct = v.buf;
	}
	if (ct != NULL && strspn(ct, " \t\r\n") != strlen(ct) &&
	    strcasestr(ct, "text/plain") == NULL) {
		mimebuf_add(&m, rep.buf, rep.len);
		if (res->conf->unsafe_report != NULL)
			replace_tags(res, res->conf->unsafe_report, &m);
		ct = "attachment";
	} else {
		mimebuf_add(&m, rep.buf, rep.len);
		ct = "inline";
	}
	mimebuf_adds(&m, "\n\n--");
	mimebuf_adds(&m, bnd);
	mimebuf_adds(&m, rs > 1 ? "\nContent-Type: text/plain;" :
	    "\nContent-Type: message/rfc822;");
	mimebuf_adds(&m, " x-spam-type=original\nContent-Description: "
	    "original message before SpamAssassin\nContent-Disposition: ");
	mimebuf_adds(&m, ct);
	mimebuf_adds(&m, "\nContent-Transfer-Encoding: 8bit\n\n");
	fixup_eol(&m, eol);
	if (hs > 0)
		mimebuf_add(out, res->buf, hs);
	mimebuf_add(out, m.buf, m.len);
	mimebuf_add(out, res->buf + hs, res->len - hs);
	m.len = 0;
	mimebuf_adds(&m, "\n--");
	mimebuf_adds(&m, bnd);
	mimebuf_adds(&m, "--\n\n");
	fixup_eol(&m, eol);
	mimebuf_add(out, m.buf, m.len);
	mimebuf_free(&m);
	mimebuf_free(&v);
	mimebuf_free(&rep);
	mimebuf_free(&tag);
}

int
sa_out_message(const struct sa_result *res, struct mimebuf *out)
{
	static const char *const rw[] = { "Subject", "From", "To" };
	struct strv	 l = { NULL, 0 };
	struct mimebuf	 h, tag;
	const char	*b = res->buf, *sep = NULL;
	size_t		 hs, he, i, e, k, n, seplen = 0;
	int		 created = 0, have_subj = 0;

	if (res->is_spam && sa_conf_num(res->conf, "report_safe") != 0) {
		report_safe(res, out);
		return (0);
	}
	he = header_end(res, &hs);
	/* lines of the pristine header */
	for (i = hs; i < he; i = e) {
		for (e = i; e < he && b[e] != '\n'; e++)
			;
		if (e < he)
			e++;
		sv_add(&l, b + i, e - i);
	}
	/* drop X-Spam-* (not X-Spam-Prev-*) fields */
	for (i = 0; i < l.n; i++) {
		if (strncasecmp(l.v[i], "X-Spam-", 7) != 0 ||
		    strncasecmp(l.v[i], "X-Spam-Prev-", 12) == 0)
			continue;
		while (i < l.n && ((strncasecmp(l.v[i], "X-Spam-", 7) == 0 &&
		    strncasecmp(l.v[i], "X-Spam-Prev-", 12) != 0) ||
		    l.v[i][0] == ' ' || l.v[i][0] == '\t')) {
			free(l.v[i]);
			memmove(l.v + i, l.v + i + 1, (l.n - i - 1) *
			    sizeof(*l.v));
			l.n--;
		}
		i--;
	}
	if (l.n > 0 && strspn(l.v[l.n - 1], " \t\r\n\f\v") ==
	    strlen(l.v[l.n - 1])) {
		sep = l.v[l.n - 1];
		seplen = strlen(sep);
		l.n--;
	}
	mimebuf_init(&tag);
	if (res->is_spam) {
		for (i = 0; i < l.n; i++)
			if (strncasecmp(l.v[i], "Subject:", 8) == 0)
				have_subj = 1;
		if (!have_subj && res->conf->rewrite[0] != NULL) {
			sv_add(&l, "Subject: \n", 10);
			created = 1;
		}
		n = l.n;
		for (i = 0; i < n; i++) {
			for (k = 0; k < 3; k++)
				if (strncasecmp(l.v[i], rw[k], strlen(rw[k])) ==
				    0 && l.v[i][strlen(rw[k])] == ':')
					break;
			if (k == 3 || res->conf->rewrite[k] == NULL)
				continue;
			if (created)
				sv_add(&l,
				    "X-Spam-Prev-Subject: (nonexistent)\n", 35);
			else {
				char *p;

				if (xasprintf(&p, "X-Spam-Prev-%s", l.v[i]) ==
				    -1)
					abort();
				sv_add(&l, p, strlen(p));
				free(p);
			}
			tag.len = 0;
			if (k > 0)
				mimebuf_addc(&tag, '(');
			replace_tags(res, res->conf->rewrite[k], &tag);
			if (k > 0)
				mimebuf_addc(&tag, ')');
			for (e = 0; e < tag.len; e++)
				if (tag.buf[e] == '\n')
					tag.buf[e] = ' ';
			mimebuf_addc(&tag, '\0');
			{
				char	*line = l.v[i], *c, *rest, *nw;
				size_t	 tl = strlen(tag.buf);

				c = strchr(line, ':');
				rest = c + 1;
				while (*rest == ' ' || *rest == '\t')
					rest++;
				if (strncmp(rest, tag.buf, tl) == 0 &&
				    rest[tl] == ' ')
					rest += tl + 1;
				if (xasprintf(&nw, "%.*s %s %s",
				    (int)(c + 1 - line), line, tag.buf, rest) ==
				    -1)
					abort();
				free(l.v[i]);
				l.v[i] = nw;
			}
		}
	}
	mimebuf_init(&h);
	i = 0;
	if (l.n > 0 && strncasecmp(l.v[0], "Return-Path:", 12) == 0) {
		mimebuf_adds(&h, l.v[0]);
		for (i = 1; i < l.n && (l.v[i][0] == ' ' || l.v[i][0] == '\t');
		    i++)
			mimebuf_adds(&h, l.v[i]);
	}
	added_headers(res, res->is_spam, &h);
	for (; i < l.n; i++)
		mimebuf_adds(&h, l.v[i]);
	if (sep != NULL)
		mimebuf_add(&h, sep, seplen);
	fixup_eol(&h, line_ending(res));
	if (hs > 0)
		mimebuf_add(out, b, hs);
	mimebuf_add(out, h.buf, h.len);
	mimebuf_add(out, b + he, res->len - he);
	if (sep != NULL)
		free((char *)sep);
	sv_free(&l);
	mimebuf_free(&h);
	mimebuf_free(&tag);
	return (0);
}
