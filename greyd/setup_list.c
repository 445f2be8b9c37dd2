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
 * The contents of a black or white list, as spamd-setup reads them: the
 * whole list (plain text or gzip), one entry a line:
 *	192.0.2.0/24		CIDR (host bits masked off; "10/8" too)
 *	192.0.2.0 - 192.0.2.255	a range ("a-b" and "a b" work too)
 *	192.0.2.7		a single address
 *	# comment, blank lines
 * IPv6 is accepted in each form (our addition); IPv4-mapped IPv6
 * (::ffff:192.0.2.7) is taken as the IPv4 it maps, since that is how
 * greyd sees such a client.  Text after an entry
 * and a blank is ignored.  A line that is none of these is counted as
 * bad and skipped.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "addr.h"
#include "compat.h"
#include "xmalloc.h"
#include "setup.h"

static int	list_addrch(int);
static void	list_unmap(struct prefix *);
static int	list_copy(const char *, const char *, char *, size_t);

static int
list_addrch(int c)
{
	return isxdigit((unsigned char)c) || c == '.' || c == ':';
}

/* ::ffff:a.b.c.d/96+n becomes a.b.c.d/n. */
static void
list_unmap(struct prefix *p)
{
	struct addr	a = p->addr;

	if (p->addr.af != AF_INET6 || p->len < 96)
		return;
	addr_unmap(&a);
	if (a.af == AF_INET)
		(void)prefix_set(p, &a, p->len - 96);
}

static int
list_copy(const char *a, const char *e, char *buf, size_t size)
{
	if (e <= a || (size_t)(e - a) >= size)
		return -1;
	memcpy(buf, a, e - a);
	buf[e - a] = '\0';
	return 0;
}

int
setup_parse_line(const char *s, size_t len, struct prefix *out, size_t max)
{
	const char	*p = s, *end = s + len, *a, *ae, *b, *be, *sep, *d;
	char		 abuf[ADDR_STRLEN + 1], bbuf[ADDR_STRLEN + 1];
	char		 pbuf[PREFIX_STRLEN + 1];
	struct addr	 x, y;
	int		 dash = 0, n;

	if (max == 0)
		return -1;
	while (end > p && (end[-1] == '\r' || end[-1] == ' ' ||
	    end[-1] == '\t'))
		end--;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#')
		return 0;

	a = p;
	while (p < end && list_addrch(*p))
		p++;
	ae = p;
	if (list_copy(a, ae, abuf, sizeof(abuf)) == -1)
		return -1;

	if (p < end && *p == '/') {
		d = ++p;
		while (p < end && isdigit((unsigned char)*p))
			p++;
		if (p == d || p - d > 3 ||
		    (p < end && *p != ' ' && *p != '\t'))
			return -1;
		if (snprintf(pbuf, sizeof(pbuf), "%s/%.*s", abuf,
		    (int)(p - d), d) >= (int)sizeof(pbuf))
			return -1;
		if (prefix_parse(pbuf, &out[0], ADDR_LENIENT) == -1)
			return -1;
		list_unmap(&out[0]);
		return 1;
	}

	sep = p;
	while (p < end && (*p == ' ' || *p == '\t' || *p == '-')) {
		if (*p == '-')
			dash = 1;
		p++;
	}
	b = p;
	while (p < end && list_addrch(*p))
		p++;
	be = p;
	if (sep < b && be > b && (be == end || *be == ' ' || *be == '\t') &&
	    list_copy(b, be, bbuf, sizeof(bbuf)) == 0 &&
	    addr_parse(abuf, &x, 0) == 0 && addr_parse(bbuf, &y, 0) == 0) {
		addr_unmap(&x);
		addr_unmap(&y);
		if (x.af != y.af)
			return -1;
		n = addr_range_prefixes(&x, &y, out, max);
		return n <= 0 ? -1 : n;
	}
	if (dash)
		return -1;
	if (ae < end && *ae != ' ' && *ae != '\t')
		return -1;
	if (addr_parse(abuf, &x, 0) == -1)
		return -1;
	addr_unmap(&x);
	if (prefix_set(&out[0], &x, addr_maxlen(x.af)) == -1)
		return -1;
	return 1;
}

void
setup_parse_buf(const char *buf, size_t len, struct prefixset *set,
    struct setup_stats *st)
{
	struct prefix	 pfx[ADDR_RANGE_MAX];
	const char	*line, *nl, *end = buf + len;
	int		 n, i;

	for (line = buf; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', end - line)) == NULL)
			nl = end;
		st->lines++;
		n = setup_parse_line(line, nl - line, pfx, nitems(pfx));
		if (n == 0)
			continue;
		if (n < 0) {
			if (st->bad < nitems(st->firstbad))
				st->firstbad[st->bad] = st->lines;
			st->bad++;
			continue;
		}
		st->entries++;
		for (i = 0; i < n; i++)
			(void)prefixset_add(set, &pfx[i], NULL);
	}
}

int
setup_decode(const void *in, size_t inlen, size_t max, char **outp,
    size_t *outlenp, char *err, size_t errlen)
{
	const unsigned char	*u = in;
	z_stream		 zs;
	char			*out = NULL;
	size_t			 cap = 0, len = 0;
	int			 rv;

	*outp = NULL;
	*outlenp = 0;
	if (inlen < 2 || u[0] != 0x1f || u[1] != 0x8b) {
		if (inlen > max) {
			snprintf(err, errlen, "larger than %zu bytes", max);
			return -1;
		}
		out = xmalloc(inlen + 1);
		memcpy(out, in, inlen);
		out[inlen] = '\0';
		*outp = out;
		*outlenp = inlen;
		return 0;
	}

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
		snprintf(err, errlen, "zlib: inflateInit2 failed");
		return -1;
	}
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = inlen;
	for (;;) {
		if (len == cap) {
			if (cap >= max + 1) {
				snprintf(err, errlen, "gzip: more than %zu "
				    "bytes uncompressed", max);
				goto fail;
			}
			cap = cap ? MINIMUM(cap * 2, max + 1) :
			    MINIMUM(inlen * 4 + 64, max + 1);
			out = xreallocarray(out, cap + 1, 1);
		}
		zs.next_out = (unsigned char *)out + len;
		zs.avail_out = MINIMUM(cap - len, (size_t)UINT32_MAX);
		rv = inflate(&zs, Z_NO_FLUSH);
		len = (char *)zs.next_out - out;
		if (rv == Z_STREAM_END) {
			/* Another member follows, or the end. */
			if (zs.avail_in >= 2 && zs.next_in[0] == 0x1f &&
			    zs.next_in[1] == 0x8b) {
				if (inflateReset(&zs) != Z_OK)
					goto zfail;
				continue;
			}
			break;
		}
		if (rv == Z_BUF_ERROR) {
			snprintf(err, errlen, "gzip: truncated data");
			goto fail;
		}
		if (rv != Z_OK && rv != Z_BUF_ERROR)
			goto zfail;
	}
	if (len > max) {
		snprintf(err, errlen, "gzip: more than %zu bytes "
		    "uncompressed", max);
		goto fail;
	}
	inflateEnd(&zs);
	out[len] = '\0';
	*outp = out;
	*outlenp = len;
	return 0;
 zfail:
	snprintf(err, errlen, "gzip: %s", zs.msg != NULL ? zs.msg :
	    "bad data");
 fail:
	inflateEnd(&zs);
	free(out);
	return -1;
}
