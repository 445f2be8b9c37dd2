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
 * libFuzzer target for common/msghdr.c: the input is parsed whole and
 * in chunks (the first octet gives the chunk size); both must give the
 * same block and fields, the fields must tile the block in order (the
 * empty line after them), names must be ftext, and the value and
 * mailbox helpers must stay in bounds.  Small limits, so that the
 * limit paths run too.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "msghdr.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void
check(struct msghdr *h)
{
	const struct msghdr_field	*f;
	const char			*block, *p;
	char				*v, box[64];
	size_t				 blen, i, end = 0, n, k;

	block = msghdr_block(h, &blen);
	for (i = 0; i < msghdr_count(h); i++) {
		f = msghdr_field(h, i);
		CHECK(f->off == end);
		CHECK(f->len > 0 && f->off + f->len <= blen);
		CHECK(f->namelen <= f->len && f->valoff <= f->len);
		CHECK((f->namelen == 0) == ((f->flags & MSGHDR_F_BAD) != 0));
		for (k = 0; k < f->namelen; k++) {
			p = block + f->off + k;
			CHECK(*p > 32 && *p < 127 && *p != ':');
		}
		if (f->namelen > 0)
			CHECK(block[f->off + f->valoff - 1] == ':');
		p = msghdr_name(h, i, &n);
		CHECK(p == block + f->off && n == f->namelen);
		v = msghdr_value(h, i);
		CHECK(v != NULL && strlen(v) <= f->len);
		(void)msghdr_mailbox(v, box, sizeof(box));
		CHECK(strlen(box) < sizeof(box));
		free(v);
		end = f->off + f->len;
	}
	if (msghdr_done(h))
		CHECK(blen - end <= 2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct msghdr	*whole, *parts;
	const char	*b1, *b2;
	size_t		 step, off, l1, l2, i;
	ssize_t		 r1, r2, t = 0;

	if (size == 0)
		return 0;
	step = data[0] % 17 + 1;
	data++;
	size--;
	whole = msghdr_new(200, 2000);
	parts = msghdr_new(200, 2000);
	r1 = msghdr_feed(whole, data, size);
	for (off = 0; off < size; off += step) {
		r2 = msghdr_feed(parts, data + off,
		    size - off < step ? size - off : step);
		if (r2 == -1) {
			t = -1;
			break;
		}
		t += r2;
		if (msghdr_done(parts))
			break;
	}
	CHECK((r1 == -1) == (t == -1));
	if (r1 != -1) {
		CHECK(r1 == t);
		if (!msghdr_done(whole)) {
			CHECK(msghdr_finish(whole) == 0);
			CHECK(msghdr_finish(parts) == 0);
		}
		b1 = msghdr_block(whole, &l1);
		b2 = msghdr_block(parts, &l2);
		CHECK(l1 == l2 && l1 == (size_t)r1 &&
		    memcmp(b1, b2, l1) == 0 && memcmp(b1, data, l1) == 0);
		CHECK(msghdr_count(whole) == msghdr_count(parts));
		for (i = 0; i < msghdr_count(whole); i++)
			CHECK(memcmp(msghdr_field(whole, i),
			    msghdr_field(parts, i),
			    sizeof(struct msghdr_field)) == 0);
		check(whole);
	} else
		CHECK(msghdr_feed(whole, "\r\n", 2) == -1);
	msghdr_free(whole);
	msghdr_free(parts);
	return 0;
}
