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
 * RFC 5322 header block parsing: see msghdr.h.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msghdr.h"
#include "xmalloc.h"

#define MSGHDR_FEEDING	0
#define MSGHDR_DONE	1
#define MSGHDR_FAILED	2

#define NOFIELD		SIZE_MAX

struct msghdr {
	char			*buf;		/* the block */
	size_t			 len;
	size_t			 cap;
	struct msghdr_field	*fields;
	size_t			 nfields;
	size_t			 fcap;
	size_t			 linestart;	/* the current line */
	size_t			 open;		/* open field's offset */
	size_t			 max_line;
	size_t			 max_total;
	int			 state;
	char			 err[128];
};

static int	msghdr_fail(struct msghdr *, const char *);
static void	msghdr_append(struct msghdr *, const char *, size_t);
static void	msghdr_close(struct msghdr *, size_t, int);
static int	msghdr_line(struct msghdr *);
static int	msghdr_ftext(int);
static size_t	msghdr_skip_cfws(const char *, size_t, size_t);

struct msghdr *
msghdr_new(size_t max_line, size_t max_total)
{
	struct msghdr	*h;

	h = xcalloc(1, sizeof(*h));
	h->max_line = max_line ? max_line : MSGHDR_LINE_MAX;
	h->max_total = max_total ? max_total : MSGHDR_TOTAL_MAX;
	h->open = NOFIELD;
	return h;
}

void
msghdr_free(struct msghdr *h)
{
	if (h == NULL)
		return;
	free(h->buf);
	free(h->fields);
	free(h);
}

void
msghdr_reset(struct msghdr *h)
{
	h->len = 0;
	h->nfields = 0;
	h->linestart = 0;
	h->open = NOFIELD;
	h->state = MSGHDR_FEEDING;
	h->err[0] = '\0';
}

static int
msghdr_fail(struct msghdr *h, const char *why)
{
	h->state = MSGHDR_FAILED;
	(void)strlcpy(h->err, why, sizeof(h->err));
	return -1;
}

static void
msghdr_append(struct msghdr *h, const char *p, size_t n)
{
	size_t	ncap;

	if (n == 0)
		return;
	if (h->len + n > h->cap) {
		ncap = h->cap ? h->cap : 1024;
		while (ncap < h->len + n)
			ncap *= 2;
		h->buf = xreallocarray(h->buf, ncap, 1);
		h->cap = ncap;
	}
	memcpy(h->buf + h->len, p, n);
	h->len += n;
}

static int
msghdr_ftext(int c)
{
	return c >= 33 && c <= 126 && c != ':';
}

/* Close the open field: it ends at offset end. */
static void
msghdr_close(struct msghdr *h, size_t end, int flags)
{
	struct msghdr_field	*f;
	const char		*p;
	size_t			 i, n, colon;

	if (h->open == NOFIELD)
		return;
	if (h->nfields == h->fcap) {
		h->fcap = h->fcap ? h->fcap * 2 : 16;
		h->fields = xreallocarray(h->fields, h->fcap,
		    sizeof(*h->fields));
	}
	f = &h->fields[h->nfields++];
	memset(f, 0, sizeof(*f));
	f->off = h->open;
	f->len = end - h->open;
	f->flags = flags;
	h->open = NOFIELD;

	p = h->buf + f->off;
	n = f->len;
	/* the colon, on the first line */
	for (colon = 0; colon < n && p[colon] != ':' && p[colon] != '\n';
	    colon++)
		;
	if (colon == n || p[colon] != ':') {
		f->flags |= MSGHDR_F_BAD;
		return;
	}
	for (i = colon; i > 0 && (p[i - 1] == ' ' || p[i - 1] == '\t'); i--)
		;
	f->namelen = i;
	while (i-- > 0) {
		if (!msghdr_ftext((unsigned char)p[i])) {
			f->namelen = 0;
			break;
		}
	}
	if (f->namelen == 0) {
		f->flags |= MSGHDR_F_BAD;
		return;
	}
	f->valoff = colon + 1;
}

/* A complete line is in buf[linestart, len): place it. 1 at the end. */
static int
msghdr_line(struct msghdr *h)
{
	const char	*l = h->buf + h->linestart;
	size_t		 n = h->len - h->linestart;

	if ((n == 1 && l[0] == '\n') || (n == 2 && l[0] == '\r' &&
	    l[1] == '\n')) {
		msghdr_close(h, h->linestart, 0);
		h->linestart = h->len;
		h->state = MSGHDR_DONE;
		return 1;
	}
	if (l[0] != ' ' && l[0] != '\t') {
		msghdr_close(h, h->linestart, 0);
		h->open = h->linestart;
	} else if (h->open == NOFIELD)
		h->open = h->linestart;		/* a stray continuation */
	h->linestart = h->len;
	return 0;
}

ssize_t
msghdr_feed(struct msghdr *h, const void *data, size_t len)
{
	const char	*p = data, *nl;
	size_t		 taken = 0, n;

	if (h->state == MSGHDR_FAILED)
		return -1;
	if (h->state == MSGHDR_DONE)
		return 0;
	while (taken < len) {
		nl = memchr(p + taken, '\n', len - taken);
		n = nl ? (size_t)(nl - (p + taken)) + 1 : len - taken;
		if (h->len - h->linestart + n > h->max_line + 2)
			return msghdr_fail(h, "header line too long");
		if (h->len + n > h->max_total)
			return msghdr_fail(h, "header too large");
		msghdr_append(h, p + taken, n);
		taken += n;
		if (nl != NULL && msghdr_line(h))
			break;
	}
	return taken;
}

int
msghdr_finish(struct msghdr *h)
{
	const char	*l;
	size_t		 n;

	if (h->state == MSGHDR_FAILED)
		return -1;
	if (h->state == MSGHDR_DONE)
		return 0;
	n = h->len - h->linestart;
	l = n > 0 ? h->buf + h->linestart : "";
	if (n == 0 || (n == 1 && l[0] == '\r')) {
		msghdr_close(h, h->linestart, 0);
	} else {
		if (l[0] != ' ' && l[0] != '\t') {
			msghdr_close(h, h->linestart, 0);
			h->open = h->linestart;
		} else if (h->open == NOFIELD)
			h->open = h->linestart;
		msghdr_close(h, h->len, MSGHDR_F_NOEOL);
	}
	h->linestart = h->len;
	h->state = MSGHDR_DONE;
	return 0;
}

ssize_t
msghdr_parse(struct msghdr *h, const void *data, size_t len)
{
	ssize_t	n;

	if ((n = msghdr_feed(h, data, len)) == -1)
		return -1;
	if (h->state != MSGHDR_DONE && msghdr_finish(h) == -1)
		return -1;
	return n;
}

int
msghdr_done(const struct msghdr *h)
{
	return h->state == MSGHDR_DONE;
}

const char *
msghdr_error(const struct msghdr *h)
{
	return h->err[0] ? h->err : "no error";
}

const char *
msghdr_block(const struct msghdr *h, size_t *len)
{
	if (len != NULL)
		*len = h->len;
	return h->buf ? h->buf : "";
}

size_t
msghdr_count(const struct msghdr *h)
{
	return h->nfields;
}

const struct msghdr_field *
msghdr_field(const struct msghdr *h, size_t i)
{
	return i < h->nfields ? &h->fields[i] : NULL;
}

const char *
msghdr_raw(const struct msghdr *h, size_t i, size_t *len)
{
	if (i >= h->nfields)
		return NULL;
	*len = h->fields[i].len;
	return h->buf + h->fields[i].off;
}

const char *
msghdr_name(const struct msghdr *h, size_t i, size_t *len)
{
	if (i >= h->nfields)
		return NULL;
	*len = h->fields[i].namelen;
	return h->buf + h->fields[i].off;
}

const char *
msghdr_rawvalue(const struct msghdr *h, size_t i, size_t *len)
{
	const struct msghdr_field	*f;

	if (i >= h->nfields)
		return NULL;
	f = &h->fields[i];
	*len = f->len - f->valoff;
	return h->buf + f->off + f->valoff;
}

char *
msghdr_value(const struct msghdr *h, size_t i)
{
	const char	*v;
	char		*out, *o;
	size_t		 n, k;

	if ((v = msghdr_rawvalue(h, i, &n)) == NULL)
		return NULL;
	o = out = xmalloc(n + 1);
	for (k = 0; k < n; k++) {
		if (v[k] == '\n')
			continue;
		if (v[k] == '\r' && k + 1 < n && v[k + 1] == '\n')
			continue;
		if (v[k] == '\r' && k + 1 == n)
			continue;
		*o++ = v[k];
	}
	while (o > out && (o[-1] == ' ' || o[-1] == '\t'))
		o--;
	*o = '\0';
	for (k = 0; out[k] == ' ' || out[k] == '\t'; k++)
		;
	if (k > 0)
		memmove(out, out + k, (size_t)(o - out) - k + 1);
	return out;
}

int
msghdr_is(const struct msghdr *h, size_t i, const char *name)
{
	const struct msghdr_field	*f;
	size_t				 n = strlen(name);

	if (i >= h->nfields)
		return 0;
	f = &h->fields[i];
	return f->namelen == n && n > 0 &&
	    strncasecmp(h->buf + f->off, name, n) == 0;
}

ssize_t
msghdr_find(const struct msghdr *h, const char *name, int nth)
{
	size_t	i;

	if (nth >= 0) {
		for (i = 0; i < h->nfields; i++)
			if (msghdr_is(h, i, name) && nth-- == 0)
				return i;
	} else {
		for (i = h->nfields; i > 0; i--)
			if (msghdr_is(h, i - 1, name) && ++nth == 0)
				return i - 1;
	}
	return -1;
}

size_t
msghdr_count_name(const struct msghdr *h, const char *name)
{
	size_t	i, n = 0;

	for (i = 0; i < h->nfields; i++)
		if (msghdr_is(h, i, name))
			n++;
	return n;
}

/* Skip a comment that starts at s[i] == '(' (nested, quoted-pairs). */
static size_t
msghdr_skip_cfws(const char *s, size_t i, size_t n)
{
	int	depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n)
			i++;
		else if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

int
msghdr_mailbox(const char *value, char *buf, size_t bufsz)
{
	char	*clean, *p, *start, *end;
	size_t	 n = strlen(value), i, o = 0, len;
	int	 inq = 0, at = 0;

	/* drop comments and line ends, keep quoted strings as they are */
	clean = xmalloc(n + 1);
	for (i = 0; i < n; ) {
		if (inq) {
			if (value[i] == '\\' && i + 1 < n)
				clean[o++] = value[i++];
			else if (value[i] == '"')
				inq = 0;
			clean[o++] = value[i++];
		} else if (value[i] == '(') {
			i = msghdr_skip_cfws(value, i, n);
			clean[o++] = ' ';
		} else if (value[i] == '\r' || value[i] == '\n') {
			i++;
		} else {
			if (value[i] == '"')
				inq = 1;
			clean[o++] = value[i++];
		}
	}
	clean[o] = '\0';

	/* "Name <addr>" or "group: Name <addr>, ...;" */
	start = NULL;
	for (p = clean, inq = 0; *p != '\0'; p++) {
		if (*p == '"')
			inq = !inq;
		else if (*p == '\\' && inq && p[1] != '\0')
			p++;
		else if (!inq && *p == '<') {
			start = p + 1;
			break;
		}
	}
	if (start != NULL) {
		end = strchr(start, '>');
		if (end == NULL)
			end = start + strlen(start);
	} else {
		/* a bare addr-spec, maybe after "group:" */
		start = clean;
		for (p = clean, inq = 0; *p != '\0'; p++) {
			if (*p == '"')
				inq = !inq;
			else if (*p == '\\' && inq && p[1] != '\0')
				p++;
			else if (!inq && *p == ':') {
				start = p + 1;
				break;
			}
		}
		for (p = start, inq = 0; *p != '\0'; p++) {
			if (*p == '"')
				inq = !inq;
			else if (*p == '\\' && inq && p[1] != '\0')
				p++;
			else if (!inq && (*p == ',' || *p == ';'))
				break;
		}
		end = p;
	}
	/* copy it without the whitespace outside quotes */
	len = 0;
	for (p = start, inq = 0; p < end; p++) {
		if (*p == '"')
			inq = !inq;
		if (!inq && (*p == ' ' || *p == '\t'))
			continue;
		if (!inq && *p == '@')
			at = 1;
		if (len + 1 >= bufsz) {
			free(clean);
			return -1;
		}
		buf[len++] = *p;
	}
	free(clean);
	if (bufsz > 0)
		buf[len < bufsz ? len : bufsz - 1] = '\0';
	if (len == 0 || !at || buf[0] == '@' || buf[len - 1] == '@')
		return -1;
	return 0;
}
