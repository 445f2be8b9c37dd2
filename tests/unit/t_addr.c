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
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "log.h"
#include "tap.h"

struct pcase {
	const char	*in;
	int		 flags;
	const char	*want;		/* NULL: must be rejected */
};

static const struct pcase pcases[] = {
	{ "192.0.2.1", 0, "192.0.2.1/32" },
	{ "192.0.2.0/24", 0, "192.0.2.0/24" },
	{ "0.0.0.0/0", 0, "0.0.0.0/0" },
	{ "255.255.255.255", 0, "255.255.255.255/32" },
	{ "10.0.0.0/8", 0, "10.0.0.0/8" },
	{ "2001:db8::/32", 0, "2001:db8::/32" },
	{ "2001:DB8::/32", 0, "2001:db8::/32" },
	{ "::/0", 0, "::/0" },
	{ "::1", 0, "::1/128" },
	{ "::ffff:1.2.3.4", 0, "::ffff:1.2.3.4/128" },
	{ "::ffff:0:0/96", 0, "::ffff:0.0.0.0/96" },
	{ "1:2:3:4:5:6:7:8/128", 0, "1:2:3:4:5:6:7:8/128" },
	{ "1:2:3:4:5:6:1.2.3.4", 0, "1:2:3:4:5:6:102:304/128" },
	/* rejected in both modes */
	{ "", 0, NULL },
	{ "1.2.3", 0, NULL },
	{ "1.2.3.4.5", 0, NULL },
	{ "01.2.3.4", 0, NULL },
	{ "1.2.3.04", 0, NULL },
	{ "1.2.3.256", 0, NULL },
	{ "1.2.3.1000", 0, NULL },
	{ "1.2.3.", 0, NULL },
	{ ".1.2.3", 0, NULL },
	{ "1..2.3", 0, NULL },
	{ "1.2.3.4/33", 0, NULL },
	{ "1.2.3.4/33", ADDR_LENIENT, NULL },
	{ "2001:db8::/129", 0, NULL },
	{ "2001:db8::/129", ADDR_LENIENT, NULL },
	{ "1.2.3.4/", 0, NULL },
	{ "1.2.3.4/-1", 0, NULL },
	{ "1.2.3.4/+8", 0, NULL },
	{ "1.2.3.0/024", 0, NULL },
	{ "1.2.3.4/32x", 0, NULL },
	{ "1.2.3.4//32", 0, NULL },
	{ "fe80::1%eth0", 0, NULL },
	{ "fe80::1%eth0", ADDR_LENIENT, NULL },
	{ "fe80::1%eth0/64", 0, NULL },
	{ ":::", 0, NULL },
	{ "1::2::3", 0, NULL },
	{ "1:2:3:4:5:6:7:8:9", 0, NULL },
	{ "1:2:3:4:5:6:7", 0, NULL },
	{ "1:2:3:4:5:6:7:8::", 0, NULL },
	{ "12345::", 0, NULL },
	{ ":1::", 0, NULL },
	{ "1::2:", 0, NULL },
	{ "g::1", 0, NULL },
	{ "::ffff:1.2.3", 0, NULL },
	{ "::ffff:01.2.3.4", 0, NULL },
	{ "1.2.3.4::", 0, NULL },
	{ "1:2:3:4:5:6:7:1.2.3.4", 0, NULL },
	{ "example.com", 0, NULL },
	{ "1.2.3.4 ", 0, NULL },
	{ " 1.2.3.4", 0, NULL },
	{ "1.2.3.4 /24", 0, NULL },
	{ "1.2.3.4 # comment", ADDR_LENIENT, NULL },
	{ "1.2.3.4\n", 0, NULL },
	/* host bits */
	{ "192.0.2.1/24", 0, NULL },
	{ "192.0.2.1/24", ADDR_LENIENT, "192.0.2.0/24" },
	{ "2001:db8::1/32", 0, NULL },
	{ "2001:db8::1/32", ADDR_LENIENT, "2001:db8::/32" },
	/* lenient blanks and short IPv4 networks */
	{ " \t192.0.2.0/24 \r\n", ADDR_LENIENT, "192.0.2.0/24" },
	{ "10/8", 0, NULL },
	{ "10/8", ADDR_LENIENT, "10.0.0.0/8" },
	{ "172.16/12", ADDR_LENIENT, "172.16.0.0/12" },
	{ "10", ADDR_LENIENT, NULL },
	{ "1.2.3", ADDR_LENIENT, NULL },
	{ "01.2.3.4", ADDR_LENIENT, NULL },
};

struct ncase {
	const char	*in;
	const char	*want;
};

/* RFC 5952 canonical text. */
static const struct ncase ncases[] = {
	{ "2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
	{ "2001:db8::0:1", "2001:db8::1" },
	{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },
	{ "2001:db8:0:0:0:1:0:0", "2001:db8::1:0:0" },
	{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" },
	{ "2001:DB8::AbCd", "2001:db8::abcd" },
	{ "0:0:0:0:0:0:0:0", "::" },
	{ "0:0:0:0:0:0:0:1", "::1" },
	{ "1:0:0:0:0:0:0:0", "1::" },
	{ "1:0:1:0:0:1:0:0", "1:0:1::1:0:0" },
	{ "::1.2.3.4", "::102:304" },
	{ "::ffff:102:304", "::ffff:1.2.3.4" },
	{ "::fffe:1.2.3.4", "::fffe:102:304" },
	{ "64:ff9b::1.2.3.4", "64:ff9b::102:304" },
	{ "0:0:0:0:0:ffff:0:0", "::ffff:0.0.0.0" },
	{ "fe80::1:2:3:4", "fe80::1:2:3:4" },
};

struct rcase {
	const char	*in;
	int		 flags;
	int		 n;		/* -1: rejected */
	const char	*want;		/* prefixes, blank separated */
};

static const struct rcase rcases[] = {
	{ "10.0.0.1 - 10.0.0.6", 0, 4,
	    "10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32" },
	{ "10.0.0.1-10.0.0.6", 0, 4,
	    "10.0.0.1/32 10.0.0.2/31 10.0.0.4/31 10.0.0.6/32" },
	{ "192.0.2.0 - 192.0.2.255", 0, 1, "192.0.2.0/24" },
	{ "192.0.2.7 - 192.0.2.7", 0, 1, "192.0.2.7/32" },
	{ "0.0.0.0 - 255.255.255.255", 0, 1, "0.0.0.0/0" },
	{ "0.0.0.1 - 255.255.255.254", 0, 62, NULL },
	{ "10.0.0.0 - 10.0.2.255", 0, 2, "10.0.0.0/23 10.0.2.0/24" },
	{ "2001:db8::1 - 2001:db8::6", 0, 4,
	    "2001:db8::1/128 2001:db8::2/127 2001:db8::4/127 "
	    "2001:db8::6/128" },
	{ ":: - ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 0, 1, "::/0" },
	{ "::1 - ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", 0, 254, NULL },
	{ "  10.0.0.0 - 10.0.0.3  ", ADDR_LENIENT, 1, "10.0.0.0/30" },
	{ "  10.0.0.0 - 10.0.0.3", 0, -1, NULL },
	{ "10.0.0.6 - 10.0.0.1", 0, -1, NULL },
	{ "10.0.0.1 - ::1", 0, -1, NULL },
	{ "10.0.0.1 -", 0, -1, NULL },
	{ "10.0.0.1 10.0.0.6", 0, -1, NULL },
	{ "10.0.0.0 10.0.0.3", ADDR_LENIENT, 1, "10.0.0.0/30" },
	{ "10.0.0.0 -- 10.0.0.3", ADDR_LENIENT, 1, "10.0.0.0/30" },
	{ "10.0.0.0--10.0.0.3", 0, -1, NULL },
	{ "10.0.0.0", ADDR_LENIENT, -1, NULL },
	{ "10.0.0.0 - 10.0.0.3 x", ADDR_LENIENT, -1, NULL },
	{ "10.0.0.1 - 10.0.0.6 - 10.0.0.9", 0, -1, NULL },
	{ "10.0.0.1/32 - 10.0.0.6", 0, -1, NULL },
};

static const char *esc(const char *);
static void	test_parse(void);
static void	test_ntop(void);
static void	test_range(void);
static void	test_misc(void);
static void	test_set_basic(void);
static void	test_set_random(int);
static void	test_model(int, int);
static void	test_big(void);
static int	cover_count(const uint8_t *, int, int);
static void	rand_prefix(int, struct prefix *);
static int	sorted_cb(const struct prefix *, void *, void *);
static void	mark(const struct prefix *, int, uint8_t *);
static int	check_cover(struct prefixset *, int, const uint8_t *);
static double	now(void);

/* Small address spaces for model checks: base/120 or base/24. */
static struct addr	base4, base6;

/* A test name without control characters (TAP is line based). */
static const char *
esc(const char *s)
{
	static char	buf[4][128];
	static int	i;
	char		*b = buf[i++ % 4];
	size_t		 n = 0;

	for (; *s != '\0' && n + 5 < sizeof(buf[0]); s++) {
		if ((unsigned char)*s < 0x20)
			n += snprintf(b + n, 5, "\\x%02x", (unsigned char)*s);
		else
			b[n++] = *s;
	}
	b[n] = '\0';
	return b;
}

static void
test_parse(void)
{
	struct prefix	 p, p2;
	char		 buf[PREFIX_STRLEN];
	size_t		 i;
	int		 r;

	for (i = 0; i < nitems(pcases); i++) {
		r = prefix_parse(pcases[i].in, &p, pcases[i].flags);
		if (pcases[i].want == NULL) {
			is_int(r, -1, "prefix_parse rejects \"%s\"%s",
			    esc(pcases[i].in),
			    pcases[i].flags ? " (lenient)" : "");
			continue;
		}
		is_int(r, 0, "prefix_parse accepts \"%s\"%s",
		    esc(pcases[i].in),
		    pcases[i].flags ? " (lenient)" : "");
		if (r != 0)
			continue;
		is_str(prefix_ntop(&p, buf, sizeof(buf)), pcases[i].want,
		    "prints \"%s\"", esc(pcases[i].in));
		ok(prefix_parse(buf, &p2, 0) == 0 && prefix_cmp(&p, &p2) == 0,
		    "\"%s\" parses back strictly", buf);
	}
}

static void
test_ntop(void)
{
	struct addr	 a, a2;
	char		 buf[ADDR_STRLEN], small[8];
	size_t		 i;

	for (i = 0; i < nitems(ncases); i++) {
		if (addr_parse(ncases[i].in, &a, 0) == -1) {
			ok(0, "addr_parse \"%s\"", ncases[i].in);
			continue;
		}
		is_str(addr_ntop(&a, buf, sizeof(buf)), ncases[i].want,
		    "canonical form of %s", ncases[i].in);
		ok(addr_parse(buf, &a2, 0) == 0 && addr_cmp(&a, &a2) == 0,
		    "%s parses back", buf);
	}
	addr_parse("2001:db8::1", &a, 0);
	ok(addr_ntop(&a, small, sizeof(small)) == NULL && small[0] == '\0',
	    "addr_ntop into a short buffer fails with an empty string");
	ok(addr_parse(" 1.2.3.4\t", &a, ADDR_LENIENT) == 0 &&
	    a.af == AF_INET, "addr_parse lenient trims blanks");
	is_int(addr_parse(" 1.2.3.4", &a, 0), -1, "addr_parse strict");
	is_int(addr_parse("1.2.3.4/32", &a, 0), -1,
	    "addr_parse rejects a prefix");
}

static void
test_range(void)
{
	struct prefix	 out[ADDR_RANGE_MAX];
	char		 got[4096], buf[PREFIX_STRLEN];
	size_t		 i;
	int		 n, j;

	for (i = 0; i < nitems(rcases); i++) {
		n = addr_range_parse(rcases[i].in, out, nitems(out),
		    rcases[i].flags);
		is_int(n, rcases[i].n, "range \"%s\" count", rcases[i].in);
		if (n <= 0 || rcases[i].want == NULL)
			continue;
		got[0] = '\0';
		for (j = 0; j < n; j++) {
			if (j > 0)
				strlcat(got, " ", sizeof(got));
			strlcat(got, prefix_ntop(&out[j], buf, sizeof(buf)),
			    sizeof(got));
		}
		is_str(got, rcases[i].want, "range \"%s\"", rcases[i].in);
	}
	is_int(addr_range_parse("10.0.0.1 - 10.0.0.6", out, 3, 0), -1,
	    "range with too small an array fails");
}

static void
test_misc(void)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in6	 sin6;
	struct sockaddr_un	*sun;
	struct addr		 a, b;
	struct prefix		 p, q;
	in_port_t		 port;
	socklen_t		 len;
	char			 buf[ADDR_STRLEN];

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(8025);
	inet_pton(AF_INET6, "::ffff:192.0.2.9", &sin6.sin6_addr);
	ok(addr_from_sockaddr(&a, &port, (struct sockaddr *)&sin6) == 0,
	    "addr_from_sockaddr v4-mapped");
	is_int(a.af, AF_INET, "v4-mapped becomes AF_INET");
	is_str(addr_ntop(&a, buf, sizeof(buf)), "192.0.2.9", "mapped value");
	is_int(port, 8025, "port");
	len = addr_to_sockaddr(&a, 25, &ss);
	is_int(len, sizeof(struct sockaddr_in), "addr_to_sockaddr v4 length");
	ok(addr_from_sockaddr(&b, &port, (struct sockaddr *)&ss) == 0 &&
	    addr_cmp(&a, &b) == 0 && port == 25, "sockaddr round trip v4");
	addr_parse("2001:db8::25", &a, 0);
	len = addr_to_sockaddr(&a, 587, &ss);
	is_int(len, sizeof(struct sockaddr_in6), "v6 length");
	ok(addr_from_sockaddr(&b, NULL, (struct sockaddr *)&ss) == 0 &&
	    addr_cmp(&a, &b) == 0, "sockaddr round trip v6");
	memset(&ss, 0, sizeof(ss));
	sun = (struct sockaddr_un *)&ss;
	sun->sun_family = AF_UNIX;
	is_int(addr_from_sockaddr(&b, NULL, (struct sockaddr *)&ss), -1,
	    "AF_UNIX rejected");

	addr_parse("10.0.0.1", &a, 0);
	addr_parse("::1", &b, 0);
	ok(addr_cmp(&a, &b) < 0 && addr_cmp(&b, &a) > 0, "IPv4 sorts first");
	prefix_parse("10.0.0.0/8", &p, 0);
	prefix_parse("10.0.0.0/16", &q, 0);
	ok(prefix_cmp(&p, &q) < 0, "shorter prefix sorts first");
	ok(prefix_contains(&p, &a), "10/8 contains 10.0.0.1");
	ok(!prefix_contains(&p, &b), "10/8 does not contain ::1");
	ok(prefix_contains_prefix(&p, &q) && !prefix_contains_prefix(&q, &p),
	    "contains_prefix");
	addr_parse("192.0.2.255", &a, 0);
	addr_mask(&a, 25);
	is_str(addr_ntop(&a, buf, sizeof(buf)), "192.0.2.128", "addr_mask");
	prefix_parse("2001:db8::/33", &p, 0);
	prefix_last(&p, &a);
	is_str(addr_ntop(&a, buf, sizeof(buf)),
	    "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", "prefix_last");
	is_int(prefix_set(&p, &a, 129), -1, "prefix_set rejects /129");
	addr_parse("::ffff:198.51.100.7", &a, 0);
	is_int(a.af, AF_INET6, "parsing keeps a v4-mapped address IPv6");
	addr_unmap(&a);
	addr_parse("198.51.100.7", &b, 0);
	ok(a.af == AF_INET && addr_cmp(&a, &b) == 0, "addr_unmap");
	addr_parse("::fffe:198.51.100.7", &a, 0);
	b = a;
	addr_unmap(&a);
	ok(addr_cmp(&a, &b) == 0, "addr_unmap leaves others alone");
}

static void
test_set_basic(void)
{
	struct prefixset	*s;
	struct prefix		 p, m;
	struct addr		 a;
	char			 buf[PREFIX_STRLEN];
	void			*d;
	int			 x = 1, y = 2;

	s = prefixset_new();
	prefix_parse("10.0.0.0/8", &p, 0);
	is_int(prefixset_add(s, &p, &x), 1, "add 10/8");
	is_int(prefixset_add(s, &p, &y), 0, "add 10/8 again");
	prefix_parse("10.1.0.0/16", &p, 0);
	is_int(prefixset_add(s, &p, NULL), 1, "add 10.1/16");
	prefix_parse("2001:db8::/32", &p, 0);
	is_int(prefixset_add(s, &p, NULL), 1, "add 2001:db8::/32");
	is_int(prefixset_count(s), 3, "count");
	addr_parse("10.1.2.3", &a, 0);
	ok(prefixset_lookup(s, &a, &m, NULL) == 1, "lookup 10.1.2.3");
	is_str(prefix_ntop(&m, buf, sizeof(buf)), "10.1.0.0/16",
	    "longest match");
	addr_parse("10.2.2.3", &a, 0);
	ok(prefixset_lookup(s, &a, &m, &d) == 1 && d == &y, "lookup 10.2.2.3");
	is_str(prefix_ntop(&m, buf, sizeof(buf)), "10.0.0.0/8",
	    "falls back to the shorter one");
	addr_parse("11.0.0.1", &a, 0);
	is_int(prefixset_lookup(s, &a, NULL, NULL), 0, "no match");
	addr_parse("2001:db8:1::1", &a, 0);
	is_int(prefixset_lookup(s, &a, NULL, NULL), 1, "IPv6 match");
	prefix_parse("10.0.0.0/9", &p, 0);
	is_int(prefixset_exact(s, &p, NULL), 0, "no exact 10/9");
	prefix_parse("10.0.0.0/8", &p, 0);
	is_int(prefixset_del(s, &p), 1, "del 10/8");
	is_int(prefixset_del(s, &p), 0, "del 10/8 again");
	addr_parse("10.2.2.3", &a, 0);
	is_int(prefixset_lookup(s, &a, NULL, NULL), 0, "10/8 gone");
	is_int(prefixset_count(s), 2, "count after del");
	prefixset_clear(s);
	is_int(prefixset_count(s), 0, "clear");
	prefix_parse("0.0.0.0/0", &p, 0);
	prefixset_add(s, &p, NULL);
	addr_parse("203.0.113.1", &a, 0);
	is_int(prefixset_lookup(s, &a, NULL, NULL), 1, "default route");
	prefix_parse("::/0", &p, 0);
	is_int(prefixset_exact(s, &p, NULL), 0, "::/0 is another family");
	prefixset_free(s);
	prefixset_free(NULL);
}

static int
sorted_cb(const struct prefix *p, void *data, void *arg)
{
	struct prefix	*last = arg;
	int		 bad;

	bad = last->len >= 0 && prefix_cmp(last, p) >= 0;
	*last = *p;
	return bad;
}

/* A random prefix inside the small space of family af. */
static void
rand_prefix(int af, struct prefix *p)
{
	struct addr	a = af == AF_INET ? base4 : base6;
	int		w = addr_maxlen(af);

	a.u.b[w / 8 - 1] = random() & 0xff;
	prefix_set(p, &a, w - 8 + random() % 9);
}

/* Set against an array with brute-force longest match. */
static void
test_set_random(int af)
{
	struct prefixset	*s;
	struct prefix		 ps[300], m, last;
	struct addr		 a;
	int			 n = 0, i, j, bad = 0, bi, w, found, round;
	size_t			 cnt, k;
	struct prefix		*arr;

	s = prefixset_new();
	w = addr_maxlen(af);
	for (i = 0; i < 300; i++) {
		rand_prefix(af, &ps[n]);
		for (j = 0; j < n; j++)
			if (prefix_cmp(&ps[j], &ps[n]) == 0)
				break;
		if (prefixset_add(s, &ps[n], &ps[j]) != (j == n))
			bad++;
		if (j == n)
			n++;
	}
	is_int(bad, 0, "af %d: add says new or old correctly", af);
	is_int(prefixset_count(s), n, "af %d: count", af);
	for (round = 0; round < 2; round++) {
		bad = 0;
		for (i = 0; i < 256; i++) {
			a = af == AF_INET ? base4 : base6;
			a.u.b[w / 8 - 1] = i;
			bi = -1;
			for (j = 0; j < n; j++)
				if (ps[j].len >= 0 &&
				    prefix_contains(&ps[j], &a) &&
				    (bi == -1 || ps[j].len > ps[bi].len))
					bi = j;
			found = prefixset_lookup(s, &a, &m, NULL);
			if (found != (bi != -1) ||
			    (found && prefix_cmp(&m, &ps[bi]) != 0))
				bad++;
		}
		is_int(bad, 0, "af %d round %d: longest match agrees with "
		    "brute force on 256 addresses", af, round);
		bad = 0;
		for (j = 0; j < n; j++)
			if (prefixset_exact(s, &ps[j], NULL) !=
			    (ps[j].len >= 0))
				bad++;
		is_int(bad, 0, "af %d round %d: exact lookups", af, round);
		last.len = -1;
		is_int(prefixset_walk(s, sorted_cb, &last), 0,
		    "af %d round %d: walk is in order", af, round);
		arr = prefixset_array(s, &cnt);
		is_int(cnt, prefixset_count(s), "array size");
		bad = 0;
		for (k = 1; k < cnt; k++)
			if (prefix_cmp(&arr[k - 1], &arr[k]) >= 0)
				bad++;
		is_int(bad, 0, "array sorted");
		free(arr);
		/* Delete every other one, then check again. */
		bad = 0;
		for (j = 0; j < n; j += 2) {
			if (ps[j].len < 0)
				continue;
			if (prefixset_del(s, &ps[j]) != 1)
				bad++;
			if (prefixset_del(s, &ps[j]) != 0)
				bad++;
			ps[j].len = -1;
		}
		is_int(bad, 0, "af %d round %d: deletes", af, round);
	}
	prefixset_free(s);
}

/* Minimal number of prefixes covering the set bits of map[lo, lo+n). */
static int
cover_count(const uint8_t *map, int lo, int n)
{
	int	i, set = 0;

	for (i = lo; i < lo + n; i++)
		set += map[i];
	if (set == 0)
		return 0;
	if (set == n)
		return 1;
	return cover_count(map, lo, n / 2) + cover_count(map, lo + n / 2,
	    n / 2);
}

static void
mark(const struct prefix *p, int af, uint8_t *map)
{
	struct addr	a = af == AF_INET ? base4 : base6;
	int		i, w = addr_maxlen(af);

	for (i = 0; i < 256; i++) {
		a.u.b[w / 8 - 1] = i;
		if (prefix_contains(p, &a))
			map[i]++;
	}
}

/* Does the set cover exactly want, without overlap, minimally? */
static int
check_cover(struct prefixset *s, int af, const uint8_t *want)
{
	struct prefix	*arr;
	struct prefix	 space;
	uint8_t		 got[256];
	size_t		 n, i;
	int		 w = addr_maxlen(af);

	prefix_set(&space, af == AF_INET ? &base4 : &base6, w - 8);
	memset(got, 0, sizeof(got));
	arr = prefixset_array(s, &n);
	for (i = 0; i < n; i++) {
		if (!prefix_contains_prefix(&space, &arr[i])) {
			free(arr);
			return -1;
		}
		mark(&arr[i], af, got);
	}
	free(arr);
	for (i = 0; i < 256; i++)
		if (got[i] != want[i])
			return -2;
	if ((int)n != cover_count(want, 0, 256))
		return -3;
	return 0;
}

static void
test_model(int af, int iters)
{
	struct prefixset	*s, *o;
	struct prefix		 p[64];
	uint8_t			 ma[256], mb[256], mr[256];
	int			 it, i, n, m, bad_c = 0, bad_s = 0, r;

	for (it = 0; it < iters; it++) {
		s = prefixset_new();
		o = prefixset_new();
		memset(ma, 0, sizeof(ma));
		memset(mb, 0, sizeof(mb));
		n = random() % 40;
		m = random() % 20;
		for (i = 0; i < n; i++) {
			rand_prefix(af, &p[i]);
			prefixset_add(s, &p[i], NULL);
			mark(&p[i], af, ma);
		}
		for (i = 0; i < 256; i++)
			ma[i] = ma[i] != 0;
		prefixset_collapse(s);
		if ((r = check_cover(s, af, ma)) != 0) {
			if (bad_c++ == 0)
				diag("collapse: iteration %d: error %d", it, r);
		}
		/* Subtract from the uncollapsed set too. */
		prefixset_clear(s);
		for (i = 0; i < n; i++)
			prefixset_add(s, &p[i], NULL);
		for (i = 0; i < m; i++) {
			rand_prefix(af, &p[0]);
			prefixset_add(o, &p[0], NULL);
			mark(&p[0], af, mb);
		}
		for (i = 0; i < 256; i++)
			mr[i] = ma[i] && !mb[i];
		prefixset_subtract(s, o);
		if ((r = check_cover(s, af, mr)) != 0) {
			if (bad_s++ == 0)
				diag("subtract: iteration %d: error %d", it, r);
		}
		prefixset_free(s);
		prefixset_free(o);
	}
	is_int(bad_c, 0, "af %d: collapse matches the model in %d runs",
	    af, iters);
	is_int(bad_s, 0, "af %d: subtract matches the model in %d runs",
	    af, iters);
}

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* 200,000 prefixes: load, look up, collapse, subtract. */
static void
test_big(void)
{
	struct prefixset	*a, *b, *r;
	struct prefix		*pa, p, *arr;
	struct addr		 x, y;
	size_t			 i, n, bad = 0;
	double			 t0;
	int			 len, ina, inb, inr;
	const size_t		 NA = 200000, NB = 20000;

	pa = calloc(NA, sizeof(*pa));
	a = prefixset_new();
	b = prefixset_new();
	r = prefixset_new();
	t0 = now();
	for (i = 0; i < NA; i++) {
		memset(&x, 0, sizeof(x));
		x.af = AF_INET;
		x.u.v4.s_addr = random();
		len = 16 + random() % 17;
		if (random() % 2)
			len = 24;
		prefix_set(&pa[i], &x, len);
		prefixset_add(a, &pa[i], NULL);
		prefixset_add(r, &pa[i], NULL);
	}
	for (i = 0; i < NB; i++) {
		x = pa[random() % NA].addr;
		x.u.b[3] = random();
		x.u.b[2] ^= random() & 1;
		prefix_set(&p, &x, 16 + random() % 17);
		prefixset_add(b, &p, NULL);
	}
	diag("loaded %zu + %zu prefixes in %.3f s", prefixset_count(a),
	    prefixset_count(b), now() - t0);
	t0 = now();
	prefixset_collapse(r);
	diag("collapsed to %zu in %.3f s", prefixset_count(r), now() - t0);
	ok(prefixset_count(r) > 0 && prefixset_count(r) < prefixset_count(a),
	    "collapse shrinks a random 200k set");
	t0 = now();
	prefixset_subtract(r, b);
	diag("subtracted to %zu in %.3f s", prefixset_count(r), now() - t0);
	arr = prefixset_array(r, &n);
	for (i = 1; i < n; i++) {
		prefix_last(&arr[i - 1], &y);
		if (addr_cmp(&y, &arr[i].addr) >= 0)
			bad++;
	}
	free(arr);
	is_int(bad, 0, "result sorted and disjoint");
	t0 = now();
	bad = 0;
	for (i = 0; i < 200000; i++) {
		x = pa[random() % NA].addr;
		x.u.v4.s_addr ^= htonl(random() & 0xffff);
		ina = prefixset_lookup(a, &x, NULL, NULL);
		inb = prefixset_lookup(b, &x, NULL, NULL);
		inr = prefixset_lookup(r, &x, NULL, NULL);
		if (inr != (ina && !inb))
			bad++;
	}
	diag("600000 lookups in %.3f s", now() - t0);
	is_int(bad, 0, "200000 addresses: in (A - B) iff in A and not in B");
	free(pa);
	prefixset_free(a);
	prefixset_free(b);
	prefixset_free(r);
}

int
main(void)
{
	log_init(1, LOG_MAIL);
	(void)tap_plan;		/* counted by done_testing(): tables vary */
	srandom(getenv("MX_SEED") ? strtoul(getenv("MX_SEED"), NULL, 10) :
	    (unsigned long)time(NULL));
	addr_parse("10.9.8.0", &base4, 0);
	addr_parse("2001:db8::ab00", &base6, 0);

	test_parse();
	test_ntop();
	test_range();
	test_misc();
	test_set_basic();
	test_set_random(AF_INET);
	test_set_random(AF_INET6);
	test_model(AF_INET, 2000);
	test_model(AF_INET6, 1000);
	test_big();
	return done_testing();
}
