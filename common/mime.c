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

/* The MIME tree of a message in memory: parts are offsets. */

#include <sys/types.h>

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mime.h"
#include "mimedec.h"
#include "msghdr.h"
#include "xmalloc.h"

struct mime {
	const char		*buf;
	size_t			 len;
	struct mime_part	*root;
	size_t			 nparts;
	int			 max_depth;
	int			 max_parts;
	int			 flags;
};

static struct mime_part *part_new(struct mime *, struct mime_part *,
		    size_t, size_t, int);
static void	part_free(struct mime_part *);
static size_t	header_end(const char *, size_t, size_t, int *);
static void	part_header(struct mime *, struct mime_part *, size_t,
		    size_t, int);
static void	part_count(struct mime *, struct mime_part *);
static void	part_children(struct mime *, struct mime_part *);
static void	split_multipart(struct mime *, struct mime_part *,
		    const char *, size_t);
static void	add_part(struct mime *, struct mime_part *, size_t, size_t,
		    int);
static int	delim_match(const char *, size_t, const char *, size_t,
		    int *);
static size_t	line_next(const char *, size_t, size_t);
static void	add_child(struct mime_part *, struct mime_part *);
static int	is_message(const struct mime_part *);

static size_t
line_next(const char *buf, size_t pos, size_t end)
{
	const char	*nl;

	nl = memchr(buf + pos, '\n', end - pos);
	return nl == NULL ? end : (size_t)(nl - buf) + 1;
}

/*
 * Does the line [s, s + n) (line end excluded) delimit boundary b?  Sets
 * *close for "--b--".  The rest of the line must be blanks, so a
 * boundary never matches a longer one that it prefixes.
 */
static int
delim_match(const char *s, size_t n, const char *b, size_t blen, int *close)
{
	size_t	i;

	if (n < blen + 2 || s[0] != '-' || s[1] != '-' ||
	    memcmp(s + 2, b, blen) != 0)
		return 0;
	i = blen + 2;
	*close = 0;
	if (i + 2 <= n && s[i] == '-' && s[i + 1] == '-') {
		*close = 1;
		i += 2;
	}
	for (; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

static void
add_child(struct mime_part *p, struct mime_part *c)
{
	p->child = xreallocarray(p->child, p->nchild + 1, sizeof(*p->child));
	p->child[p->nchild++] = c;
	c->parent = p;
}

/*
 * Where the header starting at off ends (end: the part's end): after its
 * blank line, or at the first line that is neither a field nor a
 * continuation (MIME_F_NOSEP), or at end (MIME_F_NOSEP).
 */
static size_t
header_end(const char *buf, size_t off, size_t end, int *flags)
{
	size_t	pos = off, next, i, j;
	int	infield = 0;

	while (pos < end) {
		next = line_next(buf, pos, end);
		if (buf[pos] == '\n' || (buf[pos] == '\r' && pos + 1 < end &&
		    buf[pos + 1] == '\n'))
			return next;
		if (buf[pos] == ' ' || buf[pos] == '\t') {
			if (!infield)
				break;
			pos = next;
			continue;
		}
		/* a field name: printable ASCII but ':', then WSP, ':' */
		for (i = pos; i < next && (unsigned char)buf[i] > ' ' &&
		    (unsigned char)buf[i] < 0x7f && buf[i] != ':'; i++)
			;
		j = i;
		while (j < next && (buf[j] == ' ' || buf[j] == '\t'))
			j++;
		if (i == pos || j == next || buf[j] != ':') {
			/* an mbox "From " line on top stays in the header */
			if (pos != 0 || next - pos < 5 ||
			    memcmp(buf, "From ", 5) != 0)
				break;
		}
		infield = 1;
		pos = next;
	}
	*flags |= MIME_F_NOSEP;
	return pos;
}

static struct mime_part *
part_new(struct mime *m, struct mime_part *parent, size_t off, size_t end,
    int digest)
{
	struct mime_part	*p;

	p = xcalloc(1, sizeof(*p));
	m->nparts++;
	p->depth = parent == NULL ? 0 : parent->depth + 1;
	if (parent != NULL)
		add_child(parent, p);
	p->off = off;
	part_header(m, p, off, end, digest);
	return p;
}

/* The part's header: fields, type, encoding, disposition; body range. */
static void
part_header(struct mime *m, struct mime_part *p, size_t off, size_t end,
    int digest)
{
	const char	*v;
	char		*val, *enc;
	size_t		 hend, n, i;
	ssize_t		 idx;

	hend = header_end(m->buf, off, end, &p->flags);
	p->bodyoff = hend;
	p->bodylen = end - hend;
	p->hdr = msghdr_new(hend - off + 2, hend - off + 2);
	/*
	 * An empty header is not parsed: msghdr_finish() on nothing does
	 * pointer arithmetic on NULL (reported to msghdr's owner).
	 */
	if (hend > off &&
	    msghdr_parse(p->hdr, m->buf + off, hend - off) == -1)
		msghdr_reset(p->hdr);	/* not within these limits */
	if ((idx = msghdr_find(p->hdr, "Content-Type", -1)) != -1) {
		val = msghdr_value(p->hdr, idx);
		mime_ctype_parse(val, strlen(val), &p->ct);
		free(val);
	}
	if ((idx = msghdr_find(p->hdr, "Content-Disposition", -1)) != -1) {
		val = msghdr_value(p->hdr, idx);
		mime_ctype_parse(val, strlen(val), &p->disp);
		free(val);
	}
	if ((idx = msghdr_find(p->hdr, "Content-Transfer-Encoding", -1)) !=
	    -1) {
		val = msghdr_value(p->hdr, idx);
		v = val;
		while (*v == ' ' || *v == '\t')
			v++;
		n = strcspn(v, " \t;(");
		if (n > 0) {
			enc = xstrndup(v, n);
			for (i = 0; i < n; i++)
				enc[i] = tolower((unsigned char)enc[i]);
			p->encname = xstrndup(v, n);
			if (strcmp(enc, "7bit") == 0)
				p->enc = MIME_ENC_7BIT;
			else if (strcmp(enc, "8bit") == 0)
				p->enc = MIME_ENC_8BIT;
			else if (strcmp(enc, "binary") == 0)
				p->enc = MIME_ENC_BINARY;
			else if (strcmp(enc, "quoted-printable") == 0)
				p->enc = MIME_ENC_QP;
			else if (strcmp(enc, "base64") == 0)
				p->enc = MIME_ENC_BASE64;
			else
				p->enc = MIME_ENC_OTHER;
			free(enc);
		}
		free(val);
	}
	if (p->ct.type == NULL || p->ct.subtype == NULL) {
		p->flags |= MIME_F_DEFTYPE;
		p->type = digest ? "message" : "text";
		p->subtype = digest ? "rfc822" : "plain";
	} else if (strcmp(p->ct.type, "multipart") == 0 &&
	    mime_ctype_param(&p->ct, "boundary") == NULL) {
		p->flags |= MIME_F_BADTYPE;
		p->type = "text";
		p->subtype = "plain";
	} else {
		p->type = p->ct.type;
		p->subtype = p->ct.subtype;
	}
}

/* LF and bare-LF counts of the body. */
static void
part_count(struct mime *m, struct mime_part *p)
{
	const char	*s = m->buf + p->bodyoff, *e = s + p->bodylen, *nl;

	p->lines = p->barelf = 0;
	while (s < e && (nl = memchr(s, '\n', e - s)) != NULL) {
		p->lines++;
		if (nl == m->buf + p->bodyoff || nl[-1] != '\r')
			p->barelf++;
		s = nl + 1;
	}
}

/* A child part of p over [start, end), and its own children. */
static void
add_part(struct mime *m, struct mime_part *p, size_t start, size_t end,
    int digest)
{
	struct mime_part	*c;

	if (m->nparts >= (size_t)m->max_parts) {
		m->flags |= MIME_F_LIMIT;
		return;
	}
	c = part_new(m, p, start, end, digest);
	part_count(m, c);
	part_children(m, c);
}

/*
 * Splits a multipart's body into parts.  The enclosing multiparts have
 * already cut the body at their own delimiters.
 */
static void
split_multipart(struct mime *m, struct mime_part *p, const char *b,
    size_t blen)
{
	size_t	pos, end, next, n, start = 0, cend;
	int	close, open = 0, digest;

	digest = strcmp(p->subtype, "digest") == 0;
	pos = p->bodyoff;
	end = p->bodyoff + p->bodylen;
	for (; pos < end; pos = next) {
		next = line_next(m->buf, pos, end);
		n = next - pos;
		if (n > 0 && m->buf[next - 1] == '\n')
			n--;
		if (m->buf[pos] != '-' ||
		    !delim_match(m->buf + pos, n, b, blen, &close))
			continue;
		if (open) {
			/* the line end before a delimiter is the delimiter's */
			cend = pos;
			if (cend > start && m->buf[cend - 1] == '\n')
				cend--;
			if (cend > start && m->buf[cend - 1] == '\r')
				cend--;
			add_part(m, p, start, cend, digest);
		}
		if (close)
			return;
		open = 1;
		start = next;
	}
	p->flags |= MIME_F_NOEND;
	if (open)
		add_part(m, p, start, end, digest);
	else {
		/* no delimiter at all: the whole body is one part */
		p->flags |= MIME_F_NOPARTS;
		add_part(m, p, p->bodyoff, end, digest);
	}
}

/* Children of a multipart or an encapsulated message, within limits. */
static void
part_children(struct mime *m, struct mime_part *p)
{
	const char	*b;

	if (strcmp(p->type, "multipart") == 0) {
		if (p->depth >= m->max_depth) {
			p->flags |= MIME_F_LIMIT;
			m->flags |= MIME_F_LIMIT;
			return;
		}
		b = mime_ctype_param(&p->ct, "boundary");
		split_multipart(m, p, b, strlen(b));
		return;
	}
	if (strcmp(p->type, "message") == 0 &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	    strcmp(p->subtype, "global") == 0) &&
	    p->enc != MIME_ENC_BASE64 && p->enc != MIME_ENC_QP &&
	    p->bodylen > 0) {
		if (p->depth >= m->max_depth ||
		    m->nparts >= (size_t)m->max_parts) {
			p->flags |= MIME_F_LIMIT;
			m->flags |= MIME_F_LIMIT;
			return;
		}
		add_part(m, p, p->bodyoff, p->bodyoff + p->bodylen, 0);
	}
}

struct mime *
mime_parse(const char *buf, size_t len, const struct mime_limits *lim)
{
	struct mime	*m;

	m = xcalloc(1, sizeof(*m));
	m->buf = buf;
	m->len = len;
	m->max_depth = lim != NULL && lim->max_depth > 0 ? lim->max_depth :
	    MIME_DEPTH_MAX;
	m->max_parts = lim != NULL && lim->max_parts > 0 ? lim->max_parts :
	    MIME_PARTS_MAX;
	m->root = part_new(m, NULL, 0, len, 0);
	part_count(m, m->root);
	part_children(m, m->root);
	return m;
}

static void
part_free(struct mime_part *p)
{
	size_t	i;

	if (p == NULL)
		return;
	for (i = 0; i < p->nchild; i++)
		part_free(p->child[i]);
	free(p->child);
	msghdr_free(p->hdr);
	mime_ctype_clear(&p->ct);
	mime_ctype_clear(&p->disp);
	free(p->encname);
	free(p);
}

void
mime_free(struct mime *m)
{
	if (m == NULL)
		return;
	part_free(m->root);
	free(m);
}

const struct mime_part *
mime_root(const struct mime *m)
{
	return m->root;
}

int
mime_flags(const struct mime *m)
{
	return m->flags;
}

size_t
mime_nparts(const struct mime *m)
{
	return m->nparts;
}

const struct mime_part *
mime_next(const struct mime_part *p)
{
	const struct mime_part	*c = p, *up;
	size_t			 i;

	if (p->nchild > 0)
		return p->child[0];
	for (; (up = c->parent) != NULL; c = up) {
		for (i = 0; i < up->nchild; i++)
			if (up->child[i] == c)
				break;
		if (i + 1 < up->nchild)
			return up->child[i + 1];
	}
	return NULL;
}

static int
is_message(const struct mime_part *p)
{
	return strcmp(p->type, "message") == 0 && p->nchild == 1 &&
	    (strcmp(p->subtype, "rfc822") == 0 ||
	    strcmp(p->subtype, "global") == 0);
}

const struct mime_part *
mime_section(const struct mime *m, const char *spec)
{
	const struct mime_part	*cur = m->root;
	const char		*s = spec;
	char			*end;
	unsigned long		 k;
	int			 inmsg = 1;

	if (*s == '\0')
		return NULL;
	while (*s != '\0') {
		if (*s < '1' || *s > '9')
			return NULL;
		k = strtoul(s, &end, 10);
		if (*end != '\0' && *end != '.')
			return NULL;
		if (strcmp(cur->type, "multipart") == 0 && cur->nchild > 0) {
			if (k > cur->nchild)
				return NULL;
			cur = cur->child[k - 1];
		} else if (!inmsg || k != 1)
			return NULL;
		inmsg = 0;
		s = end;
		if (*s == '.') {
			s++;
			if (*s == '\0')
				return NULL;
			if (is_message(cur)) {
				cur = cur->child[0];
				inmsg = 1;
			}
		}
	}
	return cur;
}

const char *
mime_buf(const struct mime *m, size_t *len)
{
	*len = m->len;
	return m->buf;
}

const char *
mime_body(const struct mime *m, const struct mime_part *p, size_t *len)
{
	*len = p->bodylen;
	return m->buf + p->bodyoff;
}

const char *
mime_param(const struct mime_part *p, const char *name)
{
	return mime_ctype_param(&p->ct, name);
}

const char *
mime_filename(const struct mime_part *p)
{
	const char	*v;

	if ((v = mime_ctype_param(&p->disp, "filename")) != NULL)
		return v;
	return mime_ctype_param(&p->ct, "name");
}

int
mime_decode(const struct mime *m, const struct mime_part *p,
    struct mimebuf *out, int flags)
{
	struct mimebuf	 tmp, *dst;
	const char	*body, *cs, *s;
	size_t		 len, i;
	int		 f = 0, text;

	body = mime_body(m, p, &len);
	text = strcmp(p->type, "text") == 0;
	mimebuf_init(&tmp);
	dst = text && (flags & (MIME_DEC_UTF8 | MIME_DEC_LF)) ? &tmp : out;
	switch (p->enc) {
	case MIME_ENC_BASE64:
		mime_b64_decode(dst, body, len, &f);
		break;
	case MIME_ENC_QP:
		mime_qp_decode(dst, body, len, &f);
		break;
	default:
		mimebuf_add(dst, body, len);
		break;
	}
	if (dst == out)
		return f;
	if (flags & MIME_DEC_LF) {
		/* CRLF to LF, in place */
		s = tmp.buf;
		for (i = 0, len = 0; i < tmp.len; i++) {
			if (s[i] == '\r' && i + 1 < tmp.len && s[i + 1] == '\n')
				continue;
			tmp.buf[len++] = s[i];
		}
		tmp.len = len;
		if (tmp.buf != NULL)
			tmp.buf[len] = '\0';
	}
	if (flags & MIME_DEC_UTF8) {
		if ((cs = mime_param(p, "charset")) == NULL || *cs == '\0')
			cs = "us-ascii";
		mime_charset_to_utf8(out, cs, tmp.buf, tmp.len, &f);
	} else
		mimebuf_add(out, tmp.buf, tmp.len);
	mimebuf_free(&tmp);
	return f;
}
