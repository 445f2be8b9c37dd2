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
 * libFuzzer target for filterd/sa_relays.c: each input line is a
 * Received value (the first octet picks the trust configuration); the
 * relays are built, and every relay string must have SpamAssassin's
 * shape, every relay must land in exactly one of trusted/untrusted and
 * one of internal/external, and the netset and IP helpers must stay in
 * bounds on the raw input.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filterd/sa_relays.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

/* sa_conf.c is not linked: no settings */
const struct sa_setting *
sa_conf_setting(const struct sa_conf *c, const char *name)
{
	(void)c;
	(void)name;
	return (NULL);
}

static void
check_str(const char *s, size_t n)
{
	size_t	k = 0;

	while (*s != '\0') {
		CHECK(strncmp(s, "[ ip=", 5) == 0);
		s = strstr(s, " msa=");
		CHECK(s != NULL && (s[5] == '0' || s[5] == '1') &&
		    s[6] == ' ' && s[7] == ']');
		s += 8;
		k++;
		if (*s == ' ')
			s++;
	}
	CHECK(k == n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa_relays_conf	 rc;
	struct sa_netset	*t, *in;
	struct sa_relays	*r;
	struct sa_hop		 h;
	char			*buf, **lines = NULL, *p, *e;
	size_t			 n = 0, i, off, len;
	int			 l;

	if (size < 1 || size > 8192)
		return (0);
	buf = malloc(size);
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	for (p = buf; *p != '\0'; p = e) {
		e = p + strcspn(p, "\n");
		if (*e == '\n')
			*e++ = '\0';
		lines = realloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = p;
		if (sa_relay_parse_line(p, &h) == 1) {
			CHECK(h.r.as_string != NULL);
			check_str(h.r.as_string, 1);
			sa_hop_clear(&h);
		}
	}
	(void)sa_ip_is_private(buf);
	(void)sa_ip_is_address(buf);
	if (sa_ip_find(buf, &off, &len) == 0)
		CHECK(off + len <= strlen(buf));

	memset(&rc, 0, sizeof(rc));
	t = sa_netset_new(1);
	in = sa_netset_new(1);
	(void)sa_netset_add(t, n > 0 ? lines[0] : "10/8");
	(void)sa_netset_add(in, "!10.1.1.1 10.0.0.0/8 fd00::/8");
	rc.trusted = t;
	rc.internal = in;
	rc.trusted_set = data[0] & 1;
	rc.internal_set = (data[0] >> 1) & 1;
	r = sa_relays_build(&rc, (const char *const *)lines, n, NULL, NULL);
	CHECK(r->nlist[SA_RL_TRUSTED] + r->nlist[SA_RL_UNTRUSTED] <= r->nall);
	CHECK(r->nlist[SA_RL_UNTRUSTED] + r->nlist[SA_RL_TRUSTED] == r->nview);
	CHECK((size_t)r->num_unparseable <= n);
	for (l = 0; l < 4; l++)
		check_str(r->str[l], r->nlist[l]);
	for (i = 0; i < r->nall; i++)
		(void)sa_netset_contains(t, r->all[i].r.ip);
	sa_relays_free(r);
	sa_netset_free(t);
	sa_netset_free(in);
	free(lines);
	free(buf);
	return (0);
}
