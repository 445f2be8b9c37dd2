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
 * greyd-setup's library: the getcap parser (records, quoting, tc=,
 * errors as file:line), the list-line parser, gzip input, black minus
 * white in "all" order, the message escaping and the config line.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "addr.h"
#include "log.h"
#include "tap.h"
#include "xmalloc.h"
#include "../../greyd/setup.h"

static char	tmpdir[] = "/tmp/t_setup.XXXXXX";

struct capture {
	char	*lines[16];
	size_t	 n;
};

static void	 put_file(const char *, const char *, size_t);
static char	*path_of(const char *);
static struct setup_conf *parse(const char *);
static const char *field(struct setup_conf *, const char *, size_t);
static int	 sink(const char *, const char *, size_t, void *);
static int	 run(const char *, struct capture *, struct prefixset *);
static void	 capture_free(struct capture *);
static char	*line_str(const char *);
static size_t	 gzip_mem(const char *, size_t, unsigned char *, size_t);
static int	 has_err(struct setup_conf *, const char *);

static void
put_file(const char *name, const char *text, size_t len)
{
	char	*p = path_of(name);
	FILE	*f;

	if ((f = fopen(p, "w")) == NULL || fwrite(text, 1, len, f) != len ||
	    fclose(f) != 0) {
		printf("Bail out! cannot write %s\n", p);
		exit(255);
	}
	free(p);
}

static char *
path_of(const char *name)
{
	char	*p;

	xasprintf(&p, "%s/%s", tmpdir, name);
	return p;
}

static struct setup_conf *
parse(const char *text)
{
	return setup_conf_parse("t.conf", text, strlen(text));
}

/* Field i of the record named name, tc= expanded ("" if none). */
static const char *
field(struct setup_conf *c, const char *name, size_t i)
{
	static char		 buf[256];
	struct setup_field	**f;
	size_t			 n;

	buf[0] = '\0';
	if (setup_conf_get(c, name, NULL, &f, &n) == -1)
		return "(no record)";
	if (i < n)
		strlcpy(buf, f[i]->text, sizeof(buf));
	else
		strlcpy(buf, "(no field)", sizeof(buf));
	free(f);
	return buf;
}

static int
has_err(struct setup_conf *c, const char *want)
{
	size_t	i;

	for (i = 0; i < c->nerrs; i++)
		if (strcmp(c->errs[i], want) == 0)
			return 1;
	for (i = 0; i < c->nerrs; i++)
		diag("error: %s", c->errs[i]);
	diag("wanted: %s", want);
	return 0;
}

static int
sink(const char *tag, const char *line, size_t len, void *arg)
{
	struct capture	*c = arg;

	if (c->n < nitems(c->lines))
		c->lines[c->n++] = xstrndup(line, len);
	return 0;
}

static void
capture_free(struct capture *c)
{
	size_t	i;

	for (i = 0; i < c->n; i++)
		free(c->lines[i]);
	memset(c, 0, sizeof(*c));
}

/* Run over the config text (in tmpdir/spamd.conf), capturing lines. */
static int
run(const char *conftext, struct capture *c, struct prefixset *table)
{
	struct setup_opts	o;
	int			rv;

	put_file("spamd.conf", conftext, strlen(conftext));
	memset(&o, 0, sizeof(o));
	memset(c, 0, sizeof(*c));
	o.conffile = path_of("spamd.conf");
	o.fetch.timeout = 10000;
	o.fetch.maxsize = 1024 * 1024;
	o.fetch.maxredirs = 5;
	o.sink = sink;
	o.sink_arg = c;
	o.table = table;
	rv = setup_run(&o);
	free((char *)o.conffile);
	return rv;
}

/* The config line for one prefix list given as text. */
static char *
line_str(const char *text)
{
	struct prefixset	*set = prefixset_new();
	struct setup_stats	 st;
	char			*l;
	size_t			 len;

	memset(&st, 0, sizeof(st));
	setup_parse_buf(text, strlen(text), set, &st);
	prefixset_collapse(set);
	l = setup_configline("t", "m", set, &len);
	prefixset_free(set);
	return l;
}

static size_t
gzip_mem(const char *in, size_t len, unsigned char *out, size_t max)
{
	z_stream	zs;
	size_t		n;

	memset(&zs, 0, sizeof(zs));
	if (deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return 0;
	zs.next_in = (unsigned char *)(uintptr_t)in;
	zs.avail_in = len;
	zs.next_out = out;
	zs.avail_out = max;
	if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
		deflateEnd(&zs);
		return 0;
	}
	n = max - zs.avail_out;
	deflateEnd(&zs);
	return n;
}

static void
test_getcap(void)
{
	struct setup_conf	*c;
	char			*s;

	c = parse("# comment\n"
	    "\n"
	    "all:\\\n"
	    "\t:one:two:\n"
	    "one|uno:\\\n"
	    "\t:black:\\\n"
	    "\t:msg=\"a: b\\\"c:\":  :\\\n"
	    "\t:file=/x:\n");
	is_int(c->nerrs, 0, "getcap: a clean file has no errors");
	is_int(c->nrecs, 2, "getcap: two records (comment, blank skipped)");
	is_str(field(c, "all", 0), "one", "getcap: continuation, empty "
	    "fields dropped");
	is_str(field(c, "all", 1), "two", "getcap: second field");
	is_str(field(c, "uno", 0), "black", "getcap: an alias finds the "
	    "record");
	is_str(field(c, "one", 1), "msg=\"a: b\\\"c:\"", "getcap: colons "
	    "inside quotes, escaped quote");
	is_str(field(c, "one", 2), "file=/x", "getcap: blank-only field "
	    "dropped");
	is_str(field(c, "none", 0), "(no record)", "getcap: missing record");
	setup_conf_free(c);

	{
		static const char	bad[] = "a:x:\nb:\"unterminated:\n"
		    "c:y:\n\t:orphan:\nd:z\0z:\ne:ok:\n";

		c = setup_conf_parse("t.conf", bad, sizeof(bad) - 1);
	}
	is_int(c->nerrs, 3, "getcap: three errors reported, none stops the "
	    "parse");
	ok(has_err(c, "t.conf:2: unterminated quoted string"),
	    "getcap: unterminated quote, file:line");
	ok(has_err(c, "t.conf:4: line starts with a blank but the line "
	    "before it does not end in '\\'"), "getcap: forgotten backslash");
	ok(has_err(c, "t.conf:5: NUL byte"), "getcap: NUL byte");
	is_str(field(c, "e", 0), "ok", "getcap: records after errors are "
	    "read");
	is_str(field(c, "c", 0), "y", "getcap: record between errors kept");
	setup_conf_free(c);

	/* A commented-out record continued by backslashes is a comment. */
	c = parse("#override:\\\n#\t:white:\\\n\t:file=/x:\nall:a:\r\n");
	is_int(c->nerrs, 0, "getcap: continued comment, CRLF");
	is_int(c->nrecs, 1, "getcap: only the all record");
	is_str(field(c, "all", 0), "a", "getcap: CRLF line ending");
	setup_conf_free(c);

	/* tc=, cap@, booleans. */
	c = parse("base:black:msg=\"m\":method=exec:\n"
	    "l1:tc=base:file=/f:\n"
	    "l2:black@:tc=base:file=/g:\n"
	    "l3:tc=nothere:\n"
	    "loop1:tc=loop2:\n"
	    "loop2:tc=loop1:\n"
	    "last:black:\\");
	is_int(c->nerrs, 0, "tc: parse is clean");
	{
		struct setup_field	**f;
		size_t			 n;

		is_int(setup_conf_get(c, "l1", NULL, &f, &n), 0,
		    "tc: expands");
		is_int(n, 4, "tc: base's three fields and the record's one");
		is_int(setup_cap_bool(f, n, "black"), 1, "tc: black "
		    "inherited");
		is_int(setup_cap_bool(f, n, "msg"), 0, "cap: msg=... is not "
		    "a boolean");
		is_int(setup_cap_str(c, f, n, "method", &s), 1, "cap: str");
		is_str(s, "exec", "cap: method from tc");
		free(s);
		free(f);
		is_int(setup_conf_get(c, "l2", NULL, &f, &n), 0, "tc: l2");
		is_int(setup_cap_bool(f, n, "black"), 0, "cap: black@ "
		    "cancels the inherited black");
		free(f);
		is_int(setup_conf_get(c, "l3", NULL, &f, &n), -1,
		    "tc: missing target");
		ok(has_err(c, "t.conf:4: tc=nothere: no such record"),
		    "tc: missing target reported with its line");
		is_int(setup_conf_get(c, "loop1", NULL, &f, &n), -1,
		    "tc: loop");
		ok(has_err(c, "t.conf:6: tc= nested more than 32 deep (a "
		    "loop?) in \"loop2\""), "tc: loop reported at the "
		    "record where it closes");
		is_int(setup_conf_get(c, "last", NULL, &f, &n), 0,
		    "getcap: continuation on the last line");
		is_int(setup_cap_bool(f, n, "black"), 1, "getcap: last "
		    "record read");
		free(f);
	}
	setup_conf_free(c);

	/* cgetstr decoding. */
	{
		static const char	enc[] =
		    "a\\nb\\tc\\072d^Ae\\cf\\\\g\\:h\\E";

		ok(setup_cap_decode(enc, sizeof(enc) - 1, &s) == 0,
		    "decode: ok");
	}
	is_str(s, "a\nb\tc:d\001e:f\\g:h\033", "decode: \\n \\t octal ^A "
	    "\\c \\\\ \\: \\E");
	free(s);
	is_int(setup_cap_decode("a\\000b", 6, &s), -1, "decode: a NUL is "
	    "refused");
	ok(setup_cap_decode("end\\", 4, &s) == 0 && strcmp(s, "end") == 0,
	    "decode: an unfinished escape is dropped");
	free(s);
}

static void
test_lists(void)
{
	struct setup_conf	*c;
	struct setup_list	*l;
	size_t			 n;
	char			 conf[1024];

	put_file("msg.txt", "from a file\n", 12);
	snprintf(conf, sizeof(conf),
	    "all:\\\n"
	    "\t:b1 w1:b2:\n"
	    "b1:black:msg=\"Your address %%A\\nis listed: see x\":"
	    "method=http:file=\"http://h.example:8080/l.gz\":\n"
	    "w1:white:method=exec:file=cat /a /b:\n"
	    "b2:black:msg=%s/msg.txt:file=/l:method=https:\n", tmpdir);
	c = parse(conf);
	is_int(setup_conf_lists(c, &l, &n), 0, "lists: resolve");
	is_int(c->nerrs, 0, "lists: no errors");
	is_int(n, 3, "lists: three, names split on blanks too");
	if (n == 3) {
		is_str(l[0].name, "b1", "lists: order");
		is_int(l[0].black, 1, "lists: b1 is black");
		is_int(l[0].method, SETUP_HTTP, "lists: method http");
		is_str(l[0].file, "h.example:8080/l.gz", "lists: quotes and "
		    "a scheme in file= removed");
		is_str(l[0].msg, "Your address %A\nis listed: see x",
		    "lists: quoted msg decoded, colon kept");
		is_int(l[1].black, 0, "lists: w1 is white");
		is_int(l[1].method, SETUP_EXEC, "lists: exec");
		is_str(l[1].file, "cat /a /b", "lists: command line");
		is_str(l[2].msg, "from a file\n", "lists: msg from a file");
		is_int(l[2].method, SETUP_HTTPS, "lists: https");
	}
	setup_lists_free(l, n);
	setup_conf_free(c);

	c = parse("all:\\\n\t:\n");
	is_int(setup_conf_lists(c, &l, &n), 0, "lists: an empty all is not "
	    "an error (a warning)");
	is_int(n, 0, "lists: no lists");
	setup_lists_free(l, n);
	setup_conf_free(c);

	c = parse("x:black:\n");
	is_int(setup_conf_lists(c, &l, &n), -1, "lists: no all record");
	ok(has_err(c, "t.conf: no \"all\" record"), "lists: no all, "
	    "reported");
	setup_conf_free(c);

	c = parse("all:\\\n\t:a:b:c:d:e:f:g:h:\n"
	    "a:black:file=/x:\n"
	    "b:white:msg=\"m\":\n"
	    "c:file=/x:\n"
	    "d:black:msg=\"m\":method=ftp:file=h/x:\n"
	    "e:black:msg=\"m\":method=gopher:file=h/x:\n"
	    "f:black:msg=/nonexistent/msg:file=/x:\n"
	    "g:black:msg=\"m\":file=/x:\n");
	is_int(setup_conf_lists(c, &l, &n), -1, "lists: errors");
	ok(has_err(c, "t.conf:3: a: no msg for blacklist"),
	    "lists: black without msg");
	ok(has_err(c, "t.conf:4: b: no file given for whitelist"),
	    "lists: white without file");
	ok(has_err(c, "t.conf:5: c: neither :black: nor :white:"),
	    "lists: neither black nor white");
	ok(has_err(c, "t.conf:6: d: method ftp is not supported: use http "
	    "or https"), "lists: ftp refused clearly");
	ok(has_err(c, "t.conf:7: e: unknown method \"gopher\" (file, http, "
	    "https or exec)"), "lists: unknown method");
	ok(has_err(c, "t.conf:8: f: msg file /nonexistent/msg: No such "
	    "file or directory"), "lists: missing msg file");
	ok(has_err(c, "t.conf:2: all: no list \"h\""), "lists: all names a "
	    "missing list, at the all record's line");
	is_int(c->nerrs, 7, "lists: every error reported, g is fine");
	setup_conf_free(c);
}

static void
test_line_parser(void)
{
	struct prefix	 p[ADDR_RANGE_MAX];
	char		 buf[PREFIX_STRLEN];
	int		 n;
	size_t		 i;
	static const struct {
		const char	*in;
		int		 n;
		const char	*first;
	} cases[] = {
		{ "192.0.2.0/24", 1, "192.0.2.0/24" },
		{ "192.0.2.1/24", 1, "192.0.2.0/24" },
		{ "10/8", 1, "10.0.0.0/8" },
		{ "  192.0.2.7  listed 2024-01-01", 1, "192.0.2.7/32" },
		{ "192.0.2.7\r", 1, "192.0.2.7/32" },
		{ "\t192.0.2.0 - 192.0.2.255", 1, "192.0.2.0/24" },
		{ "192.0.2.0-192.0.2.9", 2, "192.0.2.0/29" },
		{ "192.0.2.0 192.0.2.3", 1, "192.0.2.0/30" },
		{ "192.0.2.0 -- 192.0.2.1 text", 1, "192.0.2.0/31" },
		{ "192.0.2.7 abc", 1, "192.0.2.7/32" },
		{ "2001:db8::/32", 1, "2001:db8::/32" },
		{ "2001:db8::1", 1, "2001:db8::1/128" },
		{ "2001:db8::0 - 2001:db8::ff", 1, "2001:db8::/120" },
		{ "0.0.0.0 - 255.255.255.255", 1, "0.0.0.0/0" },
		{ "::ffff:192.0.2.7", 1, "192.0.2.7/32" },
		{ "::ffff:192.0.2.0/120", 1, "192.0.2.0/24" },
		{ "::ffff:192.0.2.0 - ::ffff:192.0.2.3", 1, "192.0.2.0/30" },
		{ "::ffff:0:0/95", 1, "::fffe:0:0/95" },
		{ "# comment", 0, NULL },
		{ "   # indented comment", 0, NULL },
		{ "", 0, NULL },
		{ " \t \r", 0, NULL },
		{ "garbage", -1, NULL },
		{ "192.0.2.0/33", -1, NULL },
		{ "192.0.2.0/", -1, NULL },
		{ "192.0.2.0/24x", -1, NULL },
		{ "192.0.2.9 - 192.0.2.1", -1, NULL },
		{ "192.0.2.1 - ::1", -1, NULL },
		{ "192.0.2.1 -", -1, NULL },
		{ "192.0.2.1 - bogus", -1, NULL },
		{ "1.2.3", -1, NULL },
		{ "192.0.2.1x", -1, NULL },
		{ "192.0.2.256", -1, NULL },
		{ "2001:db8:::1", -1, NULL },
	};

	for (i = 0; i < nitems(cases); i++) {
		n = setup_parse_line(cases[i].in, strlen(cases[i].in), p,
		    nitems(p));
		is_int(n, cases[i].n, "line \"%s\": count", cases[i].in);
		if (n > 0 && cases[i].first != NULL)
			is_str(prefix_ntop(&p[0], buf, sizeof(buf)),
			    cases[i].first, "line \"%s\": first prefix",
			    cases[i].in);
	}
}

static void
test_buf_and_gzip(void)
{
	static const char	 text[] = "# list\n192.0.2.0/25\n"
	    "192.0.2.128/25\nbad line\n\n198.51.100.1\nworse\n"
	    "2001:db8::/48\n";
	struct prefixset	*set = prefixset_new();
	struct setup_stats	 st;
	unsigned char		 gz[4096];
	char			*out, *l, err[256];
	size_t			 gzlen, gz2, outlen;

	memset(&st, 0, sizeof(st));
	setup_parse_buf(text, sizeof(text) - 1, set, &st);
	is_int(st.lines, 8, "buf: lines");
	is_int(st.entries, 4, "buf: entries");
	is_int(st.bad, 2, "buf: bad lines counted");
	is_int(st.firstbad[0], 4, "buf: first bad line number");
	is_int(st.firstbad[1], 7, "buf: second bad line number");
	prefixset_collapse(set);
	is_int(prefixset_count(set), 3, "buf: two /25 collapse into a /24");
	prefixset_free(set);

	ok(setup_decode(text, sizeof(text) - 1, 1 << 20, &out, &outlen, err,
	    sizeof(err)) == 0, "decode: plain");
	is_mem(out, outlen, text, sizeof(text) - 1, "decode: plain text as "
	    "it is");
	free(out);

	gzlen = gzip_mem(text, sizeof(text) - 1, gz, sizeof(gz));
	ok(gzlen > 0, "gzip: made");
	ok(setup_decode(gz, gzlen, 1 << 20, &out, &outlen, err,
	    sizeof(err)) == 0, "decode: gzip");
	is_mem(out, outlen, text, sizeof(text) - 1, "decode: gzip inflated");
	free(out);

	/* Two members, as cat a.gz b.gz makes. */
	gz2 = gzip_mem("203.0.113.5\n", 12, gz + gzlen, sizeof(gz) - gzlen);
	ok(setup_decode(gz, gzlen + gz2, 1 << 20, &out, &outlen, err,
	    sizeof(err)) == 0, "decode: two gzip members");
	ok(outlen == sizeof(text) - 1 + 12 &&
	    strcmp(out + sizeof(text) - 1, "203.0.113.5\n") == 0,
	    "decode: both members read");
	free(out);

	is_int(setup_decode(gz, gzlen - 10, 1 << 20, &out, &outlen, err,
	    sizeof(err)), -1, "decode: truncated gzip fails");
	is_str(err, "gzip: truncated data", "decode: truncated, reason");
	is_int(setup_decode(gz, gzlen, 16, &out, &outlen, err, sizeof(err)),
	    -1, "decode: size limit after inflation");
	is_int(setup_decode(text, sizeof(text) - 1, 16, &out, &outlen, err,
	    sizeof(err)), -1, "decode: size limit on plain text");
	gz[gzlen / 2] ^= 0xff;
	is_int(setup_decode(gz, gzlen, 1 << 20, &out, &outlen, err,
	    sizeof(err)), -1, "decode: corrupt gzip fails");

	l = line_str("192.0.2.0/24\n2001:db8::/32\n198.51.100.0/24\n");
	is_str(l, "t;\"m\";inet;2;192.0.2.0/24;198.51.100.0/24;inet6;1;"
	    "2001:db8::/32\n", "configline: inet then inet6, sorted");
	free(l);
	l = line_str("2001:db8::1\n");
	is_str(l, "t;\"m\";inet;0;inet6;1;2001:db8::1/128\n",
	    "configline: IPv6 only keeps an empty inet part");
	free(l);
	l = line_str("# nothing\n");
	is_str(l, "t;\n", "configline: empty set deletes the list");
	free(l);
	l = setup_msg_escape("a\"b\\c\nd %A 100%% \r\n");
	is_str(l, "a\\\"b\\\\c\\nd %A 100%% \\n", "escape: quote, "
	    "backslash, newline; %% as written; CR dropped");
	free(l);
	ok(setup_tag_ok("uatraps") && !setup_tag_ok("a;b") &&
	    !setup_tag_ok("a b") && !setup_tag_ok("") &&
	    !setup_tag_ok("a\"b"), "tag: spamd's separators refused");
}

static void
test_run(void)
{
	struct capture		 c;
	struct prefixset	*table;
	char			 conf[2048];
	int			 rv;

	put_file("b1", "192.0.2.0/24\n198.51.100.0/24\n", 29);
	put_file("w1", "192.0.2.128/25\n198.51.100.7\n", 28);
	put_file("b2", "192.0.2.0/24\n", 13);
	put_file("empty", "# nothing here\n", 15);

	/* w1 subtracts from b1 only; b2 keeps what w1 lists. */
	snprintf(conf, sizeof(conf), "all:b1:w1:b2:\n"
	    "b1:black:msg=\"one\":file=%s/b1:\n"
	    "w1:white:file=%s/w1:\n"
	    "b2:black:msg=\"two\":file=%s/b2:\n", tmpdir, tmpdir, tmpdir);
	table = prefixset_new();
	rv = run(conf, &c, table);
	is_int(rv, 0, "run: ok");
	is_int(c.n, 2, "run: one line per black list");
	if (c.n == 2) {
		is_str(c.lines[0], "b1;\"one\";inet;9;192.0.2.0/25;"
		    "198.51.100.0/30;198.51.100.4/31;198.51.100.6/32;"
		    "198.51.100.8/29;198.51.100.16/28;198.51.100.32/27;"
		    "198.51.100.64/26;198.51.100.128/25\n",
		    "run: white subtracted from the black list before it");
		is_str(c.lines[1], "b2;\"two\";inet;1;192.0.2.0/24\n",
		    "run: not from the black list after it");
	}
	is_int(prefixset_count(table), 9, "run: -b table is the union");
	prefixset_free(table);
	capture_free(&c);

	/* The same white list named twice applies to both. */
	snprintf(conf, sizeof(conf), "all:b2:w1:b1:w1:\n"
	    "b1:black:msg=\"one\":file=%s/b1:\n"
	    "w1:white:file=%s/w1:\n"
	    "b2:black:msg=\"two\":file=%s/b2:\n", tmpdir, tmpdir, tmpdir);
	rv = run(conf, &c, NULL);
	is_int(rv, 0, "run: white named twice");
	if (c.n == 2)
		is_str(c.lines[0], "b2;\"two\";inet;1;192.0.2.0/25\n",
		    "run: white applies to each black list it follows");
	else
		ok(0, "run: two lines, got %zu", c.n);
	capture_free(&c);

	/* A white list before any black list is ignored. */
	snprintf(conf, sizeof(conf), "all:w1:b2:\n"
	    "w1:white:file=%s/w1:\n"
	    "b2:black:msg=\"two\":file=%s/b2:\n", tmpdir, tmpdir);
	rv = run(conf, &c, NULL);
	is_int(rv, 0, "run: leading white list");
	if (c.n == 1)
		is_str(c.lines[0], "b2;\"two\";inet;1;192.0.2.0/24\n",
		    "run: a white list before any black one is ignored");
	else
		ok(0, "run: one line, got %zu", c.n);
	capture_free(&c);

	/* A failed white list holds back its black list only. */
	snprintf(conf, sizeof(conf), "all:b1:nowl:b2:\n"
	    "b1:black:msg=\"one\":file=%s/b1:\n"
	    "nowl:white:file=%s/does-not-exist:\n"
	    "b2:black:msg=\"two\":file=%s/b2:\n", tmpdir, tmpdir, tmpdir);
	rv = run(conf, &c, NULL);
	is_int(rv, -1, "run: a failed list fails the run");
	if (c.n == 1)
		is_str(c.lines[0], "b2;\"two\";inet;1;192.0.2.0/24\n",
		    "run: its black list is not sent, the next one is");
	else
		ok(0, "run: one line, got %zu", c.n);
	capture_free(&c);

	/* Everything whitelisted: the list is deleted; empty: not sent. */
	snprintf(conf, sizeof(conf), "all:b2:w2:e:\n"
	    "b2:black:msg=\"two\":file=%s/b2:\n"
	    "w2:white:file=%s/b2:\n"
	    "e:black:msg=\"e\":file=%s/empty:\n", tmpdir, tmpdir, tmpdir);
	rv = run(conf, &c, NULL);
	is_int(rv, 0, "run: empty results");
	if (c.n == 1)
		is_str(c.lines[0], "b2;\n", "run: all whitelisted deletes "
		    "the list; an empty list is not sent");
	else
		ok(0, "run: one line, got %zu", c.n);
	capture_free(&c);

	/* exec: words split on blanks, stdout read; exit status checked. */
	snprintf(conf, sizeof(conf), "all:x:f:\n"
	    "x:black:msg=\"x\":method=exec:file=  /bin/cat\t %s/b2 :\n"
	    "f:black:msg=\"f\":method=exec:file=/bin/false:\n", tmpdir);
	rv = run(conf, &c, NULL);
	is_int(rv, -1, "run: a failing command fails the run");
	if (c.n == 1)
		is_str(c.lines[0], "x;\"x\";inet;1;192.0.2.0/24\n",
		    "run: exec output read; the failed command's list not "
		    "sent");
	else
		ok(0, "run: one line, got %zu", c.n);
	capture_free(&c);
}


/*
 * The HTTP client against a small server forked here, one canned
 * response per connection, in order; the request lines are written to
 * tmpdir/requests.
 */
static const struct {
	const char	*resp;
	int		 hold;		/* 1: say nothing, keep it open */
	const char	*err;		/* expected error, NULL: success */
	const char	*body;
} http_cases[] = {
	{ "HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n"
	  "0123456789012345678901234567890123456789012345678901234567890"
	  "1234567890123456789012345678901234567890123456789", 0,
	  "body larger than 100 bytes", NULL },
	{ "", 1, "timeout: nothing for 300 ms", NULL },
	{ "FOO\r\n\r\n", 0, "bad status line \"FOO\"", NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 0,
	  "bad chunk size \"zz\"", NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", 0,
	  "connection closed before the end of the response", NULL },
	{ "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", 0,
	  "HTTP status 404", NULL },
	{ "HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n", 0,
	  "redirect without Location", NULL },
	{ "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n"
	  "\r\nhello", 0, "bad Content-Length \"6\"", NULL },
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0,
	  "unsupported Transfer-Encoding \"gzip\"", NULL },
	{ "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"
	  "Content-Length: 5\r\n\r\nhelloEXTRA", 0, NULL, "hello" },
	{ "HTTP/1.1 301 Moved\r\nLocation: x2\r\nContent-Length: 0\r\n"
	  "\r\n", 0, NULL, "rel" },
	{ "HTTP/1.0 200 OK\r\n\r\nrel", 0, NULL, NULL },	/* (x2) */
	{ "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "3\r\nabc\r\n2;x=y\r\nde\r\n0\r\nT: 1\r\n\r\n", 0, NULL,
	  "abcde" },
};

static void
http_server(int lfd)
{
	char	 buf[4096], *p, *rq;
	size_t	 i, len;
	ssize_t	 n;
	int	 c, held = -1;
	FILE	*log;

	rq = path_of("requests");
	if ((log = fopen(rq, "w")) == NULL)
		_exit(1);
	for (i = 0; i < nitems(http_cases); i++) {
		if ((c = accept(lfd, NULL, NULL)) == -1)
			_exit(1);
		len = 0;
		while (len < sizeof(buf) - 1 && (n = read(c, buf + len,
		    sizeof(buf) - 1 - len)) > 0) {
			len += n;
			buf[len] = '\0';
			if (strstr(buf, "\r\n\r\n") != NULL)
				break;
		}
		buf[len] = '\0';
		if ((p = strstr(buf, "\r\n")) != NULL)
			*p = '\0';
		fprintf(log, "%s\n", buf);
		fflush(log);
		(void)write(c, http_cases[i].resp,
		    strlen(http_cases[i].resp));
		if (http_cases[i].hold)
			held = c;	/* closed at the end, silent */
		else
			close(c);
	}
	if (held != -1)
		close(held);
	fclose(log);
	free(rq);
	_exit(0);
}

static void
test_http(void)
{
	struct setup_fetch_opts	 o;
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	char			 url[128], err[512], *body, *rq, want[600];
	char			 reqs[2048];
	size_t			 i, len;
	pid_t			 pid;
	int			 lfd, rv, status;
	FILE			*f;

	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (lfd == -1 || bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ==
	    -1 || listen(lfd, 16) == -1 ||
	    getsockname(lfd, (struct sockaddr *)&sin, &sl) == -1) {
		printf("Bail out! listen on 127.0.0.1\n");
		exit(255);
	}
	if ((pid = fork()) == 0)
		http_server(lfd);
	close(lfd);

	memset(&o, 0, sizeof(o));
	o.timeout = 300;
	o.maxsize = 100;
	o.maxredirs = 5;
	for (i = 0; i < nitems(http_cases); i++) {
		if (i == 11)
			continue;	/* the redirect's second request */
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/dir/x%zu",
		    (unsigned)ntohs(sin.sin_port), i);
		err[0] = '\0';
		rv = setup_http_get(url, &o, &body, &len, err, sizeof(err));
		if (http_cases[i].err != NULL) {
			snprintf(want, sizeof(want), "%s: %s", url,
			    http_cases[i].err);
			is_str(rv == -1 ? err : "(success)", want,
			    "http case %zu: error", i);
		} else {
			is_str(rv == 0 ? body : err, http_cases[i].body,
			    "http case %zu: body", i);
			if (rv == 0)
				free(body);
		}
	}
	waitpid(pid, &status, 0);
	is_int(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0,
	    "http: the server saw every request");
	rq = path_of("requests");
	memset(reqs, 0, sizeof(reqs));
	if ((f = fopen(rq, "r")) != NULL) {
		(void)fread(reqs, 1, sizeof(reqs) - 1, f);
		fclose(f);
	}
	free(rq);
	ok(strstr(reqs, "GET /dir/x10 HTTP/1.1\nGET /dir/x2 HTTP/1.1\n") !=
	    NULL, "http: a relative Location resolves against the "
	    "request's directory");
	ok(strncmp(reqs, "GET /dir/x0 HTTP/1.1\n", 21) == 0,
	    "http: request line");
}

static void
test_misc(void)
{
	char	*s, **argv, *host, *port, *path;
	size_t	 n;
	int	 https;

	s = xstrdup("  cat\t /a  /b ");
	argv = setup_split_words(s, &n);
	ok(n == 3 && strcmp(argv[0], "cat") == 0 &&
	    strcmp(argv[2], "/b") == 0 && argv[3] == NULL,
	    "split: blanks and tabs, empty words skipped");
	free(argv);
	free(s);

	ok(setup_url_parse("https://[2001:db8::1]:8443/a/b?c#d", &https,
	    &host, &port, &path) == 0 && https &&
	    strcmp(host, "2001:db8::1") == 0 && strcmp(port, "8443") == 0 &&
	    strcmp(path, "/a/b?c") == 0, "url: IPv6 literal, port, query, "
	    "fragment dropped");
	free(host);
	free(port);
	free(path);
	ok(setup_url_parse("http://h.example", &https, &host, &port,
	    &path) == 0 && !https && strcmp(port, "80") == 0 &&
	    strcmp(path, "/") == 0, "url: defaults");
	free(host);
	free(port);
	free(path);
	ok(setup_url_parse("ftp://h/x", &https, &host, &port, &path) == -1 &&
	    setup_url_parse("http://h:0/x", &https, &host, &port,
	    &path) == -1 &&
	    setup_url_parse("http://u@h/x", &https, &host, &port,
	    &path) == -1 &&
	    setup_url_parse("http:///x", &https, &host, &port, &path) == -1 &&
	    setup_url_parse("http://h/a b", &https, &host, &port,
	    &path) == -1, "url: bad ones refused");
}

int
main(void)
{
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return 255;
	}
	test_getcap();
	test_lists();
	test_line_parser();
	test_buf_and_gzip();
	test_run();
	test_misc();
	test_http();
	{
		char	*cmd;

		xasprintf(&cmd, "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			diag("could not remove %s", tmpdir);
		free(cmd);
	}
	return done_testing();
}
