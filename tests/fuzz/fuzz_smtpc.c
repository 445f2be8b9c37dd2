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
 * libFuzzer target for the SMTP client's parsers (common/smtpc.c):
 * reply lines fed one by one never overrun and give well-formed codes;
 * capability lines parse; and the client's dot-stuffing, fed the input
 * cut at a point the input chooses, is read back by the server's DATA
 * reader (common/smtp_parse.c) as exactly the input with its line ends
 * normalised to CRLF: nothing smuggled, nothing lost.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "smtp.h"
#include "smtpc.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	collect(void *, const char *, size_t, int);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static int
collect(void *arg, const char *line, size_t len, int flags)
{
	evbuffer_add(arg, line, len);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtpc_reply	 r;
	struct smtpc_caps	 caps;
	struct smtpc_dot	 dot;
	struct smtp_data	 rd;
	struct evbuffer		*wire, *got, *want;
	const char		*p = (const char *)data, *nl;
	char			 buf[SMTPC_TEXT_MAX + 64];
	size_t			 off, cut, i, n;
	int			 rv;
	unsigned char		*w;

	if (size > 60000)
		return 0;

	/* reply lines */
	smtpc_reply_clear(&r);
	for (off = 0; off < size; off = nl ? (size_t)(nl - p) + 1 : size) {
		nl = memchr(p + off, '\n', size - off);
		n = (nl ? (size_t)(nl - p) + 1 : size) - off;
		rv = smtpc_reply_feed(&r, p + off, n);
		CHECK(rv >= -1 && rv <= 1);
		memset(&caps, 0, sizeof(caps));
		smtpc_caps_parse(&caps, p + off, n);
		if (rv == 1) {
			CHECK(r.code >= 100 && r.code <= 599);
			CHECK(strlen(r.text) < sizeof(r.text));
			CHECK(smtpc_reply_str(&r, buf, sizeof(buf)) != NULL);
		}
		if (rv != 0)
			smtpc_reply_clear(&r);
	}

	/* dot-stuffing, read back by the server's DATA reader */
	cut = size ? data[0] % (size + 1) : 0;
	wire = evbuffer_new();
	got = evbuffer_new();
	want = evbuffer_new();
	CHECK(wire && got && want);
	smtpc_dot_init(&dot);
	CHECK(smtpc_dot_feed(&dot, data, cut, wire) == 0);
	CHECK(smtpc_dot_feed(&dot, data + cut, size - cut, wire) == 0);
	CHECK(smtpc_dot_end(&dot, wire) == 0);

	n = evbuffer_get_length(wire);
	w = evbuffer_pullup(wire, -1);
	smtp_data_init(&rd, SMTP_TEXTLINE_HARDMAX, 0, collect, got);
	off = smtp_data_feed(&rd, (const char *)w, n);
	CHECK(rd.flags & SMTP_DATA_DONE);
	CHECK((rd.flags & SMTP_DATA_DOOMED) == 0);
	CHECK(off == n);		/* the end is the very end */
	smtp_data_clear(&rd);

	for (i = 0; i < size; i++) {
		if (data[i] == '\r') {
			evbuffer_add(want, "\r\n", 2);
			if (i + 1 < size && data[i + 1] == '\n')
				i++;
		} else if (data[i] == '\n')
			evbuffer_add(want, "\r\n", 2);
		else
			evbuffer_add(want, &data[i], 1);
	}
	n = evbuffer_get_length(want);
	if (n > 0 && (n < 2 || memcmp(evbuffer_pullup(want, -1) + n - 2,
	    "\r\n", 2) != 0))
		evbuffer_add(want, "\r\n", 2);
	n = evbuffer_get_length(want);
	CHECK(evbuffer_get_length(got) == n);
	CHECK(n == 0 || memcmp(evbuffer_pullup(got, -1),
	    evbuffer_pullup(want, -1), n) == 0);

	evbuffer_free(wire);
	evbuffer_free(got);
	evbuffer_free(want);
	return 0;
}
