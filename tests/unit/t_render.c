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
 * filterd/render and filterd/html: SpamAssassin's body, rawbody and
 * URI views of messages.  With arguments, "t_render --dump FILE..."
 * prints those views ("B line", "R part", "U uri", escaped) for the
 * comparison with SpamAssassin itself (tests/integration/mime-render-sa.t).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mime.h"
#include "tap.h"
#include "../../filterd/html.h"
#include "../../filterd/render.h"

static void	put_escaped(FILE *, const char *, const char *, size_t);
static int	uri_strcmp(const void *, const void *);
static char	*render_str(const char *, int);
static void	dump_file(const char *, const struct render_opts *);
static void	dump_html(const struct html_result *);
static void	put_list(const char *, const struct html_strs *);
static void	load_tlds(const char *);
static int	tld_cmp(const void *, const void *);
static int	tagcount_cmp(const void *, const void *);
static int	tld_in_list(const char *, void *);

/* TLDs read from SpamAssassin's util_rb_tld lines (--tlds FILE). */
static char	**tlds;
static size_t	  ntlds;

static void
put_escaped(FILE *f, const char *tag, const char *s, size_t n)
{
	size_t	i;

	fprintf(f, "%s ", tag);
	for (i = 0; i < n; i++) {
		unsigned char	c = s[i];

		if (c == '\\')
			fputs("\\\\", f);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\n', f);
}

static int
uri_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
put_list(const char *key, const struct html_strs *l)
{
	struct mimebuf	b;
	size_t		i;

	mimebuf_init(&b);
	mimebuf_adds(&b, key);
	for (i = 0; i < l->n; i++) {
		if (i > 0)
			mimebuf_addc(&b, '|');
		mimebuf_adds(&b, l->v[i]);
	}
	put_escaped(stdout, "H", b.buf, b.len);
	mimebuf_free(&b);
}

static int
tagcount_cmp(const void *a, const void *b)
{
	return strcmp(((const struct html_tagcount *)a)->name,
	    ((const struct html_tagcount *)b)->name);
}

/* HTML.pm's results, as mime-render-sa.t prints SpamAssassin's. */
static void
dump_html(const struct html_result *h)
{
	struct html_tagcount	*t;
	size_t			 i;

	printf("H html_length %zu\nH non_space_len %zu\nH ratio %.4f\n",
	    h->html_length, h->non_space_len, h->ratio);
	printf("H length %zu\nH image_area %ld\n", h->length, h->image_area);
	printf("H min_size %d\nH max_size %d\n", h->min_size, h->max_size);
	if (h->tags > 0)
		printf("H closed_extra_ratio %.4f\n",
		    (double)h->closed_extra / h->tags);
	if (h->tags > 0 && h->elements > 0)
		printf("H bad_tag_ratio %.4f\n",
		    (double)(h->tags - h->elements) / h->tags);
	if (h->tags_seen > 0 && h->elements_seen > 0)
		printf("H non_element_ratio %.4f\n",
		    (double)(h->tags_seen - h->elements_seen) / h->tags_seen);
	if (h->obfuscation > 0)
		printf("H obfuscation_ratio %.4f\n",
		    (double)h->obfuscation / h->tags);
	if (h->backhair_count > 0)
		printf("H backhair_count %zu\n", h->backhair_count);
	if (h->font_low_contrast)
		printf("H font_low_contrast 1\n");
	if (h->font_invalid_color)
		printf("H font_invalid_color 1\n");
	if (h->font_face_bad)
		printf("H font_face_bad 1\n");
	if (h->form_action_mailto)
		printf("H form_action_mailto 1\n");
	if (h->embeds)
		printf("H embeds 1\n");
	printf("H inside");
	if (h->ninside > 0) {
		t = calloc(h->ninside, sizeof(*t));
		if (t == NULL)
			err(1, NULL);
		memcpy(t, h->inside, h->ninside * sizeof(*t));
		qsort(t, h->ninside, sizeof(*t), tagcount_cmp);
		for (i = 0; i < h->ninside; i++)
			printf(" %s=%d", t[i].name, t[i].count);
		free(t);
	}
	printf("\n");
	put_list("title ", &h->title);
	put_list("anchor ", &h->anchor);
	printf("H comments %zu\nH scripts %zu\n", h->comment.n,
	    h->script.n);
}

static int
tld_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
tld_in_list(const char *tld, void *arg)
{
	return bsearch(&tld, tlds, ntlds, sizeof(*tlds), tld_cmp) != NULL;
}

static void
load_tlds(const char *path)
{
	FILE	*f;
	char	 line[4096], *p, *w;

	if ((f = fopen(path, "r")) == NULL)
		err(1, "%s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "util_rb_tld ", 12) != 0)
			continue;
		p = line + 12;
		while ((w = strsep(&p, " \t\n")) != NULL) {
			if (*w == '\0')
				continue;
			tlds = reallocarray(tlds, ntlds + 1, sizeof(*tlds));
			if (tlds == NULL || (tlds[ntlds++] = strdup(w)) == NULL)
				err(1, NULL);
		}
	}
	fclose(f);
	if (ntlds > 0)
		qsort(tlds, ntlds, sizeof(*tlds), tld_cmp);
}

static void
dump_file(const char *path, const struct render_opts *o)
{
	struct stat	 st;
	struct mime	*m;
	struct render	*r;
	const char	*l;
	char		*buf;
	size_t		 i, n;
	ssize_t		 got;
	int		 fd;

	if ((fd = open(path, O_RDONLY)) == -1 || fstat(fd, &st) == -1)
		err(1, "%s", path);
	buf = malloc(st.st_size + 1);
	if (buf == NULL)
		err(1, NULL);
	if ((got = read(fd, buf, st.st_size)) != st.st_size)
		errx(1, "%s: short read", path);
	close(fd);
	m = mime_parse(buf, st.st_size, NULL);
	r = render_message(m, o);
	printf("== %s\n", path);
	for (i = 0; i < r->body.n; i++) {
		l = render_line(&r->body, i, &n);
		put_escaped(stdout, "B", l, n);
	}
	if (r->has_html)
		dump_html(&r->html);
	for (i = 0; i < r->rawbody.n; i++) {
		l = render_line(&r->rawbody, i, &n);
		put_escaped(stdout, "R", l, n);
	}
	if (r->uris.n > 0)
		qsort(r->uris.v, r->uris.n, sizeof(*r->uris.v), uri_strcmp);
	for (i = 0; i < r->uris.n; i++)
		put_escaped(stdout, "U", r->uris.v[i], strlen(r->uris.v[i]));
	render_free(r);
	mime_free(m);
	free(buf);
}

/*
 * The body lines of a message joined with "|", or (which == 1) the
 * rawbody elements, or (which == 2) the sorted URIs.
 */
static char *
render_str(const char *msg, int which)
{
	struct mime		*m;
	struct render		*r;
	struct render_lines	*rl;
	struct mimebuf		 b;
	const char		*l;
	size_t			 i, n;

	m = mime_parse(msg, strlen(msg), NULL);
	r = render_message(m, NULL);
	mimebuf_init(&b);
	if (which == 2) {
		if (r->uris.n > 0)
			qsort(r->uris.v, r->uris.n, sizeof(*r->uris.v),
			    uri_strcmp);
		for (i = 0; i < r->uris.n; i++) {
			if (i > 0)
				mimebuf_addc(&b, '|');
			mimebuf_adds(&b, r->uris.v[i]);
		}
	} else {
		rl = which == 0 ? &r->body : &r->rawbody;
		for (i = 0; i < rl->n; i++) {
			l = render_line(rl, i, &n);
			if (i > 0)
				mimebuf_addc(&b, '|');
			mimebuf_add(&b, l, n);
		}
	}
	render_free(r);
	mime_free(m);
	return mimebuf_steal(&b);
}

struct rcase {
	const char	*name;
	const char	*msg;
	int		 which;
	const char	*want;
};

static const struct rcase rcases[] = {
	{ "plain: Subject first, paragraphs joined",
	    "Subject: Hello\n\nline one\nline two\n\n\npara two\n", 0,
	    "Hello\n|line one line two\n|para two " },
	{ "no Subject: an empty first line",
	    "From: a@b\n\nbody\n", 0, "\n|body " },
	{ "folded, encoded Subject",
	    "Subject: =?utf-8?q?caf=C3=A9?=\n =?utf-8?q?_cr=C3=A8me?= x\n\nb\n",
	    0, "caf\xc3\xa9 cr\xc3\xa8me x\n|b " },
	{ "HTML: tags, blocks, entities, script and style",
	    "Subject: s\nContent-Type: text/html\n\n"
	    "<html><head><style>p{color:red}</style><title>T</title></head>"
	    "<body><p>One &amp; two</p><div>three<br>four</div>"
	    "<script>var x=1;</script><ul><li>a</li><li>b</li></ul>"
	    "&lt;tag&gt; &copy2 &nbsp;x&#65;&#x42;</body></html>\n", 0,
	    "s\n|\n|T\n|One & two\n|three four a b <tag> \xa9" "2 xAB " },
	{ "HTML: invisible text stays in the body view",
	    "Subject: s\nContent-Type: text/html\n\n"
	    "<p>seen <font color=\"#ffffff\">hidden</font> "
	    "<span style=\"display:none\">gone</span></p>\n", 0,
	    "s\n|\n|seen hidden gone\n" },
	{ "QP latin-1",
	    "Subject: q\nContent-Type: text/plain; charset=iso-8859-1\n"
	    "Content-Transfer-Encoding: quoted-printable\n\ncaf=E9 =\nok\n", 0,
	    "q\n|caf\xc3\xa9 ok " },
	{ "base64 and alternative: both parts rendered",
	    "Subject: a\nContent-Type: multipart/alternative; boundary=b\n\n"
	    "--b\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n"
	    "\naGVsbG8gd29ybGQK\n--b\nContent-Type: text/html\n\n"
	    "<b>hello</b> world\n--b--\n", 0,
	    "a\n|hello world\n|hello world" },
	{ "rawbody: whole parts, not rendered",
	    "Subject: a\nContent-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/html\n\n<b>x</b>\n\ny\n"
	    "--b\nContent-Type: application/pdf\n\n%PDF\n"
	    "--b\nContent-Type: text/calendar\n\nBEGIN\n--b--\n", 1,
	    "<b>x</b>\n\ny" },
	{ "URIs from text and HTML",
	    "Subject: see www.example.com/a\nContent-Type: multipart/mixed; "
	    "boundary=b\n\n--b\n\nmail bob@example.org or "
	    "http://example.net/p?q=1).\n--b\nContent-Type: text/html\n\n"
	    "<a href=\"https://example.com/x\">x</a><img src=\"/i.png\">\n"
	    "--b--\n", 2,
	    "/i.png|http://example.net/p?q=1|http://www.example.com/a|"
	    "https://example.com/x|mailto:bob@example.org" },
	{ "HTML entities past U+00FF make the text UTF-8",
	    "Content-Type: text/html\n\n&copy; &euro;\n", 0,
	    "\n|\xc2\xa9 \xe2\x82\xac " },
	{ "HTML with <base href>",
	    "Content-Type: text/html\n\n"
	    "<base href=\"http://h.example/d/f.html\">"
	    "<a href=\"rel\">r</a><a href=\"/abs\">a</a>\n", 2,
	    "/abs|http://h.example/abs|http://h.example/d/f.html|"
	    "http://h.example/d/rel|http://rel|http://www.rel.com|rel" },
	{ "a long line split at a space before 2048",
	    NULL, 0, NULL },
};

static void
test_render(void)
{
	size_t	i;
	char	*got;

	for (i = 0; i < sizeof(rcases) / sizeof(rcases[0]); i++) {
		if (rcases[i].msg == NULL)
			continue;
		got = render_str(rcases[i].msg, rcases[i].which);
		is_str(got, rcases[i].want, "%s", rcases[i].name);
		free(got);
	}
}

static void
test_long_line(void)
{
	struct mimebuf	 b;
	char		*got, *bar;

	mimebuf_init(&b);
	mimebuf_adds(&b, "Subject: l\n\n");
	while (b.len < 3000)
		mimebuf_adds(&b, "word ");
	mimebuf_adds(&b, "\n");
	got = render_str(b.buf, 0);
	bar = strchr(got, '|');
	bar = bar != NULL ? strchr(bar + 1, '|') : NULL;
	ok(bar != NULL && bar - strchr(got, '|') - 1 == 2045,
	    "first body line cut after the last space before 2048 (%d)",
	    bar ? (int)(bar - strchr(got, '|') - 1) : -1);
	free(got);
	mimebuf_free(&b);
}

static void
test_html(void)
{
	static const struct {
		const char	*in;
		const char	*want;
	} h[] = {
		{ "a<b", "a" },
		{ "x <3 y < z", "x <3 y < z" },
		{ "<!-- c -->after<!-- open", "after" },
		{ "<title>a<b>c</b></title>d", "\n\na<b>c</b>\n\nd" },
		{ "<p>a</p><p>b</p>", "\n\na\n\n\n\nb\n\n" },
		{ "one <br/>two<br />three", "one\ntwo\nthree" },
		{ "&ampx &gt &Alpha &Alpha; &#0; &#1114112;",
		    "&x > &Alpha \xce\x91 &#0; &#1114112;" },
		{ "\xe2\x80\x9cq\xe2\x80\x9d", "\"q\"" },
		{ "<td>a </td><td>b</td>", " a  b " },
		{ "<xmp><b>raw</b></xmp>", "\n\n<b>raw</b>\n\n" },
	};
	struct mimebuf		 out;
	struct html_uris	 u;
	struct html_result	 res;
	const char		*s;
	size_t			 i;

	memset(&u, 0, sizeof(u));
	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		mimebuf_init(&out);
		memset(&res, 0, sizeof(res));
		html_render(h[i].in, strlen(h[i].in), &out, &u, &res);
		is_str(out.buf, h[i].want, "html #%zu", i);
		mimebuf_free(&out);
		html_result_clear(&res);
	}
	mimebuf_init(&out);
	memset(&res, 0, sizeof(res));
	s = "<body bgcolor=red><font color=white>w</font>"
	    "<font size=1>s</font><span style=\"color: #fefefe\">n</span>"
	    "v</body>";
	html_render(s, strlen(s), &out, &u, &res);
	is_int(res.invisible_len, 3, "white, tiny and near-white invisible");
	is_int(res.font_low_contrast, 1, "low contrast noted");
	is_int(html_inside(&res, "font"), 0, "inside{font} back to 0");
	is_int(html_inside(&res, "body"), 0, "inside{body} back to 0");
	is_int(html_inside(&res, "table"), -1, "no table");
	mimebuf_free(&out);
	html_result_clear(&res);
	html_uris_clear(&u);
}

static void
test_normalize(void)
{
	struct mimebuf	b;

	mimebuf_init(&b);
	render_to_utf8(&b, "iso-8859-1", "\x93" "caf\xe9\x94", 6);
	is_str(b.buf, "\xe2\x80\x9c" "caf\xc3\xa9\xe2\x80\x9d",
	    "latin-1 read as Windows-1252");
	mimebuf_reset(&b);
	render_to_utf8(&b, "iso-8859-1", "caf\xc3\xa9", 5);
	is_str(b.buf, "caf\xc3\xa9", "valid UTF-8 wins over the label");
	mimebuf_reset(&b);
	render_to_utf8(&b, "koi8-r", "\xf0\xd2", 2);
	is_str(b.buf, "\xd0\x9f\xd1\x80", "declared charset");
	mimebuf_reset(&b);
	render_to_utf8(&b, "x-bogus", "caf\xe9", 4);
	is_str(b.buf, "caf\xc3\xa9", "unknown charset: Windows-1252");
	mimebuf_free(&b);
}

int
main(int argc, char *argv[])
{
	struct render_opts	 o;
	int			 i = 2;
	size_t			 k;

	if (argc > 2 && strcmp(argv[1], "--dump") == 0) {
		memset(&o, 0, sizeof(o));
		if (argc > 4 && strcmp(argv[2], "--tlds") == 0) {
			load_tlds(argv[3]);
			o.tld_valid = tld_in_list;
			i = 4;
		}
		for (; i < argc; i++)
			dump_file(argv[i], &o);
		for (k = 0; k < ntlds; k++)
			free(tlds[k]);
		free(tlds);
		return 0;
	}
	test_render();
	test_long_line();
	test_html();
	test_normalize();
	return done_testing();
}
