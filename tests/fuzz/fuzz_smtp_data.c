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
 * libFuzzer target for the DATA reader (common/smtp_parse.c): the input
 * is fed in chunks whose sizes come from the first octets; the result
 * (octets consumed, flags, every line handed on) must not depend on the
 * chunking; every line handed on ends in CRLF with no other CR or LF;
 * the reader never reads past CRLF.CRLF.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct out {
	unsigned char	 buf[1 << 16];
	size_t		 len;
	size_t		 lines;
	int		 fail_at;	/* make the callback fail at line n */
};

static int	line_cb(void *, const char *, size_t, int);
static size_t	run(const uint8_t *, size_t, const uint8_t *, size_t,
		    size_t, struct out *, int *);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static int
line_cb(void *arg, const char *line, size_t len, int flags)
{
	struct out	*o = arg;

	CHECK(len >= 2 && line[len - 2] == '\r' && line[len - 1] == '\n');
	CHECK(memchr(line, '\n', len - 1) == NULL);
	CHECK(memchr(line, '\r', len - 2) == NULL);
	if (o->len + len <= sizeof(o->buf)) {
		memcpy(o->buf + o->len, line, len);
		o->len += len;
	}
	o->lines++;
	if (o->fail_at > 0 && o->lines == (size_t)o->fail_at)
		return -1;
	return 0;
}

/* Feed data in chunks sized by steps[] (cycled); 0 steps: one chunk. */
static size_t
run(const uint8_t *data, size_t size, const uint8_t *steps, size_t nsteps,
    size_t textline, struct out *o, int *flags)
{
	struct smtp_data	 d;
	size_t			 off = 0, n, used, total = 0, i = 0;

	smtp_data_init(&d, textline, 4096, line_cb, o);
	while (off < size && !(d.flags & SMTP_DATA_DONE)) {
		n = nsteps ? (size_t)steps[i++ % nsteps] + 1 : size;
		if (n > size - off)
			n = size - off;
		used = smtp_data_feed(&d, (const char *)data + off, n);
		CHECK(used <= n);
		total += used;
		if (used < n) {
			CHECK(d.flags & SMTP_DATA_DONE);
			break;
		}
		off += n;
	}
	if (d.flags & SMTP_DATA_DONE) {
		/* it stopped right after "\r\n.\r\n" (or ".\r\n" first) */
		CHECK(total >= 3);
		CHECK(memcmp(data + total - 3, ".\r\n", 3) == 0);
		CHECK(total == 3 || (total >= 5 &&
		    memcmp(data + total - 5, "\r\n", 2) == 0));
	} else
		CHECK(total == size);
	CHECK(d.size <= total);
	*flags = d.flags & ~SMTP_DATA_PAUSE;
	smtp_data_clear(&d);
	return total;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct out	 a, b;
	const uint8_t		*steps;
	size_t			 nsteps, textline, ua, ub;
	int			 fa, fb;

	if (size < 3)
		return 0;
	nsteps = data[0] % 8;
	textline = 3 + data[1] * 4;	/* small limits reach the edges */
	if (size < 2 + nsteps)
		return 0;
	steps = data + 2;
	data += 2 + nsteps;
	size -= 2 + nsteps;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ua = run(data, size, NULL, 0, textline, &a, &fa);
	ub = run(data, size, steps, nsteps, textline, &b, &fb);
	CHECK(ua == ub);
	CHECK(fa == fb);
	CHECK(a.len == b.len && memcmp(a.buf, b.buf, a.len) == 0);
	/* a doomed message hands nothing on after the doom */
	if (fa & SMTP_DATA_BARE)
		CHECK(memchr(data, '\r', ua) != NULL ||
		    memchr(data, '\n', ua) != NULL);
	/* and a failing callback stops the lines too */
	memset(&b, 0, sizeof(b));
	b.fail_at = 1;
	ub = run(data, size, steps, nsteps, textline, &b, &fb);
	CHECK(ub == ua);
	CHECK(b.lines <= 1);
	return 0;
}
