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
 * libFuzzer target for common/mime: every part lies inside the message
 * and inside its parent's body, siblings do not overlap and come in
 * order, line counts match the body, the limits hold, and every leaf
 * decodes.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime_limits	 lim = { 8, 50 };
	struct mime		*m;
	const struct mime_part	*p, *q;
	struct mimebuf		 b;
	size_t			 n = 0, i, lines;
	char			*copy;

	/* an exact-size copy, so that ASan sees any read past the end */
	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	m = mime_parse(copy, size, &lim);
	mimebuf_init(&b);
	for (p = mime_root(m); p != NULL; p = mime_next(p)) {
		n++;
		CHECK(p->off <= p->bodyoff);
		CHECK(p->bodyoff + p->bodylen <= size);
		CHECK(p->depth <= lim.max_depth);
		CHECK(p->type != NULL && p->subtype != NULL);
		for (i = 0, lines = 0; i < p->bodylen; i++)
			if (copy[p->bodyoff + i] == '\n')
				lines++;
		CHECK(lines == p->lines && p->barelf <= p->lines);
		if ((q = p->parent) != NULL) {
			CHECK(p->off >= q->bodyoff);
			CHECK(p->bodyoff + p->bodylen <=
			    q->bodyoff + q->bodylen);
			CHECK(p->depth == q->depth + 1);
		}
		for (i = 1; i < p->nchild; i++)
			CHECK(p->child[i]->off >= p->child[i - 1]->bodyoff +
			    p->child[i - 1]->bodylen);
		if (p->nchild == 0) {
			mimebuf_reset(&b);
			mime_decode(m, p, &b, MIME_DEC_UTF8 | MIME_DEC_LF);
		}
	}
	CHECK(n == mime_nparts(m));
	CHECK(n <= (size_t)lim.max_parts);
	mimebuf_free(&b);
	mime_free(m);
	free(copy);
	return 0;
}
