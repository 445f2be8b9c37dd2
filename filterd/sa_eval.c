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
 * The local eval functions of SpamAssassin 4.0.1's plugins that the
 * stock rules use (HeaderEval, RelayEval, HTMLEval, BodyEval, MIMEEval,
 * ...), each computing what the Perl function computes, and the table
 * sa_evals[] the engine runs them from (sa_engine.h).
 *
 * Header values come from sa_msg_get() (SpamAssassin's get(): "" for an
 * absent header unless noted), relays from sa_relays.c, HTML facts from
 * render/html.c (one result per message: the last HTML part's, where
 * SpamAssassin loops over every HTML part).
 */

#include <sys/types.h>

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "compat.h"
#include "log.h"
#include "msghdr.h"
#include "xmalloc.h"
#include "html.h"
#include "mime.h"
#include "mimedec.h"
#include "render.h"
#include "sa_conf.h"
#include "sa_engine.h"
#include "sa_relays.h"

#define EV_ARGS	struct sa_msg *m, const struct sa_rule *r, char **a, \
		size_t n

static const char	*hget(struct sa_msg *, const char *);
static int		 re_match(const char *, const char *, int);
static int		 re_match_dyn(const char *, const char *, int);
static int		 re_match_n(const char *, size_t, const char *);
static size_t		 u8len(const char *);
static size_t		 u8len_n(const char *, size_t);
static size_t		 count_crlf(const char *, const char *);
static size_t		 crlf_end(const struct sa_msg *, const char *,
			    size_t);
static char		*lc_dup(const char *);
static void		 lower(char *);
static char		*re_quote(const char *);
static int		 field_line(const char *, const char *);
static int		 mime_parse_flag(struct sa_msg *, const char *);
static double		 arg_num(char **, size_t, size_t, double);
static struct sa_relays	*relays(struct sa_msg *);
static int		 untrusted(struct sa_msg *, size_t *, size_t *);
static const struct sa_relay *untrusted_at(struct sa_msg *, size_t);
static void		 host_to_domain(const char *, char *, size_t);
static int		 is_dotted_host(const char *);
static int		 is_ipv4(const char *);
static int		 gated_rcvd_remover(struct sa_msg *);
static void		 forged_hotmail(struct sa_msg *, int *, int *);
static int		 ok_locales_all(struct sa_msg *);
static int		 charset_ok(struct sa_msg *, const char *);
static int		 html_cmp(double, const char *);

static int	ev_missing_to(EV_ARGS);
static int	ev_header_count_range(EV_ARGS);
static int	ev_subject_all_caps(EV_ARGS);
static int	ev_to_in_subject(EV_ARGS);
static int	ev_unresolved_template(EV_ARGS);
static int	ev_ratware_name_id(EV_ARGS);
static int	ev_equal_from_domains(EV_ARGS);
static int	ev_env_hdr_from(EV_ARGS);
static int	ev_illegal_chars(EV_ARGS);
static int	ev_faraway_hdrs(EV_ARGS);
static int	ev_fake_aol(EV_ARGS);
static int	ev_gated(EV_ARGS);
static int	ev_forged_hotmail(EV_ARGS);
static int	ev_no_hotmail(EV_ARGS);
static int	ev_forged_eudora(EV_ARGS);
static int	ev_forged_yahoo(EV_ARGS);
static int	ev_forged_juno(EV_ARGS);
static int	ev_forged_gmail(EV_ARGS);
static int	ev_relays_unparseable(EV_ARGS);
static int	ev_helo_ip_mismatch(EV_ARGS);
static int	ev_forged_rcvd_trail(EV_ARGS);
static int	ev_no_rdns_dotcom_helo(EV_ARGS);
static int	ev_all_trusted(EV_ARGS);
static int	ev_no_relays(EV_ARGS);
static int	ev_html_test(EV_ARGS);
static int	ev_html_range(EV_ARGS);
static int	ev_html_eval(EV_ARGS);
static int	ev_html_tag_exists(EV_ARGS);
static int	ev_html_tag_balance(EV_ARGS);
static int	ev_html_image_only(EV_ARGS);
static int	ev_html_image_ratio(EV_ARGS);
static int	ev_html_text_match(EV_ARGS);
static int	ev_html_title_subject(EV_ARGS);
static int	ev_html_charset_faraway(EV_ARGS);
static int	ev_zero(EV_ARGS);
static int	ev_for_mime(EV_ARGS);
static int	ev_mime_html(EV_ARGS);
static int	ev_mime_html_only(EV_ARGS);
static int	ev_multipart_ratio(EV_ARGS);
static int	ev_ascii_text_illegal(EV_ARGS);
static int	ev_unicode_ratio(EV_ARGS);
static int	ev_ma_non_text(EV_ARGS);
static int	ev_base64_length(EV_ARGS);
static int	ev_faraway_charset(EV_ARGS);
static int	ev_uppercase(EV_ARGS);
static int	ev_body_length(EV_ARGS);
static int	ev_blank_line_ratio(EV_ARGS);
static int	ev_parse_flags(EV_ARGS);
static int	ev_shifted_date(EV_ARGS);
static int	ev_freemail_from(EV_ARGS);
static double	conf_num(struct sa_msg *, const char *, double);
static void	fm_log_join(struct sa_msg *, char **, size_t, char **,
		    size_t);
static void	fm_log(struct sa_msg *, const char *, const char *,
		    const char *);
static int	ev_freemail_header(EV_ARGS);
static int	ev_image_count(EV_ARGS);
static int	ev_vertical_words(EV_ARGS);
static int	ev_outlook_msgid(EV_ARGS);
static int	ev_sorted_recips(EV_ARGS);
static int	ev_similar_recips(EV_ARGS);
static int	ev_from_welcomelist(EV_ARGS);
static int	ev_from_def_welcomelist(EV_ARGS);
static int	ev_from_blocklist(EV_ARGS);
static int	ev_to_list(EV_ARGS);
static int	ev_madiff(EV_ARGS);
static int	ev_madiff_count(EV_ARGS);
static int	ev_pixel_coverage(EV_ARGS);
static int	ev_image_text_ratio(EV_ARGS);
static int	ev_stock_info(EV_ARGS);
static int	ev_from_in_list(EV_ARGS);
static int	ev_replyto_in_list(EV_ARGS);
static int	ev_mailfrom_rcvd(EV_ARGS);
static int	ev_ratware_efrom(EV_ARGS);
static int	ev_uri_host_listed(EV_ARGS);
static int	ev_subject_list(EV_ARGS);
static int	ev_iframe_src(EV_ARGS);
static int	ev_uri_truncated(EV_ARGS);
static int	ev_https_ip_mismatch(EV_ARGS);
static int	ev_https_http_mismatch(EV_ARGS);
static int	ev_freemail_replyto(EV_ARGS);
static int	ev_any_bounce_relays(EV_ARGS);
static int	ev_bounce_relays(EV_ARGS);
static void	free_list(char **, size_t);

const struct sa_eval_def sa_evals[] = {
	/* HeaderEval */
	{ "check_for_missing_to_header", SA_EV_ANY, ev_missing_to },
	{ "check_header_count_range", SA_EV_ANY, ev_header_count_range },
	{ "subject_is_all_caps", SA_EV_ANY, ev_subject_all_caps },
	{ "check_for_to_in_subject", SA_EV_ANY, ev_to_in_subject },
	{ "check_unresolved_template", SA_EV_ANY, ev_unresolved_template },
	{ "check_ratware_name_id", SA_EV_ANY, ev_ratware_name_id },
	{ "check_ratware_envelope_from", SA_EV_ANY, ev_ratware_efrom },
	{ "check_equal_from_domains", SA_EV_ANY, ev_equal_from_domains },
	{ "check_for_matching_env_and_hdr_from", SA_EV_ANY,
	    ev_env_hdr_from },
	{ "check_illegal_chars", SA_EV_ANY, ev_illegal_chars },
	{ "check_for_faraway_charset_in_headers", SA_EV_ANY,
	    ev_faraway_hdrs },
	{ "check_for_fake_aol_relay_in_rcvd", SA_EV_ANY, ev_fake_aol },
	{ "gated_through_received_hdr_remover", SA_EV_ANY, ev_gated },
	{ "check_for_forged_hotmail_received_headers", SA_EV_ANY,
	    ev_forged_hotmail },
	{ "check_for_no_hotmail_received_headers", SA_EV_ANY,
	    ev_no_hotmail },
	{ "check_for_forged_eudoramail_received_headers", SA_EV_ANY,
	    ev_forged_eudora },
	{ "check_for_forged_yahoo_received_headers", SA_EV_ANY,
	    ev_forged_yahoo },
	{ "check_for_forged_juno_received_headers", SA_EV_ANY,
	    ev_forged_juno },
	{ "check_for_forged_gmail_received_headers", SA_EV_ANY,
	    ev_forged_gmail },
	{ "check_for_unique_subject_id", SA_EV_ANY, ev_zero },
	/* RelayEval */
	{ "check_relays_unparseable", SA_EV_ANY, ev_relays_unparseable },
	{ "helo_ip_mismatch", SA_EV_ANY, ev_helo_ip_mismatch },
	{ "check_for_forged_received_trail", SA_EV_ANY,
	    ev_forged_rcvd_trail },
	{ "check_for_no_rdns_dotcom_helo", SA_EV_ANY,
	    ev_no_rdns_dotcom_helo },
	{ "check_all_trusted", SA_EV_ANY, ev_all_trusted },
	{ "check_no_relays", SA_EV_ANY, ev_no_relays },
	/* HTMLEval */
	{ "html_test", SA_EV_ANY, ev_html_test },
	{ "html_range", SA_EV_ANY, ev_html_range },
	{ "html_eval", SA_EV_ANY, ev_html_eval },
	{ "html_tag_exists", SA_EV_ANY, ev_html_tag_exists },
	{ "html_tag_balance", SA_EV_ANY, ev_html_tag_balance },
	{ "html_image_only", SA_EV_ANY, ev_html_image_only },
	{ "html_image_ratio", SA_EV_ANY, ev_html_image_ratio },
	{ "html_text_match", SA_EV_ANY, ev_html_text_match },
	{ "html_title_subject_ratio", SA_EV_ANY, ev_html_title_subject },
	{ "html_charset_faraway", SA_EV_ANY, ev_html_charset_faraway },
	{ "check_iframe_src", SA_EV_ANY, ev_iframe_src },
	/* URIEval, HTTPSMismatch */
	{ "check_https_ip_mismatch", SA_EV_ANY, ev_https_ip_mismatch },
	{ "check_uri_truncated", SA_EV_ANY, ev_uri_truncated },
	{ "check_https_http_mismatch", SA_EV_ANY, ev_https_http_mismatch },
	/* MIMEEval, BodyEval */
	{ "check_for_mime", SA_EV_ANY, ev_for_mime },
	{ "check_for_mime_html", SA_EV_ANY, ev_mime_html },
	{ "check_for_mime_html_only", SA_EV_ANY, ev_mime_html_only },
	{ "check_mime_multipart_ratio", SA_EV_ANY, ev_multipart_ratio },
	{ "check_for_ascii_text_illegal", SA_EV_ANY, ev_ascii_text_illegal },
	{ "check_abundant_unicode_ratio", SA_EV_ANY, ev_unicode_ratio },
	{ "check_ma_non_text", SA_EV_ANY, ev_ma_non_text },
	{ "check_base64_length", SA_EV_ANY, ev_base64_length },
	{ "check_for_faraway_charset", SA_EV_ANY, ev_faraway_charset },
	{ "check_for_uppercase", SA_EV_ANY, ev_uppercase },
	{ "check_body_length", SA_EV_ANY, ev_body_length },
	{ "check_blank_line_ratio", SA_EV_ANY, ev_blank_line_ratio },
	{ "check_msg_parse_flags", SA_EV_ANY, ev_parse_flags },
	{ "check_for_shifted_date", SA_EV_ANY, ev_shifted_date },
	/* FreeMail */
	{ "check_freemail_from", SA_EV_ANY, ev_freemail_from },
	{ "check_freemail_header", SA_EV_ANY, ev_freemail_header },
	{ "check_freemail_replyto", SA_EV_ANY, ev_freemail_replyto },
	/* ImageInfo (counts only), BodyEval, HeaderEval */
	{ "image_count", SA_EV_ANY, ev_image_count },
	{ "pixel_coverage", SA_EV_ANY, ev_pixel_coverage },
	{ "image_to_text_ratio", SA_EV_ANY, ev_image_text_ratio },
	{ "tvd_vertical_words", SA_EV_ANY, ev_vertical_words },
	{ "check_stock_info", SA_EV_ANY, ev_stock_info },
	{ "check_outlook_message_id", SA_EV_ANY, ev_outlook_msgid },
	{ "sorted_recipients", SA_EV_ANY, ev_sorted_recips },
	{ "similar_recipients", SA_EV_ANY, ev_similar_recips },
	/* WLBLEval */
	{ "check_from_in_welcomelist", SA_EV_ANY, ev_from_welcomelist },
	{ "check_from_in_whitelist", SA_EV_ANY, ev_from_welcomelist },
	{ "check_from_in_default_welcomelist", SA_EV_ANY,
	    ev_from_def_welcomelist },
	{ "check_from_in_default_whitelist", SA_EV_ANY,
	    ev_from_def_welcomelist },
	{ "check_from_in_blocklist", SA_EV_ANY, ev_from_blocklist },
	{ "check_from_in_blacklist", SA_EV_ANY, ev_from_blocklist },
	{ "check_to_in_welcomelist", SA_EV_ANY, ev_to_list },
	{ "check_to_in_whitelist", SA_EV_ANY, ev_to_list },
	{ "check_to_in_blocklist", SA_EV_ANY, ev_to_list },
	{ "check_to_in_blacklist", SA_EV_ANY, ev_to_list },
	{ "check_to_in_more_spam", SA_EV_ANY, ev_to_list },
	{ "check_to_in_all_spam", SA_EV_ANY, ev_to_list },
	{ "check_from_in_list", SA_EV_ANY, ev_from_in_list },
	{ "check_replyto_in_list", SA_EV_ANY, ev_replyto_in_list },
	{ "check_mailfrom_matches_rcvd", SA_EV_ANY, ev_mailfrom_rcvd },
	{ "check_uri_host_listed", SA_EV_ANY, ev_uri_host_listed },
	{ "check_uri_host_in_blocklist", SA_EV_ANY, ev_uri_host_listed },
	{ "check_uri_host_in_blacklist", SA_EV_ANY, ev_uri_host_listed },
	{ "check_uri_host_in_welcomelist", SA_EV_ANY, ev_uri_host_listed },
	{ "check_uri_host_in_whitelist", SA_EV_ANY, ev_uri_host_listed },
	/* VBounce */
	{ "have_any_bounce_relays", SA_EV_ANY, ev_any_bounce_relays },
	{ "check_welcomelist_bounce_relays", SA_EV_ANY, ev_bounce_relays },
	{ "check_whitelist_bounce_relays", SA_EV_ANY, ev_bounce_relays },
	/* WelcomeListSubject */
	{ "check_subject_in_welcomelist", SA_EV_ANY, ev_subject_list },
	{ "check_subject_in_whitelist", SA_EV_ANY, ev_subject_list },
	{ "check_subject_in_blocklist", SA_EV_ANY, ev_subject_list },
	{ "check_subject_in_blacklist", SA_EV_ANY, ev_subject_list },
	/* BodyEval */
	{ "multipart_alternative_difference", SA_EV_ANY, ev_madiff },
	{ "multipart_alternative_difference_count", SA_EV_ANY,
	    ev_madiff_count },
	{ NULL, 0, NULL }
};

/*
 * get() in scalar context with no default: "" for an absent header; for
 * :addr/:name and EnvelopeFrom, the first element only (sa_msg_get
 * joins the list with "\n"), in a rotating static buffer.
 */
static const char *
hget(struct sa_msg *m, const char *spec)
{
	static char	 bufs[8][1024];
	static int	 cur;
	const char	*v;
	size_t		 l;

	v = sa_msg_get(m, spec);
	if (v == NULL)
		return ("");
	if (strstr(spec, ":addr") == NULL && strstr(spec, ":name") == NULL &&
	    strcmp(spec, "EnvelopeFrom") != 0)
		return (v);
	l = strcspn(v, "\n");
	if (v[l] == '\0')
		return (v);
	cur = (cur + 1) % 8;
	if (l >= sizeof(bufs[0]))
		l = sizeof(bufs[0]) - 1;
	memcpy(bufs[cur], v, l);
	bufs[cur][l] = '\0';
	return (bufs[cur]);
}

/*
 * Compiled patterns of string literals, kept for the process (keyed by
 * the literal's address and the options).
 */
#define RE_SLOTS	1024

struct re_slot {
	const char		*pat;
	int			 opts;
	pcre2_code		*code;
	pcre2_match_data	*md;
};

static struct re_slot	re_cache[RE_SLOTS];

static pcre2_code *
re_get(const char *pat, int opts, pcre2_match_data **md)
{
	struct re_slot	*sl;
	size_t		 h, i;
	PCRE2_SIZE	 eoff;
	int		 err;

	h = ((size_t)(uintptr_t)pat / 8 + (size_t)opts) % RE_SLOTS;
	for (i = 0; i < RE_SLOTS; i++) {
		sl = &re_cache[(h + i) % RE_SLOTS];
		if (sl->pat == pat && sl->opts == opts) {
			*md = sl->md;
			return (sl->code);
		}
		if (sl->pat != NULL)
			continue;
		sl->pat = pat;
		sl->opts = opts;
		sl->code = pcre2_compile((PCRE2_SPTR)pat,
		    PCRE2_ZERO_TERMINATED, opts, &err, &eoff, NULL);
		if (sl->code != NULL) {
			(void)pcre2_jit_compile(sl->code, PCRE2_JIT_COMPLETE);
			sl->md = pcre2_match_data_create_from_pattern(sl->code,
			    NULL);
		}
		*md = sl->md;
		return (sl->code);
	}
	*md = NULL;
	return (NULL);
}

/* a Perl-compatible match of a literal pattern; opts: PCRE2 options */
static int
re_match(const char *s, const char *pat, int opts)
{
	pcre2_code		*code;
	pcre2_match_data	*md;

	if ((code = re_get(pat, opts, &md)) == NULL || md == NULL)
		return (re_match_dyn(s, pat, opts));
	return (pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md,
	    NULL) > 0);
}

/* the same for a pattern made at run time (compiled each time) */
static int
re_match_dyn(const char *s, const char *pat, int opts)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		 eoff;
	int			 err, rc;

	code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, opts,
	    &err, &eoff, NULL);
	if (code == NULL)
		return (-1);
	md = pcre2_match_data_create_from_pattern(code, NULL);
	rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	return (rc > 0);
}

/* Perl's numeric value of argument i (def when missing) */
static double
arg_num(char **a, size_t n, size_t i, double def)
{
	if (i >= n)
		return (def);
	return (strtod(a[i], NULL));
}

static struct sa_relays *
relays(struct sa_msg *m)
{
	return (m->relays_priv);
}

static int
untrusted(struct sa_msg *m, size_t *first, size_t *cnt)
{
	*first = m->ntrusted;
	*cnt = m->nrelays - m->ntrusted;
	return (*cnt > 0);
}

static const struct sa_relay *
untrusted_at(struct sa_msg *m, size_t i)
{
	return (&m->relays[m->ntrusted + i]);
}

/* HeaderEval */

static int
ev_missing_to(EV_ARGS)
{
	const char	*h;

	h = hget(m, "To");
	if (*h == '\0')
		h = hget(m, "Apparently-To");
	return (*h == '\0');
}

static int
ev_header_count_range(EV_ARGS)
{
	char	**seen = NULL, *v;
	size_t	 cnt, i, j, k = 0;
	int	 rc;

	if (n < 3 || m->hdr == NULL)
		return (0);
	cnt = msghdr_count(m->hdr);
	for (i = 0; i < cnt; i++) {
		if (!msghdr_is(m->hdr, i, a[0]))
			continue;
		v = msghdr_value(m->hdr, i);
		for (j = 0; j < k; j++)
			if (strcmp(seen[j], v) == 0)
				break;
		if (j < k) {
			free(v);
			continue;
		}
		seen = xreallocarray(seen, k + 1, sizeof(*seen));
		seen[k++] = v;
	}
	rc = (double)k >= arg_num(a, n, 1, 0) &&
	    (double)k <= arg_num(a, n, 2, 0);
	for (j = 0; j < k; j++)
		free(seen[j]);
	free(seen);
	return (rc);
}

static int
ev_subject_all_caps(EV_ARGS)
{
	const char	*s, *e, *p;
	char		*subj;
	size_t		 len, letters = 0;
	int		 rc = 0, space = 0;

	s = hget(m, "Subject");
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	subj = xstrndup(s, e - s);
	/* s/^(?:(?:Re|Fwd|Fw|Aw|Antwort|WG|SV|VB|VS|VL):\s*)+//i */
	for (;;) {
		static const char *const pre[] = { "Antwort", "Fwd", "Re",
		    "Fw", "Aw", "WG", "SV", "VB", "VS", "VL" };
		size_t	i, l = 0;

		for (i = 0; i < nitems(pre); i++) {
			l = strlen(pre[i]);
			if (strncasecmp(subj, pre[i], l) == 0 && subj[l] == ':')
				break;
		}
		if (i == nitems(pre))
			break;
		l++;
		while (isspace((unsigned char)subj[l]))
			l++;
		memmove(subj, subj + l, strlen(subj + l) + 1);
	}
	len = strlen(subj);
	for (p = subj; *p != '\0'; p++)
		if (isspace((unsigned char)*p))
			space = 1;
	if (!space || len < 10)
		goto out;
	for (p = subj; *p != '\0'; p++) {
		if (!isalpha((unsigned char)*p))
			continue;
		letters++;
		if (islower((unsigned char)*p))
			goto out;
	}
	if (re_match(hget(m, "Subject:raw"), "(?i)=\\?[-_a-z0-9]*(?:koi|jp|"
	    "jis|euc|gb|big5|isoir|cp1251|windows-1251|georgianps|pt154|tis)"
	    "[-_a-z0-9]*\\?", 0) == 1)
		goto out;
	rc = letters > 0;
out:
	free(subj);
	return (rc);
}

/* \Q...\E */
static char *
re_quote(const char *s)
{
	size_t	 l = strlen(s), i, o = 0;
	char	*q;

	q = xmalloc(2 * l + 1);
	for (i = 0; i < l; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    (unsigned char)s[i] < 0x80)
			q[o++] = '\\';
		q[o++] = s[i];
	}
	q[o] = '\0';
	return (q);
}

static int
ev_to_in_subject(EV_ARGS)
{
	const char	*to, *subj;
	char		*user, *q, *pat = NULL;
	int		 rc = 0;

	to = hget(m, "To:addr");
	if (*to == '\0' || n < 1)
		return (0);
	subj = hget(m, "Subject");
	if (strcmp(a[0], "address") == 0) {
		q = re_quote(to);
		if (xasprintf(&pat, "(?i)\\b%s\\b", q) == -1)
			fatalx("asprintf");
		rc = re_match_dyn(subj, pat, 0) == 1;
	} else if (strcmp(a[0], "user") == 0) {
		user = xstrndup(to, strcspn(to, "@"));
		q = re_quote(user);
		free(user);
		if (xasprintf(&pat, "(?i)^(?:(?:re|fw):\\s*(?:\\w+\\s+)?%s$"
		    "|(?-i:%s)\\s*[,:;!?-](?:$|\\s)|%s$|,\\s*%s[,:;!?-]$)",
		    q, q, q, q) == -1)
			fatalx("asprintf");
		rc = re_match_dyn(subj, pat, 0) == 1;
	} else
		return (0);
	free(q);
	free(pat);
	return (rc);
}

static int
ev_unresolved_template(EV_ARGS)
{
	const char	*all, *p, *e;
	char		*line;
	int		 rc = 0;

	all = hget(m, "ALL");
	for (p = all; *p != '\0' && !rc; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		line = xstrndup(p, e - p);
		if (re_match(line, "%[A-Z][A-Z_-]", 0) == 1 &&
		    re_match(line, "(?i)^(?:X-VMS-To|X-UIDL|X-Face|To|Cc|From|"
		    "Subject|References|In-Reply-To|(?:X-|Resent-|X-Original-)?"
		    "Message-Id):", 0) != 1)
			rc = 1;
		free(line);
	}
	return (rc);
}

static int
ev_ratware_name_id(EV_ARGS)
{
	const char	*mid, *from, *p, *e;
	char		*q, *pat;
	size_t		 i;
	int		 rc;

	mid = hget(m, "MESSAGEID");
	from = hget(m, "From");
	/* <[A-Z]{28}\.([^>]+?)> */
	for (p = mid; (p = strchr(p, '<')) != NULL; p++) {
		for (i = 1; i <= 28; i++)
			if (!isupper((unsigned char)p[i]))
				break;
		if (i <= 28 || p[29] != '.')
			continue;
		e = strchr(p + 30, '>');
		if (e == NULL || e == p + 30)
			continue;
		q = xstrndup(p + 30, e - (p + 30));
		if (strchr(q, '<') != NULL) {
			free(q);
			continue;
		}
		pat = re_quote(q);
		free(q);
		if (xasprintf(&q, "\"[^\"]+\"\\s*<%s>", pat) == -1)
			fatalx("asprintf");
		rc = re_match_dyn(from, q, 0) == 1;
		free(q);
		free(pat);
		return (rc);
	}
	return (0);
}

/* $d =~ /\@([^@]*)\z/; s/^.+\.([^\.]+\.[^\.]+)$/$1/ */
static void
second_level(const char *addr, char *out, size_t sz)
{
	const char	*at, *p, *dot1 = NULL, *dot2 = NULL;

	out[0] = '\0';
	if ((at = strrchr(addr, '@')) == NULL)
		return;
	at++;
	for (p = at + strlen(at); p > at; p--)
		if (p[-1] == '.') {
			if (dot1 == NULL)
				dot1 = p - 1;
			else if (dot2 == NULL) {
				dot2 = p - 1;
				break;
			}
		}
	/* need ".+" before the second dot and non-empty labels */
	if (dot2 != NULL && dot2 > at && dot1 > dot2 + 1 && dot1[1] != '\0' &&
	    strchr(at, '\n') == NULL)
		(void)strlcpy(out, dot2 + 1, sz);
	else
		(void)strlcpy(out, at, sz);
}

static int
ev_equal_from_domains(EV_ARGS)
{
	char	fd[512], ed[512];

	second_level(hget(m, "From:addr"), fd, sizeof(fd));
	if (fd[0] == '\0')
		return (0);
	second_level(hget(m, "EnvelopeFrom:addr"), ed, sizeof(ed));
	if (ed[0] == '\0')
		return (0);
	return (strcasecmp(fd, ed) != 0);
}

static int
ev_env_hdr_from(EV_ARGS)
{
	return (strcasecmp(hget(m, "EnvelopeFrom:addr"),
	    hget(m, "From:addr")) == 0);
}

/* Perl's is_valid_utf_8 (strict UTF-8, no surrogates, <= U+10FFFF) */
static int
valid_utf8(const unsigned char *s, size_t l)
{
	size_t		i = 0, k, need;
	unsigned int	c;

	while (i < l) {
		c = s[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3;
		else
			return (0);
		if (i + need >= l)
			return (0);
		c &= 0x3f >> need;
		for (k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && c < 0x800) || (need == 3 && c < 0x10000) ||
		    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
			return (0);
		i += need + 1;
	}
	return (1);
}

static int
ev_illegal_chars(EV_ARGS)
{
	char		 spec[256];
	const char	*str;
	const unsigned char *p;
	size_t		 len, illegal = 0, high = 0, ctl = 0, exempt = 0;

	if (n < 3)
		return (0);
	len = strlen(a[0]);
	if (len >= 4 && strcmp(a[0] + len - 4, ":raw") == 0)
		(void)strlcpy(spec, a[0], sizeof(spec));
	else
		(void)snprintf(spec, sizeof(spec), "%s:raw", a[0]);
	if ((str = sa_msg_get(m, spec)) == NULL)
		return (0);
	len = strlen(str);
	for (p = (const unsigned char *)str; *p != '\0'; p++) {
		if (*p >= 0x80)
			high++;
		if (*p <= 0x08 || *p == 0x0b || *p == 0x0c ||
		    (*p >= 0x0e && *p <= 0x1f))
			ctl++;
		if (*p <= 0x08 || *p == 0x0b || *p == 0x0c ||
		    (*p >= 0x0e && *p <= 0x1f) || *p >= 0x7f)
			illegal++;
		if (*p == 0xa2 || *p == 0xa3 || *p == 0xae)
			exempt++;
	}
	if (strspn(str, " \t\n\r\f\v") == len)
		return (0);
	if (high > 0 && valid_utf8((const unsigned char *)str, len) &&
	    ctl == 0)
		return (0);
	if (illegal > 0 && strcasecmp(spec, "subject:raw") == 0 &&
	    exempt == 1)
		illegal--;
	if (len == 0)
		return (0);
	return ((double)illegal / (double)len >= arg_num(a, n, 1, 0) &&
	    (double)illegal >= arg_num(a, n, 2, 0));
}

/*
 * Util::get_my_locales: the words of ok_locales, then the first of
 * LC_ALL, LANGUAGE, LC_MESSAGES and LANG that is set.  "all" (the
 * default) makes every charset fine.
 */
static int
ok_locales_all(struct sa_msg *m)
{
	return (charset_ok(m, NULL));
}

/* Locales::is_charset_ok_for_locales, over get_my_locales */
static int
charset_ok(struct sa_msg *m, const char *charset)
{
	static const char *const tab[][2] = {
		{ "ja", "EUCJP JISX020119760 JISX020819830 JISX020819900 "
		    "JISX020819970 JISX021219900 JISX021320001 JISX021320002 "
		    "SHIFT_JIS SHIFTJIS ISO2022JP SJIS JIS7 JISX0201 JISX0208 "
		    "JISX0212" },
		{ "ko", "EUCKR KSC56011987" },
		{ "ru", NULL }, { "ka", NULL }, { "tg", NULL }, { "be", NULL },
		{ "uk", NULL }, { "bg", NULL },
		{ "th", "TIS620" },
		{ "zh", "GB1988 GB2312 GB231219800 GB18030 GBK BIG5HKSCS BIG5 "
		    "EUCTW ISO2022CN" },
	};
	static const char cyr[] = "KOI8R KOI8U KOI8T ISOIR111 CP1251 "
	    "GEORGIANPS CP1251 PT154 CP866";
	static const char *const envs[] = { "LC_ALL", "LANGUAGE",
	    "LC_MESSAGES", "LANG" };
	const char	*v, *ok;
	char		*all, *w, *save = NULL, cs[128], loc[64], key[132];
	size_t		 i, o, k;
	int		 rc = 0;

	v = sa_conf_str(m->conf, "ok_locales");
	for (i = 0, ok = NULL; i < nitems(envs) && ok == NULL; i++)
		if ((ok = getenv(envs[i])) != NULL && *ok == '\0')
			ok = NULL;
	if (xasprintf(&all, "%s %s", v != NULL ? v : "all",
	    ok != NULL ? ok : "") == -1)
		fatalx("asprintf");
	/* uc, [^A-Z0-9] out, a leading "3D" (quoted-printable) out */
	o = 0;
	for (i = 0; charset != NULL && charset[i] != '\0' &&
	    o < sizeof(cs) - 1; i++)
		if (isalnum((unsigned char)charset[i]) &&
		    (unsigned char)charset[i] < 0x80)
			cs[o++] = toupper((unsigned char)charset[i]);
	cs[o] = '\0';
	if (cs[0] == '3' && cs[1] == 'D')
		memmove(cs, cs + 2, strlen(cs + 2) + 1);
	if (charset != NULL && (strcmp(cs, "USASCII") == 0 ||
	    strcmp(cs, "ASCII") == 0 || strncmp(cs, "ISO8859", 7) == 0 ||
	    strncmp(cs, "ISO10646", 8) == 0 || strncmp(cs, "UTF", 3) == 0 ||
	    strncmp(cs, "UCS", 3) == 0 || strncmp(cs, "CP125", 5) == 0 ||
	    strncmp(cs, "WINDOWS", 7) == 0 || strcmp(cs, "IBM852") == 0 ||
	    strncmp(cs, "UNICODE11UTF7", 13) == 0 ||
	    strncmp(cs, "UNICODE11UTF8", 13) == 0 ||
	    strcmp(cs, "XUNKNOWN") == 0 || strcmp(cs, "ISO") == 0))
		rc = 1;
	(void)snprintf(key, sizeof(key), " %s ", cs);
	for (w = strtok_r(all, " \t\n", &save); w != NULL && !rc;
	    w = strtok_r(NULL, " \t\n", &save)) {
		if (strcmp(w, "all") == 0) {
			rc = 1;
			break;
		}
		if (charset == NULL)
			continue;
		(void)strlcpy(loc, strcmp(w, "C") == 0 ? "en" : w,
		    sizeof(loc));
		if (islower((unsigned char)loc[0]) &&
		    islower((unsigned char)loc[1]))
			loc[2] = '\0';
		for (k = 0; k < nitems(tab); k++) {
			if (strcmp(tab[k][0], loc) != 0)
				continue;
			ok = tab[k][1] != NULL ? tab[k][1] : cyr;
			if (xasprintf(&w, " %s ", ok) == -1)
				fatalx("asprintf");
			rc = strstr(w, key) != NULL;
			free(w);
			break;
		}
	}
	free(all);
	return (rc);
}

/* HeaderEval's check_for_faraway_charset_in_headers */
static int
ev_faraway_hdrs(EV_ARGS)
{
	static const char *const specs[] = { "From:raw", "Subject:raw" };
	pcre2_match_data	*md;
	pcre2_code		*code;
	PCRE2_SIZE		*ov;
	const char		*v;
	char			*cs;
	size_t			 k, off, len;

	if (ok_locales_all(m))
		return (0);
	if ((code = re_get("=\\?(.+?)\\?.\\?.*?\\?=", 0, &md)) == NULL ||
	    md == NULL)
		return (0);
	for (k = 0; k < nitems(specs); k++) {
		if ((v = sa_msg_get(m, specs[k])) == NULL)
			continue;
		len = strlen(v);
		for (off = 0; off <= len && pcre2_match(code, (PCRE2_SPTR)v,
		    len, off, 0, md, NULL) > 0; ) {
			ov = pcre2_get_ovector_pointer(md);
			cs = xstrndup(v + ov[2], ov[3] - ov[2]);
			if (!charset_ok(m, cs)) {
				free(cs);
				return (1);
			}
			free(cs);
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		}
	}
	return (0);
}

static int
ev_fake_aol(EV_ARGS)
{
	char	*v, *p;
	int	 rc = 0;

	v = xstrdup(hget(m, "Received"));
	for (p = v; *p != '\0'; p++)
		if (isspace((unsigned char)*p))
			*p = ' ';
	if (re_match(v, "(?i) rly-[a-z][a-z]\\d\\d\\.", 0) == 1 &&
	    re_match(v, "/AOL-\\d+\\.\\d+\\.\\d+\\)", 0) != 1 &&
	    re_match(v, "ESMTP id (?:RELAY|MAILRELAY|MAILIN)", 0) != 1)
		rc = 1;
	free(v);
	return (rc);
}

static int
gated_rcvd_remover(struct sa_msg *m)
{
	const char	*txt, *rcvd;

	txt = sa_msg_get(m, "Mailing-List");
	if (txt != NULL && re_match(txt, "(?m)^contact \\S+\\@\\S+\\; run by "
	    "ezmlm$", 0) == 1) {
		if (re_match(hget(m, "Delivered-To"), "(?m)^mailing list "
		    "\\S+\\@\\S+", 0) == 1 && re_match(hget(m, "Received"),
		    "qmail \\d+ invoked (?:from network|by .{3,20})\\); \\d+ "
		    "... \\d+", 0) == 1)
			return (1);
	}
	rcvd = sa_msg_get(m, "Received");
	if (rcvd == NULL)
		return (1);
	if (re_match(rcvd, "from groups\\.msn\\.com \\(\\S+\\.msn\\.com ",
	    0) == 1)
		return (1);
	return (0);
}

static int
ev_gated(EV_ARGS)
{
	return (gated_rcvd_remover(m));
}

#define IPRE	"(?:\\b(?<!:)(?:\\d{1,3}\\.){3}\\d{1,3}\\b|" \
		"(?i:[a-f0-9:]{2,}:[a-f0-9.:]+))"

static int
msn_groups(struct sa_msg *m)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		 eoff, *ov;
	const char		*to, *rcvd;
	char			*list = NULL, *server = NULL, *q, *pat;
	int			 err, rc = 0;

	to = hget(m, "To");
	code = pcre2_compile((PCRE2_SPTR)"(?i)<(\\S+)\\@groups\\.msn\\.com>",
	    PCRE2_ZERO_TERMINATED, 0, &err, &eoff, NULL);
	md = pcre2_match_data_create(4, NULL);
	if (pcre2_match(code, (PCRE2_SPTR)to, strlen(to), 0, 0, md,
	    NULL) > 0) {
		ov = pcre2_get_ovector_pointer(md);
		list = xstrndup(to + ov[2], ov[3] - ov[2]);
	}
	pcre2_code_free(code);
	if (list == NULL)
		goto out;
	rcvd = hget(m, "Received");
	code = pcre2_compile((PCRE2_SPTR)"from mail pickup service by "
	    "((?:p\\d\\d\\.)groups\\.msn\\.com)\\b", PCRE2_ZERO_TERMINATED,
	    0, &err, &eoff, NULL);
	if (pcre2_match(code, (PCRE2_SPTR)rcvd, strlen(rcvd), 0, 0, md,
	    NULL) > 0) {
		ov = pcre2_get_ovector_pointer(md);
		server = xstrndup(rcvd + ov[2], ov[3] - ov[2]);
	}
	pcre2_code_free(code);
	if (server == NULL)
		goto out;
	if (strcmp(list, "notifications") == 0) {
		q = re_quote(server);
		if (xasprintf(&pat, "^<\\S+\\@%s>", server) == -1)
			fatalx("asprintf");
		rc = re_match_dyn(hget(m, "Message-Id"), pat, 0) == 1;
	} else {
		q = re_quote(list);
		if (xasprintf(&pat, "^<%s-\\S+\\@groups\\.msn\\.com>", list)
		    == -1)
			fatalx("asprintf");
		rc = re_match_dyn(hget(m, "Message-Id"), pat, 0) == 1;
		free(pat);
		if (xasprintf(&pat, "%s-bounce\\@groups\\.msn\\.com", list)
		    == -1)
			fatalx("asprintf");
		rc = rc && re_match_dyn(hget(m, "EnvelopeFrom:addr"), pat,
		    0) == 1;
	}
	free(q);
	free(pat);
out:
	pcre2_match_data_free(md);
	free(list);
	free(server);
	return (rc);
}

static void
forged_hotmail(struct sa_msg *m, int *forged, int *nohotmail)
{
	const char	*v;
	char		*rcvd;
	int		 ip, orig;

	*forged = *nohotmail = 0;
	rcvd = xstrdup(hget(m, "Received"));
	for (v = rcvd; *v != '\0'; v++)
		if (isspace((unsigned char)*v))
			*(char *)v = ' ';
	if (re_match(rcvd, "from mail pickup service by hotmail\\.com with "
	    "Microsoft SMTPSVC;", 0) == 1 || msn_groups(m))
		goto out;
	v = sa_msg_get(m, "X-Originating-Ip");
	ip = v != NULL && re_match(v, IPRE, 0) == 1;
	v = sa_msg_get(m, "X-OriginatorOrg");
	orig = v != NULL && re_match(v, "hotmail\\.com|msonline\\-outlook",
	    0) == 1;
	if (gated_rcvd_remover(m))
		goto out;
	if ((ip && re_match(rcvd, "from (?:\\S*\\.)?hotmail.com \\(\\S+\\."
	    "hotmail(?:\\.msn)?\\.com[ \\)]", 0) == 1) ||
	    (orig && re_match(rcvd, "from \\S*\\.outbound\\.protection\\."
	    "outlook\\.com \\(\\S+\\.outbound\\.protection\\.outlook\\.com"
	    "[ \\)]", 0) == 1) ||
	    (orig && re_match(rcvd, "from \\S*\\.(?:eur|nam)prd\\d+\\.prod\\."
	    "outlook\\.com \\(" IPRE "\\)", 0) == 1) ||
	    (ip && re_match(rcvd, "from \\S*\\.hotmail.com \\(\\[" IPRE
	    "\\][ \\):]", 0) == 1) ||
	    (ip && re_match(rcvd, "from \\S+ by \\S+\\.hotmail(?:\\.msn)?\\."
	    "com with HTTP\\;", 0) == 1) ||
	    (ip && re_match(rcvd, "from \\[66\\.218.\\S+\\] by \\S+\\.yahoo"
	    "\\.com", 0) == 1))
		goto out;
	if (re_match(rcvd, "(?:from |HELO |helo=)\\S*hotmail\\.com\\b", 0) ==
	    1)
		*forged = 1;
	else if (re_match(hget(m, "From:addr"), "(?i)\\bhotmail\\.com$", 0) ==
	    1)
		*nohotmail = 1;
out:
	free(rcvd);
}

static int
ev_forged_hotmail(EV_ARGS)
{
	int	f, nh;

	forged_hotmail(m, &f, &nh);
	return (f);
}

static int
ev_no_hotmail(EV_ARGS)
{
	int	f, nh;

	forged_hotmail(m, &f, &nh);
	return (nh);
}

static int
ev_forged_eudora(EV_ARGS)
{
	const char	*v;
	int		 ip;

	if (re_match(hget(m, "From:addr"), "(?i)\\beudoramail\\.com$", 0) !=
	    1)
		return (0);
	v = sa_msg_get(m, "X-Sender-Ip");
	ip = v != NULL && re_match(v, IPRE, 0) == 1;
	if (gated_rcvd_remover(m))
		return (0);
	if (ip && re_match(hget(m, "Received"), "by \\S*whowhere.com\\;", 0)
	    == 1)
		return (0);
	return (1);
}

static int
ev_forged_yahoo(EV_ARGS)
{
	const char	*from, *v;
	char		*rcvd, *p;
	int		 rc = 1;

	from = hget(m, "From:addr");
	if (re_match(from, "(?i)\\byahoo\\.com$", 0) != 1)
		return (0);
	v = hget(m, "Received");
	if (*hget(m, "Resent-From") != '\0' && *hget(m, "Resent-To") != '\0' &&
	    *hget(m, "X-Received") != '\0')
		v = hget(m, "X-Received");
	rcvd = xstrdup(v);
	for (p = rcvd; *p != '\0'; p++)
		if (isspace((unsigned char)*p))
			*p = ' ';
	if (gated_rcvd_remover(m))
		rc = 0;
	else if ((m->relays_str[SA_RELAYS_TRUSTED] != NULL &&
	    re_match(m->relays_str[SA_RELAYS_TRUSTED],
	    " rdns=\\S+\\.yahoo\\.com ", 0) == 1) ||
	    (m->relays_str[SA_RELAYS_UNTRUSTED] != NULL &&
	    re_match(m->relays_str[SA_RELAYS_UNTRUSTED],
	    "^[^\\]]+ rdns=\\S+\\.yahoo\\.com ", 0) == 1))
		rc = 0;
	else if (re_match(rcvd, "by web\\S+\\.mail\\S*\\.yahoo\\.com via HTTP",
	    0) == 1 || re_match(rcvd, "by sonic\\S+\\.consmr\\.mail\\S*\\."
	    "yahoo\\.com with HTTP", 0) == 1 || re_match(rcvd, "by smtp\\S+\\."
	    "yahoo\\.com with SMTP", 0) == 1 || re_match(rcvd, "from \\["
	    IPRE "\\] by \\S+\\.(?:groups|scd|dcn)\\.yahoo\\.com with NNFMP",
	    0) == 1)
		rc = 0;
	else if (re_match(rcvd, "\\bmailer\\d+\\.bulk\\.scd\\.yahoo\\.com\\b",
	    0) == 1 && re_match(from, "(?i)\\@reply\\.yahoo\\.com$", 0) == 1)
		rc = 0;
	else if (re_match(rcvd, "by \\w+\\.\\w+\\.yahoo\\.com \\(\\d+\\.\\d+\\."
	    "\\d+/\\d+\\.\\d+\\.\\d+\\)(?: with ESMTP)? id \\w+", 0) == 1)
		rc = 0;
	free(rcvd);
	return (rc);
}

static int
ev_forged_juno(EV_ARGS)
{
	const char	*xorig, *xmailer, *rcvd;

	if (re_match(hget(m, "From:addr"), "(?i)\\bjuno\\.com$", 0) != 1)
		return (0);
	if (gated_rcvd_remover(m))
		return (0);
	xorig = hget(m, "X-Originating-IP");
	xmailer = hget(m, "X-Mailer");
	rcvd = hget(m, "Received");
	if (*xorig != '\0') {
		if (re_match(rcvd, "from.*\\b(?:juno|untd)\\.com.*[\\[\\(]" IPRE
		    "[\\]\\)].*by", 0) != 1 && re_match(rcvd,
		    " cookie\\.(?:juno|untd)\\.com ", 0) != 1)
			return (1);
		if (strstr(xmailer, "Juno ") == NULL)
			return (1);
	} else {
		if (re_match(rcvd, "from.*\\bmail\\.com.*\\[" IPRE "\\].*by",
		    0) == 1) {
			if (re_match(xmailer, "\\bmail\\.com", 0) != 1)
				return (1);
		} else if (re_match(rcvd, "from (webmail\\S+\\.untd\\.com) "
		    "\\(\\1 \\[" IPRE "\\]\\) by", 0) == 1) {
			if (re_match(xmailer, "^Webmail Version \\d", 0) != 1)
				return (1);
		} else
			return (1);
		if (re_match(xorig, IPRE, 0) != 1)
			return (1);
	}
	return (0);
}

static int
ev_forged_gmail(EV_ARGS)
{
	const char	*xr;

	if (re_match(hget(m, "From:addr"), "(?i)\\bgmail\\.com$", 0) != 1)
		return (0);
	xr = hget(m, "X-Received");
	if (re_match(xr, "by 10\\.\\S+ with SMTP id \\S+", 0) == 1 ||
	    re_match(xr, "by 2002\\:a\\d\\d\\:\\w+\\:\\S+ with SMTP id \\S+",
	    0) == 1 || re_match(hget(m, "Received"), "by smtp\\.googlemail\\."
	    "com with ESMTPSA id \\S+", 0) == 1)
		return (0);
	if (strlen(hget(m, "X-Gm-Message-State")) >= 60 &&
	    strlen(hget(m, "X-Google-Smtp-Source")) >= 60)
		return (0);
	return (1);
}

static int
ev_zero(EV_ARGS)
{
	return (0);
}

/* RelayEval */

static int
ev_relays_unparseable(EV_ARGS)
{
	return (m->relays_unparseable > 0);
}

static int
is_ipv4(const char *s)
{
	return (re_match(s, "^\\b(?:(?:1\\d\\d|2[0-4]\\d|25[0-5]|[1-9]\\d|\\d)"
	    "\\.){3}(?:1\\d\\d|2[0-4]\\d|25[0-5]|[1-9]\\d|\\d)\\b$", 0) == 1);
}

static int
ev_helo_ip_mismatch(EV_ARGS)
{
	const struct sa_relay	*rl;
	size_t			 first, cnt, i, l;

	if (!untrusted(m, &first, &cnt))
		return (0);
	for (i = 0; i < cnt; i++) {
		rl = untrusted_at(m, i);
		if (!is_ipv4(rl->helo) || sa_ip_is_private(rl->helo))
			continue;
		if (!is_ipv4(rl->ip) || sa_ip_is_private(rl->ip) ||
		    strcmp(rl->helo, rl->ip) == 0)
			continue;
		/* ^(\d+\.\d+\.\d+\.) of the HELO is not a prefix of ip */
		l = strrchr(rl->helo, '.') - rl->helo + 1;
		if (strncmp(rl->ip, rl->helo, l) != 0)
			return (1);
	}
	return (0);
}

/* RelayEval's hostname_to_domain */
static void
host_to_domain(const char *h, char *out, size_t sz)
{
	const char	*p, *lab[3] = { NULL, NULL, NULL };
	char		*d;
	size_t		 len, parts = 1, i;
	int		 alpha = 0;

	(void)strlcpy(out, h, sz);
	for (p = h; *p != '\0'; p++)
		if (isalpha((unsigned char)*p))
			alpha = 1;
	if (!alpha)
		return;
	d = xstrdup(h);
	len = strlen(d);
	while (len > 0 && d[len - 1] == '.')	/* split drops them */
		d[--len] = '\0';
	for (i = 0; i < len; i++)
		if (d[i] == '.')
			parts++;
	/* lab[k]: where the last k+1 labels start */
	lab[0] = lab[1] = lab[2] = d;
	for (i = len, parts = 1; i > 0 && parts <= 3; i--)
		if (d[i - 1] == '.')
			lab[parts++ - 1] = d + i;
	for (i = 0, parts = 1; i < len; i++)
		if (d[i] == '.')
			parts++;
	if (parts > 1 && re_match(lab[0], "(?:\\S{3,}|ie|fr|de)", 0) == 1)
		(void)strlcpy(out, lab[1], sz);
	else if (parts > 2)
		(void)strlcpy(out, lab[2], sz);
	free(d);
}

static int
is_dotted_host(const char *s)
{
	return (re_match(s, "^\\w+(?:[\\w.-]+\\.)+\\w+$", 0) == 1);
}

static char *
lc_dup(const char *s)
{
	char	*d = xstrdup(s), *p;

	for (p = d; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	return (d);
}

static int
ev_forged_rcvd_trail(EV_ARGS)
{
	const struct sa_relay	*rl;
	size_t			 first, cnt, i;
	char			 by[512], **from, *lc;
	int			 mismatch = 0;

	if (!untrusted(m, &first, &cnt))
		return (0);
	from = xcalloc(cnt, sizeof(*from));
	for (i = 0; i < cnt; i++) {
		from[i] = xmalloc(512);
		lc = lc_dup(untrusted_at(m, i)->rdns);
		host_to_domain(lc, from[i], 512);
		free(lc);
	}
	for (i = 0; i < cnt; i++) {
		rl = untrusted_at(m, i);
		lc = lc_dup(rl->by);
		host_to_domain(lc, by, sizeof(by));
		free(lc);
		if (!is_dotted_host(by))
			continue;
		if (from[i] != NULL && re_match(from[i],
		    "^localhost(?:\\.localdomain)?$", 0) == 1 &&
		    strcmp(rl->ip, "127.0.0.1") == 0) {
			free(from[i]);
			from[i] = NULL;
		}
		if (i > 0 && from[i - 1] != NULL &&
		    is_dotted_host(from[i - 1]) &&
		    strcmp(by, from[i - 1]) != 0 &&
		    !(strcmp(by, "msn.com") == 0 &&
		    strcmp(from[i - 1], "hotmail.com") == 0))
			mismatch++;
	}
	for (i = 0; i < cnt; i++)
		free(from[i]);
	free(from);
	return (mismatch > 1);
}

static int
ev_no_rdns_dotcom_helo(EV_ARGS)
{
	struct sa_relays	*rs = relays(m);
	const struct sa_hop	*h;
	size_t			 i;
	int			 hit = 0;

	if (rs == NULL)
		return (0);
	for (i = 0; i < rs->nlist[SA_RL_UNTRUSTED]; i++) {
		h = &rs->all[rs->list[SA_RL_UNTRUSTED][i]];
		if (h->r.ip_private)
			continue;
		hit = 0;
		if (re_match(h->r.helo, "(?i)(?:\\.|^)(lycos\\.com|"
		    "lycos\\.co\\.uk|hotmail\\.com|localhost\\.com|"
		    "excite\\.com|caramail\\.com|cs\\.com|aol\\.com|"
		    "msn\\.com|yahoo\\.com|drizzle\\.com)$", 0) == 1 &&
		    h->no_reverse_dns)
			hit = 1;
	}
	return (hit);
}

static int
ev_all_trusted(EV_ARGS)
{
	return (m->ntrusted > 0 && m->nrelays == m->ntrusted &&
	    m->relays_unparseable == 0);
}

static int
ev_no_relays(EV_ARGS)
{
	return (m->nrelays == 0 && m->relays_unparseable == 0);
}

/* HTMLEval: one HTML result (the last HTML part's) */

#define HTML(m)	((m)->render != NULL && (m)->render->has_html ? \
		    &(m)->render->html : NULL)

static int
ev_html_test(EV_ARGS)
{
	const struct html_result	*h = HTML(m);

	if (h == NULL || n < 1)
		return (0);
	if (strcmp(a[0], "html") == 0)
		return (1);
	if (strcmp(a[0], "embeds") == 0)
		return (h->embeds != 0);
	if (strcmp(a[0], "font_low_contrast") == 0)
		return (h->font_low_contrast != 0);
	if (strcmp(a[0], "font_face_bad") == 0)
		return (h->font_face_bad != 0);
	if (strcmp(a[0], "form_action_mailto") == 0)
		return (h->form_action_mailto != 0);
	if (strcmp(a[0], "font_invalid_color") == 0)
		return (h->font_invalid_color != 0);
	return (0);
}

/* a named scalar of the HTML results; 0 if SA would not have it */
static int
html_value(const struct html_result *h, const char *k, double *v)
{
	if (strcmp(k, "length") == 0)
		*v = h->length;
	else if (strcmp(k, "max_size") == 0)
		*v = h->max_size;
	else if (strcmp(k, "min_size") == 0)
		*v = h->min_size;
	else if (strcmp(k, "image_area") == 0)
		*v = h->image_area;
	else if (strcmp(k, "closed_extra_ratio") == 0 && h->tags > 0)
		*v = (double)h->closed_extra / h->tags;
	else if (strcmp(k, "bad_tag_ratio") == 0 && h->tags > 0 &&
	    h->elements > 0)
		*v = (double)(h->tags - h->elements) / h->tags;
	else if (strcmp(k, "non_element_ratio") == 0 && h->tags_seen > 0 &&
	    h->elements_seen > 0)
		*v = (double)(h->tags_seen - h->elements_seen) / h->tags_seen;
	else if (strcmp(k, "obfuscation_ratio") == 0 && h->tags > 0 &&
	    h->obfuscation > 0)
		*v = (double)h->obfuscation / h->tags;
	else if (strcmp(k, "backhair_count") == 0 && h->backhair_count > 0)
		*v = h->backhair_count;
	else
		return (0);
	return (1);
}

static int
ev_html_range(EV_ARGS)
{
	const struct html_result	*h = HTML(m);
	double				 v, min;

	if (h == NULL || n < 2 || !html_value(h, a[0], &v))
		return (0);
	min = arg_num(a, n, 1, 0);
	if (n < 3 || strcmp(a[2], "inf") == 0)
		return (v > min);
	return (v > min && v <= arg_num(a, n, 2, 0));
}

/* "$val $expr" for expr in [<>=!-+ 0-9]: a comparison with a number */
static int
html_cmp(double v, const char *expr)
{
	const char	*p = expr;
	double		 rhs;
	char		 op[3] = { 0, 0, 0 };
	size_t		 k = 0;

	if (strspn(expr, "<>=!-+ 0123456789") != strlen(expr))
		return (0);
	while (*p == ' ')
		p++;
	while (k < 2 && (*p == '<' || *p == '>' || *p == '=' || *p == '!'))
		op[k++] = *p++;
	rhs = strtod(p, NULL);
	if (strcmp(op, "<") == 0)
		return (v < rhs);
	if (strcmp(op, "<=") == 0)
		return (v <= rhs);
	if (strcmp(op, ">") == 0)
		return (v > rhs);
	if (strcmp(op, ">=") == 0)
		return (v >= rhs);
	if (strcmp(op, "==") == 0)
		return (v == rhs);
	if (strcmp(op, "!=") == 0)
		return (v != rhs);
	return (0);
}

static int
ev_html_eval(EV_ARGS)
{
	const struct html_result	*h = HTML(m);
	double				 v;

	if (h == NULL || n < 2 || !html_value(h, a[0], &v))
		return (0);
	return (html_cmp(v, a[1]));
}

static int
ev_html_tag_exists(EV_ARGS)
{
	const struct html_result	*h = HTML(m);

	if (h == NULL || n < 1)
		return (0);
	return (html_inside(h, a[0]) >= 0);
}

static int
ev_html_tag_balance(EV_ARGS)
{
	const struct html_result	*h = HTML(m);
	int				 v;

	if (h == NULL || n < 2 || re_match(a[0], "^[a-zA-Z0-9]+$", 0) != 1)
		return (0);
	if ((v = html_inside(h, a[0])) < 0)
		return (0);
	return (html_cmp(v, a[1]));
}

static int
ev_html_image_only(EV_ARGS)
{
	const struct html_result	*h = HTML(m);

	if (h == NULL || n < 2 || html_inside(h, "img") < 0)
		return (0);
	return ((double)h->length > arg_num(a, n, 0, 0) &&
	    (double)h->length <= arg_num(a, n, 1, 0));
}

static int
ev_html_image_ratio(EV_ARGS)
{
	const struct html_result	*h = HTML(m);
	double				 ratio;

	if (h == NULL || n < 2 || h->image_area <= 0)
		return (0);
	ratio = (double)h->non_space_len / (double)h->image_area;
	return (ratio > arg_num(a, n, 0, 0) && ratio <= arg_num(a, n, 1, 0));
}

static int
ev_html_text_match(EV_ARGS)
{
	const struct html_result	*h = HTML(m);
	const struct html_strs		*s;
	size_t				 i;

	if (h == NULL || n < 2)
		return (0);
	if (strcmp(a[0], "comment") == 0)
		s = &h->comment;
	else if (strcmp(a[0], "title") == 0)
		s = &h->title;
	else if (strcmp(a[0], "anchor") == 0)
		s = &h->anchor;
	else if (strcmp(a[0], "script") == 0)
		s = &h->script;
	else
		return (0);
	for (i = 0; i < s->n; i++)
		if (re_match_dyn(s->v[i], a[1], 0) == 1)
			return (1);
	return (0);
}

/* Perl's length() of a character string: UTF-8 characters */
static size_t
u8len(const char *s)
{
	return (u8len_n(s, strlen(s)));
}

static size_t
u8len_n(const char *s, size_t l)
{
	size_t	i, n = 0;

	for (i = 0; i < l; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			n++;
	return (n);
}

static size_t
count_crlf(const char *s, const char *e)
{
	size_t	n = 0;

	for (; s + 1 < e; s++)
		if (s[0] == '\r' && s[1] == '\n')
			n++;
	return (n);
}

/* re_match on a buffer that is not NUL-terminated */
static int
re_match_n(const char *s, size_t l, const char *pat)
{
	char	*d;
	int	 rc;

	d = xstrndup(s, l);
	rc = re_match(d, pat, 0);
	free(d);
	return (rc);
}

static int
ev_html_title_subject(EV_ARGS)
{
	const struct html_result	*h = HTML(m);
	const char			*subj;
	double				 max = 0, r0;
	size_t				 i;

	subj = hget(m, "Subject");
	if (*subj == '\0' || h == NULL || n < 1)
		return (0);
	for (i = 0; i < h->title.n; i++) {
		if (h->title.v[i][0] == '\0' ||
		    strcmp(h->title.v[i], "0") == 0)
			continue;
		r0 = (double)u8len(h->title.v[i]) / (double)u8len(subj);
		if (r0 > max)
			max = r0;
	}
	return (max > arg_num(a, n, 0, 0));
}

static int
ev_html_charset_faraway(EV_ARGS)
{
	/*
	 * HTMLEval reads $html->{charsets} from the HTML results, where
	 * HTML.pm never puts them (it keeps them on the parser): 0.
	 */
	return (0);
}

/*
 * MIMEEval's _check_attachments, once per message (msg->eval_priv)
 */

struct ev_priv {
	int	 mime_done;
	int	 base64_count, base64_text, html_count, text_count;
	int	 faraway, qp_long_line, attachment, bad_iso, multipart_alt;
	int	 ascii_illegal;
	double	 qp_count, multipart_ratio, unicode_ratio;
	char	*charsets;		/* mime_html_charsets, or NULL */
	int	 upper_done;
	double	 upper;
	int	 date_done;
	double	 date_diff;
	int	 img_done;
	double	 pc[4], count[4];	/* all gif png jpeg */
	int	 madiff_done;
	double	 madiff, madiff_html, madiff_text;
	int	 uhl_done;		/* uri host lists hit */
	char	**uhl;
	char	**uhlm;			/* their matches: "host (key)" */
	size_t	  nuhl;
	int	 fmb_done, fmb_skip;	/* FreeMail's body freemails */
	char	**fmb;
	size_t	  nfmb;
};

static void
ev_priv_free(void *p)
{
	struct ev_priv	*ep = p;

	if (ep == NULL)
		return;
	free(ep->charsets);
	free_list(ep->uhl, ep->nuhl);
	free_list(ep->uhlm, ep->nuhl);
	free_list(ep->fmb, ep->nfmb);
	free(ep);
}

static struct ev_priv *
priv(struct sa_msg *m)
{
	if (m->eval_priv == NULL) {
		m->eval_priv = xcalloc(1, sizeof(struct ev_priv));
		m->eval_priv_free = ev_priv_free;
	}
	return (m->eval_priv);
}

/* the last instance of a part's field, unfolded, or NULL */
static char *
part_field(const struct mime_part *p, const char *name)
{
	ssize_t	i;

	if (p->hdr == NULL || (i = msghdr_find(p->hdr, name, -1)) < 0)
		return (NULL);
	return (msghdr_value(p->hdr, i));
}

static char *
re_capture(const char *s, const char *pat)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov;
	char			*v = NULL;

	if ((code = re_get(pat, 0, &md)) == NULL || md == NULL)
		return (NULL);
	if (pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL) > 0) {
		ov = pcre2_get_ovector_pointer(md);
		if (ov[2] != PCRE2_UNSET)
			v = xstrndup(s + ov[2], ov[3] - ov[2]);
	}
	return (v);
}

/* Util::parse_content_type: the type into ct, the charset (or NULL) */
static void
parse_ct(const char *hv, char *ct, size_t sz, char **charset)
{
	const char	*v = hv;
	char		*t, *p, *q;
	size_t		 l;

	if (v == NULL || *v == '\0')
		v = "text/plain; charset=us-ascii";
	*charset = re_capture(v, "(?i)\\bcharset\\s*=\\s*[\"']?(.*?)[\"']?"
	    "(?:;|$)");
	t = xstrdup(v + strspn(v, " \t\r\n"));
	t[strcspn(t, ";")] = '\0';
	/* ^([^/]+(?:/[^/\s]*)?).*$ */
	if ((p = strchr(t, '/')) != NULL) {
		for (q = p + 1; *q != '\0' && *q != '/' &&
		    !isspace((unsigned char)*q); q++)
			;
		*q = '\0';
	}
	for (p = t; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
	if (*t == '\0' || (strncmp(t, "text", 4) == 0 &&
	    !isalnum((unsigned char)t[4]) && t[4] != '_' &&
	    strcmp(t, "text/x-vcard") != 0 && strcmp(t, "text/calendar") != 0 &&
	    strcmp(t, "text/html") != 0)) {
		free(t);
		t = xstrdup("text/plain");
	}
	/* tr/\000-\040\177-\377\042\050\051\054\072-\077\100\133-\135//d */
	for (p = q = t; *p != '\0'; p++) {
		unsigned char c = *p;

		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '(' ||
		    c == ')' || c == ',' || (c >= 0x3a && c <= 0x3f) ||
		    c == '@' || (c >= 0x5b && c <= 0x5d))
			continue;
		*q++ = c;
	}
	*q = '\0';
	l = strlcpy(ct, t, sz);
	(void)l;
	free(t);
}

static void
lower(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		*s = tolower((unsigned char)*s);
}

/* &#x[0-9A-F]{4}; (upper-case hex digits only) */
static int
uni_entity(const char *p)
{
	int	i;

	if (p[0] != '&' || p[1] != '#' || p[2] != 'x' || p[7] != ';')
		return (0);
	for (i = 3; i < 7; i++)
		if (!isdigit((unsigned char)p[i]) &&
		    !(p[i] >= 'A' && p[i] <= 'F'))
			return (0);
	return (1);
}

static int
count_qp(const char *line, size_t len)
{
	size_t	i;
	int	n = 0;

	for (i = 0; i + 2 < len; i++) {
		const char	*q = line + i;

		if (q[0] != '=')
			continue;
		if ((q[1] == '0' && q[2] == '9') ||
		    (q[1] == '3' && (isdigit((unsigned char)q[2]) ||
		    strchr("ABCEF", q[2]) != NULL)) ||
		    (strchr("2456", q[1]) != NULL &&
		    (isdigit((unsigned char)q[2]) || (q[2] >= 'A' &&
		    q[2] <= 'F'))) ||
		    (q[1] == '7' && (isdigit((unsigned char)q[2]) ||
		    (q[2] >= 'A' && q[2] <= 'E')))) {
			n++;
			i += 2;
		}
	}
	return (n);
}

/*
 * 1 if the line ends in CRLF in a CRLF message: SpamAssassin's Message
 * turns that line end into LF before the MIME evals see the raw lines
 */
static size_t
crlf_end(const struct sa_msg *m, const char *line, size_t len)
{
	if (m->eol == NULL || strcmp(m->eol, "\r\n") != 0)
		return (0);
	return (len >= 2 && line[len - 2] == '\r' && line[len - 1] == '\n');
}

/* length of the run of =09/=20 before trailing white space at the end */
static size_t
qp_trailing(const char *line, size_t len)
{
	size_t	e = len, s;

	while (e > 0 && isspace((unsigned char)line[e - 1]))
		e--;
	s = e;
	while (s >= 3 && line[s - 3] == '=' && ((line[s - 2] == '0' &&
	    line[s - 1] == '9') || (line[s - 2] == '2' && line[s - 1] == '0')))
		s -= 3;
	return (e - s);
}

static void
check_attachments(struct sa_msg *m, struct ev_priv *ep)
{
	const struct mime_part	*p;
	const char		*body, *line, *e;
	char			 ct[256], *cte, *cd, *charset;
	double			*bytes = NULL;
	char			**types = NULL;
	int			*defd = NULL;
	size_t			 blen, l, k, sq, nparts = 0;
	double			 qp_bytes = 0, qp_count = 0, normal = 0;
	double			 unicode = 0;
	ssize_t			 i;
	int			 part = -1, have_text, have_html;
	double			 text = 0, html = 0;

	ep->mime_done = 1;
	ep->multipart_ratio = 1.0;
	if (m->mime == NULL)
		return;
	for (p = mime_root(m->mime); p != NULL; p = mime_next(p)) {
		char *hv = part_field(p, "Content-Type");

		parse_ct(hv, ct, sizeof(ct), &charset);
		free(hv);
		if (strcmp(ct, "multipart/alternative") == 0)
			ep->multipart_alt = 1;
		cte = part_field(p, "Content-Transfer-Encoding");
		if (cte == NULL)
			cte = xstrdup("");
		lower(cte);
		cd = part_field(p, "Content-Disposition");
		if (cd == NULL)
			cd = xstrdup("");
		lower(cd);
		lower(charset);
		/* _check_mime_header */
		if (strcmp(ct, "text/html") == 0)
			ep->html_count++;
		else if (strncasecmp(ct, "text", 4) == 0)
			ep->text_count++;
		if (strstr(cte, "base64") != NULL)
			ep->base64_count++;
		else if (strstr(cte, "quoted-printable") != NULL)
			ep->qp_count++;
		if (*cd != '\0' && strstr(cd, "attachment") != NULL)
			ep->attachment++;
		if (strncmp(ct, "text", 4) == 0 && strstr(cte, "base64") !=
		    NULL && (charset == NULL || *charset == '\0' ||
		    re_match(charset, "(?:us-ascii|ansi_x3\\.4-1968|iso-ir-6|"
		    "ansi_x3\\.4-1986|iso_646\\.irv:1991|ascii|iso646-us|us|"
		    "ibm367|cp367|csascii)", 0) == 1) &&
		    !(*cd != '\0' && re_match(cd, "^(?:attachment|inline)", 0)
		    == 1))
			ep->base64_text = 1;
		if (charset != NULL && re_match(charset,
		    "(?i)iso-\\S+-\\S+\\b", 0) == 1 && re_match(charset,
		    "iso-(?:8859-\\d{1,2}|2022-(?:jp|kr))\\b", 0) != 1)
			ep->bad_iso = 1;
		if (charset != NULL && re_match(charset, "(?i)[a-z]", 0) == 1) {
			char	*n2;

			if (ep->charsets == NULL)
				ep->charsets = xstrdup(charset);
			else {
				if (xasprintf(&n2, "%s %s", ep->charsets,
				    charset) == -1)
					fatalx("asprintf");
				free(ep->charsets);
				ep->charsets = n2;
			}
			if (!ep->faraway && !charset_ok(m, charset))
				ep->faraway = 1;
		}
		if (p->nchild > 0) {
			free(cte);
			free(cd);
			free(charset);
			continue;
		}
		part++;
		bytes = xreallocarray(bytes, part + 1, sizeof(*bytes));
		defd = xreallocarray(defd, part + 1, sizeof(*defd));
		types = xreallocarray(types, part + 1, sizeof(*types));
		types[part] = xstrdup(ct);
		nparts = part + 1;
		bytes[part] = 0;
		defd[part] = strstr(cd, "attachment") == NULL;
		body = mime_body(m->mime, p, &blen);
		for (line = body; line < body + blen; line = e) {
			e = memchr(line, '\n', body + blen - line);
			e = e != NULL ? e + 1 : body + blen;
			/* SA squashes a CRLF line end to LF in CRLF messages */
			sq = crlf_end(m, line, e - line);
			l = e - line - sq;
			if (ep->multipart_alt && strstr(cd, "attachment") ==
			    NULL && (strcmp(ct, "text/plain") == 0 ||
			    strcmp(ct, "text/html") == 0))
				bytes[part] += l;
			if (strcmp(cte, "quoted-printable") == 0 &&
			    !(l >= 6 && memcmp(line, "SPAM: ", 6) == 0)) {
				if (l > 79)
					ep->qp_long_line = 1;
				qp_bytes += l;
				if (memchr(line, '=', l) != NULL) {
					k = count_qp(line, l);
					if (k > 0) {
						qp_count += k;
						qp_count -= (double)
						    qp_trailing(line, l) / 3;
					}
				}
			}
			if (strcmp(ct, "text/plain") == 0 && (charset == NULL ||
			    strcmp(charset, "us-ascii") == 0)) {
				for (k = 0; k < l - sq; k++)
					if (line[k] == 0 || line[k] == '\r' ||
					    (unsigned char)line[k] >= 0x80)
						break;
				if (k < l - sq)
					ep->ascii_illegal++;
			}
			if (strcmp(ct, "text/plain") == 0 && (*cte == '\0' ||
			    strcmp(cte, "7bit") == 0 ||
			    strcmp(cte, "8bit") == 0)) {
				size_t subs = 0;

				for (k = 0; k + 8 <= l; k++)
					if (uni_entity(line + k)) {
						subs++;
						k += 7;
					}
				normal += l - 8 * subs;
				unicode += subs;
			}
		}
		free(cte);
		free(cd);
		free(charset);
	}
	if (qp_bytes > 0)
		ep->qp_count = qp_count;
	if (normal > 0)
		ep->unicode_ratio = unicode / normal;
	if (ep->multipart_alt) {
		have_text = have_html = 0;
		for (i = part; i >= 0; i--) {
			if (!defd[i])
				continue;
			if (!have_html && strcmp(types[i], "text/html") == 0) {
				html = bytes[i];
				have_html = 1;
			} else if (!have_text &&
			    strcmp(types[i], "text/plain") == 0) {
				text = bytes[i];
				have_text = 1;
			}
			if (have_html && have_text)
				break;
		}
		if (have_text && have_html && html > 0)
			ep->multipart_ratio = text / html;
	}
	for (k = 0; k < nparts; k++)
		free(types[k]);
	free(types);
	free(bytes);
	free(defd);
}

static struct ev_priv *
mime_facts(struct sa_msg *m)
{
	struct ev_priv	*ep = priv(m);

	if (!ep->mime_done)
		check_attachments(m, ep);
	return (ep);
}

static int
ev_for_mime(EV_ARGS)
{
	struct ev_priv	*ep = mime_facts(m);

	if (n < 1)
		return (0);
	if (strcmp(a[0], "mime_base64_count") == 0)
		return (ep->base64_count != 0);
	if (strcmp(a[0], "mime_base64_encoded_text") == 0)
		return (ep->base64_text != 0);
	if (strcmp(a[0], "mime_qp_count") == 0)
		return (ep->qp_count != 0);
	if (strcmp(a[0], "mime_qp_long_line") == 0)
		return (ep->qp_long_line != 0);
	if (strcmp(a[0], "mime_attachment") == 0)
		return (ep->attachment != 0);
	if (strcmp(a[0], "mime_bad_iso_charset") == 0)
		return (ep->bad_iso != 0);
	if (strcmp(a[0], "mime_faraway_charset") == 0)
		return (ep->faraway != 0);
	if (strcmp(a[0], "mime_multipart_alternative") == 0)
		return (ep->multipart_alt != 0);
	if (strcmp(a[0], "mimepart_limit_exceeded") == 0)
		return (m->mime != NULL &&
		    (mime_flags(m->mime) & MIME_F_LIMIT) != 0);
	return (0);
}

static int
ev_mime_html(EV_ARGS)
{
	if (re_match(hget(m, "Content-Type"), "(?i)^text/html", 0) == 1)
		return (1);
	return (mime_facts(m)->html_count > 0);
}

static int
ev_mime_html_only(EV_ARGS)
{
	struct ev_priv	*ep;

	if (re_match(hget(m, "Content-Type"), "(?i)^text/html", 0) == 1)
		return (1);
	ep = mime_facts(m);
	return (ep->html_count > 0 && ep->text_count == 0);
}

static int
ev_multipart_ratio(EV_ARGS)
{
	struct ev_priv	*ep = mime_facts(m);

	return (ep->multipart_ratio >= arg_num(a, n, 0, 0) &&
	    ep->multipart_ratio < arg_num(a, n, 1, 0));
}

static int
ev_ascii_text_illegal(EV_ARGS)
{
	return (mime_facts(m)->ascii_illegal > 0);
}

static int
ev_unicode_ratio(EV_ARGS)
{
	if (n < 1 || re_match(a[0], "^\\d{0,3}\\.\\d{1,3}$", 0) != 1)
		return (0);
	return (mime_facts(m)->unicode_ratio >= arg_num(a, n, 0, 0));
}

static int
ev_ma_non_text(EV_ARGS)
{
	const struct mime_part	*p, *c;
	size_t			 i;

	if (m->mime == NULL)
		return (0);
	for (p = mime_root(m->mime); p != NULL; p = mime_next(p)) {
		if (strcmp(p->type, "multipart") != 0 ||
		    strcmp(p->subtype, "alternative") != 0)
			continue;
		for (i = 0; i < p->nchild; i++) {
			c = p->child[i];
			if (c->nchild > 0)
				continue;
			if (strcmp(c->type, "application") == 0 &&
			    strcmp(c->subtype, "rtf") == 0)
				continue;
			if (strcmp(c->type, "text") == 0)
				continue;
			return (1);
		}
	}
	return (0);
}

static int
ev_base64_length(EV_ARGS)
{
	const struct mime_part	*p;
	const char		*body, *line, *e;
	char			 ct[256], *cs, *hv, *cte;
	size_t			 blen, l, max = 0;

	if (m->mime == NULL || n < 1)
		return (0);
	for (p = mime_root(m->mime); p != NULL; p = mime_next(p)) {
		if (p->nchild > 0)
			continue;
		hv = part_field(p, "Content-Type");
		parse_ct(hv, ct, sizeof(ct), &cs);
		free(hv);
		free(cs);
		if (strcmp(ct, "application/ics") == 0)
			continue;
		cte = part_field(p, "Content-Transfer-Encoding");
		if (cte == NULL || strcasecmp(cte, "base64") != 0) {
			free(cte);
			continue;
		}
		free(cte);
		body = mime_body(m->mime, p, &blen);
		for (line = body; line < body + blen; line = e) {
			e = memchr(line, '\n', body + blen - line);
			e = e != NULL ? e + 1 : body + blen;
			l = e - line - crlf_end(m, line, e - line);
			if (l > max)
				max = l;
		}
	}
	if (n > 1 && (double)max > arg_num(a, n, 1, 0))
		return (0);
	return ((double)max >= arg_num(a, n, 0, 0));
}

static int
ev_faraway_charset(EV_ARGS)
{
	const struct render	*rd = m->render;
	const char		*ct, *t;
	char			*cs;
	size_t			 k, tl, j, hi = 0, lo = 0;
	int			 bad;

	if (ok_locales_all(m) || (ct = sa_msg_get(m, "Content-Type")) ==
	    NULL)
		return (0);
	/* get_charset_from_ct_line */
	cs = re_capture(ct, "(?i)charset=\"([^\"]+)\"");
	if (cs == NULL)
		cs = re_capture(ct, "(?i)charset='([^']+)'");
	if (cs == NULL)
		cs = re_capture(ct, "(?i)charset=(\\S+)");
	if (cs == NULL)
		return (0);
	bad = !charset_ok(m, cs);
	free(cs);
	if (!bad || rd == NULL)
		return (0);
	/* are_more_high_bits_set over the lines joined with "\n" */
	for (k = 0; k < rd->body.n; k++) {
		t = render_line(&rd->body, k, &tl);
		if (k > 0)
			lo++;
		if (valid_utf8((const unsigned char *)t, tl)) {
			for (j = 0; j < tl; j++)
				if ((unsigned char)t[j] < 0x80)
					lo++;
				else if (((unsigned char)t[j] & 0xc0) != 0x80)
					hi++;
		} else
			for (j = 0; j < tl; j++)
				if ((unsigned char)t[j] < 0x80)
					lo++;
				else
					hi++;
	}
	return (lo <= hi && hi > 3);
}

/* MIMEEval's body_charset_is_likely_to_fp */
static int
charset_fp(struct sa_msg *m)
{
	static const char	 pat[] = "(?i)^[-_a-z0-9]*(?:koi|jp|jis|euc|gb|"
	    "big5|isoir|cp1251|windows-1251|georgianps|pt154|tis)"
	    "[-_a-z0-9]*$";
	struct ev_priv		*ep = mime_facts(m);
	const char		*ct;
	char			*cs, *list, *w, *pp;
	int			 rc = 0;

	if ((ct = sa_msg_get(m, "Content-Type")) != NULL) {
		cs = re_capture(ct, "(?i)charset=\"([^\"]+)\"");
		if (cs == NULL)
			cs = re_capture(ct, "(?i)charset='([^']+)'");
		if (cs == NULL)
			cs = re_capture(ct, "(?i)charset=(\\S+)");
		if (cs != NULL && re_match(cs, pat, 0) == 1)
			rc = 1;
		free(cs);
	}
	if (!rc && ep->charsets != NULL) {
		list = xstrdup(ep->charsets);
		for (pp = list; (w = strsep(&pp, " ")) != NULL;)
			if (*w != '\0' && re_match(w, pat, 0) == 1)
				rc = 1;
		free(list);
	}
	return (rc);
}

static int
ev_uppercase(EV_ARGS)
{
	struct ev_priv	*ep = priv(m);
	const char	*line;
	size_t		 i, k, len, tot = 0;
	double		 up = 0, low = 0;

	if (!ep->upper_done) {
		ep->upper_done = 1;
		ep->upper = 0;
		if (charset_fp(m) || m->render == NULL)
			goto out;
		for (i = 0; i < m->render->body.n; i++) {
			char	*l2;

			line = render_line(&m->render->body, i, &len);
			l2 = xstrndup(line, len);
			if (re_match(l2, "\\S\\s+\\S", 0) != 1 ||
			    re_match(l2, "^(?:[A-Za-z0-9+/=]{60,76} ){2}", 0) ==
			    1) {
				free(l2);
				continue;
			}
			free(l2);
			tot += u8len_n(line, len);
			for (k = 0; k < len; k++) {
				if (islower((unsigned char)line[k]) ||
				    isdigit((unsigned char)line[k]))
					low++;
				else if (isupper((unsigned char)line[k]))
					up++;
			}
		}
		if (tot >= 200 && up + low > 0)
			ep->upper = up / (up + low) * 100;
	}
out:
	return (ep->upper > arg_num(a, n, 0, 0) &&
	    ep->upper <= arg_num(a, n, 1, 0));
}

static int
ev_body_length(EV_ARGS)
{
	size_t	blen;

	blen = m->len >= m->hdrlen ? m->len - m->hdrlen : 0;
	return ((double)blen <= arg_num(a, n, 0, 0));
}

static int
ev_blank_line_ratio(EV_ARGS)
{
	const char	*el, *p, *e;
	size_t		 i, len, nlines = 0, blank = 0;
	double		 ratio, min, max, minl;

	if (m->render == NULL)
		return (0);
	minl = arg_num(a, n, 2, 1);
	if (minl < 1)
		minl = 1;
	for (i = 0; i < m->render->rawbody.n; i++) {
		el = render_line(&m->render->rawbody, i, &len);
		/* split(/^/m, $chunk, -1) */
		for (p = el; p < el + len; p = e) {
			e = memchr(p, '\n', el + len - p);
			e = e != NULL ? e + 1 : el + len;
			nlines++;
			while (p < e && isspace((unsigned char)*p))
				p++;
			if (p == e)
				blank++;
		}
	}
	ratio = (double)nlines < minl ? -1 : 100.0 * blank / nlines;
	min = arg_num(a, n, 0, 0);
	max = arg_num(a, n, 1, 0);
	return ((min == 0 && ratio <= max) || (ratio > min && ratio <= max));
}

/* Message.pm's header loop: missing_head_body_separator, truncated */
static int
ev_parse_flags(EV_ARGS)
{
	const char	*p = m->buf, *end = m->buf + m->len, *e, *c;
	const char	*hstart = NULL;
	int		 errors = 0, missing = 0, trunc = 0, crlf;
	size_t		 klen;

	if (n < 1)
		return (0);
	crlf = m->eol != NULL && strcmp(m->eol, "\r\n") == 0;
	for (;;) {
		int	eof = p >= end;

		e = eof ? p : memchr(p, '\n', end - p);
		e = eof ? p : (e != NULL ? e + 1 : end);
		if (!eof && (*p == ' ' || *p == '\t')) {
			if (hstart == NULL)
				hstart = p;
			p = e;
			continue;
		}
		if (hstart != NULL) {
			/* the previous field: hstart .. p */
			c = memchr(hstart, ':', p - hstart);
			if (c != NULL) {
				klen = c - hstart;
				while (klen > 0 && (hstart[klen - 1] == ' ' ||
				    hstart[klen - 1] == '\t'))
					klen--;
				if (klen > 256)
					trunc = 1;
				if ((size_t)(p - c - 1) - (crlf ?
				    (size_t)count_crlf(c + 1, p) : 0) > 8192)
					trunc = 1;
			}
		}
		if (eof || (e - p == 1 && *p == '\n') || (e - p == 2 &&
		    p[0] == '\r' && p[1] == '\n')) {
			if (eof)
				missing = 1;
			break;
		}
		if (e - p >= 2 && p[0] == '-' && p[1] == '-') {
			missing = 1;
			break;
		}
		if (re_match_n(p, e - p,
		    "^[\\041-\\071\\073-\\176]+[ \\t]*:") != 1 &&
		    ++errors > 3) {
			missing = 1;
			break;
		}
		hstart = p;
		p = e;
	}
	if (strcmp(a[n - 1], "missing_head_body_separator") == 0)
		return (missing);
	if (strcmp(a[n - 1], "truncated_header") == 0)
		return (trunc);
	return (mime_parse_flag(m, a[n - 1]));
}

/* does the line at s (up to e) look like a field: ^[\041-\071\073-\176]+: */
static int
field_line(const char *s, const char *e)
{
	const char	*p;

	for (p = s; p < e && *p >= 0x21 && *p <= 0x7e && *p != ':'; p++)
		;
	return (p > s && p < e && *p == ':');
}

/* Message.pm's _parse_multipart flags, from the MIME tree */
static int
mime_parse_flag(struct sa_msg *m, const char *flag)
{
	const struct mime_part	*p, *c;
	const char		*buf, *s, *e, *end;
	size_t			 len, i;

	if (m->mime == NULL)
		return (0);
	buf = mime_buf(m->mime, &len);
	for (p = mime_root(m->mime); p != NULL; p = mime_next(p)) {
		if (strcmp(p->type, "multipart") != 0 || p->nchild == 0 ||
		    (p->flags & MIME_F_NOPARTS))
			continue;
		for (i = 0; i < p->nchild; i++) {
			c = p->child[i];
			s = buf + c->off;
			e = memchr(s, '\n', buf + len - s);
			e = e != NULL ? e : buf + len;
			if (strcmp(flag, "missing_mime_headers") == 0 &&
			    s < buf + p->bodyoff + p->bodylen &&
			    !field_line(s, e))
				return (1);
			if (strcmp(flag, "missing_mime_head_body_separator") ==
			    0 && (c->flags & MIME_F_NOSEP) && c->bodylen > 0)
				return (1);
		}
		if (strcmp(flag, "mime_epilogue_exists") != 0 ||
		    (p->flags & MIME_F_NOEND))
			continue;
		c = p->child[p->nchild - 1];
		s = buf + c->bodyoff + c->bodylen;
		end = buf + p->bodyoff + p->bodylen;
		/* the line end before the delimiter, the delimiter line */
		e = memchr(s, '\n', end - s);
		if (e == NULL)
			continue;
		e = memchr(e + 1, '\n', end - (e + 1));
		if (e == NULL)
			continue;
		for (s = e + 1; s < end; s++)
			if (!isspace((unsigned char)*s) && *s != '.')
				return (1);
	}
	return (0);
}

/*
 * HeaderEval's check_for_shifted_date: Util::parse_rfc822_date and
 * _check_date_diff
 */

static const struct {
	const char	*name;
	int		 off;	/* minutes east */
} sa_tz[] = {
	{ "UT", 0 }, { "UTC", 0 }, { "NDT", -150 }, { "AST", -240 },
	{ "ADT", -180 }, { "NST", -210 }, { "EST", -300 }, { "EDT", -240 },
	{ "CST", -360 }, { "CDT", -300 }, { "MST", -420 }, { "MDT", -360 },
	{ "PST", -480 }, { "PDT", -420 }, { "HST", -600 }, { "AKST", -540 },
	{ "AKDT", -480 }, { "HADT", -540 }, { "HAST", -600 }, { "GMT", 0 },
	{ "BST", 60 }, { "IST", 60 }, { "WET", 0 }, { "WEST", 60 },
	{ "CET", 60 }, { "CEST", 120 }, { "EET", 120 }, { "EEST", 180 },
	{ "MSK", 180 }, { "MSD", 240 }, { "MET", 60 }, { "MEZ", 60 },
	{ "MEST", 120 }, { "MESZ", 120 }, { "BRST", -120 }, { "BRT", -180 },
	{ "AEST", 600 }, { "AEDT", 660 }, { "ACST", 570 }, { "ACDT", 630 },
	{ "AWST", 480 }, { "NZST", 720 }, { "NZDT", 780 }, { "JST", 540 },
	{ "KST", 540 }, { "HKT", 480 }, { "SGT", 480 }, { "PHT", 480 },
	{ "IDT", 180 }
};

/*
 * s =~ s/pat/ / (first match): captures into caps (malloc'd or NULL);
 * 1 if it matched.
 */
static int
rx_take(char **sp, const char *pat, char **caps, int ncaps)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov;
	char			*s = *sp, *o;
	int			 rc, i;

	for (i = 0; i < ncaps; i++)
		caps[i] = NULL;
	if ((code = re_get(pat, 0, &md)) == NULL || md == NULL)
		return (0);
	rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	if (rc > 0) {
		ov = pcre2_get_ovector_pointer(md);
		for (i = 0; i < ncaps && i + 1 < rc; i++)
			if (ov[2 * (i + 1)] != PCRE2_UNSET)
				caps[i] = xstrndup(s + ov[2 * (i + 1)],
				    ov[2 * (i + 1) + 1] - ov[2 * (i + 1)]);
		if (xasprintf(&o, "%.*s %s", (int)ov[0], s, s + ov[1]) == -1)
			fatalx("asprintf");
		free(s);
		*sp = o;
	}
	return (rc > 0);
}

static void
free_caps(char **caps, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		free(caps[i]);
}

static int
month_no(const char *m)
{
	static const char *const mon[] = { "jan", "feb", "mar", "apr", "may",
	    "jun", "jul", "aug", "sep", "oct", "nov", "dec" };
	size_t	i;

	for (i = 0; i < nitems(mon); i++)
		if (strncasecmp(m, mon[i], 3) == 0)
			return (i + 1);
	return (0);
}

/* Util::parse_rfc822_date: 0 and *t, or -1 (undef) */
static int
parse_date(const char *date, double *t)
{
	char		*s, *c[4], *p, *q;
	long		 yyyy = 0, dd = 0, mon = 0, hh = 0, mi = 0, ss = 0;
	int		 tz = 0, have_tz = 0, maxd;
	size_t		 i;
	struct tm	 tm;
	time_t		 tt;

	if (xasprintf(&s, " %s ", date) == -1)
		fatalx("asprintf");
	/* commas (and the blanks after them), then white space runs */
	for (p = q = s; *p != '\0'; p++) {
		if (*p == ',') {
			*q++ = ' ';
			while (p[1] == ' ')
				p++;
			continue;
		}
		*q++ = *p;
	}
	*q = '\0';
	for (p = q = s; *p != '\0'; p++) {
		if (isspace((unsigned char)*p)) {
			if (q > s && q[-1] == ' ')
				continue;
			*q++ = ' ';
		} else
			*q++ = *p;
	}
	*q = '\0';
	if (rx_take(&s, "(?i) (\\d+) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
	    "Nov|Dec) (\\d{4}) ", c, 3)) {
		dd = strtol(c[0], NULL, 10);
		mon = month_no(c[1]);
		yyyy = strtol(c[2], NULL, 10);
		free_caps(c, 3);
	} else if (rx_take(&s, "(?i) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|"
	    "Nov|Dec) +(\\d+) \\d+:\\d+:\\d+ (\\d{4}) ", c, 3)) {
		dd = strtol(c[1], NULL, 10);
		mon = month_no(c[0]);
		yyyy = strtol(c[2], NULL, 10);
		free_caps(c, 3);
	} else if (rx_take(&s, "(?i) (\\d+) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|"
	    "Sep|Oct|Nov|Dec) (\\d{2,3}) ", c, 3)) {
		dd = strtol(c[0], NULL, 10);
		mon = month_no(c[1]);
		yyyy = strtol(c[2], NULL, 10);
		if (strlen(c[2]) == 2 && yyyy < 50)
			yyyy += 2000;
		else
			yyyy += 1900;
		free_caps(c, 3);
	} else {
		free(s);
		return (-1);
	}
	if (rx_take(&s, " (\\d?\\d):(\\d\\d)(:(\\d\\d))? ", c, 4)) {
		hh = strtol(c[0], NULL, 10);
		mi = strtol(c[1], NULL, 10);
		ss = c[3] != NULL ? strtol(c[3], NULL, 10) : 0;
		free_caps(c, 4);
	}
	if (rx_take(&s, " ([-+]\\d{4}) ", c, 1)) {
		tz = (c[0][0] == '-' ? -1 : 1) * ((c[0][1] - '0') * 600 +
		    (c[0][2] - '0') * 60 + (c[0][3] - '0') * 10 +
		    (c[0][4] - '0'));
		have_tz = 1;
		free_caps(c, 1);
	} else if (rx_take(&s, "\\b([A-Z]{2,4}(?:-DST)?)\\b", c, 1)) {
		for (i = 0; i < nitems(sa_tz); i++)
			if (strcmp(sa_tz[i].name, c[0]) == 0) {
				tz = sa_tz[i].off;
				have_tz = 1;
			}
		free_caps(c, 1);
	}
	free(s);
	if (ss > 59)
		ss = 59;
	if (mi > 59)
		mi = 59;
	if (hh > 23)
		hh = 23;
	maxd = 31;
	if (mon == 4 || mon == 6 || mon == 9 || mon == 11)
		maxd = 30;
	else if (mon == 2)
		maxd = (!(yyyy % 4) && ((yyyy % 100) || !(yyyy % 400))) ? 29 :
		    28;
	if (dd > maxd) {
		dd = 1;
		if (++mon > 12) {
			mon = 1;
			yyyy++;
		}
	}
	if (yyyy > 2037)
		yyyy = 2037;
	else if (yyyy < 1970)
		yyyy = 1970;
	if (dd < 1)
		return (-1);		/* timegm croaks */
	memset(&tm, 0, sizeof(tm));
	tm.tm_sec = ss;
	tm.tm_min = mi;
	tm.tm_hour = hh;
	tm.tm_mday = dd;
	tm.tm_mon = mon - 1;
	tm.tm_year = yyyy - 1900;
	tt = timegm(&tm);
	*t = (double)tt;
	if (have_tz && tz != 0) {
		if (tz < 0)
			*t += -tz * 60;
		else if (*t < tz * 60)
			*t = 0;
		else
			*t -= tz * 60;
	}
	return (0);
}

static int
date_header_time(struct sa_msg *m, double *t)
{
	static const char *const names[] = { "Resent-Date", "Date" };
	size_t	 i, k, cnt;
	char	*v;
	int	 rc;

	if (m->hdr == NULL)
		return (-1);
	cnt = msghdr_count(m->hdr);
	for (k = 0; k < nitems(names); k++)
		for (i = 0; i < cnt; i++) {
			if (!msghdr_is(m->hdr, i, names[k]))
				continue;
			v = msghdr_value(m->hdr, i);
			rc = *v != '\0' ? parse_date(v, t) : -1;
			free(v);
			if (rc == 0)
				return (0);
		}
	return (-1);
}

static int
cmp_abs(const void *a, const void *b)
{
	double	x = fabs(*(const double *)a), y = fabs(*(const double *)b);

	return (x < y ? -1 : x > y);
}

static void
date_diff(struct sa_msg *m, struct ev_priv *ep)
{
	const char	*all, *p, *e;
	char		**lines = NULL, *d;
	double		 dt, t, *diffs = NULL;
	size_t		 n = 0, i, first = 0, nd = 0;

	ep->date_done = 1;
	ep->date_diff = 0;
	if (date_header_time(m, &dt) == -1)
		return;
	all = hget(m, "Received");
	for (p = all; *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		if (re_match_n(p, e - p, "\\S") != 1)
			continue;
		lines = xreallocarray(lines, n + 1, sizeof(*lines));
		lines[n++] = xstrndup(p, e - p);
	}
	/* the local (fetchmail) handovers at the top are not used */
	if (n > 0 && (re_match(lines[0], "\\bfrom (?:localhost\\s|"
	    "(?:\\S+ ){1,2}\\S*\\b127\\.0\\.0\\.1\\b)", 0) == 1 ||
	    re_match(lines[0], "qmail \\d+ invoked by uid \\d+", 0) == 1)) {
		if (n > 1 && re_match(lines[1], "\\bby localhost with \\w+ "
		    "\\(fetchmail-[\\d.]+", 0) == 1)
			first = 2;
	} else if (n > 0 && re_match(lines[0], "\\bby localhost with \\w+ "
	    "\\(fetchmail-[\\d.]+", 0) == 1)
		first = 1;
	for (i = first; i < n; i++) {
		d = re_capture(lines[i], "(\\s.?\\d+ \\S\\S\\S \\d+ \\d+:\\d+:"
		    "\\d+ \\S+)");
		if (d != NULL && parse_date(d, &t) == 0) {
			diffs = xreallocarray(diffs, nd + 1, sizeof(*diffs));
			diffs[nd++] = dt - t;
		}
		free(d);
	}
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
	if (nd == 0)
		return;
	if (nd > 1 && diffs[nd - 1] == 0)
		nd--;
	qsort(diffs, nd, sizeof(*diffs), cmp_abs);
	ep->date_diff = diffs[0];
	free(diffs);
}

static int
ev_shifted_date(EV_ARGS)
{
	struct ev_priv	*ep = priv(m);

	if (!ep->date_done)
		date_diff(m, ep);
	if (n < 2)
		return (0);
	return ((strcmp(a[0], "undef") == 0 ||
	    ep->date_diff >= 3600 * arg_num(a, n, 0, 0)) &&
	    (strcmp(a[1], "undef") == 0 ||
	    ep->date_diff < 3600 * arg_num(a, n, 1, 0)));
}

/*
 * FreeMail: freemail_domains (plain names sorted for bsearch, wildcard
 * ones as one regex), freemail_welcomelist; kept per configuration.
 */

struct fm_conf {
	const struct sa_conf	*conf;
	char			**doms;
	size_t			  ndoms;
	char			 *wild;		/* \@(?:...)$ or NULL */
	char			**wl;
	size_t			  nwl;
};

static struct fm_conf	fm;

static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
fm_load(const struct sa_conf *c)
{
	const struct sa_setting	*st;
	char			*v, *w, *n2;
	size_t			 i, k, wsz;

	for (i = 0; i < fm.ndoms; i++)
		free(fm.doms[i]);
	free(fm.doms);
	for (i = 0; i < fm.nwl; i++)
		free(fm.wl[i]);
	free(fm.wl);
	free(fm.wild);
	memset(&fm, 0, sizeof(fm));
	fm.conf = c;
	if ((st = sa_conf_setting(c, "freemail_domains")) != NULL)
		for (i = 0; i < st->nlist; i++) {
			v = st->list[i];
			if (strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
			    "OPQRSTUVWXYZ0123456789.*?-") != strlen(v))
				continue;
			v = lc_dup(v);
			if (strpbrk(v, "*?") == NULL) {
				fm.doms = xreallocarray(fm.doms, fm.ndoms + 1,
				    sizeof(*fm.doms));
				fm.doms[fm.ndoms++] = v;
				continue;
			}
			/* . -> \., ? -> ., * -> [^.]* */
			wsz = 5 * strlen(v) + 1;
			w = xcalloc(1, wsz);
			for (k = 0; v[k] != '\0'; k++) {
				if (v[k] == '.')
					(void)strlcat(w, "\\.", wsz);
				else if (v[k] == '?')
					(void)strlcat(w, ".", wsz);
				else if (v[k] == '*')
					(void)strlcat(w, "[^.]*", wsz);
				else
					w[strlen(w)] = v[k];
			}
			free(v);
			if (xasprintf(&n2, "%s%s%s", fm.wild == NULL ? "" :
			    fm.wild, fm.wild == NULL ? "" : "|", w) == -1)
				fatalx("asprintf");
			free(fm.wild);
			free(w);
			fm.wild = n2;
		}
	if (fm.wild != NULL) {
		if (xasprintf(&n2, "\\@(?:%s)$", fm.wild) == -1)
			fatalx("asprintf");
		free(fm.wild);
		fm.wild = n2;
	}
	qsort(fm.doms, fm.ndoms, sizeof(*fm.doms), cmp_str);
	if ((st = sa_conf_setting(c, "freemail_welcomelist")) != NULL)
		for (i = 0; i < st->nlist; i++) {
			if (re_match(st->list[i], "\\w[.@]\\w", 0) != 1)
				continue;
			fm.wl = xreallocarray(fm.wl, fm.nwl + 1,
			    sizeof(*fm.wl));
			fm.wl[fm.nwl++] = lc_dup(st->list[i]);
		}
}

static int
fm_available(struct sa_msg *m)
{
	if (fm.conf != m->conf)
		fm_load(m->conf);
	return (fm.ndoms > 0);
}

/* FreeMail's _test_log: the address with "(at)" for "@" */
static void
fm_log(struct sa_msg *m, const char *a, const char *b, const char *sep)
{
	struct mimebuf	 t;
	char		*all;
	const char	*s;

	if (!conf_num(m, "freemail_add_describe_email", 1))
		return;
	/* sep has no "@" */
	(void)xasprintf(&all, "%s%s%s", a, b != NULL ? sep : "",
	    b != NULL ? b : "");
	mimebuf_init(&t);
	for (s = all; *s != '\0'; s++)
		if (*s == '@')
			mimebuf_adds(&t, "(at)");
		else
			mimebuf_addc(&t, *s);
	mimebuf_addc(&t, '\0');
	sa_msg_test_log(m, "%s", t.buf);
	mimebuf_free(&t);
	free(all);
}

/* FreeMail's _is_freemail; email is lower case */
static int
is_freemail(const char *email)
{
	const char	*dom;
	size_t		 i;

	if (*email == '\0')
		return (0);
	dom = strrchr(email, '@');
	dom = dom != NULL ? dom + 1 : email;
	for (i = 0; i < fm.nwl; i++)
		if (strcmp(fm.wl[i], email) == 0 || strcmp(fm.wl[i], dom) == 0)
			return (0);
	if (re_match(email, "(?i)^(?:abuse|support|sales|info|helpdesk|"
	    "contact|kontakt|(?:post|host|domain)master|undisclosed.*|"
	    "request-[a-f0-9]{16}|bounced?-|[a-f0-9]{8}(?:\\.[a-f0-9]{8}|"
	    "-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12})|.+=.+=.+)\\@",
	    0) == 1)
		return (0);
	if (bsearch(&dom, fm.doms, fm.ndoms, sizeof(*fm.doms), cmp_str) !=
	    NULL)
		return (1);
	return (fm.wild != NULL && re_match_dyn(email, fm.wild, 0) == 1);
}

/* each address of a list ("\n"-joined) lower-cased, in turn */
static char **
addr_list(const char *v, size_t *np)
{
	char	**l = NULL;
	size_t	  n = 0;
	const char *p, *e;

	for (p = v; v != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		l = xreallocarray(l, n + 1, sizeof(*l));
		l[n] = xstrndup(p, e - p);
		lower(l[n]);
		n++;
	}
	*np = n;
	return (l);
}

/* the same, case kept */
static char **
addr_list_raw(const char *v, size_t *np)
{
	char	**l = NULL;
	size_t	  n = 0;
	const char *p, *e;

	for (p = v; v != NULL && *p != '\0'; p = *e != '\0' ? e + 1 : e) {
		e = p + strcspn(p, "\n");
		l = xreallocarray(l, n + 1, sizeof(*l));
		l[n++] = xstrndup(p, e - p);
	}
	*np = n;
	return (l);
}

static void
free_list(char **l, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static int
ev_freemail_header(EV_ARGS)
{
	char	 spec[300], **l;
	size_t	 nl, i, hl;
	int	 rc = 0;

	if (!fm_available(m) || n < 1)
		return (0);
	hl = strlen(a[0]);
	if (hl >= 5 && strcmp(a[0] + hl - 5, ":addr") == 0)
		(void)snprintf(spec, sizeof(spec), "%s", a[0]);
	else
		(void)snprintf(spec, sizeof(spec), "%s:addr", a[0]);
	l = addr_list(sa_msg_get(m, spec), &nl);
	for (i = 0; i < nl && !rc; i++) {
		if (!is_freemail(l[i]))
			continue;
		if (n > 1 && re_match_dyn(l[i], a[1], 0) != 1)
			continue;
		fm_log(m, l[i], NULL, NULL);
		rc = 1;
	}
	free_list(l, nl);
	return (rc);
}

/* PerMsgStatus::all_from_addrs (distinct, "tr/././s"), lower-cased */
static char **
all_from_addrs(struct sa_msg *m, size_t *np)
{
	static const char *const specs[] = { "From:addr",
	    "Envelope-Sender:addr", "Resent-Sender:addr",
	    "X-Envelope-From:addr", "EnvelopeFrom:addr" };
	char	**l, **all = NULL, *p, *q;
	size_t	  nl, nall = 0, i, j, k;

	l = addr_list(sa_msg_get(m, "Resent-From:first:addr"), &nl);
	if (nl > 0) {
		*np = nl;
		return (l);
	}
	free_list(l, nl);
	for (k = 0; k < nitems(specs); k++) {
		l = addr_list(sa_msg_get(m, specs[k]), &nl);
		for (i = 0; i < nl; i++) {
			if (*l[i] == '\0')
				continue;
			/* tr/././s: squeeze runs of dots */
			for (p = q = l[i]; *p != '\0'; p++)
				if (!(*p == '.' && q > l[i] && q[-1] == '.'))
					*q++ = *p;
			*q = '\0';
			for (j = 0; j < nall; j++)
				if (strcmp(all[j], l[i]) == 0)
					break;
			if (j < nall)
				continue;
			all = xreallocarray(all, nall + 1, sizeof(*all));
			all[nall++] = xstrdup(l[i]);
		}
		free_list(l, nl);
	}
	*np = nall;
	return (all);
}

static int
ev_freemail_from(EV_ARGS)
{
	char	**all;
	size_t	  nall, i;
	int	  rc = 0;

	if (!fm_available(m))
		return (0);
	all = all_from_addrs(m, &nall);
	for (i = 0; i < nall && !rc; i++)
		if (*all[i] != '\0' && is_freemail(all[i])) {
			fm_log(m, all[i], NULL, NULL);
			rc = 1;
		}
	free_list(all, nall);
	return (rc);
}

/* ImageInfo's get_details: width * height, 0 if unknown */
static double
image_area(int t, const unsigned char *d, size_t len)
{
	size_t		 pos;
	unsigned long	 w = 0, h = 0, l;

	if (t == 1) {			/* gif */
		if (len < 10 || memcmp(d, "GIF8", 4) != 0 ||
		    (d[4] != '7' && d[4] != '9') || d[5] != 'a')
			return (0);
		w = d[6] | (d[7] << 8);
		h = d[8] | (d[9] << 8);
	} else if (t == 2) {		/* png */
		if (len < 8 || memcmp(d, "\x89PNG\r\n\x1a\n", 8) != 0)
			return (0);
		for (pos = 8; pos < len; ) {
			l = pos + 4 <= len ? (unsigned long)d[pos] << 24 |
			    d[pos + 1] << 16 | d[pos + 2] << 8 | d[pos + 3] : 0;
			if (pos + 8 <= len && memcmp(d + pos + 4, "IEND", 4) ==
			    0)
				break;
			if (pos + 8 <= len && memcmp(d + pos + 4, "IHDR", 4) ==
			    0 && l == 13) {
				pos += 8;
				if (pos + 8 <= len) {
					w = (unsigned long)d[pos] << 24 |
					    d[pos + 1] << 16 | d[pos + 2] << 8 |
					    d[pos + 3];
					h = (unsigned long)d[pos + 4] << 24 |
					    d[pos + 5] << 16 | d[pos + 6] << 8 |
					    d[pos + 7];
				}
				break;
			}
			pos += 8;
		}
	} else if (t == 3) {		/* jpeg */
		if (len < 2 || d[0] != 0xff || d[1] != 0xd8)
			return (0);
		for (pos = 2; ; ) {
			unsigned int mark;

			if (pos + 4 > len || d[pos] != 0xff)
				break;
			mark = d[pos + 1];
			if (mark == 0xda || mark == 0xd9)
				break;
			l = d[pos + 2] << 8 | d[pos + 3];
			if (l < 2)
				break;
			pos += 4;
			if ((mark >= 0xc0 && mark <= 0xc3) || (mark >= 0xc5 &&
			    mark <= 0xc7) || (mark >= 0xc9 && mark <= 0xcb) ||
			    (mark >= 0xcd && mark <= 0xcf)) {
				if (pos + 5 <= len) {
					h = d[pos + 1] << 8 | d[pos + 2];
					w = d[pos + 3] << 8 | d[pos + 4];
				}
				break;
			}
			pos += len - pos < l - 2 ? len - pos : l - 2;
		}
	}
	return (w && h ? (double)w * h : 0);
}

/* ImageInfo's _get_images: base64 image/gif|png|jpe?g leaves */
static struct ev_priv *
images(struct sa_msg *m)
{
	struct ev_priv		*ep = priv(m);
	const struct mime_part	*p;
	struct mimebuf		 dec;
	char			 ct[256], *hv, *cs, *cte;
	int			 t;

	if (ep->img_done || m->mime == NULL)
		return (ep);
	ep->img_done = 1;
	for (p = mime_root(m->mime); p != NULL; p = mime_next(p)) {
		if (p->nchild > 0 || strcmp(p->type, "image") != 0)
			continue;
		hv = part_field(p, "Content-Type");
		parse_ct(hv, ct, sizeof(ct), &cs);
		free(hv);
		free(cs);
		if (strcmp(ct, "image/gif") == 0)
			t = 1;
		else if (strcmp(ct, "image/png") == 0)
			t = 2;
		else if (strcmp(ct, "image/jpeg") == 0 ||
		    strcmp(ct, "image/jpg") == 0)
			t = 3;
		else
			continue;
		cte = part_field(p, "Content-Transfer-Encoding");
		if (cte == NULL || strcasecmp(cte, "base64") != 0) {
			free(cte);
			continue;
		}
		free(cte);
		mimebuf_init(&dec);
		(void)mime_decode(m->mime, p, &dec, 0);
		ep->pc[t] += image_area(t, (const unsigned char *)dec.buf,
		    dec.len);
		ep->count[t]++;
		mimebuf_free(&dec);
	}
	ep->pc[0] = ep->pc[1] + ep->pc[2] + ep->pc[3];
	ep->count[0] = ep->count[1] + ep->count[2] + ep->count[3];
	return (ep);
}

static int
img_type(const char *t)
{
	if (strcmp(t, "all") == 0)
		return (0);
	if (strcmp(t, "gif") == 0)
		return (1);
	if (strcmp(t, "png") == 0)
		return (2);
	if (strcmp(t, "jpeg") == 0)
		return (3);
	return (-1);
}

/* ImageInfo's result_check */
static int
result_check(char **a, size_t n, double v, int nomaxequal)
{
	if (v < arg_num(a, n, 1, 0))
		return (0);
	if (n > 2 && v > arg_num(a, n, 2, 0))
		return (0);
	if (nomaxequal && n > 2 && v == arg_num(a, n, 2, 0))
		return (0);
	return (1);
}

static int
ev_image_count(EV_ARGS)
{
	struct ev_priv	*ep = images(m);
	int		 t;

	if (n < 2 || (t = img_type(a[0])) < 0)
		return (0);
	return (result_check(a, n, ep->count[t], 0));
}

static int
ev_pixel_coverage(EV_ARGS)
{
	struct ev_priv	*ep = images(m);
	int		 t;

	if (n < 2 || (t = img_type(a[0])) < 0)
		return (0);
	return (result_check(a, n, ep->pc[t], 0));
}

static int
ev_image_text_ratio(EV_ARGS)
{
	struct ev_priv		*ep = images(m);
	const struct render_lines *rl;
	const char		*line;
	size_t			 i, len;
	double			 tl = 0;
	int			 t;

	if (n < 3 || (t = img_type(a[0])) < 0 || m->render == NULL)
		return (0);
	rl = r->type == SA_R_RAWBODY ? &m->render->rawbody :
	    &m->render->body;
	for (i = 0; i < rl->n; i++) {
		line = render_line(rl, i, &len);
		tl += r->type == SA_R_RAWBODY ? (double)len :
		    (double)u8len_n(line, len);
	}
	if (tl <= 0 || ep->pc[t] <= 0)
		return (0);
	return (result_check(a, n, tl / ep->pc[t], 1));
}

static int
ev_vertical_words(EV_ARGS)
{
	const char	*line;
	size_t		 i, k, len, l, sp;
	double		 max, pct, best = -1;

	if (m->render == NULL || n < 2)
		return (0);
	max = arg_num(a, n, 1, 0);
	if (max >= 100)
		max = 101;
	for (i = 0; i < m->render->body.n; i++) {
		line = render_line(&m->render->body, i, &len);
		/* SpamAssassin's body lines are UTF-8 octets: bytes */
		l = len;
		if (l <= 5)
			continue;
		for (k = sp = 0; k < len; k++)
			if (line[k] == ' ')
				sp++;
		if (sp > l - sp || l - sp == 0)
			pct = 100;
		else
			pct = (double)(long)(100.0 * sp / (l - sp));
		if (pct > best)
			best = pct;
	}
	return (best >= arg_num(a, n, 0, 0) && best < max);
}

static int
ev_outlook_msgid(EV_ARGS)
{
	const char	*id, *rc;
	char		*d, hex[9];
	double		 tok, t, expected;
	size_t		 i;

	id = hget(m, "MESSAGEID");
	/* ^<[0-9a-f]{4}([0-9a-f]{8})\$[0-9a-f]{8}\$[0-9a-f]{8}\@ */
	if (re_match(id, "^<[0-9a-f]{4}[0-9a-f]{8}\\$[0-9a-f]{8}\\$[0-9a-f]{8}"
	    "\\@", 0) != 1)
		return (0);
	for (i = 0; i < 8; i++)
		hex[i] = id[5 + i];
	hex[8] = '\0';
	tok = (double)strtoul(hex, NULL, 16);
	if (parse_date(hget(m, "Date"), &t) == -1)
		t = 0;
	expected = floor(t * 0.0023283064365387 + 27111902.8329849);
	if (fabs(tok - expected) < 250)
		return (0);
	rc = hget(m, "Received");
	d = re_capture(rc, "(\\s.?\\d+ \\S\\S\\S \\d+ \\d+:\\d+:\\d+ \\S+)"
	    ".*?$");
	t = 0;
	if (d == NULL || parse_date(d, &t) == -1)
		t = 0;
	free(d);
	expected = floor(t * 0.0023283064365387 + 27111902.8329849);
	return (fabs(tok - expected) >= 250);
}

/* HeaderEval's _check_recipients: 0 sorted, 1 similar (ratio) */
static void
recipients(struct sa_msg *m, int *sorted, double *similar)
{
	/* ToCc:addr is To's then Cc's addresses */
	static const char *const specs[] = { "To:addr", "Cc:addr",
	    "Bcc:addr" };
	char		**in = NULL, **l, **addr = NULL, *prev = NULL;
	size_t		 nin = 0, nl, na = 0, i, j, k, hits = 0, comb = 0;
	const char	*ai, *aj;

	*sorted = 0;
	*similar = 0;
	for (k = 0; k < nitems(specs); k++) {
		l = addr_list_raw(sa_msg_get(m, specs[k]), &nl);
		for (i = 0; i < nl; i++) {
			in = xreallocarray(in, nin + 1, sizeof(*in));
			in[nin++] = l[i];
		}
		free(l);
		if (nin >= 5 && k > 0)
			break;
	}
	/* while (my $current = shift @inputs): stops at "" or "0" */
	for (i = 0; i < nin; i++) {
		if (*in[i] == '\0' || strcmp(in[i], "0") == 0)
			break;
		if (prev != NULL && strcasecmp(in[i], prev) == 0)
			continue;
		addr = xreallocarray(addr, na + 1, sizeof(*addr));
		addr[na++] = in[i];
		prev = in[i];
		if (na == 256)
			break;
	}
	if (na >= 7) {
		*sorted = 1;
		for (i = 1; i < na; i++)
			if (strcmp(addr[i - 1], addr[i]) > 0)
				*sorted = 0;
	}
	if (na >= 5) {
		char	u1[3], u2[3], h1[3], h2[3];

		for (i = 0; i < na; i++)
			for (j = i + 1; j < na; j++) {
				(void)strlcpy(u1, addr[i], sizeof(u1));
				(void)strlcpy(u2, addr[j], sizeof(u2));
				if (strcmp(u1, u2) == 0)
					hits++;
				ai = strchr(addr[i], '@');
				aj = strchr(addr[j], '@');
				if (ai != NULL && aj != NULL) {
					(void)strlcpy(h1, ai + 1, sizeof(h1));
					(void)strlcpy(h2, aj + 1, sizeof(h2));
					if (strcmp(h1, h2) == 0 &&
					    strcmp(ai + 1, aj + 1) != 0)
						hits++;
				}
				comb++;
			}
		*similar = (double)hits / comb;
	}
	free(addr);
	free_list(in, nin);
}

static int
ev_sorted_recips(EV_ARGS)
{
	int	sorted;
	double	sim;

	recipients(m, &sorted, &sim);
	return (sorted);
}

static int
ev_similar_recips(EV_ARGS)
{
	int	sorted;
	double	sim;

	recipients(m, &sorted, &sim);
	return ((n < 1 || strcmp(a[0], "undef") == 0 ||
	    sim >= arg_num(a, n, 0, 0)) &&
	    (n < 2 || strcmp(a[1], "undef") == 0 ||
	    sim < arg_num(a, n, 1, 0)));
}

/*
 * WLBLEval: address lists hold globs (Conf::Parser::add_to_addrlist:
 * ^...$, "?" one character, "*" any string, case-insensitive)
 */

/*
 * ^glob$ as add_to_addrlist makes it: '?' one character, '*' any run,
 * '\\' and '(' stand for '_', letters compared in lower case.
 */
static int
glob_match(const char *glob, const char *addr)
{
	const char	*g = glob, *s = addr, *star = NULL, *ss = NULL;
	int		 gc;

	if (strcasecmp(glob, addr) == 0)
		return (1);
	while (*s != '\0') {
		if (*g == '*') {
			while (*g == '*')
				g++;
			star = g;
			ss = s;
			continue;
		}
		gc = *g == '\\' || *g == '(' ? '_' :
		    tolower((unsigned char)*g);
		if (*g != '\0' && (gc == '?' ||
		    gc == tolower((unsigned char)*s))) {
			g++;
			s++;
			continue;
		}
		if (star == NULL)
			return (0);
		g = star;
		s = ++ss;
	}
	while (*g == '*')
		g++;
	return (*g == '\0');
}

static int
in_addrlist(struct sa_msg *m, const char *list, const char *addr)
{
	const struct sa_setting	*st;
	size_t			 i;

	if ((st = sa_conf_setting(m->conf, list)) == NULL)
		return (0);
	for (i = 0; i < st->nlist; i++)
		if (glob_match(st->list[i], addr))
			return (1);
	return (0);
}

/*
 * The relays WLBLEval compares with: the first untrusted one, or else
 * every trusted one.  0 if none.
 */
static int
wl_relays(struct sa_msg *m, size_t *first, size_t *cnt)
{
	if (m->nrelays > m->ntrusted) {
		*first = m->ntrusted;
		*cnt = 1;
	} else {
		*first = 0;
		*cnt = m->ntrusted;
	}
	return (*cnt > 0);
}

/* _check_welcomelist_rcvd: 1, 0 or -1 (listed, but not from there) */
static int
welcomelist_rcvd(struct sa_msg *m, const char *list, const char *addr)
{
	const struct sa_setting	*st;
	const struct sa_setting	*allow;
	const struct sa_relay	*rl;
	char			*w, *dom, *dup, *re, *q;
	size_t			 i, k, first, cnt;
	int			 forged = 0, match;

	if (m->nrelays == 0)
		return (0);
	if ((st = sa_conf_setting(m->conf, list)) == NULL)
		return (0);
	wl_relays(m, &first, &cnt);
	for (i = 0; i < st->nlist; i++) {
		dup = xstrdup(st->list[i]);
		dom = dup;
		w = strsep(&dom, " \t");
		while (dom != NULL && (*dom == ' ' || *dom == '\t'))
			dom++;
		if (dom == NULL || *dom == '\0' || !glob_match(w, addr)) {
			free(dup);
			continue;
		}
		dom[strcspn(dom, " \t")] = '\0';
		match = 0;
		for (k = first; k < first + cnt && !match; k++) {
			rl = &m->relays[k];
			if (dom[0] == '[') {
				char	*e = strchr(dom, ']');
				char	 ip[128];

				if (e == NULL || *rl->ip == '\0')
					continue;
				(void)snprintf(ip, sizeof(ip), "%.*s%s",
				    (int)(e - dom - 1), dom + 1, e + 1);
				if (re_match(ip, "^\\d+\\.\\d+\\.\\d+\\.\\d+$",
				    0) == 1)
					match = strcmp(ip, rl->ip) == 0;
				else if (re_match(ip, "^[\\d.]+$", 0) == 1) {
					size_t	l = strlen(ip);

					while (l > 0 && ip[l - 1] == '.')
						ip[--l] = '\0';
					match = strncmp(rl->ip, ip, l) == 0 &&
					    rl->ip[l] == '.';
				} else {
					struct sa_netset *ns = sa_netset_new(0);

					match = sa_netset_add(ns, ip) == 0 &&
					    sa_netset_contains(ns, rl->ip);
					sa_netset_free(ns);
				}
			} else {
				char	*lr = lc_dup(rl->rdns);

				q = re_quote(dom);
				if (xasprintf(&re, "(?i)(?:^|\\.)%s$", q) == -1)
					fatalx("asprintf");
				match = re_match_dyn(lr, re, 0) == 1;
				free(re);
				free(q);
				free(lr);
			}
		}
		free(dup);
		if (match)
			return (1);
		forged = -1;
	}
	if (forged && (allow = sa_conf_setting(m->conf,
	    "welcomelist_allows_relays")) != NULL)
		for (i = 0; i < allow->nlist; i++)
			if (glob_match(allow->list[i], addr))
				return (0);
	return (forged);
}

static int
from_wl(struct sa_msg *m, int def)
{
	char	**all;
	size_t	  n, i;
	int	  found = 0, wh;

	all = all_from_addrs(m, &n);
	for (i = 0; i < n; i++) {
		if (!def && in_addrlist(m, "welcomelist_from", all[i])) {
			found = 1;
			break;
		}
		wh = welcomelist_rcvd(m, def ? "def_welcomelist_from_rcvd" :
		    "welcomelist_from_rcvd", all[i]);
		if (wh == 1) {
			found = 1;
			break;
		}
		if (wh == -1)
			found = -1;
	}
	free_list(all, n);
	return (found);
}

static int
ev_from_welcomelist(EV_ARGS)
{
	return (from_wl(m, 0) > 0);
}

static int
ev_from_def_welcomelist(EV_ARGS)
{
	return (from_wl(m, 1) > 0);
}

static int
ev_from_blocklist(EV_ARGS)
{
	char	**all;
	size_t	  na, i;
	int	  rc = 0;

	all = all_from_addrs(m, &na);
	for (i = 0; i < na && !rc; i++)
		rc = in_addrlist(m, "blocklist_from", all[i]);
	free_list(all, na);
	return (rc);
}

/*
 * check_to_in_*: the list named by the rule's function; SpamAssassin's
 * all_to_addrs is needed only when the list has entries.
 */
static int
ev_to_list(EV_ARGS)
{
	static const char *const specs[] = { "To:addr", "Apparently-To:addr",
	    "Delivered-To:addr", "Envelope-Recipients:addr",
	    "Apparently-Resent-To:addr", "X-Envelope-To:addr",
	    "Envelope-To:addr", "X-Delivered-To:addr", "X-Original-To:addr",
	    "X-Rcpt-To:addr", "X-Real-To:addr", "Cc:addr" };
	const struct sa_setting	*st;
	const char		*list, *f = r->eval_func;
	char			**l;
	size_t			 nl, i, k;
	int			 rc = 0;

	if (strstr(f, "more_spam") != NULL)
		list = "more_spam_to";
	else if (strstr(f, "all_spam") != NULL)
		list = "all_spam_to";
	else if (strstr(f, "block") != NULL || strstr(f, "black") != NULL)
		list = "blocklist_to";
	else
		list = "welcomelist_to";
	st = sa_conf_setting(m->conf, list);
	if (st == NULL || st->nlist == 0)
		return (0);
	l = addr_list(sa_msg_get(m, "Resent-To:first:addr"), &nl);
	for (i = 0; i < nl && !rc; i++)
		rc = in_addrlist(m, list, l[i]);
	free_list(l, nl);
	if (nl > 0 || rc)
		return (rc);
	l = addr_list(sa_msg_get(m, "Resent-Cc:first:addr"), &nl);
	for (i = 0; i < nl && !rc; i++)
		rc = in_addrlist(m, list, l[i]);
	free_list(l, nl);
	if (nl > 0 || rc)
		return (rc);
	/* " for <a@b>;" in the first three Received fields */
	{
		const char	*all = hget(m, "Received"), *p, *e;
		char		*line, *ad;

		for (p = all, k = 0; *p != '\0' && k < 3 && !rc;
		    p = *e != '\0' ? e + 1 : e, k++) {
			e = p + strcspn(p, "\n");
			line = xstrndup(p, e - p);
			ad = re_capture(line, " for <?(\\S+\\@(?:[A-Za-z0-9-]+"
			    "\\.)+[A-Za-z]{2,63}?)>?;");
			if (ad != NULL) {
				lower(ad);
				rc = in_addrlist(m, list, ad);
			}
			free(ad);
			free(line);
		}
	}
	for (k = 0; k < nitems(specs) && !rc; k++) {
		l = addr_list(sa_msg_get(m, specs[k]), &nl);
		for (i = 0; i < nl && !rc; i++)
			rc = in_addrlist(m, list, l[i]);
		free_list(l, nl);
	}
	return (rc);
}

/*
 * BodyEval's _multipart_alternative_difference: per multipart/
 * alternative part, the distinct words of its HTML parts (rendered) not
 * covered by its text parts' words, in percent.
 */

struct words {
	char	**w;
	int	 *cnt;
	size_t	  n;
};

static void
words_add(struct words *ws, const char *w, size_t l)
{
	size_t	i;

	for (i = 0; i < ws->n; i++)
		if (strlen(ws->w[i]) == l && memcmp(ws->w[i], w, l) == 0) {
			ws->cnt[i]++;
			return;
		}
	ws->w = xreallocarray(ws->w, ws->n + 1, sizeof(*ws->w));
	ws->cnt = xreallocarray(ws->cnt, ws->n + 1, sizeof(*ws->cnt));
	ws->w[ws->n] = xstrndup(w, l);
	ws->cnt[ws->n++] = 1;
}

/* split(/\s+/) and grep(/\w/) */
static void
words_split(struct words *ws, const char *s, size_t len)
{
	size_t	i = 0, st, k;
	int	wordch;

	while (i < len) {
		while (i < len && isspace((unsigned char)s[i]))
			i++;
		st = i;
		while (i < len && !isspace((unsigned char)s[i]))
			i++;
		if (i == st)
			continue;
		for (k = st, wordch = 0; k < i && !wordch; k++)
			wordch = isalnum((unsigned char)s[k]) || s[k] == '_' ||
			    (unsigned char)s[k] >= 0x80;
		if (wordch)
			words_add(ws, s + st, i - st);
	}
}

static void
words_free(struct words *ws)
{
	size_t	i;

	for (i = 0; i < ws->n; i++)
		free(ws->w[i]);
	free(ws->w);
	free(ws->cnt);
	memset(ws, 0, sizeof(*ws));
}

static void
madiff_part(struct sa_msg *m, const struct mime_part *ma, struct ev_priv *ep)
{
	const struct mime_part	*p, *stop;
	struct words		 html, text;
	struct mimebuf		 dec, out;
	struct html_uris	 hu;
	struct html_result	 hr;
	char			 ct[256], *hv, *cs;
	size_t			 i, j, orig, left;
	double			 diff;

	memset(&html, 0, sizeof(html));
	memset(&text, 0, sizeof(text));
	/* the parts below ma: up to the next part not inside it */
	stop = ma;
	while (stop != NULL && stop->nchild > 0)
		stop = stop->child[stop->nchild - 1];
	stop = stop != NULL ? mime_next(stop) : NULL;
	for (p = mime_next(ma); p != NULL && p != stop; p = mime_next(p)) {
		if (p->nchild > 0 || strcmp(p->type, "text") != 0)
			continue;
		hv = part_field(p, "Content-Type");
		parse_ct(hv, ct, sizeof(ct), &cs);
		free(hv);
		free(cs);
		mimebuf_init(&dec);
		(void)mime_decode(m->mime, p, &dec, MIME_DEC_UTF8);
		if (strcmp(ct, "text/html") == 0) {
			mimebuf_init(&out);
			memset(&hu, 0, sizeof(hu));
			memset(&hr, 0, sizeof(hr));
			html_render(dec.buf, dec.len, &out, &hu, &hr);
			words_split(&html, out.buf, out.len);
			if (html.n == 0 && html_inside(&hr, "img") >= 0)
				words_add(&html, "\n", 1);
			html_uris_clear(&hu);
			html_result_clear(&hr);
			mimebuf_free(&out);
		} else
			words_split(&text, dec.buf, dec.len);
		mimebuf_free(&dec);
	}
	orig = html.n;
	if (orig > 0) {
		ep->madiff_html = orig;
		ep->madiff_text = text.n;
		left = orig;
		for (i = 0; i < text.n; i++)
			for (j = 0; j < html.n; j++)
				if (html.w[j] != NULL &&
				    strcmp(html.w[j], text.w[i]) == 0 &&
				    html.cnt[j] - text.cnt[i] < 1) {
					free(html.w[j]);
					html.w[j] = NULL;
					left--;
				}
		diff = (double)left / orig * 100;
		if (diff > ep->madiff)
			ep->madiff = diff;
	}
	words_free(&html);
	words_free(&text);
}

static struct ev_priv *
madiff(struct sa_msg *m)
{
	struct ev_priv		*ep = priv(m);
	const struct mime_part	*p, *root;

	if (ep->madiff_done || m->mime == NULL)
		return (ep);
	ep->madiff_done = 1;
	root = mime_root(m->mime);
	if (root != NULL && strcmp(root->type, "multipart") == 0 &&
	    strcmp(root->subtype, "alternative") == 0 && root->nchild == 2 &&
	    root->child[0]->nchild == 0 && root->child[1]->nchild == 0 &&
	    strcmp(root->child[0]->type, "text") == 0 &&
	    strcmp(root->child[0]->subtype, "html") == 0 &&
	    strcmp(root->child[1]->type, "text") == 0 &&
	    strcmp(root->child[1]->subtype, "calendar") == 0)
		return (ep);
	for (p = root; p != NULL; p = mime_next(p))
		if (strcmp(p->type, "multipart") == 0 &&
		    strcmp(p->subtype, "alternative") == 0)
			madiff_part(m, p, ep);
	return (ep);
}

static int
ev_madiff(EV_ARGS)
{
	struct ev_priv	*ep = madiff(m);
	double		 min = arg_num(a, n, 0, 0);

	return ((min == 0 || ep->madiff > min) && (n < 2 ||
	    strcmp(a[1], "undef") == 0 || ep->madiff <= arg_num(a, n, 1, 0)));
}

static int
ev_madiff_count(EV_ARGS)
{
	struct ev_priv	*ep = madiff(m);

	if (!(ep->madiff_html > arg_num(a, n, 1, 0)))
		return (0);
	return (ep->madiff_text / ep->madiff_html > arg_num(a, n, 0, 0));
}

/*
 * BodyEval's _check_stock_info: "Label: value" lines of the first
 * text/plain part, in Message's short paragraphs, whose label (letters
 * only, lower case) names a stock-spam field; the distinct ones counted.
 */
static int
ev_stock_info(EV_ARGS)
{
	static const char	 line_re[] = "(?m)^\\s*([^:\\s][^:\\n]{2,29})"
	    "\\s*:\\s*\\S";
	static const char	 key_re[] = "^(?:trad(?:e|ing)date|"
	    "company(?:name)?|s\\w?(?:t\\w?o\\w?c\\w?k|y\\w?m(?:\\w?b\\w?o"
	    "\\w?l)?)|t(?:arget|icker)|(?:opening|current)p(?:rice)?|"
	    "p(?:rojected|osition)|expectations|weeks?high|"
	    "marketperformance|(?:year|week|month|day|price)"
	    "(?:target|estimates?)|sector|r(?:ecommendation|ating))$";
	const struct mime_part	*p;
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov, off;
	struct mimebuf		 dec;
	struct words		 hits;
	char			 ct[256], *hv, *cs, *key, *q;
	const char		*t, *nl;
	size_t			 tl, ofs, j, clen, k;
	double			 cnt, min = arg_num(a, n, 0, 0);

	if (m->mime == NULL)
		return (min == 0);
	for (p = mime_root(m->mime); p != NULL; p = mime_next(p)) {
		if (p->nchild > 0)
			continue;
		hv = part_field(p, "Content-Type");
		parse_ct(hv, ct, sizeof(ct), &cs);
		free(hv);
		free(cs);
		if (strcmp(ct, "text/plain") == 0)
			break;
	}
	if (p == NULL)
		return (min == 0);
	if ((code = re_get(line_re, 0, &md)) == NULL || md == NULL)
		return (-1);
	memset(&hits, 0, sizeof(hits));
	mimebuf_init(&dec);
	(void)mime_decode(m->mime, p, &dec, MIME_DEC_UTF8);
	t = dec.buf != NULL ? dec.buf : "";
	tl = dec.len;
	/* split_into_array_of_short_paragraphs */
	for (ofs = 0; ofs < tl; ofs += clen) {
		clen = tl - ofs;
		if (tl > 2048 && tl - ofs > 2 * 2048) {
			const char *seps = "\n> ";

			for (k = 0, j = (size_t)-1; k < 3; k++) {
				nl = memchr(t + ofs + 2048, seps[k],
				    tl - ofs - 2048);
				if (nl != NULL && (size_t)(nl - t) - ofs + 1 <=
				    2 * 2048) {
					j = nl - t;
					break;
				}
			}
			if (j == (size_t)-1)
				j = ofs + 2048;
			clen = j - ofs + 1;
		}
		q = xstrndup(t + ofs, clen);
		for (off = 0; off <= strlen(q); ) {
			if (pcre2_match(code, (PCRE2_SPTR)q, strlen(q), off, 0,
			    md, NULL) <= 0)
				break;
			ov = pcre2_get_ovector_pointer(md);
			key = xstrndup(q + ov[2], ov[3] - ov[2]);
			for (j = k = 0; key[j] != '\0'; j++)
				if (isalpha((unsigned char)key[j]) &&
				    (unsigned char)key[j] < 0x80)
					key[k++] = tolower(
					    (unsigned char)key[j]);
			key[k] = '\0';
			if (re_match(key, key_re, 0) == 1)
				words_add(&hits, key, k);
			free(key);
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		}
		free(q);
	}
	cnt = hits.n;
	words_free(&hits);
	mimebuf_free(&dec);
	return (min == 0 || cnt >= min);
}

/*
 * RegistryBoundaries: util_rb_tld, util_rb_2tld and util_rb_3tld sorted
 * for bsearch, and FreeMail's email regex over the valid TLDs; kept per
 * configuration.
 */

struct rb_conf {
	const struct sa_conf	*conf;
	char			**tld, **tld2, **tld3;
	size_t			  ntld, ntld2, ntld3;
	pcre2_code		*email, *strip1, *strip2;
	pcre2_match_data	*md;
};

static struct rb_conf	rb;

static char **
rb_list(const struct sa_conf *c, const char *name, size_t *np)
{
	const struct sa_setting	*st;
	char			**l = NULL;
	size_t			  i, n = 0;

	if ((st = sa_conf_setting(c, name)) != NULL)
		for (i = 0; i < st->nlist; i++) {
			l = xreallocarray(l, n + 1, sizeof(*l));
			l[n++] = lc_dup(st->list[i]);
		}
	if (n > 0)
		qsort(l, n, sizeof(*l), cmp_str);
	*np = n;
	return (l);
}

static pcre2_code *
rb_compile(const char *pat)
{
	PCRE2_SIZE	eoff;
	int		err;

	return (pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS, &err, &eoff, NULL));
}

static void
rb_load(const struct sa_conf *c)
{
	struct mimebuf	 b;
	char		*email, *pat;
	size_t		 i;

	free_list(rb.tld, rb.ntld);
	free_list(rb.tld2, rb.ntld2);
	free_list(rb.tld3, rb.ntld3);
	pcre2_code_free(rb.email);
	pcre2_code_free(rb.strip1);
	pcre2_code_free(rb.strip2);
	pcre2_match_data_free(rb.md);
	memset(&rb, 0, sizeof(rb));
	rb.conf = c;
	rb.tld = rb_list(c, "util_rb_tld", &rb.ntld);
	rb.tld2 = rb_list(c, "util_rb_2tld", &rb.ntld2);
	rb.tld3 = rb_list(c, "util_rb_3tld", &rb.ntld3);
	/* FreeMail's _init_email_regex, valid_tlds_re inside */
	mimebuf_init(&b);
	mimebuf_adds(&b, "(?=.{0,64}\\@)(?<![a-z0-9!#\\$%&'*+\\/=?^_`{|}~-])"
	    "([a-z0-9!#\\$%&'*+\\/=?^_`{|}~-]+"
	    "(?:\\.[a-z0-9!#\\$%&'*+\\/=?^_`{|}~-]+)*\\@"
	    "(?:[a-z0-9](?:[a-z0-9-]{0,59}[a-z0-9])?\\.){1,4}");
	if (rb.ntld == 0)
		mimebuf_adds(&b, "no_tlds_defined");
	else {
		mimebuf_adds(&b, "(?<![a-zA-Z0-9-])(?:");
		for (i = 0; i < rb.ntld; i++) {
			if (i > 0)
				mimebuf_adds(&b, "|");
			pat = re_quote(rb.tld[i]);
			mimebuf_adds(&b, pat);
			free(pat);
		}
		mimebuf_adds(&b, ")(?!(?:[a-zA-Z0-9-]|\\.[a-zA-Z0-9]))");
	}
	mimebuf_adds(&b, ")");
	email = xstrndup(b.buf, b.len);
	mimebuf_free(&b);
	rb.email = rb_compile(email);
	rb.strip1 = rb_compile("<?https?://\\S{0,255}(?:\\@|%40)\\S{0,255}");
	if (xasprintf(&pat, "<?(?<!mailto:)%s(?:>|\\s{1,10}(?!(?:fa(?:x|csi)|"
	    "tel|phone|e?-?mail))[a-z]{2,11}:)", email) == -1)
		fatalx("asprintf");
	rb.strip2 = rb_compile(pat);
	free(pat);
	free(email);
	if (rb.email == NULL || rb.strip1 == NULL || rb.strip2 == NULL)
		fatalx("%s: the email regex", __func__);
	rb.md = pcre2_match_data_create(8, NULL);
}

static void
rb_check(struct sa_msg *m)
{
	if (rb.conf != m->conf)
		rb_load(m->conf);
}

static int
in_sorted(char **l, size_t n, const char *k)
{
	return (n > 0 && bsearch(&k, l, n, sizeof(*l), cmp_str) != NULL);
}

static int
us_state(const char *s)
{
	static const char states[] = " ak al ar az ca co ct dc de fl ga gu "
	    "hi ia id il in ks ky la ma md me mi mn mo ms mt nc nd ne nh nj "
	    "nm nv ny oh ok or pa pr ri sc sd tn tx ut va vi vt wa wi wv wy ";
	char	k[8];

	if (strlen(s) != 2)
		return (0);
	(void)snprintf(k, sizeof(k), " %s ", s);
	return (strstr(states, k) != NULL);
}

/*
 * split_domain's domain part (trim_domain), lower case: the registered
 * name under the 2- and 3-level TLDs.  "" for an empty name.
 */
static char *
trim_domain(struct sa_msg *m, const char *name)
{
	char	*d, *p, *q, **parts = NULL, *out;
	size_t	 n = 0, i = 0, k, rem, len;

	rb_check(m);
	d = lc_dup(name);
	/* tr/././s, leading and trailing dots */
	for (p = q = d; *p != '\0'; p++)
		if (!(*p == '.' && q > d && q[-1] == '.'))
			*q++ = *p;
	*q = '\0';
	p = d + strspn(d, ".");
	len = strlen(p);
	while (len > 0 && p[len - 1] == '.')
		p[--len] = '\0';
	for (q = p; *p != '\0' && q != NULL; ) {
		parts = xreallocarray(parts, n + 1, sizeof(*parts));
		parts[n++] = strsep(&q, ".");
	}
	while (n - i > 1) {
		rem = n - i;
		if (rem == 2 || rem == 3) {
			if (rem == 3 && strcmp(parts[i + 2], "us") == 0) {
				if (us_state(parts[i + 1]))
					break;
			} else {
				out = NULL;
				for (k = i; k < n; k++)
					if (xasprintf(&q, "%s%s%s", out ? out :
					    "", out ? "." : "", parts[k]) == -1)
						fatalx("asprintf");
					else {
						free(out);
						out = q;
					}
				k = rem == 2 ? in_sorted(rb.tld2, rb.ntld2,
				    out) : in_sorted(rb.tld3, rb.ntld3, out);
				free(out);
				if (k)
					break;
			}
		} else if (rem == 4 && strcmp(parts[i + 3], "us") == 0 &&
		    ((strcmp(parts[i], "pvt") == 0 &&
		    strcmp(parts[i + 1], "k12") == 0) ||
		    strcmp(parts[i], "ci") == 0 || strcmp(parts[i], "co") ==
		    0) && us_state(parts[i + 2]))
			break;
		i++;
	}
	if (i > 0)
		i--;
	out = xstrdup("");
	for (k = i; k < n; k++) {
		if (xasprintf(&q, "%s%s%s", out, k > i ? "." : "", parts[k]) ==
		    -1)
			fatalx("asprintf");
		free(out);
		out = q;
	}
	free(parts);
	free(d);
	return (out);
}

/* is_domain_valid: a dot, and the last label a valid TLD */
static int
domain_valid(struct sa_msg *m, const char *dom)
{
	const char	*t;
	char		*l;
	int		 rc;

	rb_check(m);
	if (strpbrk(dom, " \t\n\r\f\v") != NULL ||
	    (t = strrchr(dom, '.')) == NULL || t[1] == '\0')
		return (0);
	l = lc_dup(t + 1);
	rc = in_sorted(rb.tld, rb.ntld, l);
	free(l);
	return (rc);
}

static int
dotted_quad(const char *s)
{
	return (re_match(s, "^\\d+\\.\\d+\\.\\d+\\.\\d+$", 0) == 1);
}

/* WLBLEval's check_from_in_list, check_replyto_in_list */
/*
 * A list name is the first argument of a header rule's eval; a body
 * rule's gets the body there (SpamAssassin finds no such list).
 */
static int
list_arg_ok(const struct sa_rule *r, size_t n)
{
	return (n >= 1 && r->type == SA_R_HEADER);
}

static int
ev_from_in_list(EV_ARGS)
{
	char	**all;
	size_t	  na, i;
	int	  rc = 0;

	if (!list_arg_ok(r, n))
		return (0);
	all = all_from_addrs(m, &na);
	for (i = 0; i < na && !rc; i++)
		rc = in_addrlist(m, a[0], all[i]);
	free_list(all, na);
	return (rc);
}

static int
ev_replyto_in_list(EV_ARGS)
{
	char	*rt;
	int	 rc = 0;

	if (!list_arg_ok(r, n))
		return (0);
	rt = lc_dup(hget(m, "Reply-To:addr"));
	if (*rt != '\0')
		rc = in_addrlist(m, a[0], rt);
	free(rt);
	return (rc);
}

/* check_mailfrom_matches_rcvd (_check_addr_matches_rcvd) */
static int
ev_mailfrom_rcvd(EV_ARGS)
{
	const char	*sender = hget(m, "EnvelopeFrom:addr"), *at;
	char		*dom, *ad, *rd, *lr;
	size_t		 first, cnt, k;
	int		 match = 0;

	/* \@ ([^\@]+ \. [^\@]+) \z: a dot with something either side */
	if (*sender == '\0' || (at = strrchr(sender, '@')) == NULL ||
	    strlen(at + 1) < 3 || memchr(at + 2, '.', strlen(at + 1) - 2) ==
	    NULL)
		return (0);
	if (!wl_relays(m, &first, &cnt))
		return (0);
	dom = lc_dup(at + 1);
	ad = trim_domain(m, dom);
	for (k = first; k < first + cnt && !match; k++) {
		if (m->relays[k].rdns == NULL || *m->relays[k].rdns == '\0')
			continue;
		lr = lc_dup(m->relays[k].rdns);
		rd = trim_domain(m, lr);
		match = strcmp(ad, rd) == 0;
		free(rd);
		free(lr);
	}
	free(ad);
	free(dom);
	return (match);
}

/* HeaderEval's check_ratware_envelope_from */
static int
ev_ratware_efrom(EV_ARGS)
{
	const char	*to = hget(m, "To:addr");
	const char	*from = hget(m, "EnvelopeFrom:addr");
	const char	*at;
	char		*user, *dom, *qd, *qu, *pat;
	int		 rc = 0;

	if (*from == '\0' || *to == '\0')
		return (0);
	if (re_match(from, "(?i)^SRS\\d[=+-]", 0) == 1)
		return (0);
	/* ^([^@]+)\@(.+)$ */
	if ((at = strchr(to, '@')) == NULL || at == to || at[1] == '\0' ||
	    strchr(to, '\n') != NULL)
		return (0);
	user = xstrndup(to, at - to);
	dom = trim_domain(m, at + 1);
	if (domain_valid(m, dom)) {
		qd = re_quote(dom);
		qu = re_quote(user);
		if (xasprintf(&pat, "(?i)\\b%s.%s@", qd, qu) == -1)
			fatalx("asprintf");
		rc = re_match_dyn(from, pat, 0) == 1;
		free(pat);
		free(qd);
		free(qu);
	}
	free(user);
	free(dom);
	return (rc);
}

/*
 * WLBLEval's _check_uri_host_listed: the lists (uri_host_lists:NAME)
 * any URI host is on, its most specific entry deciding ("!host": not).
 */
static void
uri_host_lists(struct sa_msg *m, struct ev_priv *ep)
{
	const struct sa_conf	*c = m->conf;
	const struct sa_setting	*st;
	struct html_uris	*u;
	char			**seen = NULL, *h, *keys[12], *e;
	const char		 *q;
	size_t			  nseen = 0, i, j, k, l, nk, hl;
	int			  verdict;

	ep->uhl_done = 1;
	if (m->render == NULL)
		return;
	u = &m->render->uris;
	for (i = 0; i < u->n; i++) {
		if (strncasecmp(u->v[i], "mailto:", 7) == 0 ||
		    (h = render_uri_host(u->v[i], NULL)) == NULL)
			continue;
		for (j = 0; j < nseen; j++)
			if (strcmp(seen[j], h) == 0)
				break;
		if (j < nseen || *h == '\0') {
			free(h);
			continue;
		}
		seen = xreallocarray(seen, nseen + 1, sizeof(*seen));
		seen[nseen++] = h;
		nk = 0;
		if (dotted_quad(h))
			keys[nk++] = h;
		else
			for (e = h; ; e++) {
				if (nk > 10) {
					memmove(keys, keys + 1,
					    --nk * sizeof(*keys));
				}
				keys[nk++] = e;
				if ((e = strchr(e, '.')) == NULL)
					break;
			}
		for (k = 0; k < c->nsettings; k++) {
			st = &c->settings[k];
			if (strncmp(st->name, "uri_host_lists:", 15) != 0)
				continue;
			verdict = -1;
			q = NULL;
			for (j = 0; j < nk && verdict == -1; j++)
				for (l = st->nlist; l-- > 0; ) {
					e = st->list[l];
					hl = *e == '!';
					if (strcmp(e + hl, keys[j]) == 0) {
						verdict = !hl;
						q = keys[j];
						break;
					}
				}
			if (verdict != 1)
				continue;
			for (j = 0; j < ep->nuhl; j++)
				if (strcmp(ep->uhl[j], st->name + 15) == 0)
					break;
			if (j == ep->nuhl) {
				ep->uhl = xreallocarray(ep->uhl, ep->nuhl + 1,
				    sizeof(*ep->uhl));
				ep->uhlm = xreallocarray(ep->uhlm,
				    ep->nuhl + 1, sizeof(*ep->uhlm));
				ep->uhl[ep->nuhl] = xstrdup(st->name + 15);
				if (strcmp(q, h) == 0)
					ep->uhlm[ep->nuhl] = xstrdup(h);
				else
					(void)xasprintf(&ep->uhlm[ep->nuhl],
					    "%s (%s)", h, q);
				ep->nuhl++;
			}
		}
	}
	free_list(seen, nseen);
}

static int
ev_uri_host_listed(EV_ARGS)
{
	struct ev_priv	*ep = priv(m);
	const char	*list;
	size_t		 i;

	if (strcmp(r->eval_func, "check_uri_host_listed") == 0) {
		if (!list_arg_ok(r, n))
			return (0);
		list = a[0];
	} else if (strstr(r->eval_func, "block") != NULL ||
	    strstr(r->eval_func, "black") != NULL)
		list = "BLOCK";
	else
		list = "WELCOME";
	if (!ep->uhl_done)
		uri_host_lists(m, ep);
	for (i = 0; i < ep->nuhl; i++)
		if (strcmp(ep->uhl[i], list) == 0) {
			sa_msg_test_log(m, "URI: %s", ep->uhlm[i]);
			return (1);
		}
	return (0);
}

/* WelcomeListSubject: each line a glob matched anywhere in Subject */
static int
ev_subject_list(EV_ARGS)
{
	const struct sa_setting	*st;
	const char		*subj = hget(m, "Subject");
	char			*ls, *g, *re, *q;
	size_t			 i, k, o;
	int			 rc = 0;

	if (*subj == '\0')
		return (0);
	st = sa_conf_setting(m->conf, strstr(r->eval_func, "block") !=
	    NULL || strstr(r->eval_func, "black") != NULL ?
	    "blocklist_subject" : "welcomelist_subject");
	if (st == NULL)
		return (0);
	ls = lc_dup(subj);
	for (i = 0; i < st->nlist && !rc; i++) {
		g = lc_dup(st->list[i]);
		if (strcmp(g, ls) == 0) {
			free(g);
			rc = 1;
			break;
		}
		/* unanchored: escaped, "?" ".", "*" runs ".*" */
		re = xmalloc(3 * strlen(g) + 1);
		for (k = o = 0; g[k] != '\0'; k++) {
			if (g[k] == '?')
				re[o++] = '.';
			else if (g[k] == '*') {
				if (o < 2 || re[o - 1] != '*' ||
				    re[o - 2] != '.') {
					re[o++] = '.';
					re[o++] = '*';
				}
			} else {
				q = &g[k];
				if (!isalnum((unsigned char)*q) && *q != '_')
					re[o++] = '\\';
				re[o++] = *q;
			}
		}
		re[o] = '\0';
		rc = re_match_dyn(ls, re, 0) == 1;
		free(re);
		free(g);
	}
	free(ls);
	return (rc);
}

/* HTMLEval's check_iframe_src, URIEval's check_uri_truncated */
static int
ev_iframe_src(EV_ARGS)
{
	return (m->render != NULL && m->render->iframe_src);
}

static int
ev_uri_truncated(EV_ARGS)
{
	return (m->render != NULL && m->render->uri_truncated);
}

/* URIEval's check_https_ip_mismatch */
static int
ev_https_ip_mismatch(EV_ARGS)
{
	const struct render_anchor	*an;
	size_t				 i;

	if (m->render == NULL)
		return (0);
	for (i = 0; i < m->render->nanchors; i++) {
		an = &m->render->anchors[i];
		if (re_match(an->uri, "(?i)^https?:/*(?:[^\\@/]+\\@)?"
		    "\\d+\\.\\d+\\.\\d+\\.\\d+", 0) != 1)
			continue;
		if (re_match(an->text, "(?i)^https:/*(?:[^\\@/]+\\@)?"
		    "\\d+\\.\\d+\\.\\d+\\.\\d+", 0) == 1)
			continue;
		if (strcasestr(an->text, "https:") != NULL)
			return (1);
	}
	return (0);
}

/*
 * HTTPSMismatch: per HTML part, an <a href> to a host whose text names
 * another https:// domain, among minanchors .. maxanchors-1 distinct
 * http(s) hrefs with anchors.
 */
static int
ev_https_http_mismatch(EV_ARGS)
{
	const struct render	*rd = m->render;
	const struct render_anchor *an;
	char			**keys = NULL, *host, *uri, *https, *t;
	size_t			  nkeys, i, j;
	double			  minanchors, maxanchors;
	int			  part, hit, anchors;

	if (rd == NULL)
		return (0);
	/* (the body, minanchors, maxanchors): the body is not an argument */
	minanchors = n >= 1 ? strtod(a[0], NULL) : 0;
	if (minanchors == 0)
		minanchors = 1;
	maxanchors = n >= 2 ? strtod(a[1], NULL) : -1;
	for (part = 0; part < rd->nhtml; part++) {
		hit = anchors = 0;
		nkeys = 0;
		for (i = 0; i < rd->nanchors; i++) {
			an = &rd->anchors[i];
			if (an->part != part)
				continue;
			/* each key once: every anchor of it in turn */
			for (j = 0; j < nkeys; j++)
				if (strcmp(keys[j], an->uri) == 0)
					break;
			if (j < nkeys)
				continue;
			keys = xreallocarray(keys, nkeys + 1, sizeof(*keys));
			keys[nkeys++] = an->uri;
			host = re_capture(an->uri, "(?i)^https?://([^/:?#]+)");
			if (host == NULL)
				continue;
			uri = NULL;
			if (!is_ipv4(host)) {
				t = trim_domain(m, host);
				if (domain_valid(m, t))
					uri = t;
				else
					free(t);
			}
			free(host);
			if (uri == NULL)
				continue;
			anchors++;
			for (j = i; j < rd->nanchors && !hit; j++) {
				if (rd->anchors[j].part != part ||
				    strcmp(rd->anchors[j].uri, an->uri) != 0)
					continue;
				https = re_capture(rd->anchors[j].text,
				    "(?i)https://([^\\s/:?#]+)");
				if (https == NULL)
					continue;
				if (!is_ipv4(https)) {
					t = trim_domain(m, https);
					free(https);
					https = t;
					if (!domain_valid(m, https)) {
						free(https);
						continue;
					}
				}
				hit = strcmp(uri, https) != 0;
				free(https);
			}
			free(uri);
		}
		if (hit && anchors >= minanchors && (maxanchors < 0 ||
		    anchors < maxanchors)) {
			free(keys);
			return (1);
		}
	}
	free(keys);
	return (0);
}

/* s/pattern/ /g over a NUL-terminated line (replaced in place) */
static void
re_subst_space(pcre2_code *code, char **line)
{
	pcre2_match_data	*md = rb.md;
	PCRE2_SIZE		*ov;
	struct mimebuf		 b;
	size_t			 off = 0, len = strlen(*line);

	mimebuf_init(&b);
	while (off <= len && pcre2_match(code, (PCRE2_SPTR)*line, len, off, 0,
	    md, NULL) > 0) {
		ov = pcre2_get_ovector_pointer(md);
		mimebuf_add(&b, *line + off, ov[0] - off);
		mimebuf_adds(&b, " ");
		off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		if (ov[1] == ov[0] && ov[0] < len)
			mimebuf_add(&b, *line + ov[0], 1);
	}
	if (off < len)
		mimebuf_add(&b, *line + off, len - off);
	free(*line);
	*line = xstrndup(b.buf != NULL ? b.buf : "", b.len);
	mimebuf_free(&b);
}

static void
add_uniq(char ***l, size_t *n, char *s)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp((*l)[i], s) == 0) {
			free(s);
			return;
		}
	*l = xreallocarray(*l, *n + 1, sizeof(**l));
	(*l)[(*n)++] = s;
}

static double
conf_num(struct sa_msg *m, const char *name, double def)
{
	const struct sa_setting	*st = sa_conf_setting(m->conf, name);

	return (st != NULL && st->set ? st->num : def);
}

/*
 * FreeMail's _parse_body: the <a href="mailto:"> addresses the text
 * does not hold, then the addresses of the rendered body (those in
 * URLs, in <...> or before a "wrote:"-like word taken out first); the
 * freemail ones kept, none when there are too many.
 */
static void
fm_body(struct sa_msg *m, struct ev_priv *ep)
{
	struct render		*rd = m->render;
	struct mimebuf		 nb;
	PCRE2_SIZE		*ov;
	char			**all = NULL, *line, *e;
	const char		*t;
	size_t			  nall = 0, i, k, off, tl, cnt, cfm;

	ep->fmb_done = 1;
	rb_check(m);
	if (rd == NULL)
		return;
	for (i = 0; i < rd->nanchors && nall < 20; i++) {
		if (strncasecmp(rd->anchors[i].uri, "mailto:", 7) != 0 ||
		    pcre2_match(rb.email, (PCRE2_SPTR)rd->anchors[i].uri,
		    strlen(rd->anchors[i].uri), 7, PCRE2_ANCHORED, rb.md,
		    NULL) <= 0)
			continue;
		ov = pcre2_get_ovector_pointer(rb.md);
		e = xstrndup(rd->anchors[i].uri + ov[2], ov[3] - ov[2]);
		lower(e);
		/* a URI the text has too is SpamAssassin's "parsed" one */
		for (k = 0; k < rd->body.n; k++) {
			t = render_line(&rd->body, k, &tl);
			if (tl >= strlen(e) && memmem(t, tl,
			    rd->anchors[i].uri + 7, strlen(e)) != NULL)
				break;
		}
		if (k < rd->body.n)
			free(e);
		else
			add_uniq(&all, &nall, e);
	}
	/*
	 * The substitutions change SpamAssassin's cached rendered body (the
	 * loop aliases its lines): the body rules run later see them.
	 */
	mimebuf_init(&nb);
	for (k = 0; k < rd->body.n; k++) {
		t = render_line(&rd->body, k, &tl);
		line = xstrndup(t, tl);
		if (nall < 40) {
			re_subst_space(rb.strip1, &line);
			re_subst_space(rb.strip2, &line);
		}
		for (off = 0; nall < 40 && pcre2_match(rb.email,
		    (PCRE2_SPTR)line, strlen(line), off, 0, rb.md,
		    NULL) > 0; ) {
			ov = pcre2_get_ovector_pointer(rb.md);
			e = xstrndup(line + ov[2], ov[3] - ov[2]);
			lower(e);
			add_uniq(&all, &nall, e);
			off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
		}
		rd->body.off[k] = nb.len;
		rd->body.len[k] = strlen(line);
		mimebuf_add(&nb, line, strlen(line));
		free(line);
	}
	mimebuf_free(&rd->body.buf);
	rd->body.buf = nb;
	cnt = cfm = 0;
	for (i = 0; i < nall; i++) {
		if (++cnt == conf_num(m, "freemail_max_body_emails", 5) &&
		    conf_num(m, "freemail_skip_when_over_max", 1)) {
			ep->fmb_skip = 1;
			break;
		}
		if (!is_freemail(all[i]))
			continue;
		if (++cfm == conf_num(m, "freemail_max_body_freemails", 3) &&
		    conf_num(m, "freemail_skip_when_over_max", 1)) {
			ep->fmb_skip = 1;
			break;
		}
		ep->fmb = xreallocarray(ep->fmb, ep->nfmb + 1,
		    sizeof(*ep->fmb));
		ep->fmb[ep->nfmb++] = xstrdup(all[i]);
	}
	free_list(all, nall);
}

/* "from,... -> replyto,..." */
static void
fm_log_join(struct sa_msg *m, char **a, size_t na, char **b, size_t nb)
{
	struct mimebuf	 x, y;
	size_t		 i;

	mimebuf_init(&x);
	mimebuf_init(&y);
	for (i = 0; i < na; i++) {
		if (i > 0)
			mimebuf_addc(&x, ',');
		mimebuf_adds(&x, a[i]);
	}
	for (i = 0; i < nb; i++) {
		if (i > 0)
			mimebuf_addc(&y, ',');
		mimebuf_adds(&y, b[i]);
	}
	mimebuf_addc(&x, '\0');
	mimebuf_addc(&y, '\0');
	fm_log(m, x.buf, y.buf, " -> ");
	mimebuf_free(&x);
	mimebuf_free(&y);
}

/* FreeMail's check_freemail_replyto ('replyto' or 'reply') */
static int
ev_freemail_replyto(EV_ARGS)
{
	struct ev_priv	*ep;
	const char	*what = n >= 1 ? a[0] : "replyto";
	char		**from, **rt, **reply;
	size_t		  nf, nr, nreply, i, j;
	int		  from_fm = 0, rt_fm = 0, notin = 1, rc = 0;

	if (!fm_available(m))
		return (0);
	if (strcmp(what, "replyto") != 0 && strcmp(what, "reply") != 0)
		return (0);
	if (conf_num(m, "freemail_skip_bulk_envfrom", 1) &&
	    re_match(hget(m, "EnvelopeFrom"), "(?i)(?:^(?:post|host|domain)"
	    "master|^double-bounce|^(?:sentto|owner|return|(?:gr)?bounced?)-.+|"
	    "-(?:request|bounces?|admin|owner)|\\b(?:do[._-t]?)?no[._-t]?"
	    "repl(?:y|ies)|.+=.+)\\@", 0) == 1)
		return (0);
	from = addr_list(sa_msg_get(m, "From:addr"), &nf);
	rt = addr_list(sa_msg_get(m, "Reply-To:addr"), &nr);
	for (i = 0; i < nf; i++)
		from_fm += is_freemail(from[i]);
	for (i = 0; i < nr; i++)
		rt_fm += is_freemail(rt[i]);
	for (i = 0; i < nf && notin; i++)
		for (j = 0; j < nr; j++)
			if (strcmp(from[i], rt[j]) == 0)
				notin = 0;
	if (from_fm && rt_fm && notin) {
		fm_log_join(m, from, nf, rt, nr);
		rc = 1;
		goto done;
	}
	if (strcmp(what, "replyto") == 0 ? !rt_fm :
	    (nr > 0 && !rt_fm) || !from_fm)
		goto done;
	ep = priv(m);
	if (!ep->fmb_done)
		fm_body(m, ep);
	if (ep->fmb_skip)
		goto done;
	if (strcmp(what, "replyto") == 0 || rt_fm) {
		reply = rt;
		nreply = nr;
	} else {
		reply = from;
		nreply = nf;
	}
	for (i = 0; i < ep->nfmb && !rc; i++)
		for (j = 0; j < nreply && !rc; j++)
			if (strcmp(ep->fmb[i], reply[j]) != 0) {
				fm_log(m, reply[j], ep->fmb[i], ", ");
				rc = 1;
			}
 done:
	free_list(from, nf);
	free_list(rt, nr);
	return (rc);
}

/* VBounce: welcomelist_bounce_relays has entries */
static int
ev_any_bounce_relays(EV_ARGS)
{
	const struct sa_setting	*st;

	st = sa_conf_setting(m->conf, "welcomelist_bounce_relays");
	return (st != NULL && st->nlist > 0);
}

/* each / (\S+\.\S+) / (or \s...\s) of s a listed relay? */
static int
relays_in(struct sa_msg *m, const char *s, const char *pat)
{
	pcre2_match_data	*md;
	pcre2_code		*code;
	PCRE2_SIZE		*ov;
	char			*h;
	size_t			 off = 0, len = strlen(s);
	int			 rc = 0;

	if ((code = re_get(pat, 0, &md)) == NULL || md == NULL)
		return (0);
	while (!rc && off <= len && pcre2_match(code, (PCRE2_SPTR)s, len,
	    off, 0, md, NULL) > 0) {
		ov = pcre2_get_ovector_pointer(md);
		h = xstrndup(s + ov[2], ov[3] - ov[2]);
		lower(h);
		rc = in_addrlist(m, "welcomelist_bounce_relays", h);
		free(h);
		off = ov[1] > ov[0] ? ov[1] : ov[0] + 1;
	}
	return (rc);
}

/*
 * VBounce's check_welcomelist_bounce_relays: a listed relay named in a
 * Received line of the rendered body, or in a Received field (its
 * folded lines joined as they are) of the raw body.
 */
static int
ev_bounce_relays(EV_ARGS)
{
	const struct render	*rd = m->render;
	const char		*t, *body, *p, *e;
	char			*line, *full = NULL, *nf;
	size_t			 k, tl, blen;
	int			 found = 0, rc = 0;

	if (!ev_any_bounce_relays(m, r, a, n) || rd == NULL)
		return (0);
	for (k = 0; k < rd->body.n && !rc; k++) {
		t = render_line(&rd->body, k, &tl);
		line = xstrndup(t, tl);
		if (re_match(line, "(?i)^[> ]*Received:", 0) == 1)
			rc = relays_in(m, line, " (\\S+\\.\\S+) ");
		free(line);
	}
	if (rc || m->len < m->hdrlen)
		return (rc);
	body = m->buf + m->hdrlen;
	blen = m->len - m->hdrlen;
	/* triage: a "Received:" somewhere */
	line = xstrndup(body, blen);
	found = re_match(line, "(?i)Received:", 0) == 1;
	free(line);
	if (!found)
		return (0);
	found = 0;
	for (p = body; p <= body + blen && !rc; p = e + 1) {
		e = memchr(p, '\n', body + blen - p);
		if (e == NULL)
			e = body + blen;
		line = xstrndup(p, e - p);
		if (!found && re_match(line, "(?i)^[> ]*Received:", 0) != 1) {
			free(line);
			continue;
		}
		found = 1;
		if (isspace((unsigned char)line[0]) && full != NULL) {
			if (xasprintf(&nf, "%s%s", full, line) == -1)
				fatalx("asprintf");
			free(full);
			free(line);
			full = nf;
		} else {
			free(full);
			full = line;
		}
		if (re_match(full, "(?i)^[> ]*Received:", 0) == 1)
			rc = relays_in(m, full, "\\s(\\S+\\.\\S+)\\s");
		if (e == body + blen)
			break;
	}
	free(full);
	return (rc);
}
