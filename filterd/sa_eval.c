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
#include "render.h"
#include "sa_conf.h"
#include "sa_engine.h"
#include "sa_relays.h"

#define EV_ARGS	struct sa_msg *m, const struct sa_rule *r, char **a, \
		size_t n

static const char	*hget(struct sa_msg *, const char *);
static int		 re_match(const char *, const char *, int);
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

const struct sa_eval_def sa_evals[] = {
	/* HeaderEval */
	{ "check_for_missing_to_header", SA_EV_ANY, ev_missing_to },
	{ "check_header_count_range", SA_EV_ANY, ev_header_count_range },
	{ "subject_is_all_caps", SA_EV_ANY, ev_subject_all_caps },
	{ "check_for_to_in_subject", SA_EV_ANY, ev_to_in_subject },
	{ "check_unresolved_template", SA_EV_ANY, ev_unresolved_template },
	{ "check_ratware_name_id", SA_EV_ANY, ev_ratware_name_id },
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
	{ NULL, 0, NULL }
};

/* get() in scalar context with no default: "" for an absent header */
static const char *
hget(struct sa_msg *m, const char *spec)
{
	const char	*v;

	v = sa_msg_get(m, spec);
	return (v != NULL ? v : "");
}

/* a Perl-compatible match; opts: PCRE2 options */
static int
re_match(const char *s, const char *pat, int opts)
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
		rc = re_match(subj, pat, 0) == 1;
	} else if (strcmp(a[0], "user") == 0) {
		user = xstrndup(to, strcspn(to, "@"));
		q = re_quote(user);
		free(user);
		if (xasprintf(&pat, "(?i)^(?:(?:re|fw):\\s*(?:\\w+\\s+)?%s$"
		    "|(?-i:%s)\\s*[,:;!?-](?:$|\\s)|%s$|,\\s*%s[,:;!?-]$)",
		    q, q, q, q) == -1)
			fatalx("asprintf");
		rc = re_match(subj, pat, 0) == 1;
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
		rc = re_match(from, q, 0) == 1;
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

/* ok_locales is "all" by default: every charset is fine then */
static int
ok_locales_all(struct sa_msg *m)
{
	const char	*v;

	v = sa_conf_str(m->conf, "ok_locales");
	return (v == NULL || strstr(v, "all") != NULL);
}

static int
ev_faraway_hdrs(EV_ARGS)
{
	if (ok_locales_all(m))
		return (0);
	return (-1);	/* other locales: not implemented */
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
		rc = re_match(hget(m, "Message-Id"), pat, 0) == 1;
	} else {
		q = re_quote(list);
		if (xasprintf(&pat, "^<%s-\\S+\\@groups\\.msn\\.com>", list)
		    == -1)
			fatalx("asprintf");
		rc = re_match(hget(m, "Message-Id"), pat, 0) == 1;
		free(pat);
		if (xasprintf(&pat, "%s-bounce\\@groups\\.msn\\.com", list)
		    == -1)
			fatalx("asprintf");
		rc = rc && re_match(hget(m, "EnvelopeFrom:addr"), pat, 0) == 1;
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
		    is_dotted_host(from[i - 1]) && strcmp(by, from[i - 1]) != 0 &&
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
		if (re_match(h->r.helo, "(?i)(?:\\.|^)(lycos\\.com|lycos\\.co\\."
		    "uk|hotmail\\.com|localhost\\.com|excite\\.com|caramail\\."
		    "com|cs\\.com|aol\\.com|msn\\.com|yahoo\\.com|drizzle\\."
		    "com)$", 0) == 1 && h->no_reverse_dns)
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
		if (re_match(s->v[i], a[1], 0) == 1)
			return (1);
	return (0);
}

/* Perl's length() of a character string: UTF-8 characters */
static size_t
u8len(const char *s)
{
	size_t	n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return (n);
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
	if (ok_locales_all(m))
		return (0);
	return (-1);
}
