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
 * Pure SMTP parsing, shared by the server engine, the client, the unit
 * tests and the fuzz targets: command lines, paths, MAIL/RCPT
 * parameters, reply formatting, base64 for AUTH, and the DATA reader.
 * Nothing here does I/O or keeps global state.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "compat.h"
#include "smtp.h"
#include "xmalloc.h"

static const struct {
	const char	*name;
	enum smtp_verb	 verb;
} smtp_verbs[] = {
	{ "ATRN",	SMTP_CMD_NOTIMPL },
	{ "AUTH",	SMTP_CMD_AUTH },
	{ "BDAT",	SMTP_CMD_NOTIMPL },
	{ "DATA",	SMTP_CMD_DATA },
	{ "EHLO",	SMTP_CMD_EHLO },
	{ "ETRN",	SMTP_CMD_NOTIMPL },
	{ "EXPN",	SMTP_CMD_EXPN },
	{ "HELO",	SMTP_CMD_HELO },
	{ "HELP",	SMTP_CMD_HELP },
	{ "LHLO",	SMTP_CMD_LHLO },
	{ "MAIL",	SMTP_CMD_MAIL },
	{ "NOOP",	SMTP_CMD_NOOP },
	{ "QUIT",	SMTP_CMD_QUIT },
	{ "RCPT",	SMTP_CMD_RCPT },
	{ "RSET",	SMTP_CMD_RSET },
	{ "SAML",	SMTP_CMD_NOTIMPL },
	{ "SEND",	SMTP_CMD_NOTIMPL },
	{ "SOML",	SMTP_CMD_NOTIMPL },
	{ "STARTTLS",	SMTP_CMD_STARTTLS },
	{ "TURN",	SMTP_CMD_NOTIMPL },
	{ "VRFY",	SMTP_CMD_VRFY }
};

static int	smtp_is_atext(int);
static int	smtp_utf8_len(const unsigned char *, size_t);
static int	smtp_parse_local(const char *, size_t, int);
static int	smtp_parse_domain(const char *, size_t, int);
static char	*smtp_next_param(char **, char **);
static int	smtp_parse_u64(const char *, uint64_t *);
static void	smtp_data_append(struct smtp_data *, const char *, size_t);
static void	smtp_data_line(struct smtp_data *, const char *, size_t);

int
smtp_parse_cmd(char *line, struct smtp_cmd *cmd)
{
	char	*p, *end;
	size_t	 n, i;

	memset(cmd, 0, sizeof(*cmd));
	cmd->verb = SMTP_CMD_UNKNOWN;
	cmd->name = "";
	/* trailing blanks go; leading ones make the verb unknown */
	end = line + strlen(line);
	while (end > line && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	cmd->args = end;
	if (*line == '\0') {
		cmd->verb = SMTP_CMD_NONE;
		return 0;
	}
	for (p = line; *p != '\0' && *p != ' '; p++)
		if (!isalpha((unsigned char)*p))
			return 0;
	n = p - line;
	for (i = 0; i < sizeof(smtp_verbs) / sizeof(smtp_verbs[0]); i++) {
		if (strlen(smtp_verbs[i].name) != n ||
		    strncasecmp(smtp_verbs[i].name, line, n) != 0)
			continue;
		cmd->verb = smtp_verbs[i].verb;
		cmd->name = smtp_verbs[i].name;
		while (*p == ' ')
			p++;
		cmd->args = p;
		return 0;
	}
	return 0;
}

static int
smtp_is_atext(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~",
	    c) != NULL);
}

/* Length of one well-formed UTF-8 sequence (2-4 octets), or 0. */
static int
smtp_utf8_len(const unsigned char *s, size_t len)
{
	int	n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if ((size_t)n > len)
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3/4-octet forms, surrogates, beyond U+10FFFF */
	if (s[0] == 0xe0 && s[1] < 0xa0)
		return 0;
	if (s[0] == 0xed && s[1] > 0x9f)
		return 0;
	if (s[0] == 0xf0 && s[1] < 0x90)
		return 0;
	if (s[0] == 0xf4 && s[1] > 0x8f)
		return 0;
	return n;
}

/* Dot-string or quoted-string (RFC 5321 4.1.2); UTF-8 with utf8. */
static int
smtp_parse_local(const char *s, size_t len, int utf8)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i;
	int			 n;

	if (len == 0 || len > SMTP_LOCAL_MAX)
		return -1;
	if (s[0] == '"') {
		if (len < 2 || s[len - 1] != '"')
			return -1;
		for (i = 1; i < len - 1; i++) {
			if (u[i] == '\\') {
				if (++i >= len - 1 || u[i] < 0x20 ||
				    u[i] > 0x7e)
					return -1;
				continue;
			}
			if (u[i] == '"')
				return -1;
			if (u[i] >= 0x80 && utf8 &&
			    (n = smtp_utf8_len(u + i, len - 1 - i)) > 0) {
				i += n - 1;
				continue;
			}
			if (u[i] < 0x20 || u[i] > 0x7e)
				return -1;
		}
		return 0;
	}
	/* dot-string; consecutive dots are tolerated (real mail has them) */
	if (s[0] == '.' || s[len - 1] == '.')
		return -1;
	for (i = 0; i < len; i++) {
		if (u[i] >= 0x80 && utf8 &&
		    (n = smtp_utf8_len(u + i, len - i)) > 0) {
			i += n - 1;
			continue;
		}
		if (u[i] != '.' && !smtp_is_atext(u[i]))
			return -1;
	}
	return 0;
}

/* Domain (sub-domains, U-labels with utf8) or address literal. */
static int
smtp_parse_domain(const char *s, size_t len, int utf8)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			 lit[SMTP_DOMAIN_MAX + 1];
	struct in6_addr		 a6;
	struct in_addr		 a4;
	size_t			 i, label = 0;
	int			 n;

	if (len == 0 || len > SMTP_DOMAIN_MAX)
		return -1;
	if (s[0] == '[') {
		if (len < 3 || s[len - 1] != ']')
			return -1;
		memcpy(lit, s + 1, len - 2);
		lit[len - 2] = '\0';
		if (strncasecmp(lit, "IPv6:", 5) == 0)
			return inet_pton(AF_INET6, lit + 5, &a6) == 1 ? 0 : -1;
		return inet_pton(AF_INET, lit, &a4) == 1 ? 0 : -1;
	}
	for (i = 0; i < len; i++) {
		if (u[i] == '.') {
			if (label == 0 || s[i - 1] == '-')
				return -1;
			label = 0;
			continue;
		}
		if (u[i] >= 0x80 && utf8 &&
		    (n = smtp_utf8_len(u + i, len - i)) > 0) {
			i += n - 1;
			label += n;
			continue;
		}
		if (u[i] == '-') {
			if (label == 0)
				return -1;
		} else if (!isalnum(u[i]) && u[i] != '_')
			return -1;
		if (++label > 63)
			return -1;
	}
	if (label == 0 || s[len - 1] == '-')
		return -1;
	return 0;
}

int
smtp_parse_path(char *s, int mail, int utf8, struct smtp_addr *a,
    char **paramsp, const char **errp)
{
	const char	*kw = mail ? "FROM:" : "TO:";
	const char	*bad = mail ? "501 5.1.7 Bad sender address syntax" :
			    "501 5.1.3 Bad recipient address syntax";
	char		*p, *end, *at = NULL, *path;
	size_t		 kwlen = strlen(kw), plen;
	int		 quoted = 0;

	memset(a, 0, sizeof(*a));
	*paramsp = NULL;
	if (strncasecmp(s, kw, kwlen) != 0) {
		*errp = mail ? "501 5.5.4 Syntax: MAIL FROM:<address>" :
		    "501 5.5.4 Syntax: RCPT TO:<address>";
		return -1;
	}
	p = s + kwlen;
	while (*p == ' ')		/* "MAIL FROM: <a@b>": tolerated */
		p++;
	if (*p != '<') {
		*errp = bad;
		return -1;
	}
	path = ++p;
	/* find the closing '>' outside a quoted string */
	for (end = p; *end != '\0'; end++) {
		if (quoted && *end == '\\' && end[1] != '\0') {
			end++;
			continue;
		}
		if (*end == '"')
			quoted = !quoted;
		else if (!quoted && *end == '>')
			break;
		else if (!quoted && *end == '@')
			at = end;
	}
	if (*end != '>' || (end[1] != '\0' && end[1] != ' ')) {
		*errp = bad;
		return -1;
	}
	*end = '\0';
	p = end + 1;
	while (*p == ' ')
		p++;
	*paramsp = p;

	/* source route "@a,@b:" is accepted and dropped (RFC 5321 C) */
	if (*path == '@') {
		char	*colon;

		if ((colon = strchr(path, ':')) == NULL) {
			*errp = bad;
			return -1;
		}
		*colon = '\0';
		for (p = path; p != NULL; p = strchr(p, ',') ? strchr(p, ',')
		    + 1 : NULL) {
			char	*comma = strchr(p, ',');
			size_t	 l = comma ? (size_t)(comma - p) : strlen(p);

			if (*p != '@' || smtp_parse_domain(p + 1, l - 1,
			    utf8) == -1) {
				*errp = bad;
				return -1;
			}
			if (comma == NULL)
				break;
		}
		path = colon + 1;
		if (at != NULL && at < path)
			at = NULL;
	}
	plen = strlen(path);
	if (plen == 0) {
		if (!mail) {
			*errp = bad;
			return -1;
		}
		return 0;		/* null reverse-path */
	}
	if (at == NULL) {
		if (!mail && strcasecmp(path, "postmaster") == 0) {
			(void)strlcpy(a->local, path, sizeof(a->local));
			return 0;
		}
		*errp = bad;
		return -1;
	}
	if (smtp_parse_local(path, at - path, utf8) == -1 ||
	    smtp_parse_domain(at + 1, strlen(at + 1), utf8) == -1) {
		*errp = bad;
		return -1;
	}
	memcpy(a->local, path, at - path);
	a->local[at - path] = '\0';
	(void)strlcpy(a->domain, at + 1, sizeof(a->domain));
	return 0;
}

/* Next "KEY[=VALUE]" from *sp; NUL-terminates both. */
static char *
smtp_next_param(char **sp, char **valp)
{
	char	*s = *sp, *p, *eq;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		return NULL;
	for (p = s; *p != '\0' && *p != ' '; p++)
		;
	if (*p != '\0')
		*p++ = '\0';
	*sp = p;
	if ((eq = strchr(s, '=')) != NULL) {
		*eq = '\0';
		*valp = eq + 1;
	} else
		*valp = NULL;
	return s;
}

static int
smtp_parse_u64(const char *s, uint64_t *v)
{
	uint64_t	 n = 0;

	if (*s == '\0' || strlen(s) > 20)
		return -1;
	for (; *s != '\0'; s++) {
		if (!isdigit((unsigned char)*s))
			return -1;
		if (n > (UINT64_MAX - (*s - '0')) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	return 0;
}

static int
smtp_keyword_valid(const char *k)
{
	if (!isalnum((unsigned char)*k))
		return 0;
	for (; *k != '\0'; k++)
		if (!isalnum((unsigned char)*k) && *k != '-')
			return 0;
	return 1;
}

static int
smtp_value_valid(const char *v)
{
	if (*v == '\0')
		return 0;
	for (; *v != '\0'; v++)
		if ((unsigned char)*v < 33 || (unsigned char)*v > 126)
			return 0;
	return 1;
}

int
smtp_xtext_valid(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '+') {
			if (!isxdigit((unsigned char)s[1]) ||
			    !isxdigit((unsigned char)s[2]) ||
			    islower((unsigned char)s[1]) ||
			    islower((unsigned char)s[2]))
				return 0;
			s += 2;
			continue;
		}
		if ((unsigned char)*s < 33 || (unsigned char)*s > 126 ||
		    *s == '=')
			return 0;
	}
	return 1;
}

int
smtp_parse_mail_params(char *s, int ext, struct smtp_mail_params *mp,
    const char **errp)
{
	char	*k, *v;

	memset(mp, 0, sizeof(*mp));
	while ((k = smtp_next_param(&s, &v)) != NULL) {
		if (!smtp_keyword_valid(k) || (v != NULL &&
		    !smtp_value_valid(v))) {
			*errp = "501 5.5.4 Syntax error in parameters";
			return -1;
		}
		if ((ext & SMTP_P_SIZE) && strcasecmp(k, "SIZE") == 0) {
			if (mp->has_size || v == NULL ||
			    smtp_parse_u64(v, &mp->size) == -1) {
				*errp = "501 5.5.4 Bad SIZE parameter";
				return -1;
			}
			mp->has_size = 1;
		} else if ((ext & SMTP_P_8BITMIME) &&
		    strcasecmp(k, "BODY") == 0) {
			if (mp->body != SMTP_BODY_NONE || v == NULL) {
				*errp = "501 5.5.4 Bad BODY parameter";
				return -1;
			}
			if (strcasecmp(v, "7BIT") == 0)
				mp->body = SMTP_BODY_7BIT;
			else if (strcasecmp(v, "8BITMIME") == 0)
				mp->body = SMTP_BODY_8BITMIME;
			else {
				*errp = "555 5.5.4 Unsupported BODY type";
				return -1;
			}
		} else if ((ext & SMTP_P_SMTPUTF8) &&
		    strcasecmp(k, "SMTPUTF8") == 0) {
			if (mp->smtputf8 || v != NULL) {
				*errp = "501 5.5.4 Bad SMTPUTF8 parameter";
				return -1;
			}
			mp->smtputf8 = 1;
		} else if ((ext & SMTP_P_DSN) && strcasecmp(k, "RET") == 0) {
			if (mp->ret != SMTP_RET_NONE || v == NULL) {
				*errp = "501 5.5.4 Bad RET parameter";
				return -1;
			}
			if (strcasecmp(v, "FULL") == 0)
				mp->ret = SMTP_RET_FULL;
			else if (strcasecmp(v, "HDRS") == 0)
				mp->ret = SMTP_RET_HDRS;
			else {
				*errp = "501 5.5.4 Bad RET parameter";
				return -1;
			}
		} else if ((ext & SMTP_P_DSN) && strcasecmp(k, "ENVID") == 0) {
			if (mp->envid[0] != '\0' || v == NULL ||
			    !smtp_xtext_valid(v) ||
			    strlcpy(mp->envid, v, sizeof(mp->envid)) >=
			    sizeof(mp->envid)) {
				*errp = "501 5.5.4 Bad ENVID parameter";
				return -1;
			}
		} else if ((ext & SMTP_P_AUTH) && strcasecmp(k, "AUTH") == 0) {
			if (mp->auth[0] != '\0' || v == NULL ||
			    !smtp_xtext_valid(v) ||
			    strlcpy(mp->auth, v, sizeof(mp->auth)) >=
			    sizeof(mp->auth)) {
				*errp = "501 5.5.4 Bad AUTH parameter";
				return -1;
			}
		} else {
			*errp = "555 5.5.4 Unsupported MAIL parameter";
			return -1;
		}
	}
	return 0;
}

int
smtp_parse_rcpt_params(char *s, int ext, struct smtp_rcpt_params *rp,
    const char **errp)
{
	char	*k, *v, *item, *semi;
	size_t	 i;

	memset(rp, 0, sizeof(*rp));
	while ((k = smtp_next_param(&s, &v)) != NULL) {
		if (!smtp_keyword_valid(k) || (v != NULL &&
		    !smtp_value_valid(v))) {
			*errp = "501 5.5.4 Syntax error in parameters";
			return -1;
		}
		if ((ext & SMTP_P_DSN) && strcasecmp(k, "NOTIFY") == 0) {
			if (rp->notify != 0 || v == NULL)
				goto badnotify;
			while ((item = strsep(&v, ",")) != NULL) {
				int	 bit;

				if (strcasecmp(item, "NEVER") == 0)
					bit = SMTP_NOTIFY_NEVER;
				else if (strcasecmp(item, "SUCCESS") == 0)
					bit = SMTP_NOTIFY_SUCCESS;
				else if (strcasecmp(item, "FAILURE") == 0)
					bit = SMTP_NOTIFY_FAILURE;
				else if (strcasecmp(item, "DELAY") == 0)
					bit = SMTP_NOTIFY_DELAY;
				else
					goto badnotify;
				if (rp->notify & bit)
					goto badnotify;
				rp->notify |= bit;
			}
			if ((rp->notify & SMTP_NOTIFY_NEVER) &&
			    rp->notify != SMTP_NOTIFY_NEVER)
				goto badnotify;
		} else if ((ext & SMTP_P_DSN) && strcasecmp(k, "ORCPT") == 0) {
			if (rp->orcpt[0] != '\0' || v == NULL ||
			    (semi = strchr(v, ';')) == NULL || semi == v)
				goto badorcpt;
			for (i = 0; v + i < semi; i++)
				if (!isalnum((unsigned char)v[i]) &&
				    v[i] != '-')
					goto badorcpt;
			if (!smtp_xtext_valid(semi + 1) || semi[1] == '\0' ||
			    strlcpy(rp->orcpt, v, sizeof(rp->orcpt)) >=
			    sizeof(rp->orcpt))
				goto badorcpt;
		} else {
			*errp = "555 5.5.4 Unsupported RCPT parameter";
			return -1;
		}
	}
	return 0;
 badnotify:
	*errp = "501 5.5.4 Bad NOTIFY parameter";
	return -1;
 badorcpt:
	*errp = "501 5.5.4 Bad ORCPT parameter";
	return -1;
}

int
smtp_parse_helo(const char *s)
{
	size_t	 len = strlen(s);

	if (len == 0 || len > SMTP_DOMAIN_MAX)
		return -1;
	/* lenient: one token of printable ASCII (clients send junk) */
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 32 || (unsigned char)*s >= 127)
			return -1;
	return 0;
}

int
smtp_addr_format(const struct smtp_addr *a, char *buf, size_t len)
{
	int	 n;

	if (a->domain[0] == '\0')
		n = snprintf(buf, len, "%s", a->local);
	else
		n = snprintf(buf, len, "%s@%s", a->local, a->domain);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

ssize_t
smtp_b64_decode(const char *in, size_t len, unsigned char *out,
    size_t outsz)
{
	static const char	 tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789+/";
	const char		*p;
	uint32_t		 acc = 0;
	size_t			 i, n = 0, pad = 0, bits = 0;

	if (len % 4 != 0)
		return -1;
	for (i = 0; i < len; i++) {
		if (in[i] == '=') {
			if (i < len - 2)
				return -1;
			pad++;
			continue;
		}
		if (pad > 0 || in[i] == '\0' ||
		    (p = strchr(tab, in[i])) == NULL)
			return -1;
		acc = (acc << 6) | (uint32_t)(p - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outsz)
				return -1;
			out[n++] = (acc >> bits) & 0xff;
		}
	}
	if (pad > 2)
		return -1;
	return n;
}

ssize_t
smtp_reply_format(const char *text, char *buf, size_t len)
{
	const char	*line, *nl;
	size_t		 off = 0, ll, i;
	int		 last;

	if (!isdigit((unsigned char)text[0]) || text[0] < '2' ||
	    text[0] > '5' || !isdigit((unsigned char)text[1]) ||
	    !isdigit((unsigned char)text[2]) || (text[3] != '\0' &&
	    text[3] != ' ' && text[3] != '-' && text[3] != '\n'))
		return -1;
	for (line = text;; line = nl + 1) {
		/* a line that repeats the code ("250-x", "250 y") loses it */
		if (strncmp(line, text, 3) == 0 && (line[3] == ' ' ||
		    line[3] == '-' || line[3] == '\n' || line[3] == '\0'))
			line += (line[3] == ' ' || line[3] == '-') ? 4 : 3;
		nl = strchr(line, '\n');
		ll = nl ? (size_t)(nl - line) : strlen(line);
		last = nl == NULL || nl[1] == '\0';
		if (ll > 0 && line[ll - 1] == '\r')
			ll--;
		if (ll > SMTP_REPLY_MAX - 6)
			ll = SMTP_REPLY_MAX - 6;
		if (off + 4 + ll + 2 > len)
			return -1;
		memcpy(buf + off, text, 3);
		buf[off + 3] = last ? ' ' : '-';
		off += 4;
		for (i = 0; i < ll; i++) {
			unsigned char c = line[i];

			buf[off++] = (c < 0x20 || c == 0x7f) ? '?' : c;
		}
		buf[off++] = '\r';
		buf[off++] = '\n';
		if (last)
			break;
	}
	return off;
}

/*
 * The DATA reader.  Lines are split at LF only; a line is a text line
 * when it ends in CRLF, and any other CR or LF is "bare": it dooms the
 * message and the logical line goes on (so a bare LF never starts a
 * line that could be the final dot).
 */
void
smtp_data_init(struct smtp_data *d, size_t textline, uint64_t max_size,
    smtp_data_cb cb, void *arg)
{
	memset(d, 0, sizeof(*d));
	if (textline == 0)
		textline = SMTP_TEXTLINE_DEFAULT;
	if (textline < 3)
		textline = 3;
	if (textline > SMTP_TEXTLINE_HARDMAX)
		textline = SMTP_TEXTLINE_HARDMAX;
	d->textline = textline;
	d->max_size = max_size;
	d->cb = cb;
	d->arg = arg;
	d->inheader = 1;
	d->buf = xmalloc(textline);
}

void
smtp_data_clear(struct smtp_data *d)
{
	free(d->buf);
	memset(d, 0, sizeof(*d));
}

/* Add octets to the partial line: at most textline are kept. */
static void
smtp_data_append(struct smtp_data *d, const char *s, size_t n)
{
	size_t	 room = d->textline - d->buflen;

	if (n == 0)
		return;
	memcpy(d->buf + d->buflen, s, n < room ? n : room);
	d->buflen += n < room ? n : room;
	/* was the octet before the last one a CR? (for a final LF) */
	d->crlf = n >= 2 ? s[n - 2] == '\r' : d->lastcr;
	d->lastcr = s[n - 1] == '\r';
	d->linelen += n;
}

/* One raw line (ending in LF): linelen octets, the first kept in s. */
static void
smtp_data_line(struct smtp_data *d, const char *s, size_t kept)
{
	size_t	 len = d->linelen, cl;
	int	 crlf, mid = d->midline, flags = 0;

	crlf = d->crlf;
	d->linelen = d->buflen = 0;
	d->lastcr = d->crlf = 0;
	if (len > d->textline)
		d->flags |= SMTP_DATA_LONGLINE;
	if (!crlf) {
		/* bare LF: not a line end; the logical line goes on */
		d->flags |= SMTP_DATA_BARE;
		d->midline = 1;
		return;
	}
	d->midline = 0;
	if (!mid && len == 3 && s[0] == '.') {
		d->flags |= SMTP_DATA_DONE;
		return;
	}
	/*
	 * A bare CR inside the content.  An over-long line is only partly
	 * kept and already dooms the message: it is not searched, so that
	 * the verdict never depends on how the input was chunked.
	 */
	cl = len - 2;		/* content: CRLF excluded */
	if (len <= d->textline && cl <= kept && memchr(s, '\r', cl) != NULL)
		d->flags |= SMTP_DATA_BARE;
	if (!mid && s[0] == '.') {	/* dot-unstuffing */
		s++;
		len--;
	}
	d->size += len;
	d->nlines++;
	if (d->max_size > 0 && d->size > d->max_size)
		d->flags |= SMTP_DATA_TOOBIG;
	if (d->flags & SMTP_DATA_DOOMED)
		return;
	if (d->inheader) {
		if (len == 2)
			d->inheader = 0;
		else
			flags |= SMTP_LINE_HEADER;
	}
	if (d->cb != NULL && d->cb(d->arg, s, len, flags) == -1)
		d->flags |= SMTP_DATA_FAILED;
}

size_t
smtp_data_feed(struct smtp_data *d, const char *p, size_t len)
{
	const char	*nl;
	size_t		 off = 0, n;

	d->flags &= ~SMTP_DATA_PAUSE;
	while (off < len && !(d->flags & (SMTP_DATA_DONE | SMTP_DATA_PAUSE))) {
		nl = memchr(p + off, '\n', len - off);
		if (nl == NULL) {
			smtp_data_append(d, p + off, len - off);
			off = len;
			break;
		}
		n = nl - (p + off) + 1;
		if (d->linelen == 0) {
			/* the whole line is here: no copy */
			d->linelen = n;
			d->crlf = n >= 2 && nl[-1] == '\r';
			smtp_data_line(d, p + off, n);
		} else {
			smtp_data_append(d, p + off, n);
			smtp_data_line(d, d->buf, d->buflen);
		}
		off += n;
	}
	return off;
}
