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
 * libFuzzer target for common/addr: whatever parses prints canonically
 * and parses back to the same value; ranges give sorted, contiguous
 * prefixes; any 16 raw bytes print and parse back; a small prefix set
 * built from the input agrees with a linear scan.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "compat.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_prefix(const struct prefix *);
static void	check_text(const char *, int);
static void	check_raw(const uint8_t *, size_t);
static void	check_set(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/* A valid prefix prints and parses back strictly to itself. */
static void
check_prefix(const struct prefix *p)
{
	struct prefix	 p2;
	struct addr	 m;
	char		 s[PREFIX_STRLEN], s2[PREFIX_STRLEN];

	CHECK(p->len >= 0 && p->len <= addr_maxlen(p->addr.af));
	m = p->addr;
	addr_mask(&m, p->len);
	CHECK(addr_cmp(&m, &p->addr) == 0);
	CHECK(prefix_ntop(p, s, sizeof(s)) != NULL);
	CHECK(prefix_parse(s, &p2, 0) == 0);
	CHECK(prefix_cmp(p, &p2) == 0);
	CHECK(prefix_ntop(&p2, s2, sizeof(s2)) != NULL);
	CHECK(strcmp(s, s2) == 0);
}

static void
check_text(const char *s, int flags)
{
	struct prefix	 p, pl, out[ADDR_RANGE_MAX];
	struct addr	 a, a2, last;
	char		 buf[ADDR_STRLEN];
	int		 n, i;

	if (prefix_parse(s, &p, flags) == 0) {
		check_prefix(&p);
		/* Strict acceptance implies the same lenient result. */
		if (flags == 0) {
			CHECK(prefix_parse(s, &pl, ADDR_LENIENT) == 0);
			CHECK(prefix_cmp(&p, &pl) == 0);
		}
	}
	if (addr_parse(s, &a, flags) == 0) {
		CHECK(addr_ntop(&a, buf, sizeof(buf)) != NULL);
		CHECK(addr_parse(buf, &a2, 0) == 0);
		CHECK(addr_cmp(&a, &a2) == 0);
	}
	n = addr_range_parse(s, out, ADDR_RANGE_MAX, flags);
	CHECK(n >= -1 && n <= 254);
	for (i = 0; i < n; i++) {
		check_prefix(&out[i]);
		if (i > 0) {
			prefix_last(&out[i - 1], &last);
			CHECK(addr_cmp(&last, &out[i].addr) < 0);
		}
	}
}

static void
check_raw(const uint8_t *data, size_t size)
{
	struct prefix	p;
	struct addr	a;
	int		w;

	if (size < 18)
		return;
	memset(&a, 0, sizeof(a));
	a.af = (data[0] & 1) ? AF_INET6 : AF_INET;
	w = addr_maxlen(a.af);
	memcpy(a.u.b, data + 1, w / 8);
	CHECK(prefix_set(&p, &a, data[17] % (w + 1)) == 0);
	check_prefix(&p);
	CHECK(prefix_contains(&p, &a));
}

/*
 * Five bytes a prefix: four of IPv4 address, one of length.  Checks
 * longest match against a linear scan, then collapse and subtract
 * (even prefixes minus odd ones) at every prefix's first and last
 * address.
 */
static void
check_set(const uint8_t *data, size_t size)
{
	struct prefixset	*s, *sa, *sb;
	struct prefix		 ps[64], m;
	struct addr		 a[2];
	size_t			 n = 0, i, j, k;
	int			 best, found, ina, inb;

	s = prefixset_new();
	sa = prefixset_new();
	sb = prefixset_new();
	for (i = 0; i + 5 <= size && n < nitems(ps); i += 5) {
		memset(&a[0], 0, sizeof(a[0]));
		a[0].af = AF_INET;
		memcpy(a[0].u.b, data + i, 4);
		prefix_set(&ps[n], &a[0], data[i + 4] % 33);
		prefixset_add(s, &ps[n], NULL);
		prefixset_add(n % 2 ? sb : sa, &ps[n], NULL);
		n++;
	}
	for (i = 0; i < n; i++) {
		CHECK(prefixset_exact(s, &ps[i], NULL) == 1);
		best = -1;
		for (j = 0; j < n; j++)
			if (prefix_contains(&ps[j], &ps[i].addr) &&
			    (best == -1 || ps[j].len > ps[best].len))
				best = j;
		found = prefixset_lookup(s, &ps[i].addr, &m, NULL);
		CHECK(found == 1 && prefix_cmp(&m, &ps[best]) == 0);
	}
	prefixset_collapse(s);
	for (i = 0; i < n; i++) {
		prefix_first(&ps[i], &a[0]);
		prefix_last(&ps[i], &a[1]);
		CHECK(prefixset_lookup(s, &a[0], NULL, NULL) == 1);
		CHECK(prefixset_lookup(s, &a[1], NULL, NULL) == 1);
	}
	/* s := A - B, checked against A and B themselves. */
	prefixset_clear(s);
	for (i = 0; i < n; i += 2)
		prefixset_add(s, &ps[i], NULL);
	prefixset_subtract(s, sb);
	for (i = 0; i < n; i++) {
		prefix_first(&ps[i], &a[0]);
		prefix_last(&ps[i], &a[1]);
		for (k = 0; k < 2; k++) {
			ina = prefixset_lookup(sa, &a[k], NULL, NULL);
			inb = prefixset_lookup(sb, &a[k], NULL, NULL);
			CHECK(prefixset_lookup(s, &a[k], NULL, NULL) ==
			    (ina && !inb));
		}
	}
	prefixset_free(s);
	prefixset_free(sa);
	prefixset_free(sb);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	buf[256];
	size_t	n;

	n = size < sizeof(buf) - 1 ? size : sizeof(buf) - 1;
	memcpy(buf, data, n);
	buf[n] = '\0';
	check_text(buf, 0);
	check_text(buf, ADDR_LENIENT);
	check_raw(data, size);
	check_set(data, size);
	return 0;
}
