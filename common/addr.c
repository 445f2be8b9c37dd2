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

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "compat.h"
#include "xmalloc.h"

struct pt_node {
	struct pt_node	*child[2];
	struct pt_node	*parent;
	struct prefix	 p;
	void		*data;
	int		 used;		/* 0: branching (glue) node */
};

struct prefixset {
	struct pt_node	*root[2];	/* [0] IPv4, [1] IPv6 */
	size_t		 count[2];
};

struct range {
	struct addr	 lo;
	struct addr	 hi;
};

struct rangelist {
	struct range	*r;
	size_t		 n;
	size_t		 cap;
};

static int	 is_digit(int);
static int	 is_blank(int);
static int	 hexval(int);
static int	 parse_v4(const char *, uint8_t *, int);
static int	 parse_v6(const char *, uint8_t *);
static int	 parse_any(const char *, struct addr *, int);
static int	 trim(const char *, int, char *, size_t);
static int	 addr_bit(const struct addr *, int);
static int	 addr_diffbit(const struct addr *, const struct addr *, int);
static int	 addr_inc(struct addr *);
static void	 addr_dec(struct addr *);
static int	 addr_tz(const struct addr *);
static int	 fam(int);
static size_t	*cnt(struct prefixset *, const struct prefix *);
static struct pt_node *pt_new(const struct prefix *, int);
static void	 pt_replace(struct prefixset *, struct pt_node *,
		    struct pt_node *);
static struct pt_node *pt_find(const struct prefixset *,
		    const struct prefix *);
static void	 pt_free(struct pt_node *);
static int	 pt_walk(const struct pt_node *, prefixset_cb, void *);
static void	 rl_add(struct rangelist *, const struct addr *,
		    const struct addr *);
static void	 rl_collect(const struct pt_node *, struct rangelist *);
static void	 rl_subtract(const struct rangelist *,
		    const struct rangelist *, struct rangelist *);
static void	 rl_load(struct prefixset *, int, const struct rangelist *);
static int	 array_cb(const struct prefix *, void *, void *);

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Dotted decimal IPv4 into out[4].  short_ok allows 1 to 3 octets
 * (the rest zero).  No leading zeros, nothing after the last octet.
 */
static int
parse_v4(const char *s, uint8_t *out, int short_ok)
{
	unsigned int	 v;
	int		 n = 0, digits;

	memset(out, 0, 4);
	for (;;) {
		if (!is_digit((unsigned char)*s))
			return -1;
		if (*s == '0' && is_digit((unsigned char)s[1]))
			return -1;
		v = 0;
		for (digits = 0; is_digit((unsigned char)*s); s++) {
			if (++digits > 3)
				return -1;
			v = v * 10 + (*s - '0');
		}
		if (v > 255)
			return -1;
		out[n++] = v;
		if (*s == '\0')
			break;
		if (*s != '.' || n == 4)
			return -1;
		s++;
	}
	if (n != 4 && !short_ok)
		return -1;
	return 0;
}

static int
parse_v6(const char *s, uint8_t *out)
{
	uint16_t	 w[8];
	uint8_t		 v4[4];
	int		 n = 0, dcolon = -1, digits, h, i, move;
	unsigned int	 v;

	memset(w, 0, sizeof(w));
	if (s[0] == ':') {
		if (s[1] != ':')
			return -1;
		dcolon = 0;
		s += 2;
	}
	while (*s != '\0') {
		v = 0;
		for (digits = 0; (h = hexval((unsigned char)s[digits])) != -1;
		    digits++) {
			if (digits == 4)
				return -1;
			v = (v << 4) | h;
		}
		if (s[digits] == '.') {
			/* Dotted IPv4 in the last 32 bits. */
			if (n > 6 || parse_v4(s, v4, 0) == -1)
				return -1;
			w[n++] = (v4[0] << 8) | v4[1];
			w[n++] = (v4[2] << 8) | v4[3];
			break;
		}
		if (digits == 0 || n == 8)
			return -1;
		w[n++] = v;
		s += digits;
		if (*s == '\0')
			break;
		if (*s != ':')
			return -1;
		s++;
		if (*s == ':') {
			if (dcolon != -1)
				return -1;
			dcolon = n;
			s++;
		} else if (*s == '\0')
			return -1;
	}
	if (dcolon != -1) {
		if (n > 7)
			return -1;
		move = n - dcolon;
		for (i = 0; i < move; i++)
			w[7 - i] = w[n - 1 - i];
		for (i = dcolon; i < 8 - move; i++)
			w[i] = 0;
	} else if (n != 8)
		return -1;
	for (i = 0; i < 8; i++) {
		out[2 * i] = w[i] >> 8;
		out[2 * i + 1] = w[i] & 0xff;
	}
	return 0;
}

static int
parse_any(const char *s, struct addr *a, int short_v4)
{
	memset(a, 0, sizeof(*a));
	if (strchr(s, ':') != NULL) {
		if (parse_v6(s, a->u.b) == -1)
			return -1;
		a->af = AF_INET6;
		return 0;
	}
	if (parse_v4(s, a->u.b, short_v4) == -1)
		return -1;
	a->af = AF_INET;
	return 0;
}

/* Copy s into buf, without surrounding blanks if lenient. */
static int
trim(const char *s, int lenient, char *buf, size_t bufsz)
{
	size_t	len;

	if (lenient)
		while (is_blank((unsigned char)*s))
			s++;
	len = strlen(s);
	if (lenient)
		while (len > 0 && is_blank((unsigned char)s[len - 1]))
			len--;
	if (len >= bufsz)
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return 0;
}

int
addr_parse(const char *s, struct addr *a, int flags)
{
	char	buf[64];

	if (trim(s, flags & ADDR_LENIENT, buf, sizeof(buf)) == -1)
		return -1;
	return parse_any(buf, a, 0);
}

int
prefix_parse(const char *s, struct prefix *p, int flags)
{
	struct addr	 a, m;
	char		 buf[64], *slash, *q;
	int		 len, max;

	if (trim(s, flags & ADDR_LENIENT, buf, sizeof(buf)) == -1)
		return -1;
	memset(p, 0, sizeof(*p));
	if ((slash = strchr(buf, '/')) == NULL) {
		if (parse_any(buf, &a, 0) == -1)
			return -1;
		p->addr = a;
		p->len = addr_maxlen(a.af);
		return 0;
	}
	*slash = '\0';
	q = slash + 1;
	if (!is_digit((unsigned char)*q) ||
	    (*q == '0' && q[1] != '\0'))
		return -1;
	for (len = 0; is_digit((unsigned char)*q); q++) {
		len = len * 10 + (*q - '0');
		if (len > 128)
			return -1;
	}
	if (*q != '\0')
		return -1;
	if (parse_any(buf, &a, flags & ADDR_LENIENT) == -1)
		return -1;
	max = addr_maxlen(a.af);
	if (len > max)
		return -1;
	m = a;
	addr_mask(&m, len);
	if (addr_cmp(&m, &a) != 0 && !(flags & ADDR_LENIENT))
		return -1;
	p->addr = m;
	p->len = len;
	return 0;
}

int
addr_range_parse(const char *s, struct prefix *out, size_t max, int flags)
{
	struct addr	 lo, hi;
	char		 buf[128], *dash, *r;
	size_t		 n;

	if (trim(s, flags & ADDR_LENIENT, buf, sizeof(buf)) == -1)
		return -1;
	if (flags & ADDR_LENIENT) {
		/* As spamd-setup: any run of blanks and dashes between. */
		n = strcspn(buf, " \t-");
		if (buf[n] == '\0')
			return -1;
		r = buf + n + strspn(buf + n, " \t-");
		buf[n] = '\0';
	} else {
		if ((dash = strchr(buf, '-')) == NULL)
			return -1;
		r = dash + 1;
		for (*dash = '\0'; dash > buf &&
		    (dash[-1] == ' ' || dash[-1] == '\t'); dash--)
			dash[-1] = '\0';
		while (*r == ' ' || *r == '\t')
			r++;
	}
	if (parse_any(buf, &lo, 0) == -1 || parse_any(r, &hi, 0) == -1)
		return -1;
	return addr_range_prefixes(&lo, &hi, out, max);
}

int
addr_range_prefixes(const struct addr *lo, const struct addr *hi,
    struct prefix *out, size_t max)
{
	struct addr	 cur, last;
	struct prefix	 p;
	int		 w, len, n = 0;

	if (lo->af != hi->af || (w = addr_maxlen(lo->af)) == -1 ||
	    addr_cmp(lo, hi) > 0)
		return -1;
	cur = *lo;
	for (;;) {
		for (len = w - addr_tz(&cur); ; len++) {
			prefix_set(&p, &cur, len);
			prefix_last(&p, &last);
			if (addr_cmp(&last, hi) <= 0)
				break;
		}
		if ((size_t)n >= max)
			return -1;
		out[n++] = p;
		if (addr_cmp(&last, hi) == 0)
			break;
		cur = last;
		addr_inc(&cur);
	}
	return n;
}

const char *
addr_ntop(const struct addr *a, char *buf, size_t bufsz)
{
	char		 tmp[ADDR_STRLEN], *t = tmp;
	const uint8_t	*b = a->u.b;
	unsigned int	 w[8];
	int		 i, j, bs = -1, bl = 0, r;
	size_t		 left = sizeof(tmp);

	if (bufsz > 0)
		buf[0] = '\0';
	tmp[0] = '\0';
	if (a->af == AF_INET) {
		r = snprintf(tmp, sizeof(tmp), "%u.%u.%u.%u",
		    b[0], b[1], b[2], b[3]);
		if (r < 0 || (size_t)r >= sizeof(tmp))
			return NULL;
	} else if (a->af == AF_INET6) {
		for (i = 0; i < 8; i++)
			w[i] = (b[2 * i] << 8) | b[2 * i + 1];
		if (w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 &&
		    w[4] == 0 && w[5] == 0xffff) {
			r = snprintf(tmp, sizeof(tmp), "::ffff:%u.%u.%u.%u",
			    b[12], b[13], b[14], b[15]);
			if (r < 0 || (size_t)r >= sizeof(tmp))
				return NULL;
		} else {
			for (i = 0; i < 8; i++) {
				for (j = i; j < 8 && w[j] == 0; j++)
					;
				if (j - i >= 2 && j - i > bl) {
					bs = i;
					bl = j - i;
				}
				if (j > i)
					i = j - 1;
			}
			for (i = 0; i < 8; ) {
				if (i == bs) {
					r = snprintf(t, left, "::");
					i += bl;
				} else {
					r = snprintf(t, left, "%s%x",
					    (i > 0 && i != bs + bl) ? ":" : "",
					    w[i]);
					i++;
				}
				if (r < 0 || (size_t)r >= left)
					return NULL;
				t += r;
				left -= r;
			}
		}
	} else
		return NULL;
	if (strlcpy(buf, tmp, bufsz) >= bufsz) {
		if (bufsz > 0)
			buf[0] = '\0';
		return NULL;
	}
	return buf;
}

const char *
prefix_ntop(const struct prefix *p, char *buf, size_t bufsz)
{
	char	tmp[ADDR_STRLEN];
	int	r;

	if (bufsz > 0)
		buf[0] = '\0';
	if (addr_ntop(&p->addr, tmp, sizeof(tmp)) == NULL)
		return NULL;
	r = snprintf(buf, bufsz, "%s/%d", tmp, p->len);
	if (r < 0 || (size_t)r >= bufsz) {
		if (bufsz > 0)
			buf[0] = '\0';
		return NULL;
	}
	return buf;
}

int
addr_cmp(const struct addr *a, const struct addr *b)
{
	int	r;

	if (a->af != b->af)
		return a->af == AF_INET ? -1 : (b->af == AF_INET ? 1 :
		    (a->af < b->af ? -1 : 1));
	r = memcmp(a->u.b, b->u.b, sizeof(a->u.b));
	return r < 0 ? -1 : r > 0;
}

int
prefix_cmp(const struct prefix *a, const struct prefix *b)
{
	int	r;

	if ((r = addr_cmp(&a->addr, &b->addr)) != 0)
		return r;
	return a->len < b->len ? -1 : a->len > b->len;
}

int
addr_maxlen(int af)
{
	if (af == AF_INET)
		return 32;
	if (af == AF_INET6)
		return 128;
	return -1;
}

void
addr_mask(struct addr *a, int len)
{
	int	i, w = addr_maxlen(a->af);

	if (w == -1)
		w = 128;
	if (len < 0)
		len = 0;
	if (len > w)
		len = w;
	for (i = len / 8; i < 16; i++) {
		if (i == len / 8 && (len % 8) != 0)
			a->u.b[i] &= 0xff << (8 - len % 8);
		else
			a->u.b[i] = 0;
	}
}

int
prefix_set(struct prefix *p, const struct addr *a, int len)
{
	int	w = addr_maxlen(a->af);

	if (w == -1 || len < 0 || len > w)
		return -1;
	memset(p, 0, sizeof(*p));
	p->addr = *a;
	addr_mask(&p->addr, len);
	p->len = len;
	return 0;
}

int
prefix_contains(const struct prefix *p, const struct addr *a)
{
	if (p->addr.af != a->af)
		return 0;
	return addr_diffbit(&p->addr, a, p->len) == p->len;
}

int
prefix_contains_prefix(const struct prefix *p, const struct prefix *in)
{
	if (p->addr.af != in->addr.af || in->len < p->len)
		return 0;
	return addr_diffbit(&p->addr, &in->addr, p->len) == p->len;
}

void
prefix_first(const struct prefix *p, struct addr *a)
{
	*a = p->addr;
	addr_mask(a, p->len);
}

void
prefix_last(const struct prefix *p, struct addr *a)
{
	int	i, w = addr_maxlen(p->addr.af);

	*a = p->addr;
	if (w == -1)
		return;
	for (i = p->len; i < w && i % 8 != 0; i++)
		a->u.b[i / 8] |= 0x80 >> (i % 8);
	for (; i < w; i += 8)
		a->u.b[i / 8] = 0xff;
}

static const uint8_t	v4mapped[12] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

void
addr_unmap(struct addr *a)
{
	uint8_t	v4[4];

	if (a->af != AF_INET6 || memcmp(a->u.b, v4mapped, 12) != 0)
		return;
	memcpy(v4, a->u.b + 12, 4);
	memset(a, 0, sizeof(*a));
	a->af = AF_INET;
	memcpy(a->u.b, v4, 4);
}

int
addr_from_sockaddr(struct addr *a, in_port_t *port, const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(a, 0, sizeof(*a));
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		a->af = AF_INET;
		memcpy(a->u.b, &sin->sin_addr, 4);
		if (port != NULL)
			*port = ntohs(sin->sin_port);
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		if (memcmp(sin6->sin6_addr.s6_addr, v4mapped, 12) == 0) {
			a->af = AF_INET;
			memcpy(a->u.b, sin6->sin6_addr.s6_addr + 12, 4);
		} else {
			a->af = AF_INET6;
			memcpy(a->u.b, sin6->sin6_addr.s6_addr, 16);
		}
		if (port != NULL)
			*port = ntohs(sin6->sin6_port);
		return 0;
	}
	return -1;
}

socklen_t
addr_to_sockaddr(const struct addr *a, in_port_t port,
    struct sockaddr_storage *ss)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	memset(ss, 0, sizeof(*ss));
	if (a->af == AF_INET) {
		sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->u.b, 4);
		return sizeof(*sin);
	}
	sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->u.b, 16);
	return sizeof(*sin6);
}

static int
addr_bit(const struct addr *a, int i)
{
	return (a->u.b[i >> 3] >> (7 - (i & 7))) & 1;
}

/* Index of the first bit where a and b differ, at most limit. */
static int
addr_diffbit(const struct addr *a, const struct addr *b, int limit)
{
	int	i, bit;
	uint8_t	x;

	for (i = 0; i * 8 < limit; i++) {
		if ((x = a->u.b[i] ^ b->u.b[i]) == 0)
			continue;
		for (bit = i * 8; !(x & 0x80); x <<= 1)
			bit++;
		return bit < limit ? bit : limit;
	}
	return limit;
}

/* a + 1; -1 (and a wrapped to zero) on overflow. */
static int
addr_inc(struct addr *a)
{
	int	i = addr_maxlen(a->af) / 8 - 1;

	for (; i >= 0; i--)
		if (++a->u.b[i] != 0)
			return 0;
	return -1;
}

/* a - 1; a must not be zero. */
static void
addr_dec(struct addr *a)
{
	int	i = addr_maxlen(a->af) / 8 - 1;

	for (; i >= 0; i--)
		if (a->u.b[i]-- != 0)
			return;
}

/* Number of trailing zero bits, at most the address width. */
static int
addr_tz(const struct addr *a)
{
	int	i, w = addr_maxlen(a->af), n = 0;
	uint8_t	x;

	for (i = w / 8 - 1; i >= 0; i--) {
		if ((x = a->u.b[i]) == 0) {
			n += 8;
			continue;
		}
		while (!(x & 1)) {
			n++;
			x >>= 1;
		}
		break;
	}
	return n;
}

static int
fam(int af)
{
	return af == AF_INET6;
}

static size_t *
cnt(struct prefixset *s, const struct prefix *p)
{
	return &s->count[fam(p->addr.af)];
}

struct prefixset *
prefixset_new(void)
{
	return xcalloc(1, sizeof(struct prefixset));
}

static void
pt_free(struct pt_node *n)
{
	if (n == NULL)
		return;
	pt_free(n->child[0]);
	pt_free(n->child[1]);
	free(n);
}

void
prefixset_clear(struct prefixset *s)
{
	pt_free(s->root[0]);
	pt_free(s->root[1]);
	s->root[0] = s->root[1] = NULL;
	s->count[0] = s->count[1] = 0;
}

void
prefixset_free(struct prefixset *s)
{
	if (s == NULL)
		return;
	prefixset_clear(s);
	free(s);
}

size_t
prefixset_count(const struct prefixset *s)
{
	return s->count[0] + s->count[1];
}

static struct pt_node *
pt_new(const struct prefix *p, int used)
{
	struct pt_node	*n;

	n = xcalloc(1, sizeof(*n));
	n->p = *p;
	n->used = used;
	return n;
}

/* Put new where old is, in old's parent or as the root. */
static void
pt_replace(struct prefixset *s, struct pt_node *old, struct pt_node *new)
{
	struct pt_node	*parent = old->parent;

	if (new != NULL)
		new->parent = parent;
	if (parent == NULL)
		s->root[fam(old->p.addr.af)] = new;
	else if (parent->child[0] == old)
		parent->child[0] = new;
	else
		parent->child[1] = new;
}

int
prefixset_add(struct prefixset *s, const struct prefix *in, void *data)
{
	struct pt_node	*node, *new, *glue, *next;
	struct prefix	 p, gp;
	int		 w, differ, check, b;

	if ((w = addr_maxlen(in->addr.af)) == -1 || prefix_set(&p,
	    &in->addr, in->len) == -1)
		return -1;
	if ((node = s->root[fam(p.addr.af)]) == NULL) {
		node = pt_new(&p, 1);
		node->data = data;
		s->root[fam(p.addr.af)] = node;
		(*cnt(s, &p))++;
		return 1;
	}
	/* Walk down to the closest stored node. */
	while (node->p.len < p.len || !node->used) {
		b = node->p.len < w ? addr_bit(&p.addr, node->p.len) : 0;
		if ((next = node->child[b]) == NULL)
			break;
		node = next;
	}
	check = MINIMUM(node->p.len, p.len);
	differ = addr_diffbit(&node->p.addr, &p.addr, check);
	/* Back up to the node where the new prefix branches off. */
	while (node->parent != NULL && node->parent->p.len >= differ)
		node = node->parent;
	if (differ == p.len && node->p.len == p.len) {
		if (!node->used) {
			node->used = 1;
			(*cnt(s, &p))++;
			node->data = data;
			return 1;
		}
		node->data = data;
		return 0;
	}
	new = pt_new(&p, 1);
	new->data = data;
	(*cnt(s, &p))++;
	if (node->p.len == differ) {
		/* The new prefix hangs below node. */
		b = node->p.len < w ? addr_bit(&p.addr, node->p.len) : 0;
		new->parent = node;
		node->child[b] = new;
		return 1;
	}
	if (p.len == differ) {
		/* The new prefix goes above node. */
		b = addr_bit(&node->p.addr, p.len);
		pt_replace(s, node, new);
		new->child[b] = node;
		node->parent = new;
		return 1;
	}
	/* They split at bit differ: a glue node holds both. */
	prefix_set(&gp, &p.addr, differ);
	glue = pt_new(&gp, 0);
	pt_replace(s, node, glue);
	b = addr_bit(&p.addr, differ);
	glue->child[b] = new;
	glue->child[!b] = node;
	new->parent = glue;
	node->parent = glue;
	return 1;
}

static struct pt_node *
pt_find(const struct prefixset *s, const struct prefix *q)
{
	struct pt_node	*node;
	int		 w;

	if ((w = addr_maxlen(q->addr.af)) == -1 || q->len < 0 || q->len > w)
		return NULL;
	node = s->root[fam(q->addr.af)];
	while (node != NULL && node->p.len < q->len)
		node = node->child[addr_bit(&q->addr, node->p.len)];
	if (node == NULL || !node->used || node->p.len != q->len ||
	    !prefix_contains_prefix(&node->p, q))
		return NULL;
	return node;
}

int
prefixset_del(struct prefixset *s, const struct prefix *q)
{
	struct pt_node	*node, *parent, *child;

	if ((node = pt_find(s, q)) == NULL)
		return 0;
	(*cnt(s, q))--;
	if (node->child[0] != NULL && node->child[1] != NULL) {
		node->used = 0;
		node->data = NULL;
		return 1;
	}
	if (node->child[0] == NULL && node->child[1] == NULL) {
		parent = node->parent;
		pt_replace(s, node, NULL);
		free(node);
		if (parent == NULL || parent->used)
			return 1;
		/* A glue node left with one child goes too. */
		child = parent->child[0] != NULL ? parent->child[0] :
		    parent->child[1];
		pt_replace(s, parent, child);
		free(parent);
		return 1;
	}
	child = node->child[0] != NULL ? node->child[0] : node->child[1];
	pt_replace(s, node, child);
	free(node);
	return 1;
}

int
prefixset_exact(const struct prefixset *s, const struct prefix *q,
    void **datap)
{
	struct pt_node	*node;

	if ((node = pt_find(s, q)) == NULL)
		return 0;
	if (datap != NULL)
		*datap = node->data;
	return 1;
}

int
prefixset_match(const struct prefixset *s, const struct prefix *q,
    struct prefix *match, void **datap)
{
	struct pt_node	*node, *found = NULL;
	int		 w;

	if ((w = addr_maxlen(q->addr.af)) == -1 || q->len < 0 || q->len > w)
		return 0;
	node = s->root[fam(q->addr.af)];
	while (node != NULL && node->p.len <= q->len) {
		if (!prefix_contains_prefix(&node->p, q))
			break;
		if (node->used)
			found = node;
		if (node->p.len == q->len)
			break;
		node = node->child[addr_bit(&q->addr, node->p.len)];
	}
	if (found == NULL)
		return 0;
	if (match != NULL)
		*match = found->p;
	if (datap != NULL)
		*datap = found->data;
	return 1;
}

int
prefixset_lookup(const struct prefixset *s, const struct addr *a,
    struct prefix *match, void **datap)
{
	struct prefix	q;

	if (prefix_set(&q, a, addr_maxlen(a->af)) == -1)
		return 0;
	return prefixset_match(s, &q, match, datap);
}

static int
pt_walk(const struct pt_node *n, prefixset_cb cb, void *arg)
{
	int	r;

	if (n == NULL)
		return 0;
	if (n->used && (r = cb(&n->p, n->data, arg)) != 0)
		return r;
	if ((r = pt_walk(n->child[0], cb, arg)) != 0)
		return r;
	return pt_walk(n->child[1], cb, arg);
}

int
prefixset_walk(const struct prefixset *s, prefixset_cb cb, void *arg)
{
	int	r;

	if ((r = pt_walk(s->root[0], cb, arg)) != 0)
		return r;
	return pt_walk(s->root[1], cb, arg);
}

struct array_arg {
	struct prefix	*a;
	size_t		 n;
};

static int
array_cb(const struct prefix *p, void *data, void *arg)
{
	struct array_arg	*aa = arg;

	aa->a[aa->n++] = *p;
	return 0;
}

struct prefix *
prefixset_array(const struct prefixset *s, size_t *n)
{
	struct array_arg	aa;

	aa.a = xcalloc(prefixset_count(s) + 1, sizeof(*aa.a));
	aa.n = 0;
	prefixset_walk(s, array_cb, &aa);
	*n = aa.n;
	return aa.a;
}

/* Append [lo, hi] to a sorted list, merging overlap and adjacency. */
static void
rl_add(struct rangelist *rl, const struct addr *lo, const struct addr *hi)
{
	struct range	*last;
	struct addr	 next;

	if (rl->n > 0) {
		last = &rl->r[rl->n - 1];
		next = last->hi;
		if (addr_cmp(lo, &last->hi) <= 0 ||
		    (addr_inc(&next) == 0 && addr_cmp(lo, &next) == 0)) {
			if (addr_cmp(hi, &last->hi) > 0)
				last->hi = *hi;
			return;
		}
	}
	if (rl->n == rl->cap) {
		rl->cap = rl->cap ? rl->cap * 2 : 64;
		rl->r = xreallocarray(rl->r, rl->cap, sizeof(*rl->r));
	}
	rl->r[rl->n].lo = *lo;
	rl->r[rl->n].hi = *hi;
	rl->n++;
}

static void
rl_collect(const struct pt_node *n, struct rangelist *rl)
{
	struct addr	lo, hi;

	if (n == NULL)
		return;
	if (n->used) {
		prefix_first(&n->p, &lo);
		prefix_last(&n->p, &hi);
		rl_add(rl, &lo, &hi);
	}
	rl_collect(n->child[0], rl);
	rl_collect(n->child[1], rl);
}

/* out := a minus b; a and b sorted, disjoint and not adjacent. */
static void
rl_subtract(const struct rangelist *a, const struct rangelist *b,
    struct rangelist *out)
{
	struct addr	 cur, end;
	size_t		 i, j = 0, k;
	int		 alive;

	for (i = 0; i < a->n; i++) {
		cur = a->r[i].lo;
		alive = 1;
		while (j < b->n && addr_cmp(&b->r[j].hi, &cur) < 0)
			j++;
		for (k = j; k < b->n &&
		    addr_cmp(&b->r[k].lo, &a->r[i].hi) <= 0; k++) {
			if (addr_cmp(&b->r[k].lo, &cur) > 0) {
				end = b->r[k].lo;
				addr_dec(&end);
				rl_add(out, &cur, &end);
			}
			if (addr_cmp(&b->r[k].hi, &a->r[i].hi) >= 0) {
				alive = 0;
				break;
			}
			cur = b->r[k].hi;
			addr_inc(&cur);
		}
		if (alive)
			rl_add(out, &cur, &a->r[i].hi);
		j = k;
	}
}

/* Replace family f of s by the prefixes covering the ranges. */
static void
rl_load(struct prefixset *s, int f, const struct rangelist *rl)
{
	struct prefix	 p[ADDR_RANGE_MAX];
	size_t		 i;
	int		 j, n;

	s->count[f] = 0;
	pt_free(s->root[f]);
	s->root[f] = NULL;
	for (i = 0; i < rl->n; i++) {
		n = addr_range_prefixes(&rl->r[i].lo, &rl->r[i].hi, p,
		    nitems(p));
		for (j = 0; j < n; j++)
			prefixset_add(s, &p[j], NULL);
	}
}

void
prefixset_collapse(struct prefixset *s)
{
	struct rangelist	rl;
	int			f;

	for (f = 0; f < 2; f++) {
		memset(&rl, 0, sizeof(rl));
		rl_collect(s->root[f], &rl);
		rl_load(s, f, &rl);
		free(rl.r);
	}
}

void
prefixset_subtract(struct prefixset *s, const struct prefixset *o)
{
	struct rangelist	a, b, out;
	int			f;

	for (f = 0; f < 2; f++) {
		memset(&a, 0, sizeof(a));
		memset(&b, 0, sizeof(b));
		memset(&out, 0, sizeof(out));
		rl_collect(s->root[f], &a);
		rl_collect(o->root[f], &b);
		rl_subtract(&a, &b, &out);
		rl_load(s, f, &out);
		free(a.r);
		free(b.r);
		free(out.r);
	}
}
