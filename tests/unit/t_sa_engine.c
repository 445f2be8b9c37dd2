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
 * filterd's scan engine (filterd/sa_engine.h): every rule type over
 * small messages with a small configuration, meta arithmetic and hit
 * counts, the score and verdict, GTUBE with the stock rules.
 *
 * With arguments it is the agreement test's scanner:
 *	t_sa_engine --scan tests|message|headers|report|message-files FILE...
 * loads the stock configuration (local tests only, hostname
 * "filterd.test", time 1700000000, then $FILTERD_POST_CONFIG) and
 * prints sa_cli_scan's output.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"
#include "compat.h"
#include "../filterd/sa_cli.h"
#include "../filterd/sa_conf.h"
#include "../filterd/sa_engine.h"
#include "mimedec.h"
#include "xmalloc.h"

static struct sa_conf	*stock_conf(void);
static void		 print_unsupported(const struct sa_conf *);
static struct sa_conf	*text_conf(const char *);
static struct sa_result	*scan(struct sa_engine *, const char *);
static int		 hit(const struct sa_result *, const char *);
static int		 subhit(const struct sa_result *, const char *);
static double		 value(const struct sa_result *, const char *);
static int		 scan_main(int, char **);
static int		 same_hits(const struct sa_result *,
			    const struct sa_result *);
static void		 prefilter_tests(void);

static struct sa_conf *
stock_conf(void)
{
	struct sa_load_opts	 o;
	struct sa_conf		*c;

	memset(&o, 0, sizeof(o));
	o.local_tests_only = 1;
	static char	*post;
	const char	*extra = getenv("FILTERD_POST_CONFIG");

	if (post == NULL && xasprintf(&post, "use_bayes 0\n"
	    "bayes_auto_learn 0\nreport_hostname filterd.test\n%s",
	    extra != NULL ? extra : "") == -1)
		return (NULL);
	o.post_config = post;
	o.evals = sa_eval_names();
	c = sa_conf_new();
	if (sa_conf_load(c, &o) == -1) {
		sa_conf_free(c);
		return (NULL);
	}
	return (c);
}

static struct sa_conf *
text_conf(const char *text)
{
	struct sa_load_opts	 o;
	struct sa_conf		*c;

	memset(&o, 0, sizeof(o));
	o.local_tests_only = 1;
	o.evals = sa_eval_names();
	c = sa_conf_new();
	sa_conf_set_opts(c, &o);
	if (sa_conf_parse_text(c, "test.cf", text, strlen(text)) == -1 ||
	    sa_conf_finish(c) == -1) {
		sa_conf_free(c);
		return (NULL);
	}
	return (c);
}

static struct sa_result *
scan(struct sa_engine *e, const char *msg)
{
	struct sa_result	*res = NULL;

	if (sa_scan(e, msg, strlen(msg), NULL, &res) == -1)
		return (NULL);
	return (res);
}

static int
hit(const struct sa_result *res, const char *name)
{
	size_t	i;
	int	n = 0;

	for (i = 0; res != NULL && i < res->nhits; i++)
		if (strcmp(res->hits[i].name, name) == 0)
			n++;
	return (n);
}

static int
subhit(const struct sa_result *res, const char *name)
{
	size_t	i;

	for (i = 0; res != NULL && i < res->nsubhits; i++)
		if (strcmp(res->subhits[i].name, name) == 0)
			return (1);
	return (0);
}

static double
value(const struct sa_result *res, const char *name)
{
	size_t	i;

	for (i = 0; res != NULL && i < res->nsubhits; i++)
		if (strcmp(res->subhits[i].name, name) == 0)
			return (res->subhits[i].value);
	for (i = 0; res != NULL && i < res->nhits; i++)
		if (strcmp(res->hits[i].name, name) == 0)
			return (res->hits[i].value);
	return (0);
}

/*
 * The rules whose result filterd cannot reproduce: unsupported ones,
 * and the metas that depend on one (transitively), "unsupported"; the
 * eval rules filterd runs (sa_eval.c) and the metas over them, "eval".
 */
static void
print_unsupported(const struct sa_conf *c)
{
	unsigned char	*bad;
	struct sa_rule	*r, *d;
	size_t		 i, j;
	int		 changed = 1;

	/* 2: unsupported, 1: an eval (not the engine's own), 0: engine */
	bad = xcalloc(c->nrules + 1, 1);
	for (i = 0; i < c->nrules; i++)
		if (c->rules[i]->unsupported != NULL)
			bad[i] = 2;
		else if (c->rules[i]->is_eval && !c->rules[i]->is_mimeheader)
			bad[i] = 1;
	while (changed) {
		changed = 0;
		for (i = 0; i < c->nrules; i++) {
			r = c->rules[i];
			if (r->meta == NULL)
				continue;
			for (j = 0; j < r->meta->ndeps; j++) {
				d = sa_conf_rule((struct sa_conf *)c,
				    r->meta->deps[j]);
				if (d != NULL && bad[d->index] > bad[i]) {
					bad[i] = bad[d->index];
					changed = 1;
				}
			}
		}
	}
	for (i = 0; i < c->nrules; i++)
		if (bad[i])
			printf("%s\t%s\n", c->rules[i]->name, bad[i] == 2 ?
			    "unsupported" : "eval");
	free(bad);
}

static int
scan_main(int argc, char **argv)
{
	struct sa_engine_opts	 eo;
	struct sa_engine_stats	 st;
	struct sa_conf		*c;
	struct sa_engine	*e;
	struct timespec		 t0, t1;
	char			 err[256];
	double			 el;
	int			 mode, rc;

	if (argc == 2 && strcmp(argv[1], "--unsupported") == 0) {
		if ((c = stock_conf()) == NULL)
			return (1);
		print_unsupported(c);
		sa_conf_free(c);
		return (0);
	}
	if (argc < 3)
		return (2);
	if (strcmp(argv[2], "tests") == 0)
		mode = SA_CLI_TESTS;
	else if (strcmp(argv[2], "headers") == 0)
		mode = SA_CLI_HEADERS;
	else if (strcmp(argv[2], "report") == 0)
		mode = SA_CLI_REPORT;
	else if (strcmp(argv[2], "message-files") == 0)
		mode = SA_CLI_MESSAGE_FILES;
	else
		mode = SA_CLI_MESSAGE;
	if ((c = stock_conf()) == NULL) {
		fprintf(stderr, "cannot load the rules\n");
		return (1);
	}
	memset(&eo, 0, sizeof(eo));
	eo.hostname = "filterd.test";
	eo.now = 1700000000;
	eo.seed = 0x12345678;
	eo.score_set = -1;
	eo.no_prefilter = getenv("FILTERD_NO_PREFILTER") != NULL;
	if ((e = sa_engine_new(c, &eo, err, sizeof(err))) == NULL) {
		fprintf(stderr, "%s\n", err);
		return (1);
	}
	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	rc = sa_cli_scan(e, mode, argv + 3, argc - 3, stdout);
	(void)clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
	el = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	fprintf(stderr, "scanned %d messages in %.3f s of CPU: %.0f messages/s "
	    "per core%s\n", argc - 3, el, el > 0 ? (argc - 3) / el : 0,
	    eo.no_prefilter ? " (no prefilter)" : "");
	sa_engine_stats(e, &st);
	fprintf(stderr, "prefilter: %zu rules by literal, %zu by Hyperscan, "
	    "%lu rule runs skipped\n", st.lit_rules, st.hs_rules, st.skipped);
	sa_engine_free(e);
	sa_conf_free(c);
	return (rc);
}

/* the same hits (scored and sub-rules, counts and values) */
static int
same_hits(const struct sa_result *a, const struct sa_result *b)
{
	size_t	i;

	if (a == NULL || b == NULL || a->nhits != b->nhits ||
	    a->nsubhits != b->nsubhits || a->score != b->score)
		return (0);
	for (i = 0; i < a->nhits; i++)
		if (strcmp(a->hits[i].name, b->hits[i].name) != 0 ||
		    a->hits[i].value != b->hits[i].value)
			return (0);
	for (i = 0; i < a->nsubhits; i++)
		if (strcmp(a->subhits[i].name, b->subhits[i].name) != 0)
			return (0);
	return (1);
}

/*
 * The prefilter (literals, Hyperscan: filterd/sa_hs.c): which rules it
 * guards, the rule runs it saves, and the same results without it.
 */
static void
prefilter_tests(void)
{
	static const char *const msgs[] = {
	    "Subject: test\n\nHello v1agra and CHEAP pills here\n"
	    "click http://example.com/a?x=1 now\n",
	    "Subject: fine\n\nNothing to see.\nReally nothing.\n",
	    "Subject: x\nContent-Type: text/html\n\n<html><body>"
	    "<p>foo bar</p><a href=\"http://x.example/viagra\">y</a>"
	    "</body></html>\n",
	    "Subject: x\n\nfoo\n\nbar\nBAR\nwin a prize now!!!\n",
	};
	struct sa_engine_opts	 eo;
	struct sa_engine_stats	 st;
	struct sa_conf		*c;
	struct sa_engine	*e, *e0;
	struct sa_result	*r, *r0;
	char			 err[256];
	size_t			 i;

	c = text_conf(
	    "body B_FUZZY /\\bv[i1!|]a?gr[a@]\\b/i\n"
	    "score B_FUZZY 1\n"
	    "body B_CHEAP /\\bch[e3]{1,2}ap\\b/i\n"
	    "score B_CHEAP 1\n"
	    "body B_LIT /nothing to see/i\n"
	    "score B_LIT 1\n"
	    "body B_ANCH /^[a-z]{3}$/\n"
	    "tflags B_ANCH multiple\n"
	    "score B_ANCH 1\n"
	    "body B_NEVER /z[q0-9]{2}z/\n"
	    "score B_NEVER 1\n"
	    "body B_PRIZE /w[i1]n\\W+a\\W+pr[i1]ze/i\n"
	    "score B_PRIZE 1\n"
	    "rawbody R_TAG /<p\\b[^>]*>f[o0]+/i\n"
	    "score R_TAG 1\n"
	    "rawbody R_END /[a-z]\\s*$/\n"
	    "score R_END 1\n"
	    "uri U_PATH /^https?:\\/\\/[^\\/]+\\/[a-z]{1,2}\\b/\n"
	    "score U_PATH 1\n"
	    "uri U_VIA /v[i1]agra/\n"
	    "score U_VIA 1\n"
	    "body B_WORDS /(?:\\w+\\s+){3}now/\n"
	    "score B_WORDS 1\n");
	ok(c != NULL, "prefilter: rules load");
	if (c == NULL)
		return;
	memset(&eo, 0, sizeof(eo));
	eo.hostname = "filterd.test";
	eo.now = 1700000000;
	eo.seed = 1;
	eo.score_set = 0;
	e = sa_engine_new(c, &eo, err, sizeof(err));
	eo.no_prefilter = 1;
	e0 = sa_engine_new(c, &eo, err, sizeof(err));
	ok(e != NULL && e0 != NULL, "prefilter: engines");
	if (e == NULL || e0 == NULL)
		goto out;
	sa_engine_stats(e, &st);
	diag("%zu rules guarded by their literals, %zu by Hyperscan",
	    st.lit_rules, st.hs_rules);
	ok(st.lit_rules >= 1, "B_LIT guarded by its literal");
#ifdef MX_HAVE_HYPERSCAN
	is_int(st.lit_rules + st.hs_rules, 11,
	    "every other rule by Hyperscan");
#else
	is_int(st.hs_rules, 0, "none by Hyperscan");
#endif
	sa_engine_stats(e0, &st);
	ok(st.hs_rules == 0 && st.lit_rules == 0, "no_prefilter: none");
	for (i = 0; i < nitems(msgs); i++) {
		r = scan(e, msgs[i]);
		r0 = scan(e0, msgs[i]);
		ok(same_hits(r, r0), "message %zu: same hits with and "
		    "without the prefilter", i);
		if (i == 0)
			ok(hit(r, "B_CHEAP") && hit(r, "B_FUZZY") &&
			    hit(r, "R_END") && hit(r, "U_PATH") &&
			    r->nhits == 4, "message 0: its 4 hits");
		if (i == 3)
			ok(hit(r, "B_ANCH") && hit(r, "B_PRIZE") &&
			    hit(r, "B_WORDS") && r->nhits == 3,
			    "message 3: its 3 hits");
		sa_result_free(r);
		sa_result_free(r0);
	}
	sa_engine_stats(e, &st);
#ifdef MX_HAVE_HYPERSCAN
	ok(st.skipped > 20, "rule runs skipped: %lu", st.skipped);
#else
	ok(st.skipped > 0, "rule runs skipped: %lu", st.skipped);
#endif
	sa_engine_stats(e0, &st);
	is_int(st.skipped, 0, "none skipped without the prefilter");
 out:
	sa_engine_free(e);
	sa_engine_free(e0);
	sa_conf_free(c);
}

int
main(int argc, char **argv)
{
	struct sa_engine_opts	 eo;
	struct sa_conf		*c;
	struct sa_engine	*e;
	struct sa_result	*r;
	struct mimebuf		 b;
	char			 err[256], sc[32];

	if (argc > 1 && (strcmp(argv[1], "--scan") == 0 ||
	    strcmp(argv[1], "--unsupported") == 0))
		return (scan_main(argc, argv));

	memset(&eo, 0, sizeof(eo));
	eo.hostname = "filterd.test";
	eo.now = 1700000000;
	eo.seed = 1;
	eo.score_set = 0;

	c = text_conf(
	    "required_score 5\n"
	    "header H_SUBJ Subject =~ /hello world/i\n"
	    "score H_SUBJ 1.5\n"
	    "header H_RAW Subject:raw =~ /=\\?utf-8\\?/i\n"
	    "score H_RAW 0.25\n"
	    "header H_ADDR From:addr =~ /^bob\\@example\\.com$/\n"
	    "score H_ADDR 0.5\n"
	    "header H_NAME From:name =~ /^Bob Smith$/\n"
	    "score H_NAME 0.5\n"
	    "header H_EXISTS exists:X-Mailer\n"
	    "score H_EXISTS 0.1\n"
	    "header H_NOTEXISTS exists:X-Nothing\n"
	    "score H_NOTEXISTS 7\n"
	    "header H_UNSET X-Nothing =~ /yes/ [if-unset: yes]\n"
	    "score H_UNSET 0.01\n"
	    "header H_NEG To !~ /example\\.org/\n"
	    "score H_NEG 0.02\n"
	    "header H_ALL ALL =~ /^X-Mailer: Foo/m\n"
	    "score H_ALL 0.03\n"
	    "header H_MSGID MESSAGEID =~ /<abc\\@/\n"
	    "score H_MSGID 0.04\n"
	    "header H_TOCC ToCc =~ /carol/\n"
	    "score H_TOCC 0.05\n"
	    "body B_SUBJ /hello world/i\n"
	    "score B_SUBJ 0.06\n"
	    "body B_NOSUBJ /hello world/i\n"
	    "tflags B_NOSUBJ nosubject\n"
	    "score B_NOSUBJ 9\n"
	    "body __B_MULTI /cheap/\n"
	    "tflags __B_MULTI multiple maxhits=3\n"
	    "body __B_MULTI_ALL /cheap/\n"
	    "tflags __B_MULTI_ALL multiple\n"
	    "meta M_COUNT __B_MULTI_ALL > 3\n"
	    "score M_COUNT 0.07\n"
	    "meta M_MAX __B_MULTI == 3\n"
	    "score M_MAX 0.08\n"
	    "meta M_NOT !H_NOTEXISTS && (H_SUBJ || B_NOSUBJ)\n"
	    "score M_NOT 0.09\n"
	    "meta M_ZERO H_SUBJ\n"
	    "score M_ZERO 0\n"
	    "meta M_OFZERO M_ZERO\n"
	    "score M_OFZERO 11\n"
	    "rawbody R_QP /caf=C3=A9/\n"
	    "score R_QP 12\n"
	    "rawbody R_DEC /caf\\xc3\\xa9/\n"
	    "score R_DEC 0.1\n"
	    "full F_QP /caf=C3=A9/\n"
	    "score F_QP 0.11\n"
	    "uri U_EX /^https?:\\/\\/www\\.example\\.net\\//\n"
	    "score U_EX 0.12\n"
	    "body GTUBE /XJS\\*C4JDBQADN1\\.NSBN3\\*2IDNEN\\*GTUBE-STANDARD-"
	    "ANTI-UBE-TEST-EMAIL\\*C\\.34X/\n"
	    "score GTUBE 1000\n"
	    "add_header all Checker-Version SpamAssassin _VERSION_ "
	    "(_SUBVERSION_) on _HOSTNAME_\n"
	    "add_header spam Flag _YESNOCAPS_\n"
	    "add_header all Level _STARS(*)_\n"
	    "add_header all Status \"_YESNO_, score=_SCORE_ required=_REQD_ "
	    "tests=_TESTS_ autolearn=_AUTOLEARN_ version=_VERSION_\"\n");
	ok(c != NULL, "small configuration loads");
	if (c == NULL)
		return (done_testing());
	e = sa_engine_new(c, &eo, err, sizeof(err));
	ok(e != NULL, "engine created (%s)", e ? "" : err);
	r = scan(e,
	    "From: \"Bob Smith\" <bob@example.com>\n"
	    "To: alice@example.com\n"
	    "Cc: carol@example.com\n"
	    "Subject: =?utf-8?q?Hello_World?=\n"
	    "Message-ID: <abc@example.com>\n"
	    "X-Mailer: Foo 1.0\n"
	    "MIME-Version: 1.0\n"
	    "Content-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n"
	    "\n"
	    "cheap cheap cheap cheap cheap, caf=C3=A9\n"
	    "see http://www.example.net/x\n");
	ok(r != NULL, "scanned");
	is_int(hit(r, "H_SUBJ"), 1, "header: decoded Subject");
	is_int(hit(r, "H_RAW"), 1, "header :raw: encoded Subject");
	is_int(hit(r, "H_ADDR"), 1, "header :addr");
	is_int(hit(r, "H_NAME"), 1, "header :name");
	is_int(hit(r, "H_EXISTS"), 1, "exists:");
	is_int(hit(r, "H_NOTEXISTS"), 0, "exists: absent");
	is_int(hit(r, "H_UNSET"), 1, "[if-unset: ...]");
	is_int(hit(r, "H_NEG"), 1, "!~");
	is_int(hit(r, "H_ALL"), 1, "ALL");
	is_int(hit(r, "H_MSGID"), 1, "MESSAGEID");
	is_int(hit(r, "H_TOCC"), 1, "ToCc");
	is_int(hit(r, "B_SUBJ"), 1, "body: the Subject is the first line");
	is_int(hit(r, "B_NOSUBJ"), 0, "tflags nosubject");
	ok(value(r, "__B_MULTI") == 3, "multiple maxhits=3: %g",
	    value(r, "__B_MULTI"));
	ok(value(r, "__B_MULTI_ALL") == 5, "multiple: 5 hits: %g",
	    value(r, "__B_MULTI_ALL"));
	ok(subhit(r, "__B_MULTI"), "__ rules are subtests");
	is_int(hit(r, "M_COUNT"), 1, "meta: count > 3");
	is_int(hit(r, "M_MAX"), 1, "meta: count == maxhits");
	is_int(hit(r, "M_NOT"), 1, "meta: ! && ||");
	is_int(hit(r, "M_ZERO"), 0, "zero-score meta does not hit");
	is_int(hit(r, "M_OFZERO"), 0, "... nor do metas over it");
	is_int(hit(r, "R_QP"), 0, "rawbody is transfer-decoded");
	is_int(hit(r, "R_DEC"), 1, "rawbody: decoded octets");
	is_int(hit(r, "F_QP"), 1, "full: the pristine message");
	is_int(hit(r, "U_EX"), 1, "uri");
	ok(r != NULL && r->score == 3.63,
	    "score sum: %g", r ? r->score : -1);
	ok(r != NULL && !r->is_spam, "ham");
	mimebuf_init(&b);
	if (r != NULL)
		(void)sa_out_tests(r, ",", &b);
	mimebuf_addc(&b, '\0');
	is_str(b.buf, "B_SUBJ,F_QP,H_ADDR,H_ALL,H_EXISTS,H_MSGID,H_NAME,"
	    "H_NEG,H_RAW,H_SUBJ,H_TOCC,H_UNSET,M_COUNT,M_MAX,M_NOT,R_DEC,"
	    "U_EX", "tests= sorted");
	if (r != NULL) {
		sa_out_score(r, sc, sizeof(sc));
		is_str(sc, "3.6", "_SCORE_");
	}
	sa_result_free(r);

	/* output: fields at the top after Return-Path, old ones gone */
	r = scan(e,
	    "Return-Path: <a@example.com>\r\n"
	    "X-Spam-Status: Yes, old\r\n"
	    "\tcontinued\r\n"
	    "Subject: hi\r\n"
	    "X-Spam-Prev-Subject: kept\r\n"
	    "\r\n"
	    "body\r\n");
	b.len = 0;
	if (r != NULL)
		(void)sa_out_message(r, &b);
	mimebuf_addc(&b, '\0');
	is_str(b.buf, "Return-Path: <a@example.com>\r\n"
	    "X-Spam-Checker-Version: SpamAssassin 4.0.1 (2024-03-25) on "
	    "filterd.test\r\n"
	    "X-Spam-Level: \r\n"
	    "X-Spam-Status: No, score=0.0 required=5.0 tests=H_NEG,H_UNSET "
	    "autolearn=no\r\n"
	    "\tautolearn_force=no version=4.0.1\r\n"
	    "Subject: hi\r\n"
	    "X-Spam-Prev-Subject: kept\r\n"
	    "\r\n"
	    "body\r\n", "ham rewritten as SpamAssassin does (CRLF kept, "
	    "Level with its trailing space, Status folded at 79)");
	sa_result_free(r);

	/* nothing at all: SA's empty message */
	r = NULL;
	ok(sa_scan(e, NULL, 0, NULL, &r) == 0 && r != NULL && !r->is_spam,
	    "an empty message scans");
	sa_result_free(r);

	/* GTUBE, ham score clamp */
	r = scan(e, "Subject: t\n\nXJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-"
	    "STANDARD-ANTI-UBE-TEST-EMAIL*C.34X\n");
	ok(r != NULL && r->gtube && r->is_spam && r->score == 1000.03,
	    "GTUBE: 1000 + H_NEG + H_UNSET, spam");
	sa_result_free(r);
	r = xcalloc(1, sizeof(*r));
	r->score = 4.96;
	r->required = 5;
	sa_out_score(r, sc, sizeof(sc));
	is_str(sc, "4.9", "ham at 4.96 shows 4.9");
	r->score = 5;
	r->is_spam = 1;
	sa_out_score(r, sc, sizeof(sc));
	is_str(sc, "5.0", "spam at 5 shows 5.0");
	free(r);
	sa_engine_free(e);
	sa_conf_free(c);
	mimebuf_free(&b);
	prefilter_tests();
	return (done_testing());
}
