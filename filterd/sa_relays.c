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
 * SpamAssassin's Received-header parser: the formats it knows, tried in
 * its order, each a PCRE2 pattern equivalent to its Perl one (compiled
 * once, kept for the process).  See sa_relays.h.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "log.h"
#include "msghdr.h"
#include "xmalloc.h"
#include "sa_conf.h"
#include "sa_relays.h"

#define RX_MAXCAP	12
#define RX_SLOTS	512

/* Constants.pm, the /x patterns written compactly */
#define V4O	"(?:1\\d\\d|2[0-4]\\d|25[0-5]|[1-9]\\d|\\d)"
#define V4	V4O "\\." V4O "\\." V4O "\\." V4O
#define H4	"[a-f0-9]{1,4}"
#define IPA	"(?i:(?:\\b(?<!:)" V4 "\\b|(?:IPv6:|(?<![a-f0-9:]))" \
	"(?:(?:(?:" H4 ":){6}|::(?:" H4 ":){0,5}|(?:" H4 ":){1,5}:|" \
	H4 "::(?:" H4 ":){1,4}|(?:" H4 ":){2}:(?:" H4 ":){1,3}|" \
	"(?:" H4 ":){3}:(?:" H4 ":){1,2}|(?:" H4 ":){4}:" H4 ":)" V4 \
	"|(?:" H4 ":){7}" H4 "|:(?::" H4 "){1,7}|(?:" H4 ":){1,7}:|" \
	H4 ":(?::" H4 "){1,6}|(?:" H4 ":){2}(?::" H4 "){1,5}|" \
	"(?:" H4 ":){3}(?::" H4 "){1,4}|(?:" H4 ":){4}(?::" H4 "){1,3}|" \
	"(?:" H4 ":){5}(?::" H4 "){1,2}|(?:" H4 ":){6}:" H4 "|::)" \
	"(?![a-f0-9:])))"
#define PRIV4	"(?:10|127|169\\.254|172\\.(?:1[6-9]|2[0-9]|3[01])|" \
	"192\\.168|100\\.(?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7]))"
#define MAP6	"(?:(?:0{1,4}:){5}ffff:|::(?:0{1,4}:){0,4}ffff:|" \
	"(?:0{1,4}:){1,4}:ffff:|0{1,4}::(?:0{1,4}:){1,3}ffff:|" \
	"(?:0{1,4}:){2}:0{1,2}:ffff:|(?:0{1,4}:){3}:0:ffff:|" \
	"(?:0{1,4}:){4}:ffff:)"
#define LOOP6	"(?:0{1,4}:){7}0{0,3}1|:(?::0{1,4}){0,6}:0{0,3}1|" \
	"0{1,4}:(?::0{1,4}){0,5}:0{0,3}1|" \
	"(?:0{1,4}:){2}(?::0{1,4}){0,4}:0{0,3}1|" \
	"(?:0{1,4}:){3}(?::0{1,4}){0,3}:0{0,3}1|" \
	"(?:0{1,4}:){4}(?::0{1,4}){0,2}:0{0,3}1|" \
	"(?:0{1,4}:){5}(?::0{1,4}){0,1}:0{0,3}1|(?:0{1,4}:){6}:0{0,3}1"
#define IPPRIV	"(?i:^(?:" PRIV4 "\\..*|(?:(?:IPv6:|(?<![a-f0-9:]))(?:" \
	MAP6 PRIV4 "\\..*|fe[89ab][0-9a-f]:.*|" LOOP6 ")(?![a-f0-9:]))))"
#define LHOST	"(?i:(?:localhost(?:\\.localdomain)?|\\b(?<!:)" \
	"127\\.0\\.0\\.1\\b|(?:IPv6:|(?<![a-f0-9:]))(?:" MAP6 \
	"127\\.0\\.0\\.1|" LOOP6 ")(?![a-f0-9:])))"
#define HELOCH	"-A-Za-z0-9\\.\\^+_&:=?!@%*\\$\\\\\\/"

struct rxm {
	const char	*s;
	int		 n;
	PCRE2_SIZE	 ov[2 * RX_MAXCAP];
};

struct rx_slot {
	const char		*pat;
	pcre2_code		*code;
	pcre2_match_data	*md;
};

struct rl_state {
	char		*qms_env_from;
	int		 has_qms;
	int		 allow_mailfetch;
	struct sa_relays *r;
};

struct sa_net {
	unsigned char	 addr[16];
	int		 bits;
	int		 exclude;
};

struct sa_netset {
	struct sa_net	*v;
	size_t		 n;
};

static struct rx_slot	rx_cache[RX_SLOTS];

static pcre2_code	*rx_get(const char *, pcre2_match_data **);
static int		 rx(const char *, const char *, struct rxm *);
static char		*rx_cap(const struct rxm *, int);
static int		 rx_defined(const struct rxm *, int);
static void		 rx_set(char **, const struct rxm *, int);
static int		 rx_sub(char **, const char *, const char *, int);
static void		 fset(char **, const char *);
static void		 strip_chars(char *);
static int		 parse_line(const char *, struct sa_hop *,
			    struct rl_state *);
static void		 relay_string(struct sa_relay *);
static void		 pop_fetcher(struct rl_state *);
static void		 list_push(struct sa_relays *, int, size_t);
static char		*list_join(const struct sa_relays *, int);
static int		 ip_to16(const char *, unsigned char *, int *);

static pcre2_code *
rx_get(const char *pat, pcre2_match_data **md)
{
	size_t		 h, i;
	int		 err;
	PCRE2_SIZE	 eoff;

	h = ((size_t)(uintptr_t)pat >> 3) % RX_SLOTS;
	for (i = 0; i < RX_SLOTS; i++) {
		struct rx_slot *s = &rx_cache[(h + i) % RX_SLOTS];

		if (s->pat == pat) {
			*md = s->md;
			return (s->code);
		}
		if (s->pat == NULL) {
			s->code = pcre2_compile((PCRE2_SPTR)pat,
			    PCRE2_ZERO_TERMINATED, 0, &err, &eoff, NULL);
			if (s->code == NULL)
				fatalx("sa_relays: pattern %s does not "
				    "compile at %zu", pat, (size_t)eoff);
			(void)pcre2_jit_compile(s->code, PCRE2_JIT_COMPLETE);
			s->md = pcre2_match_data_create(RX_MAXCAP, NULL);
			if (s->md == NULL)
				fatalx("sa_relays: out of memory");
			s->pat = pat;
			*md = s->md;
			return (s->code);
		}
	}
	fatalx("sa_relays: pattern cache full");
}

/* Perl's m//: 1 on a match (captures in m), 0 otherwise. */
static int
rx(const char *s, const char *pat, struct rxm *m)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov;
	int			 rc, i;

	code = rx_get(pat, &md);
	rc = pcre2_match(code, (PCRE2_SPTR)s, strlen(s), 0, 0, md, NULL);
	if (rc <= 0) {
		if (m != NULL)
			m->n = 0;
		return (0);
	}
	if (m != NULL) {
		ov = pcre2_get_ovector_pointer(md);
		m->s = s;
		m->n = RX_MAXCAP;
		for (i = 0; i < 2 * RX_MAXCAP; i++)
			m->ov[i] = i < 2 * rc ? ov[i] : PCRE2_UNSET;
	}
	return (1);
}

static int
rx_defined(const struct rxm *m, int i)
{
	return (i < m->n && m->ov[2 * i] != PCRE2_UNSET);
}

static char *
rx_cap(const struct rxm *m, int i)
{
	if (!rx_defined(m, i))
		return (NULL);
	return (xstrndup(m->s + m->ov[2 * i], m->ov[2 * i + 1] -
	    m->ov[2 * i]));
}

/* dst = $i ("" when undefined, as Perl prints undef) */
static void
rx_set(char **dst, const struct rxm *m, int i)
{
	char	*v;

	v = rx_cap(m, i);
	free(*dst);
	*dst = v != NULL ? v : xstrdup("");
}

static void
fset(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* Perl's s/pat/repl/ (all: /g) with a literal replacement. */
static int
rx_sub(char **sp, const char *pat, const char *repl, int all)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	PCRE2_SIZE		*ov, off = 0, len;
	char			*s = *sp, *out;
	size_t			 rl = strlen(repl), olen = 0, osz;
	int			 n = 0;

	code = rx_get(pat, &md);
	len = strlen(s);
	osz = len + 1;
	out = xmalloc(osz);
	while (off <= len) {
		if (pcre2_match(code, (PCRE2_SPTR)s, len, off, 0, md,
		    NULL) <= 0)
			break;
		ov = pcre2_get_ovector_pointer(md);
		if (olen + (ov[0] - off) + rl + 1 > osz) {
			osz = olen + (ov[0] - off) + rl + len + 1;
			out = xreallocarray(out, 1, osz);
		}
		memcpy(out + olen, s + off, ov[0] - off);
		olen += ov[0] - off;
		memcpy(out + olen, repl, rl);
		olen += rl;
		n++;
		if (ov[1] == ov[0]) {
			if (ov[0] < len) {
				if (olen + 2 > osz) {
					osz = olen + len + 2;
					out = xreallocarray(out, 1, osz);
				}
				out[olen++] = s[ov[0]];
			}
			off = ov[1] + 1;
		} else
			off = ov[1];
		if (!all)
			break;
	}
	if (n == 0) {
		free(out);
		return (0);
	}
	if (off < len) {
		if (olen + (len - off) + 1 > osz) {
			osz = olen + (len - off) + 1;
			out = xreallocarray(out, 1, osz);
		}
		memcpy(out + olen, s + off, len - off);
		olen += len - off;
	}
	out[olen] = '\0';
	free(s);
	*sp = out;
	return (n);
}

/* $strip_chars = qr/[\s\000\#\[\]\(\)\<\>\|]/ replaced with '!' */
static void
strip_chars(char *s)
{
	for (; *s != '\0'; s++)
		if (strchr(" \t\n\r\f\v#[]()<>|", *s) != NULL)
			*s = '!';
}

int
sa_ip_is_private(const char *ip)
{
	return (rx(ip, IPPRIV, NULL));
}

int
sa_ip_is_address(const char *ip)
{
	return (rx(ip, "^" IPA "$", NULL));
}

int
sa_ip_find(const char *s, size_t *off, size_t *len)
{
	struct rxm	m;

	if (!rx(s, "(" IPA ")", &m))
		return (-1);
	*off = m.ov[2];
	*len = m.ov[3] - m.ov[2];
	return (0);
}

void
sa_hop_clear(struct sa_hop *h)
{
	struct sa_relay	*r;

	if (h == NULL)
		return;
	r = &h->r;
	free(r->ip);
	free(r->rdns);
	free(r->helo);
	free(r->by);
	free(r->ident);
	free(r->envfrom);
	free(r->id);
	free(r->auth);
	free(r->as_string);
	memset(h, 0, sizeof(*h));
}

static void
relay_string(struct sa_relay *r)
{
	free(r->as_string);
	if (xasprintf(&r->as_string, "[ ip=%s rdns=%s helo=%s by=%s "
	    "ident=%s envfrom=%s intl=%d id=%s auth=%s msa=%d ]", r->ip,
	    r->rdns, r->helo, r->by, r->ident,
	    r->envfrom != NULL ? r->envfrom : "", r->internal, r->id,
	    r->auth, r->msa) == -1)
		fatalx("sa_relays: out of memory");
}

static void
pop_fetcher(struct rl_state *st)
{
	if (st == NULL || !st->allow_mailfetch)
		return;
	st->r->nlist[SA_RL_TRUSTED] = 0;
	st->r->nlist[SA_RL_INTERNAL] = 0;
	st->r->nlist[SA_RL_EXTERNAL] = 0;
}

int
sa_relay_parse_line(const char *line, struct sa_hop *out)
{
	return (parse_line(line, out, NULL));
}

#define GOT(f, i)	rx_set(&(f), &m, (i))

/*
 * parse_received_line: 1 parsed into *out, 0 ignored, -1 unparseable.
 */
static int
parse_line(const char *line, struct sa_hop *hop, struct rl_state *st)
{
	struct sa_relay	*out = &hop->r;
	struct rxm	 m, m2;
	char		*s, *ip, *helo, *rdns, *by, *id, *ident, *envfrom;
	char		*auth, *sub = NULL, *v;
	int		 looked_up = 0, rv = -1;

	memset(hop, 0, sizeof(*hop));
	s = xstrdup(line);
	ip = xstrdup("");
	helo = xstrdup("");
	rdns = xstrdup("");
	by = xstrdup("");
	id = xstrdup("");
	ident = xstrdup("");
	auth = xstrdup("");
	envfrom = NULL;

	rx_sub(&s, "\\s+", " ", 1);
	rx_sub(&s, "^ ", "", 0);
	rx_sub(&s, " $", "", 0);
	while (rx_sub(&s, "\\s?;$", "", 0))
		;

	if (!rx(s, "(?i)^\\(?from ", NULL) ||
	    rx(s, "\\bwith local for\\b", NULL)) {
		rv = 0;
		goto done;
	}
	if (rx(s, "(?i)^from (\\S+) by [^\\s;]+ ?;", &m)) {
		v = rx_cap(&m, 1);
		if (!rx(v, "^\\[[\\d.]+\\]$", NULL)) {
			free(v);
			rv = 0;
			goto done;
		}
		free(v);
	}
	rx_sub(&s, "[\\s;]+(?:(?:Mon|T(?:ue|hu)|Wed|Fri|S(?:at|un)), )?\\d+ "
	    "(?:J(?:an|u[nl])|Feb|Ma[ry]|A(?:pr|ug)|Sep|Oct|Nov|Dec) \\d+ "
	    "\\d+:\\d+(?::\\d+)? \\S+$", "", 0);
	rx_sub(&s, "\\)by ", ") by ", 0);

	if (rx(s, " id <?([^\\s<>;]{3,})", &m))
		GOT(id, 1);
	if (rx(s, "\\bhelo=([" HELOCH "]+)(?:[^" HELOCH "]|$)", &m))
		GOT(helo, 1);
	else if (rx(s, "\\b(?:HELO|EHLO) ([" HELOCH "]+)(?:[^" HELOCH
	    "]|$)", &m))
		GOT(helo, 1);
	if (rx(s, " by (\\S+)(?:[^-A-Za-z0-9\\;\\.]|$)", &m))
		GOT(by, 1);

	/* authentication */
	if (rx(s, " by ", NULL) && rx(s, "(?i) with ((?:ES|L|UTF8S|UTF8L)"
	    "MTPS?A|ASMTP|HTTP[SU]?)(?: |;|$)", &m))
		GOT(auth, 1);
	else if (rx(s, " by mx\\.google\\.com with ESMTPS id "
	    "[a-z0-9]{1,4}sm[0-9]{2,9}[a-z]{3}\\.[0-9]{1,3}\\.[0-9]{4}\\."
	    "(?:[0-6][0-9]\\.){4}[0-6][0-9]", NULL) &&
	    rx(s, "\\(version=([^ ]+) cipher=([^\\)]+)\\)", &m)) {
		free(auth);
		if (xasprintf(&auth, "GMail - transport=%.*s cipher=%.*s",
		    (int)(m.ov[3] - m.ov[2]), s + m.ov[2],
		    (int)(m.ov[5] - m.ov[4]), s + m.ov[4]) == -1)
			fatalx("sa_relays: out of memory");
	} else if (rx(s, "^from .*?(?:\\]\\)|\\)\\]) \\(AUTH: (LOGIN|PLAIN|"
	    "DIGEST-MD5|CRAM-MD5) \\S+(?:, .*?)?\\) by ", &m))
		GOT(auth, 1);
	else if (rx(s, "authenticated", NULL) && rx(s, "^from .*?(?:\\]"
	    "(?: \\([^)]*\\))?\\)|\\)\\]) .*?\\(.*?authenticated.*?\\).*? by",
	    NULL))
		fset(&auth, "Sendmail");
	else if (rx(s, "from \\S* \\((?:HELO|EHLO) (\\S*)\\) \\[(" IPA
	    ")\\] by (mail\\.gmx\\.(?:net|com)) \\([^\\)]+\\) with "
	    "((?:ESMTP|SMTP))", &m)) {
		free(auth);
		if (xasprintf(&auth, "GMX (%.*s / %.*s)",
		    (int)(m.ov[9] - m.ov[8]), s + m.ov[8],
		    (int)(m.ov[7] - m.ov[6]), s + m.ov[6]) == -1)
			fatalx("sa_relays: out of memory");
	} else if (rx(s, " \\(authenticated as ", NULL) && rx(s, "\\) by .+ "
	    "\\(\\d{1,2}\\.\\d\\.\\d{3}(?:\\.\\d{1,3})?\\) \\(authenticated "
	    "as .+\\) id ", NULL))
		fset(&auth, "CriticalPath");
	else if (rx(s, "\\) \\(Authenticated sender: \\S+\\) by \\S+ "
	    "\\(([^\\)]+)\\) with ", &m)) {
		v = rx_cap(&m, 1);
		free(auth);
		if (strcmp(v, "Postfix") == 0)
			auth = v;
		else {
			if (xasprintf(&auth, "Postfix (%s)", v) == -1)
				fatalx("sa_relays: out of memory");
			free(v);
		}
	} else if (rx(s, "CommuniGate Pro (HTTP|SMTP|XIMSS|IMAP)", NULL) &&
	    rx(s, " \\(account ", NULL))
		fset(&auth, "Communigate");
	else if (rx(s, " with Microsoft Exchange Server HTTP-DAV\\b", NULL))
		fset(&auth, "HTTP-DAV");
	else if (rx(s, " by ", NULL) && rx(s, "(?i) \\(via (HTTP.?)\\)"
	    "(?: |;|$)", &m))
		GOT(auth, 1);

	if (rx_sub(&s, "^from ", "", 0)) {
		if (rx(s, "(?i)(?:return-path:? |envelope-(?:sender|from)"
		    "[ =])(\\S+)\\b", &m)) {
			free(envfrom);
			envfrom = rx_cap(&m, 1);
		}
		if (rx(s, " \\((?:SquirrelMail|NaSMail) authenticated user ",
		    NULL)) {
			if (rx(s, "(" IPA ")\\b(?![.-]).{10,80}by (\\S+) with "
			    "HTTP", &m)) {
				GOT(ip, 1); GOT(by, 2);
				goto enough;
			}
		}
		if (rx(s, "aol\\.com", NULL) &&
		    rx(s, "with HTTP \\(WebMailUI\\)", NULL)) {
			if (rx(s, "(" IPA ") by (\\S+) \\(" IPA "\\) with HTTP "
			    "\\(WebMailUI\\)", &m)) {
				GOT(ip, 1); GOT(by, 2);
				goto enough;
			}
		}
		if (rx(s, " SMTPSVC", NULL)) {
			if (rx(s, "^(\\S*) \\(\\[(" IPA
			    ")\\][^\\)]{0,40}\\) by (\\S+) with Microsoft "
			    "SMTPSVC", &m)) {
				GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
				goto enough;
			}
			if (rx(s, "^mail pickup service by (\\S+) with "
			    "Microsoft SMTPSVC$", NULL)) {
				rv = 0;
				goto done;
			}
		} else if (rx(s, " with (?:Microsoft SMTP Server|mapi id) "
		    "(?:\\([^\\)]+\\) )?\\d+\\.\\d+\\.\\d+\\.\\d+(?:$| )",
		    NULL)) {
			if (rx(s, "^(\\S+) \\(\\[?(" IPA ")(?:%[A-Z0-9._~-]*)?"
			    "\\]?\\) by (\\S+) ", &m)) {
				GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
				fset(&id, "");
				goto enough;
			}
		} else if (rx(s, "\\[XMail ", NULL)) {
			if (rx(s, "^(\\S+) \\((\\[?" IPA "\\]?)(?::\\d+)\\) by "
			    "(\\S+)(?: \\(\\S+\\))? with \\[XMail", &m)) {
				GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
				if (rx(s, " id <(\\S+)>", &m2))
					rx_set(&id, &m2, 1);
				if (rx(s, " from <(\\S+)>", &m2)) {
					free(envfrom);
					envfrom = rx_cap(&m2, 1);
				}
				goto enough;
			}
		} else if (rx(s, "\\(ecelerity\\b", NULL)) {
			if (rx(s, "^\\(\\[(" IPA "):\\d+\\] helo=(\\S+)\\) by "
			    "(\\S+) ", &m)) {
				GOT(ip, 1); GOT(helo, 2); GOT(by, 3);
				goto enough;
			}
			if (rx(s, "^\\S+ \\(\\[(" IPA "):\\d+\\]\\) by (\\S+) ",
			    &m)) {
				GOT(ip, 1); GOT(by, 2);
				goto enough;
			}
		} else if (rx(s, "Exim", NULL)) {
			if (rx(s, "\\bwith local(?:-\\S+)? ", NULL)) {
				rv = 0;
				goto done;
			}
			if (rx(s, "^\\[(" IPA ")\\] \\((.*?)\\) by (\\S+) ",
			    &m)) {
				GOT(ip, 1); GOT(by, 3);
				sub = rx_cap(&m, 2);
				goto exim_sub;
			}
			if (rx(s, "^(\\S+) \\(\\[(" IPA ")\\](.*?)\\) by "
			    "(\\S+) ", &m)) {
				GOT(rdns, 1); GOT(ip, 2); GOT(by, 4);
				fset(&helo, rdns);
				sub = rx_cap(&m, 3);
				goto exim_sub;
			}
			if (rx(s, "^(\\S+) \\[(" IPA ")\\](:\\d+)? by (\\S+) ",
			    &m)) {
				GOT(rdns, 1); GOT(ip, 2); GOT(helo, 1);
				GOT(by, 4);
				goto enough;
			}
			if (rx(s, "^(\\S+) ", &m))
				GOT(rdns, 1);
			if (rx(s, " \\((\\S+)\\) ", &m))
				GOT(helo, 1);
			if (rx(s, " \\[(" IPA ")(?:\\.\\d+)?\\] ", &m))
				GOT(ip, 1);
			if (rx(s, "by (\\S+) ", &m)) {
				GOT(by, 1);
				if (*ip != '\0')
					goto enough;
			}
		} else if (rx(s, " \\(Postfix\\) with", NULL)) {
			if (rx(s, "^(\\S+) \\((\\S+) \\[(" IPA ")\\]\\) by "
			    "(\\S+) ", &m) || rx(s, "^(\\S+) \\((\\S+)\\[(" IPA
			    ")\\]\\) by (\\S+) ", &m)) {
				looked_up = 1;
				GOT(helo, 1); GOT(rdns, 2); GOT(ip, 3);
				GOT(by, 4);
				if (strcmp(rdns, "unknown") == 0)
					fset(&rdns, "");
				goto enough;
			}
		} else if (rx(s, "\\(Scalix SMTP Relay", NULL)) {
			if (rx(s, "^(\\S+) \\( ?(" IPA ")\\) by (\\S+)", &m)) {
				GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
				goto enough;
			}
		} else if (rx(s, " \\(Lotus Domino ", NULL)) {
			if (rx(s, "^(\\S+) \\(\\[(" IPA ")\\]\\) by (\\S+) "
			    "\\(Lotus", &m)) {
				looked_up = 0;
				GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
				goto enough;
			}
		}

		if (rx(s, "\\bwith HTTP\\b", NULL) && rx(s, "^(" IPA ") \\(\\["
		    IPA "\\]\\) by (\\S+)", &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (!rx(s, " by \\S+ \\(qmail-\\S+\\) with ", NULL)) {
			if (rx(s, "^(\\S+) \\((\\S+) \\[(" IPA ")\\].*\\) by "
			    "(\\S+) \\(", &m)) {
				looked_up = 1;
				GOT(helo, 1); GOT(rdns, 2); GOT(ip, 3);
				GOT(by, 4);
				if (rx(rdns, "^IDENT:([^\\@]*)\\@", &m2)) {
					rx_set(&ident, &m2, 1);
					rx_sub(&rdns, "^IDENT:([^\\@]*)\\@", "",
					    0);
				}
				if (rx(rdns, "^([^\\@]*)\\@", &m2)) {
					rx_set(&ident, &m2, 1);
					rx_sub(&rdns, "^([^\\@]*)\\@", "", 0);
				}
				goto enough;
			}
		}
		if (rx(s, "^(\\S+) \\((\\S+) \\[(" IPA ")\\]\\) by (\\S+) with "
		    "\\S+ \\(", &m)) {
			looked_up = 1;
			GOT(rdns, 2); GOT(ip, 3); GOT(helo, 1); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\(\\[(" IPA ")\\] helo=(\\S+)\\) by (\\S+) "
		    "with ", &m)) {
			GOT(rdns, 1); GOT(ip, 2); GOT(helo, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\(<unknown\\S*>\\[(" IPA ")\\]\\) by "
		    "(\\S+) ", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((\\S+\\.\\S+)\\[(" IPA ")\\]\\) by "
		    "(\\S+) ", &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(rdns, 2); GOT(ip, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((\\S*)\\@\\[(" IPA ")\\].*\\) by (\\S+) "
		    "\\(", &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(ip, 3); GOT(by, 4); GOT(ident, 2);
			goto enough;
		}
		if (rx(s, "by (\\S+\\.hotmail\\.msn\\.com) ", &m)) {
			GOT(by, 1);
			if (rx(s, "^(" IPA ") ", &m))
				GOT(ip, 1);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\((" IPA ")\\) "
		    "by (\\S+) \\(qpsmtpd/\\S+\\) with (?:ESMTP|SMTP)", &m) ||
		    rx(s, "^(\\S+) \\(LHLO (\\S*)\\) \\((" IPA ")\\) by (\\S+) "
		    "with LMTP", &m) ||
		    rx(s, "^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\[(" IPA ")\\] "
		    "by (\\S+) \\([^\\)]+\\) with (?:ESMTP|SMTP)", &m)) {
			GOT(rdns, 1); GOT(helo, 2); GOT(ip, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\(\\[(" IPA ")\\]\\) by (\\S+) via smtpd "
		    "\\(for \\S+\\) with SMTP\\(", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		/* qmail */
		if (rx(s, "^\\S+( \\((?:HELO|EHLO) \\S*\\))? \\((\\S+\\@)?\\[?"
		    IPA "\\]?\\)( \\(envelope-sender <\\S+>\\))? by \\S+"
		    "( \\(.+\\))* with (.* )?(SMTP|QMQP)(?! id )", NULL)) {
			if (rx(s, "^(\\S+) \\((?:HELO|EHLO) ([^ \\(\\)]*)\\) "
			    "\\((\\S*)\\@\\[?(" IPA ")\\]?\\)( \\(envelope-"
			    "sender <\\S+>\\))? by (\\S+)", &m)) {
				GOT(rdns, 1); GOT(helo, 2); GOT(ident, 3);
				GOT(ip, 4); GOT(by, 6);
			} else if (rx(s, "^(\\S+) \\((?:HELO|EHLO) "
			    "([^ \\(\\)]*)\\) \\(\\[?(" IPA ")\\]?\\)"
			    "( \\(envelope-sender <\\S+>\\))? by (\\S+)", &m)) {
				GOT(rdns, 1); GOT(helo, 2); GOT(ip, 3);
				GOT(by, 5);
			} else if (rx(s, "^(\\S+) \\((\\S*)\\@\\[?(" IPA ")"
			    "\\]?\\)( \\(envelope-sender <\\S+>\\))? by (\\S+)",
			    &m)) {
				GOT(helo, 1); GOT(rdns, 1); GOT(ident, 2);
				GOT(ip, 3); GOT(by, 5);
			} else if (rx(s, "^(\\S+) \\(\\[?(" IPA ")\\]?\\)"
			    "( \\(envelope-sender <\\S+>\\))? by (\\S+)", &m)) {
				GOT(helo, 1); GOT(rdns, 1); GOT(ip, 2);
				GOT(by, 4);
			}
			if (strcmp(rdns, "unknown") != 0)
				looked_up = 1;
			else
				fset(&rdns, "");
			goto enough;
		}
		if (rx(s, " via HTTP$", NULL) && rx(s, "^\\[(" IPA ")\\] by "
		    "(\\S+) via HTTP$", &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\( \\[(" IPA ")\\]\\).*? by (\\S+) ",
		    &m)) {
			GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^\\((\\S+) \\[(" IPA ")\\]\\) by (\\S+) ", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^\\[(" IPA ")\\] by (\\S+) ", &m) ||
		    rx(s, "^\\(\\[?(" IPA ")\\]?\\) by (\\S+) ", &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\[(" IPA ")\\] by (\\S+) \\[" IPA "\\] "
		    "with ", &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\[\\((" IPA ")\\)\\] by (\\S+) \\(" IPA
		    "\\) ", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\(\\[(" IPA ")\\]\\) by (\\S+) \\(",
		    &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((\\S+) \\[(" IPA ")\\]\\).*? by "
		    "(\\S+)\\b", &m)) {
			v = rx_cap(&m, 2);
			if (strcmp(v, "softdnserr") == 0)
				looked_up = 0;
			else {
				looked_up = 1;
				GOT(rdns, 2);
			}
			free(v);
			GOT(helo, 1); GOT(ip, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\(\\[(" IPA ")(?:[.:]\\d+)?\\]\\).*? by "
		    "(\\S+) ", &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((\\S+) \\[(" IPA ")\\]\\)(?: "
		    "\\(authenticated bits=\\d+\\))? by (\\S+) \\(", &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(rdns, 2); GOT(ip, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "with (?:POP3|IMAP)", NULL)) {
			pop_fetcher(st);
			rv = 0;
			goto done;
		}
		if (rx(s, "^(\\S+) \\((?:HELO|EHLO) ([^\\)]*)\\) \\((\\S*@)?"
		    "\\[?(" IPA ")\\]?\\).* by (\\S+) ", &m)) {
			looked_up = 1;
			GOT(rdns, 1); GOT(helo, 2); GOT(ident, 3); GOT(ip, 4);
			GOT(by, 5);
			rx_sub(&ident, "\\@$", "", 0);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((\\S*@)?\\[?(" IPA ")\\]?\\).* by "
		    "(\\S+) ", &m)) {
			looked_up = 1;
			GOT(rdns, 1); GOT(helo, 1); GOT(ident, 2); GOT(ip, 3);
			GOT(by, 4);
			rx_sub(&ident, "\\@$", "", 0);
			goto enough;
		}
		if (rx(s, " with http for ", NULL) && rx(s, "^\\[(" IPA ")\\] "
		    "by (\\S+) with http for ", &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, " via smap ", NULL) && rx(s, "^(\\S+)\\((" IPA ")\\) "
		    "by (\\S+) via smap ", &m)) {
			looked_up = 1;
			GOT(rdns, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+)\\((" IPA "), (?:HELO|EHLO) (\\S*)\\) by "
		    "(\\S+) via smap ", &m)) {
			looked_up = 1;
			GOT(rdns, 1); GOT(ip, 2); GOT(helo, 3); GOT(by, 4);
			goto enough;
		}
		if ((rx(s, " \\(Post", NULL) && rx(s, "^\\[(" IPA ")\\] by "
		    "(\\S+) \\(Post", &m)) || (rx(s, " \\(ArGoSoft", NULL) &&
		    rx(s, "^\\[(" IPA ")\\] by (\\S+) \\(ArGoSoft", &m)) ||
		    rx(s, "^(" IPA ") by (\\S+) \\((?:SMTPL|InterScan)\\b",
		    &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, " with BSMTP", NULL) && rx(s, "^\\S+ by \\S+ with "
		    "BSMTP", NULL)) {
			rv = 0;
			goto done;
		}
		if (rx(s, "^(\\S+) \\((\\S+) \\[(" IPA ")\\]\\) by (\\S+) "
		    "with ", &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(rdns, 2); GOT(ip, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((?:HELO|EHLO) (\\S*)\\) \\((?:(\\S+)\\@)?"
		    "(" IPA ").*?\\) by (\\S+) with ", &m)) {
			looked_up = 1;
			GOT(rdns, 1); GOT(helo, 2); GOT(ip, 4); GOT(by, 5);
			if (rx_defined(&m, 3))
				GOT(ident, 3);
			goto enough;
		}
		if (rx(s, "^\\[(" IPA ")\\] \\((?:account \\S+ )?(?:HELO|EHLO) "
		    "(\\S*)\\) by (\\S+) \\(", &m)) {
			GOT(ip, 1); GOT(helo, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, " \\(CommuniGate Pro", NULL) && rx(s, "^(\\S+) "
		    "\\(\\[(" IPA ")\\] verified\\) by (\\S+) \\(", &m)) {
			looked_up = 1;
			GOT(rdns, 1); GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^\\(\\[(" IPA ")\\]\\) by (\\S+) with ", &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, "^([^\\d]\\S+) \\((" IPA ")\\) by (\\S+) ", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^\\S+ \\(\\S+\\) by \\S+ \\(Content Technologies ",
		    NULL)) {
			rv = 0;
			goto done;
		}
		if (rx(s, "^(\\S+) \\(\\[(" IPA ")\\] \\[(\\S+)\\]\\) by "
		    "(\\S+) with ", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^(" IPA ") by (\\S+) with ", &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((\\S+)\\[(" IPA ")\\]\\) by (\\S+) ",
		    &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(rdns, 2); GOT(ip, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^\\[(" IPA ")\\]\\S+ \\((?:HELO|EHLO) (\\S*)\\) by "
		    "(\\S+) ", &m) || rx(s, "^(" IPA ") \\((?:HELO|EHLO) "
		    "(\\S*)\\) by (\\S+) ", &m)) {
			GOT(ip, 1); GOT(helo, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\[(" IPA ")\\] by (\\S+) ", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+)\\((" IPA ")\\) by (\\S+) ", &m)) {
			GOT(rdns, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^\\[(" IPA ")\\] by (\\S+) \\(MailGate ", &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\(unverified \\[(" IPA ")\\]\\) by (\\S+) ",
		    &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(" IPA ") \\([A-Za-z][^\\)]+\\) by (\\S+) with ",
		    &m)) {
			GOT(ip, 1); GOT(by, 2);
			goto enough;
		}
		if (rx(s, "^\\[(" IPA ")\\] \\(([^\\)]+)\\) by (\\S+) ", &m)) {
			GOT(ip, 1); GOT(by, 3);
			sub = rx_cap(&m, 2);
			goto exim_sub;
		}
		if (rx(s, "^(\\S+) \\((?:\\S+\\@)?(" IPA ")\\) by (\\S+) with ",
		    &m)) {
			GOT(rdns, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^(\\S+)\\((" IPA ")\\)(?:, claiming to be "
		    "\"(\\S+)\")? via \\S+ by (\\S+),", &m)) {
			GOT(rdns, 1); GOT(ip, 2); GOT(helo, 3); GOT(by, 4);
			v = rx_cap(&m, 1);
			if (strcmp(v, "UNKNOWN") != 0)
				looked_up = 1;
			free(v);
			goto enough;
		}
		if (rx(s, "^(\\S+) \\((\\S+)@(" IPA ") with login\\) by "
		    "(\\S+\\.yahoo\\.com) with SMTP", &m)) {
			GOT(helo, 1); GOT(ip, 3); GOT(by, 4);
			goto enough;
		}
		if (rx(s, "^X-Originating-IP: (" IPA ")$", &m)) {
			GOT(ip, 1);
			fset(&by, "");
			goto enough;
		}

		/* stuff to ignore */
		if (rx(s, "^\\S+ \\([^\\s\\@]+\\@" LHOST "\\) by \\S+ \\(",
		    NULL) ||
		    rx(s, "^\\S+ \\S+ by \\S+ with local-e?smtp ", NULL) ||
		    rx(s, "^127\\.0\\.0\\.1 \\(AVG SMTP \\S+ \\[\\S+\\]\\)",
		    NULL) ||
		    rx(s, "^\\S+\\@\\S+ by \\S+ by uid \\S+ ", NULL) ||
		    rx(s, "^\\S+\\@\\S+ by \\S+ ", NULL) ||
		    rx(s, "^Unknown/Local \\(", NULL) ||
		    rx(s, "^" LHOST " \\((?:\\S+\\@)?" LHOST "[\\)\\[]",
		    NULL) ||
		    rx(s, "^\\S+ \\((?:\\S+\\@)?" LHOST "\\) ", NULL) ||
		    rx(s, "^\\S+ \\(\\S+\\@\\S+ \\[" LHOST "\\]\\) ", NULL) ||
		    rx(s, "^\\(AUTH: \\S+\\) by \\S+ with ", NULL) ||
		    rx(s, "^localhost \\(localhost \\[\\[UNIX: localhost\\]\\]"
		    "\\) by ", NULL) ||
		    rx(s, "^\\S+\\.amazon\\.com by \\S+\\.amazon\\.com with "
		    "ESMTP \\(peer crosscheck: ", NULL) ||
		    rx(s, "^[^\\.]+ by \\S+ with Novell_GroupWise", NULL) ||
		    rx(s, "^no\\.name\\.available by \\S+ via smtpd \\(for ",
		    NULL)) {
			rv = 0;
			goto done;
		}
		if (rx(s, "^\\S+ by \\S+ \\(.{0,100}\\) with qmail-scanner",
		    NULL)) {
			if (envfrom != NULL) {
				rx_sub(&envfrom, "^\\s*<*", "", 1);
				rx_sub(&envfrom, ">*\\s*$", "", 1);
				strip_chars(envfrom);
			}
			if (st != NULL) {
				free(st->qms_env_from);
				st->qms_env_from = envfrom;
				st->has_qms = envfrom != NULL;
				envfrom = NULL;
			}
			rv = 0;
			goto done;
		}
		if (rx(s, "^\\S+ by \\S+ with local", NULL) ||
		    rx(s, "^\\S+ \\(\\[unix socket\\]\\) by \\S+ \\(Cyrus "
		    "v[0-9]*?\\.[0-9]*?\\.[0-9]*?\\) with LMTPA", NULL) ||
		    rx(s, "^\\S+ by \\S+ (?:with|via|for|\\()", NULL) ||
		    rx(s, "^\\S+ (?:(?:with|via|for) \\S+|\\(unverified\\)) "
		    "by\\b", NULL) ||
		    rx(s, "^\\S+ \\(unknown\\) by \\S+ \\(SG\\) with \\b",
		    NULL) ||
		    rx(s, "^\\S+ \\(\\S+ \\[local\\]\\) by \\S+ "
		    "\\(OpenSMTPD\\) with \\b", NULL) ||
		    rx(s, "\\(LSMTP for", NULL) ||
		    rx(s, "^\\(\\[" LHOST "\\]\\) with MailEnable ", NULL) ||
		    rx(s, "^facebook\\.com \\([^\\)]+\\) by facebook\\.com "
		    "with Thrift id \\S+$", NULL) ||
		    rx(s, "^\\S+ named \\S+ by gmailapi\\.google\\.com with "
		    "HTTPREST$", NULL) ||
		    rx(s, "^\\S+ id \\S+$", NULL) ||
		    rx(s, "^\\[<.*? \\(Jetsend", NULL)) {
			rv = 0;
			goto done;
		}
		if (*helo == '\0' && rx(s, "^(\\S+)[^-A-Za-z0-9\\.]", &m))
			GOT(helo, 1);
	} else if (rx_sub(&s, "^FROM ", "", 0)) {
		if (rx(s, "^(\\S+) \\((\\S+) \\[(" IPA ")\\]\\) BY (\\S+) "
		    "(?:\\([^\\)]+\\) WITH SMTP )?ID <?(\\S+?)>?"
		    "(?: FOR <[^>]+>)?$", &m)) {
			looked_up = 1;
			GOT(helo, 1); GOT(rdns, 2); GOT(ip, 3); GOT(by, 4);
			GOT(id, 5);
			if (strcmp(rdns, "unverified") == 0)
				fset(&rdns, "");
			goto enough;
		}
	} else if (rx_sub(&s, "^\\(from ", "", 0)) {
		if (rx(s, "^(\\S*) \\[(" IPA ")\\]\\) by (\\S+) "
		    "\\(NAVGW .*?\\) with ", &m)) {
			GOT(helo, 1); GOT(ip, 2); GOT(by, 3);
			goto enough;
		}
		if (rx(s, "^\\S+\\@localhost\\) by \\S+ ", NULL) ||
		    rx(s, "^[^\\s\\@]+\\@[^)]+\\) by \\S+\\(jqueuemail\\) id "
		    "[^\\s;]+", NULL)) {
			rv = 0;
			goto done;
		}
	}

	if (*ip == '\0' && rx(s, "\\[(" IPA ")\\]", &m))
		GOT(ip, 1);
	if (*ip != '\0' && *by != '\0')
		goto enough;
	rv = -1;
	goto done;

exim_sub:
	if (rx(sub, "helo=(\\S+)", &m2)) {
		rx_set(&helo, &m2, 1);
		rx_sub(&sub, "helo=(\\S+)", "", 0);
	}
	if (rx(sub, "ident=(\\S*)", &m2)) {
		rx_set(&ident, &m2, 1);
		rx_sub(&sub, "ident=(\\S*)", "", 0);
	}

enough:
	rx_sub(&rdns, "\\.+\\z", "", 0);
	if (rx(rdns, "(?i)^unknown$", NULL) || rdns[0] == '[')
		fset(&rdns, "");
	rx_sub(&ip, "(?i)^ipv6:", "", 0);
	rx_sub(&ip, "^\\[", "", 0);
	rx_sub(&ip, "\\]\\z", "", 0);
	rx_sub(&ip, "(?is)%[A-Z0-9._~-]*\\z", "", 0);
	if (rx(ip, "(?i)^0*:0*:(?:0*:)*ffff:(\\d+\\.\\d+\\.\\d+\\.\\d+)$",
	    &m))
		GOT(ip, 1);
	rx_sub(&by, "\\;$", "", 0);
	strip_chars(ip);
	strip_chars(rdns);
	strip_chars(helo);
	strip_chars(by);
	strip_chars(ident);
	if (envfrom != NULL) {
		rx_sub(&envfrom, "^\\s*<*", "", 1);
		rx_sub(&envfrom, ">*\\s*$", "", 1);
		strip_chars(envfrom);
	}
	if (*rdns == '\0') {
		if (looked_up)
			hop->no_reverse_dns = 1;
		else
			hop->rdns_not_in_headers = 1;
	}
	out->ip = ip;
	out->rdns = rdns;
	out->helo = helo;
	out->by = by;
	out->id = id;
	out->ident = ident;
	out->auth = auth;
	out->envfrom = envfrom;
	out->ip_private = sa_ip_is_private(ip);
	relay_string(out);
	free(s);
	free(sub);
	return (1);

done:
	free(s);
	free(sub);
	free(ip);
	free(helo);
	free(rdns);
	free(by);
	free(id);
	free(ident);
	free(auth);
	free(envfrom);
	return (rv);
}

static void
list_push(struct sa_relays *r, int l, size_t i)
{
	r->list[l] = xreallocarray(r->list[l], r->nlist[l] + 1,
	    sizeof(size_t));
	r->list[l][r->nlist[l]++] = i;
}

static char *
list_join(const struct sa_relays *r, int l)
{
	size_t	 i, len = 1;
	char	*s;

	for (i = 0; i < r->nlist[l]; i++)
		len += strlen(r->all[r->list[l][i]].r.as_string) + 1;
	s = xmalloc(len);
	s[0] = '\0';
	for (i = 0; i < r->nlist[l]; i++) {
		if (i > 0)
			(void)strlcat(s, " ", len);
		(void)strlcat(s, r->all[r->list[l][i]].r.as_string, len);
	}
	return (s);
}

struct sa_relays *
sa_relays_build(const struct sa_relays_conf *c, const char *const *rcvd,
    size_t nrcvd, sa_relays_hdr_fn hdr, void *arg)
{
	struct sa_relays	*r;
	struct rl_state		 st;
	struct sa_hop		 hop;
	struct sa_relay		*rel = &hop.r;
	const struct sa_netset	*trusted, *internal;
	char			**lines, *qms, *line;
	char			*v;
	size_t			 nlines = 0, i, off, len;
	int			 in_trusted = 1, in_internal = 1, found_msa = 0;
	int			 rc, l, spec_t, spec_i;

	r = xcalloc(1, sizeof(*r));
	r->last_trusted_index = -1;
	r->last_internal_index = -1;
	memset(&st, 0, sizeof(st));
	st.allow_mailfetch = 1;
	st.r = r;

	trusted = c->trusted;
	internal = c->internal;
	spec_t = c->trusted_set;
	spec_i = c->internal_set;
	if (spec_t && !spec_i)
		internal = trusted;
	else if (!spec_t && spec_i)
		trusted = internal;

	lines = xcalloc(nrcvd + c->norig_ip_headers + 1, sizeof(char *));
	for (i = 0; i < nrcvd; i++)
		lines[nlines++] = xstrdup(rcvd[i]);
	for (i = 0; hdr != NULL && i < c->norig_ip_headers; i++) {
		v = hdr(arg, c->orig_ip_headers[i]);
		if (v == NULL || *v == '\0' || sa_ip_find(v, &off, &len) != 0) {
			free(v);
			continue;
		}
		if (xasprintf(&lines[nlines], "from X-Originating-IP: %.*s\n",
		    (int)len, v + off) == -1)
			fatalx("sa_relays: out of memory");
		free(v);
		nlines++;
	}

	for (i = 0; i < nlines; i++) {
		qms = NULL;
		if (st.has_qms) {
			qms = st.qms_env_from;
			st.qms_env_from = NULL;
			st.has_qms = 0;
		}
		line = lines[i];
		rx_sub(&line, "\\n[ \\t]+", " ", 1);
		lines[i] = line;
		rc = parse_line(line, &hop, &st);
		if (rc == -1)
			r->num_unparseable++;
		if (rc != 1) {
			if (in_trusted)
				r->last_trusted_index++;
			if (in_internal)
				r->last_internal_index++;
			free(qms);
			continue;
		}
		if (qms != NULL) {
			free(rel->envfrom);
			rel->envfrom = qms;
			qms = NULL;
		}
		if (in_trusted && !found_msa) {
			if (!spec_t && !spec_i) {
				if (!rel->ip_private && *rel->auth == '\0') {
					in_trusted = 0;
					in_internal = 0;
				}
			} else if (*rel->auth == '\0' &&
			    !sa_netset_contains(trusted, rel->ip)) {
				in_trusted = 0;
				in_internal = 0;
			} else {
				if (in_internal && *rel->auth == '\0' &&
				    !sa_netset_contains(internal, rel->ip))
					in_internal = 0;
				if (c->msa != NULL &&
				    sa_netset_contains(c->msa, rel->ip)) {
					found_msa = 1;
					rel->msa = 1;
				}
			}
		}
		rel->internal = in_internal;
		rel->trusted = in_trusted;
		relay_string(rel);
		r->all = xreallocarray(r->all, r->nall + 1, sizeof(*r->all));
		r->all[r->nall] = hop;
		if (in_trusted) {
			list_push(r, SA_RL_TRUSTED, r->nall);
			st.allow_mailfetch = 1;
			r->last_trusted_index++;
		} else {
			list_push(r, SA_RL_UNTRUSTED, r->nall);
			st.allow_mailfetch = 0;
		}
		if (in_internal) {
			list_push(r, SA_RL_INTERNAL, r->nall);
			r->last_internal_index++;
		} else
			list_push(r, SA_RL_EXTERNAL, r->nall);
		r->nall++;
	}
	free(st.qms_env_from);
	for (i = 0; i < nlines; i++)
		free(lines[i]);
	free(lines);
	for (l = 0; l < 4; l++)
		r->str[l] = list_join(r, l);
	r->view = xcalloc(r->nlist[SA_RL_TRUSTED] + r->nlist[SA_RL_UNTRUSTED] +
	    1, sizeof(*r->view));
	for (l = SA_RL_TRUSTED; l <= SA_RL_UNTRUSTED; l++)
		for (i = 0; i < r->nlist[l]; i++)
			r->view[r->nview++] = r->all[r->list[l][i]].r;
	return (r);
}

void
sa_relays_free(struct sa_relays *r)
{
	size_t	i;
	int	l;

	if (r == NULL)
		return;
	for (i = 0; i < r->nall; i++)
		sa_hop_clear(&r->all[i]);
	free(r->view);
	free(r->all);
	for (l = 0; l < 4; l++) {
		free(r->list[l]);
		free(r->str[l]);
	}
	free(r);
}

/* NetSet */

static int
ip_to16(const char *s, unsigned char *a, int *v4)
{
	struct in_addr	in4;

	*v4 = 0;
	if (inet_pton(AF_INET, s, &in4) == 1) {
		memset(a, 0, 10);
		a[10] = a[11] = 0xff;
		memcpy(a + 12, &in4, 4);
		*v4 = 1;
		return (0);
	}
	if (inet_pton(AF_INET6, s, a) == 1)
		return (0);
	return (-1);
}

struct sa_netset *
sa_netset_new(int loopback)
{
	struct sa_netset	*ns;

	ns = xcalloc(1, sizeof(*ns));
	if (loopback)
		(void)sa_netset_add(ns, "127.0.0.0/8 ::1");
	return (ns);
}

void
sa_netset_free(struct sa_netset *ns)
{
	if (ns == NULL)
		return;
	free(ns->v);
	free(ns);
}

int
sa_netset_add(struct sa_netset *ns, const char *list)
{
	char		*dup, *w, *p, *slash, *e, buf[64];
	struct sa_net	 net;
	const char	*errstr;
	unsigned int	 o[4];
	int		 rv = 0, v4, n;
	size_t		 l;

	dup = xstrdup(list);
	for (p = dup; (w = strsep(&p, " \t\r\n,")) != NULL;) {
		if (*w == '\0')
			continue;
		memset(&net, 0, sizeof(net));
		if (*w == '!') {
			net.exclude = 1;
			w++;
		}
		net.bits = -1;
		if ((slash = strchr(w, '/')) != NULL) {
			*slash++ = '\0';
			net.bits = strtonum(slash, 0, 128, &errstr);
			if (errstr != NULL) {
				rv = -1;
				continue;
			}
		}
		l = strlen(w);
		if (l > 1 && w[0] == '[' && w[l - 1] == ']') {
			w[l - 1] = '\0';
			w++;
		}
		if ((e = strchr(w, '%')) != NULL)
			*e = '\0';
		if (isdigit((unsigned char)w[0]) && strchr(w, ':') == NULL) {
			/* 1.2.3.4, 1.2.3[.], 1.2[.], 1[.] */
			memset(o, 0, sizeof(o));
			n = sscanf(w, "%u.%u.%u.%u", &o[0], &o[1], &o[2],
			    &o[3]);
			if (n < 1 || o[0] > 255 || o[1] > 255 || o[2] > 255 ||
			    o[3] > 255) {
				rv = -1;
				continue;
			}
			(void)snprintf(buf, sizeof(buf), "%u.%u.%u.%u", o[0],
			    o[1], o[2], o[3]);
			if (net.bits == -1)
				net.bits = 8 * n;
			if (net.bits > 32) {
				rv = -1;
				continue;
			}
			net.bits += 96;
		} else {
			if (strlcpy(buf, w, sizeof(buf)) >= sizeof(buf)) {
				rv = -1;
				continue;
			}
			if (net.bits == -1)
				net.bits = 128;
		}
		if (ip_to16(buf, net.addr, &v4) == -1) {
			rv = -1;
			continue;
		}
		ns->v = xreallocarray(ns->v, ns->n + 1, sizeof(*ns->v));
		ns->v[ns->n++] = net;
	}
	free(dup);
	return (rv);
}

int
sa_netset_contains(const struct sa_netset *ns, const char *ip)
{
	unsigned char	 a[16];
	char		 buf[64];
	const char	*p = ip;
	size_t		 i, l;
	int		 v4, b, full, rest;

	if (ns == NULL || ns->n == 0)
		return (0);
	l = strlen(p);
	if (l > 1 && p[0] == '[' && p[l - 1] == ']') {
		p++;
		l -= 2;
	}
	if (l >= 5 && strncasecmp(p, "IPv6:", 5) == 0) {
		p += 5;
		l -= 5;
	}
	if (l >= sizeof(buf))
		return (0);
	memcpy(buf, p, l);
	buf[l] = '\0';
	buf[strcspn(buf, "%")] = '\0';
	if (ip_to16(buf, a, &v4) == -1)
		return (0);
	for (i = 0; i < ns->n; i++) {
		b = ns->v[i].bits;
		full = b / 8;
		rest = b % 8;
		if (memcmp(a, ns->v[i].addr, full) != 0)
			continue;
		if (rest != 0 && ((a[full] ^ ns->v[i].addr[full]) &
		    (0xff << (8 - rest)) & 0xff) != 0)
			continue;
		return (!ns->v[i].exclude);
	}
	return (0);
}

/* The engine's hook */

struct rl_confcache {
	const struct sa_conf	*conf;
	struct sa_netset	*trusted, *internal, *msa;
	struct sa_relays_conf	 rc;
};

static struct rl_confcache	rl_cc;

static char *
msg_hdr_last(void *arg, const char *name)
{
	const struct msghdr	*h = arg;
	ssize_t			 i;

	if (h == NULL || (i = msghdr_find(h, name, -1)) < 0)
		return (NULL);
	return (msghdr_value(h, i));
}

static struct sa_netset *
conf_netset(const struct sa_conf *c, const char *name, int loop, int *set)
{
	const struct sa_setting	*st;
	struct sa_netset	*ns;
	size_t			 i;

	ns = sa_netset_new(loop);
	*set = 0;
	if ((st = sa_conf_setting(c, name)) == NULL)
		return (ns);
	for (i = 0; i < st->nlist; i++) {
		if (sa_netset_add(ns, st->list[i]) == -1)
			log_warnx("%s: bad net %s", name, st->list[i]);
		*set = 1;
	}
	return (ns);
}

static void
relays_priv_free(void *p)
{
	sa_relays_free(p);
}

int
sa_relays_parse(struct sa_msg *msg)
{
	const struct sa_setting	*st;
	struct sa_relays	*r;
	char			**rcvd = NULL;
	size_t			 n = 0, i, cnt;
	int			 l;

	if (rl_cc.conf != msg->conf) {
		sa_netset_free(rl_cc.trusted);
		sa_netset_free(rl_cc.internal);
		sa_netset_free(rl_cc.msa);
		memset(&rl_cc, 0, sizeof(rl_cc));
		rl_cc.conf = msg->conf;
		rl_cc.trusted = conf_netset(msg->conf, "trusted_networks", 1,
		    &rl_cc.rc.trusted_set);
		rl_cc.internal = conf_netset(msg->conf, "internal_networks", 1,
		    &rl_cc.rc.internal_set);
		rl_cc.msa = conf_netset(msg->conf, "msa_networks", 0, &l);
		rl_cc.rc.trusted = rl_cc.trusted;
		rl_cc.rc.internal = rl_cc.internal;
		rl_cc.rc.msa = rl_cc.msa;
		if ((st = sa_conf_setting(msg->conf,
		    "originating_ip_headers")) != NULL) {
			rl_cc.rc.orig_ip_headers =
			    (const char *const *)st->list;
			rl_cc.rc.norig_ip_headers = st->nlist;
		}
	}
	cnt = msg->hdr != NULL ? msghdr_count(msg->hdr) : 0;
	for (i = 0; i < cnt; i++) {
		if (!msghdr_is(msg->hdr, i, "Received"))
			continue;
		rcvd = xreallocarray(rcvd, n + 1, sizeof(*rcvd));
		rcvd[n++] = msghdr_value(msg->hdr, i);
	}
	r = sa_relays_build(&rl_cc.rc, (const char *const *)rcvd, n,
	    msg_hdr_last, (void *)msg->hdr);
	for (i = 0; i < n; i++)
		free(rcvd[i]);
	free(rcvd);
	for (l = 0; l < 4; l++)
		msg->relays_str[l] = xstrdup(r->str[l]);
	/* the engine frees msg->relays and its strings: copies */
	msg->relays = xcalloc(r->nview + 1, sizeof(*msg->relays));
	for (i = 0; i < r->nview; i++) {
		struct sa_relay	*d = &msg->relays[i];
		const struct sa_relay *o = &r->view[i];

		*d = *o;
		d->ip = xstrdup(o->ip);
		d->by = xstrdup(o->by);
		d->helo = xstrdup(o->helo);
		d->rdns = xstrdup(o->rdns);
		d->ident = xstrdup(o->ident);
		d->envfrom = o->envfrom != NULL ? xstrdup(o->envfrom) : NULL;
		d->id = xstrdup(o->id);
		d->auth = xstrdup(o->auth);
		d->as_string = xstrdup(o->as_string);
	}
	msg->nrelays = r->nview;
	msg->ntrusted = r->nlist[SA_RL_TRUSTED];
	msg->ninternal = r->nlist[SA_RL_INTERNAL];
	msg->relays_unparseable = r->num_unparseable;
	msg->relays_priv = r;
	msg->relays_priv_free = relays_priv_free;
	return (0);
}
