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
 * common/mime: the tree of tricky messages, printed one part a line as
 * "<indent>type/subtype [flags] "raw body"" and compared whole.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mime.h"
#include "msghdr.h"
#include "tap.h"

struct tcase {
	const char	*name;
	const char	*msg;
	const char	*tree;
};

static const struct tcase cases[] = {
	{ "plain",
	    "Subject: hi\n\nhello\nworld\n",
	    "text/plain [DEFTYPE] \"hello\\nworld\\n\"\n" },
	{ "header only, no blank line",
	    "Subject: hi\nX: y\n",
	    "text/plain [NOSEP,DEFTYPE] \"\"\n" },
	{ "empty message",
	    "",
	    "text/plain [NOSEP,DEFTYPE] \"\"\n" },
	{ "alternative, CRLF, preamble and epilogue",
	    "Content-Type: multipart/alternative; boundary=\"b1\"\r\n"
	    "\r\n"
	    "This is a preamble.\r\n"
	    "--b1\r\n"
	    "Content-Type: text/plain\r\n"
	    "\r\n"
	    "plain\r\n"
	    "--b1  \r\n"
	    "Content-Type: text/html\r\n"
	    "\r\n"
	    "<p>html</p>\r\n"
	    "\r\n"
	    "--b1--\r\n"
	    "epilogue\r\n",
	    "multipart/alternative \"This is a preamble.\\r\\n--b1\\r\\n"
	    "Content-Type: text/plain\\r\\n\\r\\nplain\\r\\n--b1  \\r\\n"
	    "Content-Type: text/html\\r\\n\\r\\n<p>html</p>\\r\\n\\r\\n"
	    "--b1--\\r\\nepilogue\\r\\n\"\n"
	    "  text/plain \"plain\"\n"
	    "  text/html \"<p>html</p>\\r\\n\"\n" },
	{ "missing final boundary",
	    "Content-Type: multipart/mixed; boundary=zz\n\n"
	    "--zz\n\none\n--zz\n\ntwo\nstill two\n",
	    "multipart/mixed [NOEND] \"--zz\\n\\none\\n--zz\\n\\ntwo\\n"
	    "still two\\n\"\n"
	    "  text/plain [DEFTYPE] \"one\"\n"
	    "  text/plain [DEFTYPE] \"two\\nstill two\\n\"\n" },
	{ "boundary prefix of the inner one",
	    "Content-Type: multipart/mixed; boundary=abc\n\n"
	    "--abc\n"
	    "Content-Type: multipart/alternative; boundary=abcdef\n\n"
	    "--abcdef\n\ninner1\n"
	    "--abcdef\n\ninner2\n"
	    "--abcdef--\n"
	    "--abc\n\nouter2\n"
	    "--abc--\n",
	    NULL },
	{ "inner boundary a prefix of the outer one",
	    "Content-Type: multipart/mixed; boundary=abcdef\n\n"
	    "--abcdef\n"
	    "Content-Type: multipart/alternative; boundary=abc\n\n"
	    "--abc\n\ninner1\n"
	    "--abc--\n"
	    "--abcdef--x\n\nstill outer1\n"
	    "--abcdef--\n",
	    NULL },
	{ "message/rfc822 with a multipart inside",
	    "Content-Type: multipart/mixed; boundary=o\n\n"
	    "--o\n\nfirst\n"
	    "--o\nContent-Type: message/rfc822\n\n"
	    "Subject: inner\n"
	    "Content-Type: multipart/alternative; boundary=i\n\n"
	    "--i\n\ninner text\n--i--\n"
	    "--o--\n",
	    NULL },
	{ "digest: children default to message/rfc822",
	    "Content-Type: multipart/digest; boundary=d\n\n"
	    "--d\n\nSubject: one\n\nbody one\n"
	    "--d\nContent-Type: text/plain\n\nnot a message\n"
	    "--d--\n",
	    NULL },
	{ "multipart without boundary",
	    "Content-Type: multipart/mixed\n\nbody\n",
	    "text/plain [BADTYPE] \"body\\n\"\n" },
	{ "multipart without any delimiter",
	    "Content-Type: multipart/mixed; boundary=q\n\n"
	    "X-A: b\n\njust text\n",
	    "multipart/mixed [NOEND,NOPARTS] \"X-A: b\\n\\njust text\\n\"\n"
	    "  text/plain [DEFTYPE] \"just text\\n\"\n" },
	{ "part without a blank line after its header",
	    "Content-Type: multipart/mixed; boundary=q\n\n"
	    "--q\nContent-Type: text/plain\nbody line\n--q--\n",
	    NULL },
	{ "mbox From line, folded Content-Type, comments",
	    "From someone@example.org Mon Jan  1 00:00:00 2024\n"
	    "Content-Type: multipart/mixed;\n"
	    "\tboundary=\"x y\" (a comment)\n\n"
	    "--x y\nContent-Type: text/html; charset=utf-8\n\n<b>x</b>\n"
	    "--x y--\n",
	    NULL },
};

static const char *want_trees[] = {
	/* boundary prefix of the inner one */
	"multipart/mixed *\n"
	"  multipart/alternative *\n"
	"    text/plain [DEFTYPE] \"inner1\"\n"
	"    text/plain [DEFTYPE] \"inner2\"\n"
	"  text/plain [DEFTYPE] \"outer2\"\n",
	/* inner boundary a prefix of the outer one */
	"multipart/mixed *\n"
	"  multipart/alternative *\n"
	"    text/plain [DEFTYPE] \"inner1\"\n",
	/* message/rfc822 */
	"multipart/mixed *\n"
	"  text/plain [DEFTYPE] \"first\"\n"
	"  message/rfc822 *\n"
	"    multipart/alternative *\n"
	"      text/plain [DEFTYPE] \"inner text\"\n",
	/* digest */
	"multipart/digest *\n"
	"  message/rfc822 [DEFTYPE] *\n"
	"    text/plain [DEFTYPE] \"body one\"\n"
	"  text/plain \"not a message\"\n",
	/* no blank line */
	"multipart/mixed *\n"
	"  text/plain [NOSEP] \"body line\"\n",
	/* mbox */
	"multipart/mixed *\n"
	"  text/html \"<b>x</b>\"\n",
};

static void
esc(char *out, size_t outsz, const char *s, size_t n)
{
	size_t	i, o = 0;

	for (i = 0; i < n && o + 5 < outsz; i++) {
		if (s[i] == '\n') {
			out[o++] = '\\';
			out[o++] = 'n';
		} else if (s[i] == '\r') {
			out[o++] = '\\';
			out[o++] = 'r';
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
}

/* The tree; multipart and message bodies as "*" when short is set. */
static char *
dump(const struct mime *m, int shortform)
{
	static const char	*fn[] = { "NOEND", "NOSEP", "DEFTYPE",
				    "BADTYPE", "NOPARTS", "LIMIT" };
	const struct mime_part	*p;
	char			*out, line[4096], body[2048], fl[128];
	size_t			 blen, i, osz = 65536;
	const char		*b;
	int			 r;

	out = calloc(1, osz);
	for (p = mime_root(m); p != NULL; p = mime_next(p)) {
		fl[0] = '\0';
		for (i = 0; i < 6; i++)
			if (p->flags & (1 << i)) {
				strlcat(fl, fl[0] ? "," : "[", sizeof(fl));
				strlcat(fl, fn[i], sizeof(fl));
			}
		if (fl[0])
			strlcat(fl, "] ", sizeof(fl));
		b = mime_body(m, p, &blen);
		esc(body, sizeof(body), b, blen);
		if (shortform && p->nchild > 0)
			r = snprintf(line, sizeof(line), "%*s%s/%s %s*\n",
			    p->depth * 2, "", p->type, p->subtype, fl);
		else
			r = snprintf(line, sizeof(line), "%*s%s/%s %s\"%s\"\n",
			    p->depth * 2, "", p->type, p->subtype, fl, body);
		if (r < 0 || (size_t)r >= sizeof(line))
			abort();
		strlcat(out, line, osz);
	}
	return out;
}

static void
test_trees(void)
{
	struct mime	*m;
	size_t		 i, w = 0;
	char		*got;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m = mime_parse(cases[i].msg, strlen(cases[i].msg), NULL);
		got = dump(m, cases[i].tree == NULL);
		is_str(got, cases[i].tree ? cases[i].tree : want_trees[w++],
		    "tree: %s", cases[i].name);
		free(got);
		mime_free(m);
	}
}

static void
test_sizes(void)
{
	const char	*msg =
	    "Content-Type: multipart/mixed; boundary=s\r\n\r\n"
	    "--s\r\nContent-Type: text/plain\r\n\r\nab\r\ncd\r\n\r\n"
	    "--s\r\nContent-Type: text/plain\r\n\r\nbare\nlf\n"
	    "--s--\r\n";
	struct mime		*m;
	const struct mime_part	*r, *a, *b;
	const char		*s;
	size_t			 n;

	m = mime_parse(msg, strlen(msg), NULL);
	r = mime_root(m);
	is_int(r->nchild, 2, "two parts");
	a = r->child[0];
	b = r->child[1];
	is_int(a->bodylen, 8, "part 1 size: the CRLF before -- excluded");
	is_int(a->lines, 2, "part 1 lines");
	is_int(a->barelf, 0, "part 1 no bare LF");
	is_int(b->bodylen, 7, "part 2 size");
	is_int(b->lines, 1, "part 2 lines");
	is_int(b->barelf, 1, "part 2 one bare LF");
	s = mime_body(m, a, &n);
	is_mem(s, n, "ab\r\ncd\r\n", 8, "part 1 body");
	is_int(a->off, 50, "part 1 header offset");
	is_int(a->bodyoff - a->off, 28, "part 1 header length");
	is_int(r->lines, 12, "root lines");
	is_int(mime_nparts(m), 3, "3 parts");
	ok(msghdr_find(a->hdr, "content-type", 0) == 0, "part header fields");
	mime_free(m);
}

static void
test_decode(void)
{
	const char	*msg =
	    "Content-Type: multipart/mixed; boundary=s\n\n"
	    "--s\nContent-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n"
	    "caf=E9 cr=\n=E8me\r\n"
	    "--s\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: BASE64\n\n"
	    "w6l0w6kNCg==\n"
	    "--s\nContent-Type: application/octet-stream; name=\"a.bin\"\n"
	    "Content-Disposition: attachment; filename*=utf-8''%C3%A9.bin\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "AAEC\n"
	    "--s\nContent-Type: text/plain; charset=x-unknown\n\n"
	    "caf\xe9\n"
	    "--s--\n";
	struct mime		*m;
	const struct mime_part	*r;
	struct mimebuf		 b;
	int			 f;

	m = mime_parse(msg, strlen(msg), NULL);
	r = mime_root(m);
	is_int(r->nchild, 4, "four parts");
	mimebuf_init(&b);
	mime_decode(m, r->child[0], &b, MIME_DEC_UTF8 | MIME_DEC_LF);
	is_str(b.buf, "caf\xc3\xa9 cr\xc3\xa8me", "QP latin-1 to UTF-8");
	mimebuf_reset(&b);
	mime_decode(m, r->child[0], &b, 0);
	is_str(b.buf, "caf\xe9 cr\xe8me", "QP bytes only");
	mimebuf_reset(&b);
	is_int(r->child[1]->enc, MIME_ENC_BASE64, "BASE64 recognised");
	is_str(r->child[1]->encname, "BASE64", "CTE name as given");
	mime_decode(m, r->child[1], &b, MIME_DEC_UTF8 | MIME_DEC_LF);
	is_str(b.buf, "\xc3\xa9t\xc3\xa9\n", "base64 UTF-8, CRLF to LF");
	mimebuf_reset(&b);
	mime_decode(m, r->child[2], &b, MIME_DEC_UTF8 | MIME_DEC_LF);
	is_mem(b.buf, b.len, "\0\1\2", 3, "binary part: bytes, no charset");
	is_str(mime_filename(r->child[2]), "\xc3\xa9.bin",
	    "RFC 2231 filename from the disposition");
	is_str(r->child[2]->disp.type, "attachment", "disposition type");
	is_str(mime_param(r->child[2], "NAME"), "a.bin", "name parameter");
	mimebuf_reset(&b);
	f = mime_decode(m, r->child[3], &b, MIME_DEC_UTF8);
	is_str(b.buf, "caf\xe9", "unknown charset: bytes kept");
	is_int(f & MIMEDEC_UNKCHARSET, MIMEDEC_UNKCHARSET,
	    "unknown charset reported");
	mimebuf_free(&b);
	mime_free(m);
}

static void
test_limits(void)
{
	struct mimebuf		 b;
	struct mime_limits	 lim;
	struct mime		*m;
	const struct mime_part	*p;
	int			 i, depth;

	/* 40 nested multiparts */
	mimebuf_init(&b);
	for (i = 0; i < 40; i++) {
		char	line[128];

		snprintf(line, sizeof(line), "Content-Type: multipart/mixed; "
		    "boundary=b%d\n\n--b%d\n", i, i);
		mimebuf_adds(&b, line);
	}
	mimebuf_adds(&b, "\ndeep\n");
	m = mime_parse(b.buf, b.len, NULL);
	ok(mime_flags(m) & MIME_F_LIMIT, "depth bomb: limit flagged");
	depth = 0;
	for (p = mime_root(m); p != NULL; p = mime_next(p))
		if (p->depth > depth)
			depth = p->depth;
	is_int(depth, MIME_DEPTH_MAX, "depth stops at the limit");
	mime_free(m);

	/* 5000 parts, limit 100 */
	mimebuf_reset(&b);
	mimebuf_adds(&b, "Content-Type: multipart/mixed; boundary=p\n\n");
	for (i = 0; i < 5000; i++)
		mimebuf_adds(&b, "--p\n\nx\n");
	mimebuf_adds(&b, "--p--\n");
	lim.max_depth = 0;
	lim.max_parts = 100;
	m = mime_parse(b.buf, b.len, &lim);
	ok(mime_flags(m) & MIME_F_LIMIT, "part bomb: limit flagged");
	is_int(mime_nparts(m), 100, "parts stop at the limit");
	mime_free(m);
	m = mime_parse(b.buf, b.len, NULL);
	is_int(mime_nparts(m), MIME_PARTS_MAX, "default part limit");
	mime_free(m);
	mimebuf_free(&b);
}

static void
sect_is(const struct mime *m, const char *spec, const char *want)
{
	const struct mime_part	*p;
	const char		*b;
	char			 got[256];
	size_t			 n;

	if ((p = mime_section(m, spec)) == NULL)
		strlcpy(got, "NIL", sizeof(got));
	else {
		b = mime_body(m, p, &n);
		snprintf(got, sizeof(got), "%s/%s %.*s", p->type, p->subtype,
		    (int)(n > 20 ? 20 : n), b);
	}
	is_str(got, want, "section %s", spec);
}

static void
test_sections(void)
{
	const char	*msg =
	    "Content-Type: multipart/mixed; boundary=o\n\n"
	    "--o\n\none\n"
	    "--o\nContent-Type: message/rfc822\n\n"
	    "Subject: in\nContent-Type: multipart/alternative; boundary=i\n\n"
	    "--i\n\nin1\n--i\n\nin2\n--i--\n"
	    "--o\nContent-Type: message/rfc822\n\nSubject: flat\n\nflat\n"
	    "--o--\n";
	const char	*flat = "Subject: x\n\nbody\n";
	struct mime	*m;

	m = mime_parse(msg, strlen(msg), NULL);
	sect_is(m, "1", "text/plain one");
	sect_is(m, "2", "message/rfc822 Subject: in\nContent-");
	sect_is(m, "2.1", "text/plain in1");
	sect_is(m, "2.2", "text/plain in2");
	sect_is(m, "3.1", "text/plain flat");
	sect_is(m, "3.2", "NIL");
	sect_is(m, "1.1", "NIL");
	sect_is(m, "4", "NIL");
	sect_is(m, "0", "NIL");
	sect_is(m, "2.", "NIL");
	sect_is(m, "x", "NIL");
	mime_free(m);
	m = mime_parse(flat, strlen(flat), NULL);
	sect_is(m, "1", "text/plain body\n");
	sect_is(m, "2", "NIL");
	mime_free(m);
}

/*
 * "t_mime --dump FILE...": each part in document order as
 * "depth type/subtype" and, for leaves, "= hex of the decoded body"
 * (tests/integration/mime-tree-python.t compares with Python's email).
 */
static void
dump_tree(const char *path)
{
	FILE			*f;
	struct mimebuf		 in, out;
	const struct mime_part	*p;
	struct mime		*m;
	char			 chunk[8192];
	size_t			 n, i;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(1);
	}
	mimebuf_init(&in);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mimebuf_add(&in, chunk, n);
	fclose(f);
	m = mime_parse(in.buf != NULL ? in.buf : "", in.len, NULL);
	printf("== %s\n", path);
	mimebuf_init(&out);
	for (p = mime_root(m); p != NULL; p = mime_next(p)) {
		printf("%d %s/%s\n", p->depth, p->type, p->subtype);
		if (p->nchild > 0)
			continue;
		mimebuf_reset(&out);
		mime_decode(m, p, &out, 0);
		printf("=");
		for (i = 0; i < out.len; i++)
			printf("%02x", (unsigned char)out.buf[i]);
		printf("\n");
	}
	mimebuf_free(&out);
	mime_free(m);
	mimebuf_free(&in);
}

int
main(int argc, char *argv[])
{
	int	i;

	if (argc > 2 && strcmp(argv[1], "--dump") == 0) {
		for (i = 2; i < argc; i++)
			dump_tree(argv[i]);
		return 0;
	}
	test_sections();
	test_trees();
	test_sizes();
	test_decode();
	test_limits();
	return done_testing();
}
