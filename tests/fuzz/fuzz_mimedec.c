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
 * libFuzzer target for common/mimedec: the decoders never read past
 * their input, base64 output is at most 3/4 of the input, QP output no
 * longer than the input, header decoding always gives valid UTF-8, and
 * parameter parsing gives lower-case names and frees cleanly.
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mimedec.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*in = (const char *)data;
	struct mimebuf		 b;
	struct mime_ctype	 ct;
	size_t			 i, j;
	int			 f;

	mimebuf_init(&b);
	f = 0;
	mime_b64_decode(&b, in, size, &f);
	CHECK(b.len <= size * 3 / 4 + 1);
	mimebuf_reset(&b);
	f = size > 0 && (data[0] & 1) ? MIMEDEC_QHDR : 0;
	mime_qp_decode(&b, in, size, &f);
	CHECK(b.len <= size);
	mimebuf_reset(&b);
	mime_hdr_decode(&b, in, size, NULL);
	CHECK(mime_utf8_valid(b.buf, b.len) == b.len);
	mimebuf_reset(&b);
	if (size > 1 && size < 4096) {
		static const char *cs[] = { "utf-8", "iso-8859-1",
		    "shift_jis", "iso-2022-jp", "utf-16", "gb18030",
		    "us-ascii", "bogus" };
		f = 0;
		if (mime_charset_to_utf8(&b, cs[data[0] % 8], in + 1,
		    size - 1, &f) == 0)
			CHECK(mime_utf8_valid(b.buf, b.len) == b.len);
	}
	mimebuf_free(&b);

	mime_ctype_parse(in, size, &ct);
	for (i = 0; i < ct.nparams; i++) {
		CHECK(ct.params[i].name != NULL && ct.params[i].value != NULL);
		for (j = 0; ct.params[i].name[j] != '\0'; j++)
			CHECK(ct.params[i].name[j] < 'A' ||
			    ct.params[i].name[j] > 'Z');
		CHECK(mime_ctype_param(&ct, ct.params[i].name) != NULL);
	}
	mime_ctype_clear(&ct);
	return 0;
}
