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
 * libFuzzer target for filterd's renderer (filterd/render.c, html.c,
 * compiled in here: the fuzz build links common/ only).  The input is
 * a message, and, from its first byte on, HTML: every body line is at
 * most 2049 octets and only the last lacks its "\n"; no line but the
 * Subject holds a "\n" inside; URIs are non-empty; rendering the same
 * HTML twice gives the same text.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../filterd/html.c"
#include "../../filterd/render.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mime		*m;
	struct render		*r;
	struct mimebuf		 a, b;
	struct html_uris	 u;
	struct html_result	 res;
	const char		*l;
	char			*copy;
	size_t			 i, n;

	copy = malloc(size ? size : 1);
	memcpy(copy, data, size);
	m = mime_parse(copy, size, NULL);
	r = render_message(m, NULL);
	CHECK(r->body.n >= 1);
	for (i = 0; i < r->body.n; i++) {
		l = render_line(&r->body, i, &n);
		CHECK(n <= RENDER_LINE_MAX + 1);
		CHECK(n > 0 || i == r->body.n - 1);
		if (i + 1 < r->body.n)
			CHECK(n > 0 && l[n - 1] == '\n');
		CHECK(memchr(l, '\n', n > 0 ? n - 1 : 0) == NULL);
	}
	for (i = 0; i < r->rawbody.n; i++) {
		l = render_line(&r->rawbody, i, &n);
		CHECK(n <= 2 * RENDER_LINE_MAX || i + 1 == r->rawbody.n ||
		    n <= RENDER_RAWBODY_SCAN);
	}
	for (i = 0; i < r->uris.n; i++)
		CHECK(r->uris.v[i][0] != '\0');
	render_free(r);
	mime_free(m);

	memset(&u, 0, sizeof(u));
	memset(&res, 0, sizeof(res));
	mimebuf_init(&a);
	mimebuf_init(&b);
	html_render(copy, size, &a, &u, &res);
	html_render(copy, size, &b, NULL, NULL);
	CHECK(a.len == b.len && (a.len == 0 || memcmp(a.buf, b.buf,
	    a.len) == 0));
	CHECK(res.min_size <= 3 && res.max_size >= 3);
	for (i = 0; i < res.ninside; i++)
		CHECK(res.inside[i].count >= 0);
	mimebuf_free(&a);
	mimebuf_free(&b);
	html_uris_clear(&u);
	html_result_clear(&res);
	free(copy);
	return 0;
}
