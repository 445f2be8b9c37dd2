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
 * filterd/sa_eval.c: the eval functions on crafted messages, through
 * the engine, each rule defined as the stock rules define it.
 *
 * t_sa_eval --rules: the stock rules that run an implemented eval;
 * t_sa_eval --scan FILE...: "FILE: RULE ..." (those rules that hit),
 * for filterd-evals.t, which compares them with SpamAssassin's;
 * $MX_EVAL_CF is added to the configuration of both.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../filterd/sa_conf.h"
#include "../filterd/sa_engine.h"
#include "xmalloc.h"

static struct sa_conf	*conf_stock(void);
static struct sa_conf	*conf_text(const char *);
static int		 ours(const struct sa_rule *);
static char		*slurp(const char *, size_t *);
static int		 hits(struct sa_engine *, const char *, size_t,
			    const char *);
static int		 scan_main(int, char **);
static const char	*line_msg(const char *, size_t, const char *);
static void		 check(struct sa_engine *, const char *, const char *,
			    int);
static void		 list_tests(void);
static void		 tlog_tests(void);

static const char rules[] =
    "loadplugin Mail::SpamAssassin::Plugin::FreeMail\n"
    "loadplugin Mail::SpamAssassin::Plugin::ImageInfo\n"
    "header MISSING_HEADERS eval:check_for_missing_to_header()\n"
    "header HEADER_COUNT_SUBJECT eval:check_header_count_range("
    "'Subject','2','999')\n"
    "header SUBJ_ALL_CAPS eval:subject_is_all_caps()\n"
    "header LOCALPART_IN_SUBJECT eval:check_for_to_in_subject('user')\n"
    "header UNRESOLVED_TEMPLATE eval:check_unresolved_template()\n"
    "header FROM_ILLEGAL_CHARS eval:check_illegal_chars('From','0.20',"
    "'2')\n"
    "header __SUBJ_ILLEGAL_CHARS eval:check_illegal_chars('Subject',"
    "'0.00','2')\n"
    "header FORGED_GMAIL_RCVD eval:check_for_forged_gmail_received_headers()\n"
    "header FORGED_YAHOO_RCVD eval:check_for_forged_yahoo_received_headers()\n"
    "header RCVD_HELO_IP_MISMATCH eval:helo_ip_mismatch()\n"
    "header __UNPARSEABLE_RELAY_COUNT eval:check_relays_unparseable()\n"
    "header ALL_TRUSTED eval:check_all_trusted()\n"
    "header NO_RELAYS eval:check_no_relays()\n"
    "header NO_RDNS_DOTCOM_HELO eval:check_for_no_rdns_dotcom_helo()\n"
    "header __FORGED_RCVD_TRAIL eval:check_for_forged_received_trail()\n"
    "body HTML_MESSAGE eval:html_test('html')\n"
    "body __TAG_EXISTS_CENTER eval:html_tag_exists('center')\n"
    "body HTML_TAG_BALANCE_BODY eval:html_tag_balance('body', '!= 0')\n"
    "body __HTML_LENGTH_384 eval:html_eval('length', '< 384')\n"
    "body HTML_IMAGE_ONLY_04 eval:html_image_only('0000','0400')\n"
    "body __HTML_TITLE_120 eval:html_text_match('title', '.{120}')\n"
    "body HTML_COMMENT_SHORT eval:html_text_match('comment', "
    "'<!(?!-).{0,6}>')\n"
    "body HTML_FONT_SIZE_HUGE eval:html_range('max_size', '6', 'inf')\n"
    "body __HTML_TITLE_SUBJ_DIFF eval:html_title_subject_ratio('3.5')\n"
    "header DATE_IN_PAST_03_06 eval:check_for_shifted_date('-6', '-3')\n"
    "header DATE_IN_FUTURE_96_Q eval:check_for_shifted_date('96', '2920')\n"
    "freemail_domains gmail.com *.freemail.example\n"
    "header FREEMAIL_FROM eval:check_freemail_from()\n"
    "header FREEMAIL_REPLYTO_END_DIGIT eval:check_freemail_header("
    "'Reply-To', '\\d@')\n"
    "welcomelist_from *@friend.example\n"
    "header USER_IN_WELCOMELIST eval:check_from_in_welcomelist()\n"
    "rawbody __MIME_QP eval:check_for_mime('mime_qp_count')\n"
    "body MIME_HTML_ONLY eval:check_for_mime_html_only()\n"
    "body MULTIPART_ALT_NON_TEXT eval:check_ma_non_text()\n"
    "header MISSING_HB_SEP eval:check_msg_parse_flags("
    "'missing_head_body_separator')\n"
    "body __GIF_ATTACH_1 eval:image_count('gif','1','1')\n"
    "header SORTED_RECIPS eval:sorted_recipients()\n"
    "rawbody MIME_QP_LONG_LINE eval:check_for_mime('mime_qp_long_line')\n"
    "body PP_MIME_FAKE_ASCII_TEXT eval:check_for_ascii_text_illegal()\n"
    "body BASE64_LENGTH_78_79 eval:check_base64_length('78','79')\n";

static struct sa_conf *
conf_stock(void)
{
	struct sa_load_opts	 o;
	struct sa_conf		*c;
	const char		*extra;
	char			*pc;

	/* MX_EVAL_CF: more configuration (the agreement test's scores) */
	if ((extra = getenv("MX_EVAL_CF")) == NULL)
		extra = "";
	if (xasprintf(&pc, "use_bayes 0\nbayes_auto_learn 0\n%s\n", extra) ==
	    -1)
		return (NULL);
	memset(&o, 0, sizeof(o));
	o.local_tests_only = 1;
	o.post_config = pc;
	o.evals = sa_eval_names();
	c = sa_conf_new();
	if (sa_conf_load(c, &o) == -1) {
		sa_conf_free(c);
		free(pc);
		return (NULL);
	}
	free(pc);
	return (c);
}

static struct sa_conf *
conf_text(const char *text)
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

/* an eval rule run by one of sa_evals[] */
static int
ours(const struct sa_rule *r)
{
	size_t	i;

	if (!r->is_eval || r->unsupported != NULL || r->eval_func == NULL)
		return (0);
	for (i = 0; sa_evals[i].name != NULL; i++)
		if (strcmp(sa_evals[i].name, r->eval_func) == 0)
			return (1);
	return (0);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*b;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	(void)fseek(f, 0, SEEK_END);
	n = ftell(f);
	(void)fseek(f, 0, SEEK_SET);
	b = xmalloc(n + 1);
	*len = fread(b, 1, n, f);
	b[*len] = '\0';
	fclose(f);
	return (b);
}

/* did rule name hit (scored or not)? -1: scan failed */
static int
hits(struct sa_engine *e, const char *msg, size_t len, const char *name)
{
	struct sa_result	*res = NULL;
	size_t			 i;
	int			 h = 0;

	if (sa_scan(e, msg, len, NULL, &res) == -1)
		return (-1);
	for (i = 0; i < res->nhits; i++)
		if (strcmp(res->hits[i].name, name) == 0)
			h = 1;
	for (i = 0; i < res->nsubhits; i++)
		if (strcmp(res->subhits[i].name, name) == 0)
			h = 1;
	sa_result_free(res);
	return (h);
}

/* head (its lines end in eol), a body line of n 'A's, then eol */
static const char *
line_msg(const char *head, size_t n, const char *eol)
{
	static char	 buf[1024];
	size_t		 h = strlen(head);

	if (h + n + 2 * strlen(eol) + 1 > sizeof(buf))
		return ("");
	memcpy(buf, head, h);
	memcpy(buf + h, eol, strlen(eol));
	h += strlen(eol);
	memset(buf + h, 'A', n);
	memcpy(buf + h + n, eol, strlen(eol) + 1);
	return (buf);
}

static void
check(struct sa_engine *e, const char *msg, const char *rule, int want)
{
	is_int(hits(e, msg, strlen(msg), rule), want, "%s %s", rule,
	    want ? "hits" : "does not hit");
}

static int
scan_main(int argc, char **argv)
{
	struct sa_conf		*c;
	struct sa_engine	*e;
	struct sa_result	*res;
	char			 err[256], *b;
	size_t			 i, len;
	int			 a;

	if ((c = conf_stock()) == NULL) {
		fprintf(stderr, "stock configuration does not load\n");
		return (1);
	}
	if (strcmp(argv[1], "--rules") == 0) {
		for (i = 0; i < c->nrules; i++)
			if (ours(c->rules[i]))
				printf("%s %s\n", c->rules[i]->name,
				    c->rules[i]->eval_func);
		sa_conf_free(c);
		return (0);
	}
	if ((e = sa_engine_new(c, NULL, err, sizeof(err))) == NULL) {
		fprintf(stderr, "engine: %s\n", err);
		return (1);
	}
	for (a = 2; a < argc; a++) {
		if ((b = slurp(argv[a], &len)) == NULL ||
		    sa_scan(e, b, len, NULL, &res) == -1) {
			perror(argv[a]);
			return (1);
		}
		printf("%s:", strrchr(argv[a], '/') != NULL ?
		    strrchr(argv[a], '/') + 1 : argv[a]);
		for (i = 0; i < res->nhits; i++)
			if (ours(res->hits[i].rule))
				printf(" %s", res->hits[i].name);
		for (i = 0; i < res->nsubhits; i++)
			if (ours(res->subhits[i].rule))
				printf(" %s", res->subhits[i].name);
		printf("\n");
		sa_result_free(res);
		free(b);
	}
	sa_engine_free(e);
	sa_conf_free(c);
	return (0);
}

int
main(int argc, char **argv)
{
	struct sa_conf		*c;
	struct sa_engine	*e;
	char			 err[256];

	if (argc > 1 && (strcmp(argv[1], "--scan") == 0 ||
	    strcmp(argv[1], "--rules") == 0))
		return (scan_main(argc, argv));

	c = conf_text(rules);
	if (!ok(c != NULL, "test rules load"))
		return (done_testing());
	ok(c->rules[0]->unsupported == NULL, "check_for_missing_to_header "
	    "is supported");
	e = sa_engine_new(c, NULL, err, sizeof(err));
	if (!ok(e != NULL, "engine: %s", e == NULL ? err : "ok")) {
		sa_conf_free(c);
		return (done_testing());
	}

	check(e, "From: a@example.com\nSubject: hi\n\nx\n",
	    "MISSING_HEADERS", 1);
	check(e, "From: a@example.com\nApparently-To: b@example.org\n"
	    "Subject: hi\n\nx\n", "MISSING_HEADERS", 0);
	check(e, "To: b@example.org\nSubject: hi\nSubject: ho\n\nx\n",
	    "HEADER_COUNT_SUBJECT", 1);
	check(e, "To: b@example.org\nSubject: hi\nSubject: hi\n\nx\n",
	    "HEADER_COUNT_SUBJECT", 0);
	check(e, "To: b@example.org\nSubject: Re: BUY CHEAP STUFF NOW\n\nx\n",
	    "SUBJ_ALL_CAPS", 1);
	check(e, "To: b@example.org\nSubject: BUY CHEAP stuff NOW\n\nx\n",
	    "SUBJ_ALL_CAPS", 0);
	check(e, "To: b@example.org\nSubject: SHORT CAP\n\nx\n",
	    "SUBJ_ALL_CAPS", 0);
	check(e, "To: bob@example.org\nSubject: bob, you won\n\nx\n",
	    "LOCALPART_IN_SUBJECT", 1);
	check(e, "To: bob@example.org\nSubject: bobby you won\n\nx\n",
	    "LOCALPART_IN_SUBJECT", 0);
	check(e, "To: b@example.org\nX-Campaign: %CUSTOMER_ID\n\nx\n",
	    "UNRESOLVED_TEMPLATE", 1);
	check(e, "To: b@example.org\nSubject: %PRICE_OFF\n\nx\n",
	    "UNRESOLVED_TEMPLATE", 0);
	check(e, "To: b@example.org\nFrom: \x81\x82\x83\x84 <a@b.c>\n\nx\n",
	    "FROM_ILLEGAL_CHARS", 1);
	check(e, "To: b@example.org\nFrom: \xc3\xa9t\xc3\xa9 <a@b.c>\n\nx\n",
	    "FROM_ILLEGAL_CHARS", 0);
	check(e, "To: b@example.org\nFrom: a@gmail.com\nSubject: x\n\nx\n",
	    "FORGED_GMAIL_RCVD", 1);
	check(e, "To: b@example.org\nFrom: a@gmail.com\nX-Received: by "
	    "2002:a05:6402:1234:b0:5c8:abcd:ef01 with SMTP id x18csp1;\n\nx\n",
	    "FORGED_GMAIL_RCVD", 0);
	check(e, "Received: from x (x [8.8.8.8]) by mx.example.org (Postfix) "
	    "with ESMTP id ABC; Tue, 24 Nov 2026 10:11:12 +0000\n"
	    "From: a@yahoo.com\n\nx\n", "FORGED_YAHOO_RCVD", 1);
	check(e, "Received: from x (x.mail.yahoo.com [8.8.8.8]) by "
	    "mx.example.org (Postfix) with ESMTP id ABC; Tue, 24 Nov 2026 "
	    "10:11:12 +0000\nFrom: a@yahoo.com\n\nx\n", "FORGED_YAHOO_RCVD", 0);
	check(e, "Received: from 1.2.3.4 (unknown [8.8.8.8]) by "
	    "mx.example.org (Postfix) with ESMTP id ABC; Tue, 24 Nov 2026 "
	    "10:11:12 +0000\n\nx\n", "RCVD_HELO_IP_MISMATCH", 1);
	check(e, "Received: from 8.8.8.9 (unknown [8.8.8.8]) by "
	    "mx.example.org (Postfix) with ESMTP id ABC; Tue, 24 Nov 2026 "
	    "10:11:12 +0000\n\nx\n", "RCVD_HELO_IP_MISMATCH", 0);
	check(e, "Received: from nowhere special\n\nx\n",
	    "__UNPARSEABLE_RELAY_COUNT", 1);
	check(e, "Received: from a (a [10.0.0.1]) by b.example.org (Postfix) "
	    "with ESMTP id ABC; Tue, 24 Nov 2026 10:11:12 +0000\n\nx\n",
	    "ALL_TRUSTED", 1);
	check(e, "Received: from a (a [8.8.8.8]) by b.example.org (Postfix) "
	    "with ESMTP id ABC; Tue, 24 Nov 2026 10:11:12 +0000\n\nx\n",
	    "ALL_TRUSTED", 0);
	check(e, "Subject: x\n\nx\n", "NO_RELAYS", 1);
	check(e, "Received: from yahoo.com (unknown [8.8.8.8]) by "
	    "mx.example.org (Postfix) with ESMTP id ABC; Tue, 24 Nov 2026 "
	    "10:11:12 +0000\n\nx\n", "NO_RDNS_DOTCOM_HELO", 1);
	check(e, "Received: from yahoo.com (mail.yahoo.com [8.8.8.8]) by "
	    "mx.example.org (Postfix) with ESMTP id ABC; Tue, 24 Nov 2026 "
	    "10:11:12 +0000\n\nx\n", "NO_RDNS_DOTCOM_HELO", 0);
	check(e, "Content-Type: text/html\n\n<html><body><center>Hi"
	    "</center></body></html>\n", "HTML_MESSAGE", 1);
	check(e, "Content-Type: text/plain\n\n<center>Hi</center>\n",
	    "HTML_MESSAGE", 0);
	check(e, "Content-Type: text/html\n\n<html><body><center>Hi"
	    "</center></body></html>\n", "__TAG_EXISTS_CENTER", 1);
	check(e, "Content-Type: text/html\n\n<html><body>Hi</html>\n",
	    "HTML_TAG_BALANCE_BODY", 1);
	check(e, "Content-Type: text/html\n\n<html><body>Hi</body></html>\n",
	    "HTML_TAG_BALANCE_BODY", 0);
	check(e, "Content-Type: text/html\n\n<html><body>Hi</body></html>\n",
	    "__HTML_LENGTH_384", 1);
	check(e, "Content-Type: text/html\n\n<html><body><img src=\"x.gif\">"
	    "</body></html>\n", "HTML_IMAGE_ONLY_04", 1);
	check(e, "Content-Type: text/html\n\n<html><body>Hi <!x> there"
	    "</body></html>\n", "HTML_COMMENT_SHORT", 1);
	check(e, "Content-Type: text/html\n\n<html><body><font size=7>Hi"
	    "</font></body></html>\n", "HTML_FONT_SIZE_HUGE", 1);
	check(e, "Subject: ab\nContent-Type: text/html\n\n<html><head><title>"
	    "a much longer title</title></head><body>x</body></html>\n",
	    "__HTML_TITLE_SUBJ_DIFF", 1);
#define RCVD	"Received: from a (a [8.8.8.8]) by b.example.org (Postfix) " \
		"with ESMTP id ABC; Tue, 24 Nov 2026 10:11:12 +0000\n"
	check(e, RCVD "Date: Tue, 24 Nov 2026 06:00:00 +0000\n\nx\n",
	    "DATE_IN_PAST_03_06", 1);
	check(e, RCVD "Date: Tue, 24 Nov 2026 05:11:12 EST\n\nx\n",
	    "DATE_IN_PAST_03_06", 0);
	check(e, RCVD "Date: Tue, 1 Mar 2027 10:00:00 +0000\n\nx\n",
	    "DATE_IN_FUTURE_96_Q", 1);
	check(e, "From: Ann <ann@gmail.com>\n\nx\n", "FREEMAIL_FROM", 1);
	check(e, "From: info@gmail.com\n\nx\n", "FREEMAIL_FROM", 0);
	check(e, "From: a@x.freemail.example\n\nx\n", "FREEMAIL_FROM", 1);
	check(e, "From: a@example.com\nReply-To: joe7@gmail.com\n\nx\n",
	    "FREEMAIL_REPLYTO_END_DIGIT", 1);
	check(e, "From: a@example.com\nReply-To: joe@gmail.com\n\nx\n",
	    "FREEMAIL_REPLYTO_END_DIGIT", 0);
	check(e, "From: Boss <boss@friend.example>\n\nx\n",
	    "USER_IN_WELCOMELIST", 1);
	check(e, "From: boss@friend.example.com\n\nx\n",
	    "USER_IN_WELCOMELIST", 0);
	check(e, "Content-Type: text/plain\nContent-Transfer-Encoding: "
	    "quoted-printable\n\nc=41f=E9\n", "__MIME_QP", 1);
	check(e, "Content-Type: text/plain\nContent-Transfer-Encoding: "
	    "quoted-printable\n\ncafe=\n\n", "__MIME_QP", 0);
	check(e, "Content-Type: text/html\n\n<p>x</p>\n", "MIME_HTML_ONLY", 1);
	check(e, "Content-Type: multipart/alternative; boundary=B\n\n--B\n"
	    "Content-Type: text/plain\n\nx\n--B\nContent-Type: image/gif\n\n"
	    "GIF\n--B--\n", "MULTIPART_ALT_NON_TEXT", 1);
	check(e, "From: a@b.c\nSubject: no body", "MISSING_HB_SEP", 1);
	check(e, "From: a@b.c\nSubject: body\n\nx\n", "MISSING_HB_SEP", 0);
	check(e, "Content-Type: multipart/mixed; boundary=B\n\n--B\n"
	    "Content-Type: image/gif\nContent-Transfer-Encoding: base64\n\n"
	    "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\n--B--\n",
	    "__GIF_ATTACH_1", 1);
	check(e, "To: a@a.example, b@b.example, c@c.example, d@d.example, "
	    "e@e.example, f@f.example, g@g.example\n\nx\n", "SORTED_RECIPS", 1);
	check(e, "To: g@a.example, b@b.example, c@c.example, d@d.example, "
	    "e@e.example, f@f.example, a@g.example\n\nx\n", "SORTED_RECIPS", 0);
	/* SA counts a CRLF line end as one byte: the 79-byte limit */
	check(e, line_msg("Content-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n", 78, "\r\n"),
	    "MIME_QP_LONG_LINE", 0);
	check(e, line_msg("Content-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n", 79, "\r\n"),
	    "MIME_QP_LONG_LINE", 1);
	check(e, line_msg("Content-Type: text/plain\n"
	    "Content-Transfer-Encoding: quoted-printable\n", 79, "\n"),
	    "MIME_QP_LONG_LINE", 1);
	check(e, "From: a@b.c\r\nSubject: hi\r\n\r\nplain text\r\n",
	    "PP_MIME_FAKE_ASCII_TEXT", 0);
	check(e, "From: a@b.c\r\nSubject: hi\r\n\r\nbare\rCR\r\n",
	    "PP_MIME_FAKE_ASCII_TEXT", 1);
	check(e, "From: a@b.c\nSubject: hi\n\ncaf\xe9\n",
	    "PP_MIME_FAKE_ASCII_TEXT", 1);
	check(e, line_msg("Content-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n", 76, "\r\n"),
	    "BASE64_LENGTH_78_79", 0);
	check(e, line_msg("Content-Type: application/octet-stream\r\n"
	    "Content-Transfer-Encoding: base64\r\n", 77, "\r\n"),
	    "BASE64_LENGTH_78_79", 1);
	check(e, line_msg("Content-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: base64\n", 79, "\n"),
	    "BASE64_LENGTH_78_79", 0);
	sa_engine_free(e);
	sa_conf_free(c);
	list_tests();
	tlog_tests();
	return (done_testing());
}

/* PerMsgStatus::test_log: the lines under a rule in the report */
static const char tlog_cf[] =
    "loadplugin Mail::SpamAssassin::Plugin::FreeMail\n"
    "loadplugin Mail::SpamAssassin::Plugin::WLBLEval\n"
    "util_rb_tld com top\n"
    "freemail_domains gmail.com yahoo.com\n"
    "header FM_FROM eval:check_freemail_from()\n"
    "describe FM_FROM Sender is freemail\n"
    "score FM_FROM 1.5\n"
    "header FM_HDR eval:check_freemail_header('Reply-To')\n"
    "describe FM_HDR Reply-To is freemail\n"
    "tflags FM_HDR nolog\n"
    "score FM_HDR 0.5\n"
    "header FM_REPLYTO eval:check_freemail_replyto('replyto')\n"
    "describe FM_REPLYTO Reply-To is a different freemail than From\n"
    "score FM_REPLYTO 12\n"
    "enlist_uri_host (BAD) bad.top\n"
    "header URI_BAD eval:check_uri_host_listed('BAD')\n"
    "describe URI_BAD Listed host\n"
    "score URI_BAD 2\n"
    "clear_report_template\n"
    "report _SUMMARY_\n"
    "report ---\n"
    "report _REPORT_\n";

/*
 * What SpamAssassin 4.0.1 gives for it (its order of rules of one
 * priority varies from run to run)
 */
static const char tlog_want[] =
    " 1.5 FM_FROM                Sender is freemail\n"
    "                            [bob.smith(at)gmail.com]\n"
    " 0.5 FM_HDR                 Reply-To is freemail\n"
    "                            [*REDACTED*]\n"
    "  12 FM_REPLYTO             Reply-To is a different freemail than "
    "From\n"
    "                            [bob.smith(at)gmail.com,jane.doe(at)"
    "gmail.com ->]\n"
    "                            [rt(at)yahoo.com]\n"
    " 2.0 URI_BAD                Listed host\n"
    "                            [URI: www.bad.top (bad.top)]\n"
    "\n"
    "---\n"
    "\n"
    "*  1.5 FM_FROM Sender is freemail\n"
    "*      [bob.smith(at)gmail.com]\n"
    "*  0.5 FM_HDR Reply-To is freemail\n"
    "*      [*REDACTED*]\n"
    "*   12 FM_REPLYTO Reply-To is a different freemail than From\n"
    "*      [bob.smith(at)gmail.com,jane.doe(at)gmail.com ->]\n"
    "[rt(at)yahoo.com]\n"
    "*  2.0 URI_BAD Listed host\n"
    "*      [URI: www.bad.top (bad.top)]\n"
    "\n";

static const char tlog_want2[] =
    " 1.5 FM_FROM                Sender is freemail\n"
    "                          [averyveryverylongsendername.with."
    "dots(at)gmail.com]\n\n---\n\n*  1.5 FM_FROM Sender is freemail\n"
    "*      [averyveryverylongsendername.with.dots(at)gmail.com]\n\n";

static void
tlog_tests(void)
{
	static const char	 msg[] = "From: bob.smith@gmail.com, "
	    "jane.doe@gmail.com\nReply-To: rt@yahoo.com\nSubject: x\n\n"
	    "see http://www.bad.top/x\n";
	static const char	 msg2[] = "From: averyveryverylongsender"
	    "name.with.dots@gmail.com\n\nhi\n";
	struct sa_conf		*c;
	struct sa_engine	*e;
	struct sa_result	*res = NULL;
	struct mimebuf		 out;
	char			 err[256];
	const char		*uri = NULL;
	size_t			 i;

	c = conf_text(tlog_cf);
	if (!ok(c != NULL, "test_log rules load"))
		return;
	e = sa_engine_new(c, NULL, err, sizeof(err));
	if (!ok(e != NULL, "engine: %s", e == NULL ? err : "ok")) {
		sa_conf_free(c);
		return;
	}
	mimebuf_init(&out);
	if (ok(sa_scan(e, msg, strlen(msg), NULL, &res) == 0, "scan")) {
		for (i = 0; i < res->nhits; i++)
			if (strcmp(res->hits[i].name, "URI_BAD") == 0)
				uri = res->hits[i].log;
		is_str(uri, "URI: www.bad.top (bad.top)\n",
		    "URI_BAD's test_log: the host and the listed key");
		(void)sa_out_report(res, &out);
		mimebuf_addc(&out, '\0');
		is_str(out.buf, tlog_want, "report: test_log lines as SA's");
		sa_result_free(res);
	}
	/* over 47 characters: SUMMARY right-aligns it at column 78 */
	res = NULL;
	out.len = 0;
	if (ok(sa_scan(e, msg2, strlen(msg2), NULL, &res) == 0, "scan")) {
		(void)sa_out_report(res, &out);
		mimebuf_addc(&out, '\0');
		is_str(out.buf, tlog_want2, "report: a long test_log line");
		sa_result_free(res);
	}
	mimebuf_free(&out);
	sa_engine_free(e);
	sa_conf_free(c);
}

/* WLBLEval's lists, WelcomeListSubject, FreeMail's replyto, URIs */
static const char lists[] =
    "loadplugin Mail::SpamAssassin::Plugin::FreeMail\n"
    "loadplugin Mail::SpamAssassin::Plugin::WLBLEval\n"
    "loadplugin Mail::SpamAssassin::Plugin::WelcomeListSubject\n"
    "loadplugin Mail::SpamAssassin::Plugin::HTTPSMismatch\n"
    "util_rb_tld com org net uk top\nutil_rb_2tld co.uk\n"
    "freemail_domains gmail.com yahoo.com\n"
    "enlist_addrlist (PAY) *@*.paypal.com a?c@bank.example.org\n"
    "enlist_addrlist (PAY) under\\score@example.com\n"
    "header FROM_PAY eval:check_from_in_list('PAY')\n"
    "header RT_PAY eval:check_replyto_in_list('PAY')\n"
    "header FROM_NOLIST eval:check_from_in_list('NOLIST')\n"
    "enlist_uri_host (BAD) !good.bad.top bad.top 192.0.2.1\n"
    "enlist_uri_host (OTHER) bad.top\n"
    "delist_uri_host bad.top\n"
    "enlist_uri_host (BAD) bad.top\n"
    "blocklist_uri_host evil.example.net\n"
    "header URI_BAD eval:check_uri_host_listed('BAD')\n"
    "header URI_OTHER eval:check_uri_host_listed('OTHER')\n"
    "body URI_BAD_BODY eval:check_uri_host_listed('BAD')\n"
    "body URI_BLOCK eval:check_uri_host_in_blocklist()\n"
    "welcomelist_subject good  news*\n"
    "blocklist_subject w?n\n"
    "header SUBJ_WL eval:check_subject_in_welcomelist()\n"
    "header SUBJ_BL eval:check_subject_in_blocklist()\n"
    "header FM_REPLYTO eval:check_freemail_replyto('replyto')\n"
    "header FM_REPLY eval:check_freemail_replyto('reply')\n"
    "header RATWARE_EFROM eval:check_ratware_envelope_from()\n"
    "header RP_RCVD eval:check_mailfrom_matches_rcvd()\n"
    "body IFRAME eval:check_iframe_src()\n"
    "body URI_TRUNC eval:check_uri_truncated()\n"
    "body IP_MISMATCH eval:check_https_ip_mismatch()\n"
    "body HTTPS_HTTP eval:check_https_http_mismatch('1','3')\n"
    "welcomelist_bounce_relays relay?.example.com\n"
    "body MY_SERVERS eval:check_welcomelist_bounce_relays()\n"
    "body HAVE_RELAYS eval:have_any_bounce_relays()\n"
    "ok_locales ja\n"
    "header FARAWAY_HDR eval:check_for_faraway_charset_in_headers()\n"
    "body FARAWAY_BODY eval:check_for_faraway_charset()\n"
    "body TVD_SR eval:tvd_vertical_words('0','10')\n"
    "header TOCC ToCc:addr =~ /^a\\@example\\.net\\nbc\\@example\\.org\\n"
    "d\\@example\\.com\\ne\\@example\\.com$/\n";

#define HTML_HEAD	"From: a@example.org\nContent-Type: text/html\n\n"

static void
list_tests(void)
{
	struct sa_conf		*c;
	struct sa_engine	*e;
	char			 err[256], *big;
	size_t			 n;

	c = conf_text(lists);
	if (!ok(c != NULL, "list rules load"))
		return;
	e = sa_engine_new(c, NULL, err, sizeof(err));
	if (!ok(e != NULL, "engine: %s", e == NULL ? err : "ok")) {
		sa_conf_free(c);
		return;
	}
	/* globs: "*" any run, "?" one character, "\\" stands for "_" */
	check(e, "From: x@mail.PayPal.com\n\nx\n", "FROM_PAY", 1);
	check(e, "From: x@paypal.com\n\nx\n", "FROM_PAY", 0);
	check(e, "From: abc@bank.example.org\n\nx\n", "FROM_PAY", 1);
	check(e, "From: ac@bank.example.org\n\nx\n", "FROM_PAY", 0);
	check(e, "From: under_score@example.com\n\nx\n", "FROM_PAY", 1);
	check(e, "From: a@b.example\nReply-To: q@x.paypal.com\n\nx\n",
	    "RT_PAY", 1);
	check(e, "From: q@x.paypal.com\nReply-To: a@b.example\n\nx\n",
	    "RT_PAY", 0);
	check(e, "From: x@mail.paypal.com\n\nx\n", "FROM_NOLIST", 0);
	/* URI hosts: the most specific entry decides */
	check(e, "From: a@b.example\n\nsee http://www.bad.top/x\n",
	    "URI_BAD", 1);
	check(e, "From: a@b.example\n\nsee http://x.good.bad.top/x\n",
	    "URI_BAD", 0);
	check(e, "From: a@b.example\n\nsee http://x.good.bad.top/ and "
	    "http://bad.top/\n", "URI_BAD", 1);
	check(e, "From: a@b.example\n\nsee http://192.0.2.1/x\n",
	    "URI_BAD", 1);
	check(e, "From: a@b.example\n\nsee http://www.bad.top/x\n",
	    "URI_OTHER", 0);
	check(e, "From: a@b.example\n\nsee http://www.bad.top/x\n",
	    "URI_BAD_BODY", 0);
	check(e, "From: a@b.example\n\nmail me: x@bad.top\n", "URI_BAD", 0);
	check(e, "From: a@b.example\n\nhttp://evil.example.net/\n",
	    "URI_BLOCK", 1);
	/* subject globs match anywhere, spaces kept */
	check(e, "Subject: Re: GOOD  NEWS today\n\nx\n", "SUBJ_WL", 1);
	check(e, "Subject: Re: good news today\n\nx\n", "SUBJ_WL", 0);
	check(e, "Subject: you won!\n\nx\n", "SUBJ_BL", 1);
	check(e, "Subject: you wn!\n\nx\n", "SUBJ_BL", 0);
	/* FreeMail: different freemails; a body one in <> or "wrote:" */
	check(e, "From: a@gmail.com\nReply-To: b@yahoo.com\n\nx\n",
	    "FM_REPLYTO", 1);
	check(e, "From: a@gmail.com\nReply-To: a@gmail.com\n\nx\n",
	    "FM_REPLYTO", 0);
	check(e, "From: a@example.org\nReply-To: b@yahoo.com\n\n"
	    "write to c@gmail.com\n", "FM_REPLYTO", 1);
	check(e, "From: a@example.org\nReply-To: b@yahoo.com\n\n"
	    "write to <c@gmail.com>\n", "FM_REPLYTO", 0);
	check(e, "From: a@gmail.com\n\nc@gmail.com wrote: hi\n",
	    "FM_REPLY", 0);
	check(e, "From: a@gmail.com\n\nc@gmail.com says hi\n",
	    "FM_REPLY", 1);
	check(e, "From: a@gmail.com\n\nc@gmail.com d@yahoo.com "
	    "e@gmail.com\n", "FM_REPLY", 0);
	check(e, "From: a@gmail.com\nReturn-Path: <owner-x@example.org>\n"
	    "\nc@gmail.com says hi\n", "FM_REPLY", 0);
	/* ratware: <to-domain>.<to-user>@, not through SRS */
	check(e, "Return-Path: <example.com.bob@spam.example.net>\n"
	    "To: bob@mail.example.com\n\nx\n", "RATWARE_EFROM", 1);
	check(e, "Return-Path: <SRS0=x=y=example.com.bob@spam.example.net>"
	    "\nTo: bob@example.com\n\nx\n", "RATWARE_EFROM", 0);
	/* envelope sender's domain against the relay's, under co.uk */
	check(e, "Return-Path: <b@lists.example.co.uk>\nReceived: from "
	    "mx.example.co.uk (mx.example.co.uk [203.0.113.5]) by "
	    "mail.example.org (Postfix) with ESMTP id ABC; Tue, 24 Nov 2026 "
	    "10:11:12 +0000\n\nx\n", "RP_RCVD", 1);
	check(e, "Return-Path: <b@other.co.uk>\nReceived: from "
	    "mx.example.co.uk (mx.example.co.uk [203.0.113.5]) by "
	    "mail.example.org (Postfix) with ESMTP id ABC; Tue, 24 Nov 2026 "
	    "10:11:12 +0000\n\nx\n", "RP_RCVD", 0);
	/* HTML */
	check(e, HTML_HEAD "<iframe src=\"http://x.example.com/\"></iframe>\n",
	    "IFRAME", 1);
	check(e, HTML_HEAD "<iframe src=\" \"></iframe><img src=\"a.gif\">\n",
	    "IFRAME", 0);
	check(e, HTML_HEAD "<a href=\"http://192.0.2.7/\">https://bank.com/"
	    "</a>\n", "IP_MISMATCH", 1);
	check(e, HTML_HEAD "<a href=\"http://192.0.2.7/\">https://192.0.2.7/"
	    "</a>\n", "IP_MISMATCH", 0);
	check(e, HTML_HEAD "<a href=\"http://www.evil.com/\">https://www.bank"
	    ".co.uk/</a>\n", "HTTPS_HTTP", 1);
	check(e, HTML_HEAD "<a href=\"http://www.bank.co.uk/\">https://"
	    "login.bank.co.uk/</a>\n", "HTTPS_HTTP", 0);
	/* three distinct hrefs with anchors: not under maxanchors 3 */
	check(e, HTML_HEAD "<a href=\"http://www.evil.com/\">https://www.bank"
	    ".co.uk/</a><a href=\"http://a.com/\">a</a><a href=\"http://b.com"
	    "/\">b</a>\n", "HTTPS_HTTP", 0);
	n = 9000;
	big = xmalloc(n + 200);
	(void)snprintf(big, n + 200, HTML_HEAD "<a href=\"http://x.com/%0*d\">"
	    "x</a>\n", (int)n, 0);
	check(e, big, "URI_TRUNC", 1);
	free(big);
	check(e, HTML_HEAD "<a href=\"http://x.com/\">x</a>\n", "URI_TRUNC", 0);
	/* VBounce: a listed relay in a Received line or field */
	check(e, "From: a@b.example\n\nx\n", "HAVE_RELAYS", 1);
	check(e, "From: a@b.example\n\n> Received: from relay1.example.com "
	    "(x [192.0.2.1]) by y\n", "MY_SERVERS", 1);
	check(e, "From: a@b.example\n\n> Received: from relay12.example.com "
	    "(x [192.0.2.1]) by y\n", "MY_SERVERS", 0);
	check(e, "From: a@b.example\nContent-Type: multipart/mixed; "
	    "boundary=b\n\n--b\nContent-Type: message/rfc822\n\n"
	    "Received: from x\n\tby relay2.example.com (Postfix)\n"
	    "Subject: hi\n\nhi\n--b--\n", "MY_SERVERS", 1);
	/* ok_locales ja, and the environment's language */
	(void)setenv("LC_ALL", "C", 1);
	check(e, "Subject: =?koi8-r?B?8NLJ18XU?=\n\nx\n", "FARAWAY_HDR", 1);
	check(e, "Subject: =?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=\n\nx\n",
	    "FARAWAY_HDR", 0);
	check(e, "Subject: =?utf-8?Q?caf=C3=A9?=\n\nx\n", "FARAWAY_HDR", 0);
	check(e, "Content-Type: text/plain; charset=koi8-r\n\n"
	    "\xf0\xd2\xc9\xd7\xc5\xd4 \xf0\xd2\xc9\xd7\xc5\xd4\n",
	    "FARAWAY_BODY", 1);
	check(e, "Content-Type: text/plain; charset=koi8-r\n\nascii text\n",
	    "FARAWAY_BODY", 0);
	(void)setenv("LC_ALL", "ru_RU.KOI8-R", 1);
	check(e, "Subject: =?koi8-r?B?8NLJ18XU?=\n\nx\n", "FARAWAY_HDR", 0);
	(void)unsetenv("LC_ALL");
	/* body lines are UTF-8 octets to SpamAssassin: bytes counted */
	check(e, "Subject: x\nContent-Type: text/plain; charset=utf-8\n\n"
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\xd1\x81\xd1"
	    "\x82\xd0\xb2\xd1\x83\xd1\x8e \xd0\xb2\xd1\x81\xd0\xb5\xd1\x85 "
	    "\xd0\xb4\xd1\x80\xd1\x83\xd0\xb7\xd0\xb5\xd0\xb9\n", "TVD_SR", 1);
	check(e, "Subject: x\nContent-Type: text/plain; charset=utf-8\n\n"
	    "abcdefghijk abcd abcdef\n", "TVD_SR", 0);
	/* ToCc:addr: every address of To, then of Cc, one a line */
	check(e, "To: a@example.net, \"B, C\" <bc@example.org>,\n\t"
	    "d@example.com (Dee)\nCc: e@example.com\n\nx\n", "TOCC", 1);
	check(e, "Cc: e@example.com\nTo: a@example.net, \"B, C\" "
	    "<bc@example.org>,\n\td@example.com (Dee)\n\nx\n", "TOCC", 1);
	sa_engine_free(e);
	sa_conf_free(c);
}
