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

/* common/mimedec: base64, QP, charsets, RFC 2047, RFC 2231, parameters. */

#include <stdlib.h>
#include <string.h>

#include "mimedec.h"
#include "tap.h"

struct dcase {
	const char	*in;
	const char	*want;
	size_t		 wantlen;	/* 0: strlen(want) */
	int		 flags;		/* expected flags */
};

static const struct dcase b64[] = {
	{ "aGVsbG8gd29ybGQ=", "hello world", 0, 0 },
	{ "aGVsbG8gd29ybGQ", "hello world", 0, MIMEDEC_TRUNC },
	{ "aGVs\r\nbG8g\r\nd29y bGQ=\r\n", "hello world", 0, 0 },
	{ "aGV*sb!G8=", "hello", 0, MIMEDEC_BADCHAR },
	{ "YQ==YmM=", "abc", 0, 0 },
	{ "YWJj\nZGVm\n", "abcdef", 0, 0 },
	{ "Y", "", 0, MIMEDEC_TRUNC },
	{ "", "", 0, 0 },
	{ "AAEC/w==", "\0\1\2\377", 4, 0 },
	{ "====", "", 0, 0 },
};

static const struct dcase qp[] = {
	{ "caf=C3=A9", "caf\xc3\xa9", 0, 0 },
	{ "caf=c3=a9", "caf\xc3\xa9", 0, 0 },
	{ "soft=\nbreak", "softbreak", 0, 0 },
	{ "soft=\r\nbreak", "softbreak", 0, 0 },
	{ "soft=  \r\nbreak", "softbreak", 0, 0 },
	{ "trail   \nnext", "trail\nnext", 0, 0 },
	{ "trail \t\r\nnext", "trail\r\nnext", 0, 0 },
	{ "in side", "in side", 0, 0 },
	{ "100% =ZZ off", "100% =ZZ off", 0, MIMEDEC_BADESC },
	{ "end=", "end", 0, 0 },
	{ "x=4", "x=4", 0, MIMEDEC_BADESC },
	{ "a=3D=3Db", "a==b", 0, 0 },
	{ "under_score", "under_score", 0, 0 },
	{ "=00z", "\0z", 2, 0 },
};

struct hcase {
	const char	*in;
	const char	*want;
};

static const struct hcase hdr[] = {
	{ "plain text", "plain text" },
	{ "=?UTF-8?B?w6lsw6h2ZQ==?=", "\xc3\xa9l\xc3\xa8ve" },
	{ "=?iso-8859-1?q?caf=E9_cr=E8me?=", "caf\xc3\xa9 cr\xc3\xa8me" },
	{ "=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=", "ab" },
	{ "=?ISO-8859-1?Q?a?=\r\n =?ISO-8859-1?Q?b?=", "ab" },
	{ "=?utf-8?q?a?= plain =?utf-8?q?b?=", "a plain b" },
	/* a UTF-8 character split across two words */
	{ "=?UTF-8?B?w6k=?= =?UTF-8?Q?=C3?= =?UTF-8?Q?=A8?=",
	    "\xc3\xa9\xc3\xa8" },
	{ "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore" },
	{ "=?koi8-r?B?8NLJ18XU?=", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2"
	    "\xd0\xb5\xd1\x82" },
	{ "=?bogus-cs?Q?x=E9?=", "x\xc3\xa9" },
	{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=" },
	{ "=?utf-8?q?unterminated", "=?utf-8?q?unterminated" },
	{ "Re: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?= again",
	    "Re: Gr\xc3\xbc\xc3\x9f" "e again" },
	{ "raw latin \xe9t\xe9", "raw latin \xc3\xa9t\xc3\xa9" },
	{ "raw utf-8 \xc3\xa9t\xc3\xa9", "raw utf-8 \xc3\xa9t\xc3\xa9" },
	{ "folded\r\n\tline", "folded\tline" },
	{ "=?ISO-2022-JP?B?GyRCJEYkOSRIGyhC?=",
	    "\xe3\x81\xa6\xe3\x81\x99\xe3\x81\xa8" },
};

static void
test_decoders(void)
{
	struct mimebuf	b;
	size_t		i;
	int		f;

	mimebuf_init(&b);
	for (i = 0; i < sizeof(b64) / sizeof(b64[0]); i++) {
		mimebuf_reset(&b);
		f = 0;
		mime_b64_decode(&b, b64[i].in, strlen(b64[i].in), &f);
		is_mem(b.buf, b.len, b64[i].want, b64[i].wantlen ?
		    b64[i].wantlen : strlen(b64[i].want), "base64 #%zu", i);
		is_int(f, b64[i].flags, "base64 flags #%zu", i);
	}
	for (i = 0; i < sizeof(qp) / sizeof(qp[0]); i++) {
		mimebuf_reset(&b);
		f = 0;
		mime_qp_decode(&b, qp[i].in, strlen(qp[i].in), &f);
		is_mem(b.buf, b.len, qp[i].want, qp[i].wantlen ?
		    qp[i].wantlen : strlen(qp[i].want), "qp #%zu", i);
		is_int(f, qp[i].flags, "qp flags #%zu", i);
	}
	mimebuf_reset(&b);
	f = MIMEDEC_QHDR;
	mime_qp_decode(&b, "a_b=5Fc", 7, &f);
	is_str(b.buf, "a b_c", "Q: underscore is a space, =5F is one");
	for (i = 0; i < sizeof(hdr) / sizeof(hdr[0]); i++) {
		mimebuf_reset(&b);
		mime_hdr_decode(&b, hdr[i].in, strlen(hdr[i].in), NULL);
		is_str(b.buf, hdr[i].want, "2047 #%zu", i);
	}
	mimebuf_free(&b);
}

static void
test_charsets(void)
{
	struct mimebuf	b;
	int		f, r;

	mimebuf_init(&b);
	f = 0;
	r = mime_charset_to_utf8(&b, "ISO-8859-1", "caf\xe9", 4, &f);
	is_int(r, 0, "latin-1 known");
	is_str(b.buf, "caf\xc3\xa9", "latin-1 to UTF-8");
	mimebuf_reset(&b);
	mime_charset_to_utf8(&b, "\"windows-1252\"", "\x93q\x94", 3, &f);
	is_str(b.buf, "\xe2\x80\x9cq\xe2\x80\x9d",
	    "cp1252 quotes, quoted name");
	mimebuf_reset(&b);
	f = 0;
	r = mime_charset_to_utf8(&b, "utf-8", "a\xff" "b\xc3\xa9", 5, &f);
	is_str(b.buf, "a\xef\xbf\xbd" "b\xc3\xa9", "bad UTF-8 byte: U+FFFD");
	is_int(f, MIMEDEC_BADSEQ, "bad UTF-8 flagged");
	mimebuf_reset(&b);
	f = 0;
	r = mime_charset_to_utf8(&b, "x-no-such-charset", "a\xe9", 2, &f);
	is_int(r, -1, "unknown charset: -1");
	is_mem(b.buf, b.len, "a\xe9", 2, "unknown charset: bytes kept");
	is_int(f, MIMEDEC_UNKCHARSET, "unknown charset flagged");
	mimebuf_reset(&b);
	r = mime_charset_to_utf8(&b, "UTF-8//TRANSLIT", "x", 1, NULL);
	is_int(r, -1, "iconv suffix in a charset name refused");
	mimebuf_reset(&b);
	f = 0;
	mime_charset_to_utf8(&b, "shift_jis", "\x82\xa0\x82", 3, &f);
	is_str(b.buf, "\xe3\x81\x82\xef\xbf\xbd", "SJIS cut short: U+FFFD");
	mimebuf_reset(&b);
	mime_charset_to_utf8(&b, "us-ascii", "caf\xe9", 4, NULL);
	is_str(b.buf, "caf\xc3\xa9", "8-bit in us-ascii read as cp1252");
	ok(mime_charset_known("latin1"), "latin1 alias known");
	ok(mime_charset_known("KS_C_5601-1987"), "ks_c_5601-1987 known");
	ok(!mime_charset_known("no-such"), "no-such unknown");
	is_int(mime_utf8_valid("ab\xc3\xa9\xc3", 5), 4, "UTF-8 valid prefix");
	is_int(mime_utf8_valid("\xed\xa0\x80", 3), 0, "surrogate invalid");
	is_int(mime_utf8_valid("\xc0\xaf", 2), 0, "overlong invalid");
	mimebuf_free(&b);
}

static void
ct_is(const char *in, const char *type, const char *sub, const char *pn,
    const char *pv)
{
	static int		 n;
	struct mime_ctype	 ct;
	const char		*v;

	n++;
	mime_ctype_parse(in, strlen(in), &ct);
	is_str(ct.type ? ct.type : "(null)", type, "type of ctype #%d", n);
	is_str(ct.subtype ? ct.subtype : "(null)", sub,
	    "subtype of ctype #%d", n);
	if (pn != NULL) {
		v = mime_ctype_param(&ct, pn);
		is_str(v ? v : "(null)", pv, "%s= of ctype #%d", pn, n);
	}
	mime_ctype_clear(&ct);
}

static void
test_params(void)
{
	struct mime_ctype	ct;

	ct_is("text/plain; charset=us-ascii", "text", "plain", "charset",
	    "us-ascii");
	ct_is("Text/HTML;Charset=\"UTF-8\"", "text", "html", "charset",
	    "UTF-8");
	ct_is(" multipart/mixed;\r\n\tboundary=\"=_a b;c\\\"d\"", "multipart",
	    "mixed", "boundary", "=_a b;c\"d");
	ct_is("text/plain (comment) ; (x) charset = latin1 (Latin)", "text",
	    "plain", "charset", "latin1");
	ct_is("text/plain charset=us-ascii", "text", "plain", "charset",
	    "us-ascii");
	ct_is("multipart/mixed; boundary=abc; boundary=def", "multipart",
	    "mixed", "boundary", "abc");
	ct_is("attachment; filename=x.txt", "attachment", "(null)",
	    "filename", "x.txt");
	ct_is("", "(null)", "(null)", NULL, NULL);
	ct_is("; charset=x", "(null)", "(null)", "charset", "x");
	ct_is("text/", "text", "(null)", NULL, NULL);
	ct_is("attachment; filename*=iso-8859-1'fr'caf%E9.txt",
	    "attachment", "(null)", "filename", "caf\xc3\xa9.txt");
	ct_is("attachment; filename*1=\"two\"; filename*0=\"one-\"; "
	    "filename*2*=%41", "attachment", "(null)", "filename",
	    "one-twoA");
	ct_is("attachment; filename*0*=utf-8''%C3%A9t; filename*1=\"e.doc\"",
	    "attachment", "(null)", "filename", "\xc3\xa9te.doc");
	ct_is("attachment; filename=plain; filename*0=cont", "attachment",
	    "(null)", "filename", "plain");
	ct_is("text/plain; name=\"unterminated", "text", "plain", "name",
	    "unterminated");
	ct_is("text/plain; =x; ;; garbage; charset=ok", "text", "plain",
	    "charset", "ok");

	mime_ctype_parse("a/b; filename*=utf-8'en'x", 25, &ct);
	is_int(ct.nparams, 1, "one parameter");
	is_str(ct.params[0].charset ? ct.params[0].charset : "", "utf-8",
	    "2231 charset kept");
	is_str(ct.params[0].lang ? ct.params[0].lang : "", "en",
	    "2231 language kept");
	mime_ctype_clear(&ct);
	mime_ctype_clear(NULL);
}

int
main(void)
{
	test_decoders();
	test_charsets();
	test_params();
	return done_testing();
}
