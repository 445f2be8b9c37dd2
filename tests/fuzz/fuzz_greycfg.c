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
 * libFuzzer target for greyd's config-socket lines (greyd/blacklist.c)
 * and the message expansion (greyd/grey_reply.c): the input is split
 * into lines and each is applied to one set of lists, as the config
 * socket does; every list left must hold valid prefixes, every message
 * must expand into a bounded reply, and a line that failed must not
 * have changed the lists.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../greyd/blacklist.c"
#include "../../greyd/grey_reply.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static size_t
count_prefixes(struct blacklist *bl)
{
	struct bl_list	*l;
	size_t		 n = 0;

	TAILQ_FOREACH(l, &bl->lists, entry)
		n += prefixset_count(l->set);
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blacklist	*bl;
	struct bl_list		*l, *m[CFG_LISTS_MAX];
	struct addr		 a;
	const char		*err;
	char			*buf, *line, *next;
	char			 out[8192];
	static char		 wire[65536];
	size_t			 nl, np, n;

	buf = malloc(size + 1);
	CHECK(buf != NULL);
	memcpy(buf, data, size);
	buf[size] = '\0';
	bl = blacklist_new();
	for (line = buf; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		nl = bl->nlists;
		np = count_prefixes(bl);
		if (blacklist_parse_line(bl, line, &err) == -1) {
			CHECK(err != NULL);
			CHECK(bl->nlists == nl);
			CHECK(count_prefixes(bl) == np);
		}
		CHECK(bl->nlists <= CFG_LISTS_MAX);
	}
	TAILQ_FOREACH(l, &bl->lists, entry) {
		CHECK(l->msg != NULL && strlen(l->tag) < CFG_TAG_MAX);
		(void)grey_expand(l->msg, "2001:db8::ffff:ffff:ffff", out,
		    sizeof(out));
		CHECK(strlen(out) < sizeof(out));
	}
	memset(&a, 0, sizeof(a));
	a.af = AF_INET;
	memcpy(a.u.b, data, size < 4 ? size : 4);
	n = blacklist_match(bl, &a, m, CFG_LISTS_MAX);
	if (grey_black_reply("450", "192.0.2.1", m, n, out, sizeof(out)) == 0)
		CHECK(smtp_reply_format(out, wire, sizeof(wire)) > 0);
	blacklist_free(bl);
	free(buf);
	return 0;
}
