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
 * common/msghdr: fields, raw bytes, unfolding, the end of the header,
 * chunked input equal to whole input, LF-only input, malformed lines,
 * limits, mailbox extraction.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msghdr.h"
#include "tap.h"

static const char msg1[] =
    "Return-Path: <a@b.example>\r\n"
    "From: Alice <alice@example.com>\r\n"
    "Subject:   Hello\r\n"
    "\tworld  \r\n"
    "  again\r\n"
    "To:bob@example.net\r\n"
    "X-Odd : value\r\n"
    "\r\n"
    "body line\r\n";

static void	test_basic(void);
static void	test_chunks(void);
static void	test_lf(void);
static void	test_bad(void);
static void	test_limits(void);
static void	test_noend(void);
static void	test_find(void);
static void	test_mailbox(void);

static void
test_basic(void)
{
	struct msghdr	*h;
	const char	*p;
	size_t		 len, hlen;
	char		*v;
	ssize_t		 r;

	h = msghdr_new(0, 0);
	r = msghdr_feed(h, msg1, sizeof(msg1) - 1);
	hlen = strstr(msg1, "body") - msg1;
	is_int(r, hlen, "feed stops after the empty line");
	ok(msghdr_done(h), "done");
	is_int(msghdr_feed(h, "x", 1), 0, "done: takes nothing more");
	is_int(msghdr_count(h), 5, "5 fields");
	p = msghdr_block(h, &len);
	is_mem(p, len, msg1, hlen, "block is the raw header, empty line too");

	p = msghdr_name(h, 0, &len);
	is_mem(p, len, "Return-Path", 11, "name 0");
	p = msghdr_raw(h, 2, &len);
	is_mem(p, len, "Subject:   Hello\r\n\tworld  \r\n  again\r\n", 37,
	    "raw folded field, line ends included");
	p = msghdr_rawvalue(h, 2, &len);
	is_mem(p, len, "   Hello\r\n\tworld  \r\n  again\r\n", 29, "raw value");
	v = msghdr_value(h, 2);
	is_str(v, "Hello\tworld    again", "unfolded value");
	free(v);
	v = msghdr_value(h, 3);
	is_str(v, "bob@example.net", "value without space after colon");
	free(v);
	p = msghdr_name(h, 4, &len);
	is_mem(p, len, "X-Odd", 5, "WSP before the colon is not the name");
	v = msghdr_value(h, 4);
	is_str(v, "value", "obs value");
	free(v);
	is_int(msghdr_field(h, 4)->flags, 0, "no flags");
	ok(msghdr_is(h, 1, "FROM"), "msghdr_is case-insensitive");
	ok(!msghdr_is(h, 1, "Fro"), "msghdr_is whole name");
	ok(msghdr_field(h, 5) == NULL, "no field 5");

	msghdr_reset(h);
	is_int(msghdr_count(h), 0, "reset: no fields");
	ok(!msghdr_done(h), "reset: not done");
	r = msghdr_parse(h, "A: 1\r\n\r\n", 8);
	is_int(r, 8, "parse again after reset");
	is_int(msghdr_count(h), 1, "one field");
	msghdr_free(h);
	msghdr_free(NULL);
}

/* Every split into two chunks, then one octet at a time. */
static void
test_chunks(void)
{
	struct msghdr	*whole, *h;
	size_t		 len = sizeof(msg1) - 1, cut, i, taken, wl, hl;
	const char	*wb, *hb;
	ssize_t		 r;
	int		 bad = 0;

	whole = msghdr_new(0, 0);
	(void)msghdr_feed(whole, msg1, len);
	wb = msghdr_block(whole, &wl);
	for (cut = 0; cut <= len; cut++) {
		h = msghdr_new(0, 0);
		taken = 0;
		r = msghdr_feed(h, msg1, cut);
		taken += r;
		if (r == (ssize_t)cut) {
			r = msghdr_feed(h, msg1 + cut, len - cut);
			taken += r;
		}
		hb = msghdr_block(h, &hl);
		if (taken != wl || hl != wl || memcmp(hb, wb, wl) != 0 ||
		    msghdr_count(h) != msghdr_count(whole) || !msghdr_done(h))
			bad++;
		for (i = 0; i < msghdr_count(h); i++)
			if (memcmp(msghdr_field(h, i), msghdr_field(whole, i),
			    sizeof(struct msghdr_field)) != 0)
				bad++;
		msghdr_free(h);
	}
	is_int(bad, 0, "every two-chunk split gives the same fields");

	h = msghdr_new(0, 0);
	for (i = 0; i < len && !msghdr_done(h); i++)
		(void)msghdr_feed(h, msg1 + i, 1);
	is_int(i, wl, "octet by octet: done right after the empty line");
	is_int(msghdr_count(h), 5, "octet by octet: 5 fields");
	msghdr_free(h);
	msghdr_free(whole);
}

static void
test_lf(void)
{
	struct msghdr	*h;
	const char	*m = "From: a@b\nSubject: x\n y\n\nbody\n", *p;
	size_t		 len;
	char		*v;

	h = msghdr_new(0, 0);
	is_int(msghdr_feed(h, m, strlen(m)), 25, "LF-only: stops at body");
	is_int(msghdr_count(h), 2, "LF-only: 2 fields");
	p = msghdr_raw(h, 1, &len);
	is_mem(p, len, "Subject: x\n y\n", 14, "LF-only raw");
	v = msghdr_value(h, 1);
	is_str(v, "x y", "LF-only unfolded");
	free(v);
	msghdr_free(h);

	/* a CR not before LF is content */
	h = msghdr_new(0, 0);
	(void)msghdr_parse(h, "A: x\ry\r\n\r\n", 10);
	v = msghdr_value(h, 0);
	is_str(v, "x\ry", "bare CR inside a value is kept");
	free(v);
	msghdr_free(h);
}

static void
test_bad(void)
{
	struct msghdr	*h;
	const char	*m = " leading\r\nFrom mbox line\r\n: empty\r\n"
	    "Bad Name: x\r\nGood: y\r\n\r\n", *p;
	size_t		 len;

	h = msghdr_new(0, 0);
	(void)msghdr_feed(h, m, strlen(m));
	is_int(msghdr_count(h), 5, "malformed lines kept as fields");
	is_int(msghdr_field(h, 0)->flags & MSGHDR_F_BAD, MSGHDR_F_BAD,
	    "stray continuation is BAD");
	is_int(msghdr_field(h, 1)->flags & MSGHDR_F_BAD, MSGHDR_F_BAD,
	    "no colon is BAD");
	is_int(msghdr_field(h, 2)->flags & MSGHDR_F_BAD, MSGHDR_F_BAD,
	    "empty name is BAD");
	is_int(msghdr_field(h, 3)->flags & MSGHDR_F_BAD, MSGHDR_F_BAD,
	    "space in the name is BAD");
	p = msghdr_name(h, 1, &len);
	is_int(len, 0, "BAD field has no name");
	p = msghdr_raw(h, 1, &len);
	is_mem(p, len, "From mbox line\r\n", 16, "BAD field raw kept");
	is_int(msghdr_field(h, 4)->flags, 0, "good field after bad ones");
	ok(msghdr_find(h, "good", 0) == 4, "found Good");
	msghdr_free(h);
}

static void
test_limits(void)
{
	struct msghdr	*h;
	char		 big[300];

	memset(big, 'a', sizeof(big));
	memcpy(big, "X: ", 3);
	h = msghdr_new(100, 1000);
	is_int(msghdr_feed(h, big, 50), 50, "short part of a line");
	is_int(msghdr_feed(h, big, sizeof(big)), -1, "over-long line fails");
	is_str(msghdr_error(h), "header line too long", "reason");
	is_int(msghdr_feed(h, "\r\n", 2), -1, "stays failed");
	is_int(msghdr_finish(h), -1, "finish fails too");
	msghdr_free(h);

	h = msghdr_new(100, 1000);
	big[0] = 'X';
	big[50] = '\n';
	big[51] = 'Y';
	big[52] = ':';
	big[100] = '\n';
	is_int(msghdr_feed(h, big, 101), 101, "two lines within limits");
	is_int(msghdr_feed(h, "Z: 1\r\n", 6), 6, "one more");
	memset(big, 'b', sizeof(big));
	big[0] = 'B';
	big[1] = ':';
	big[98] = '\r';
	big[99] = '\n';
	while (msghdr_feed(h, big, 100) == 100)
		;
	is_str(msghdr_error(h), "header too large", "total limit");
	msghdr_free(h);
}

static void
test_noend(void)
{
	struct msghdr	*h;
	const char	*p;
	size_t		 len;

	h = msghdr_new(0, 0);
	is_int(msghdr_feed(h, "A: 1\r\nB: 2", 10), 10, "no empty line");
	ok(!msghdr_done(h), "not done yet");
	is_int(msghdr_count(h), 0, "open fields not counted yet");
	is_int(msghdr_finish(h), 0, "finish");
	ok(msghdr_done(h), "done at end of input");
	is_int(msghdr_count(h), 2, "last field closed");
	is_int(msghdr_field(h, 1)->flags, MSGHDR_F_NOEOL, "flagged NOEOL");
	p = msghdr_raw(h, 1, &len);
	is_mem(p, len, "B: 2", 4, "raw without line end");
	msghdr_free(h);

	h = msghdr_new(0, 0);
	is_int(msghdr_parse(h, "", 0), 0, "empty input");
	ok(msghdr_done(h), "empty input done");
	is_int(msghdr_count(h), 0, "no fields");
	msghdr_free(h);

	h = msghdr_new(0, 0);
	is_int(msghdr_parse(h, "\r\nbody", 6), 2, "body only");
	is_int(msghdr_count(h), 0, "body only: no fields");
	msghdr_free(h);
}

static void
test_find(void)
{
	struct msghdr	*h;
	const char	*m = "From: a\r\nTo: b\r\nfrom: c\r\nFROM: d\r\n\r\n";

	h = msghdr_new(0, 0);
	(void)msghdr_feed(h, m, strlen(m));
	is_int(msghdr_find(h, "from", 0), 0, "first From");
	is_int(msghdr_find(h, "from", 1), 2, "second From");
	is_int(msghdr_find(h, "from", 2), 3, "third From");
	is_int(msghdr_find(h, "from", 3), -1, "no fourth");
	is_int(msghdr_find(h, "from", -1), 3, "last From");
	is_int(msghdr_find(h, "from", -3), 0, "third from the bottom");
	is_int(msghdr_find(h, "from", -4), -1, "none above");
	is_int(msghdr_find(h, "cc", 0), -1, "no Cc");
	is_int(msghdr_count_name(h, "FROM"), 3, "three Froms");
	msghdr_free(h);
}

static void
test_mailbox(void)
{
	static const struct {
		const char	*in;
		const char	*out;
	} t[] = {
		{ "Alice <alice@example.com>", "alice@example.com" },
		{ "alice@example.com", "alice@example.com" },
		{ " alice@Example.COM (Alice)", "alice@Example.COM" },
		{ "\"Doe, John\" <j@d.example>", "j@d.example" },
		{ "\"a <x@y>\" <real@z.example>", "real@z.example" },
		{ "(c) <a@b.example> (d)", "a@b.example" },
		{ "team: a@b.example, c@d.example;", "a@b.example" },
		{ "a@b.example, c@d.example", "a@b.example" },
		{ "Name <a@b.example", "a@b.example" },
		{ "\"q u\"@b.example", "\"q u\"@b.example" },
		{ "Name\r\n <a@b.example>", "a@b.example" },
		{ "", NULL },
		{ "undisclosed-recipients:;", NULL },
		{ "no address", NULL },
		{ "<@b.example>", NULL },
	};
	char	buf[64];
	size_t	i;
	int	r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		r = msghdr_mailbox(t[i].in, buf, sizeof(buf));
		if (t[i].out == NULL)
			is_int(r, -1, "mailbox %zu: none", i);
		else {
			is_int(r, 0, "mailbox %zu found", i);
			is_str(r == 0 ? buf : NULL, t[i].out,
			    "mailbox %zu: %s", i, t[i].out);
		}
	}
	is_int(msghdr_mailbox("a@b.example", buf, 5), -1, "does not fit");
}

int
main(void)
{
	test_basic();
	test_chunks();
	test_lf();
	test_bad();
	test_limits();
	test_noend();
	test_find();
	test_mailbox();
	return done_testing();
}
