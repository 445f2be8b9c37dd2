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
 * t_smtp_parse: the pure half of common/smtp: command lines, paths,
 * MAIL/RCPT parameters, reply formatting, base64, and the DATA reader
 * (every smuggling vector, dot-unstuffing, long lines, and every chunk
 * boundary).
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"
#include "tap.h"

struct sink {
	char	 out[65536];
	size_t	 len;
	int	 nheader;
	int	 nlines;
};

static int
sink_cb(void *arg, const char *line, size_t len, int flags)
{
	struct sink	*k = arg;

	if (k->len + len <= sizeof(k->out)) {
		memcpy(k->out + k->len, line, len);
		k->len += len;
	}
	if (flags & SMTP_LINE_HEADER)
		k->nheader++;
	k->nlines++;
	/* every line handed on must end in CRLF, with no other CR/LF */
	if (len < 2 || line[len - 2] != '\r' || line[len - 1] != '\n' ||
	    memchr(line, '\n', len - 1) != NULL ||
	    memchr(line, '\r', len - 2) != NULL)
		return -1;
	return 0;
}

/* Feed msg in pieces of at most step octets, or split once at split. */
static size_t
feed(const char *msg, size_t len, size_t textline, uint64_t max,
    size_t split, size_t step, struct sink *k, int *flags)
{
	struct smtp_data	 d;
	size_t			 off = 0, n, used, total = 0;

	memset(k, 0, sizeof(*k));
	smtp_data_init(&d, textline, max, sink_cb, k);
	while (off < len && !(d.flags & SMTP_DATA_DONE)) {
		if (split > 0)
			n = off < split ? split - off : len - off;
		else
			n = step < len - off ? step : len - off;
		used = smtp_data_feed(&d, msg + off, n);
		total += used;
		if (used < n)
			break;
		off += n;
	}
	*flags = d.flags;
	smtp_data_clear(&d);
	return total;
}

static void
test_cmd(void)
{
	struct smtp_cmd	 c;
	char		 buf[128];

	(void)strlcpy(buf, "mail FROM:<a@b>", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_MAIL, "lower-case verb");
	is_str(c.args, "FROM:<a@b>", "args after the verb");
	(void)strlcpy(buf, "EhLo   host.example  \t ", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_EHLO, "mixed-case EHLO");
	is_str(c.args, "host.example", "spaces around args trimmed");
	(void)strlcpy(buf, "DATA", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_DATA, "DATA");
	is_str(c.args, "", "no args");
	(void)strlcpy(buf, "DATAX", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_UNKNOWN, "DATAX is unknown");
	(void)strlcpy(buf, " NOOP", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_UNKNOWN, "leading space: unknown");
	(void)strlcpy(buf, "", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_NONE, "empty line");
	(void)strlcpy(buf, "BDAT 10 LAST", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_NOTIMPL, "BDAT not implemented");
	(void)strlcpy(buf, "starttls", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_STARTTLS, "starttls");
	(void)strlcpy(buf, "GET / HTTP/1.0", sizeof(buf));
	smtp_parse_cmd(buf, &c);
	is_int(c.verb, SMTP_CMD_UNKNOWN, "HTTP request is unknown");
}

/* Parse a path; returns 0/-1, fills a, params, err. */
static int
path(const char *in, int mail, int utf8, struct smtp_addr *a, char *params,
    const char **err)
{
	char	 buf[1024], *p;
	int	 r;

	(void)strlcpy(buf, in, sizeof(buf));
	*err = "";
	r = smtp_parse_path(buf, mail, utf8, a, &p, err);
	params[0] = '\0';
	if (r == 0)
		(void)strlcpy(params, p, 256);
	return r;
}

static void
test_path(void)
{
	struct smtp_addr	 a;
	const char		*err;
	char			 pa[256], big[600];

	is_int(path("FROM:<user@example.org>", 1, 0, &a, pa, &err), 0,
	    "plain path");
	is_str(a.local, "user", "local part");
	is_str(a.domain, "example.org", "domain");
	is_int(path("from:<>", 1, 0, &a, pa, &err), 0, "null sender");
	is_str(a.local, "", "null sender: empty local");
	is_int(path("TO:<>", 0, 0, &a, pa, &err), -1, "null recipient");
	is_str(err, "501 5.1.3 Bad recipient address syntax", "501 5.1.3");
	is_int(path("TO:<Postmaster>", 0, 0, &a, pa, &err), 0,
	    "RCPT <Postmaster> without domain");
	is_str(a.local, "Postmaster", "postmaster kept as sent");
	is_int(path("FROM:<postmaster>", 1, 0, &a, pa, &err), -1,
	    "MAIL <postmaster> without domain refused");
	is_str(err, "501 5.1.7 Bad sender address syntax", "501 5.1.7");
	is_int(path("TO:<@relay.example,@b.example:joe@c.example>", 0, 0, &a,
	    pa, &err), 0, "source route accepted");
	is_str(a.local, "joe", "source route dropped: local");
	is_str(a.domain, "c.example", "source route dropped: domain");
	is_int(path("TO:<@bad..example:joe@c.example>", 0, 0, &a, pa, &err),
	    -1, "bad source route");
	is_int(path("FROM:<\"john doe@x>y\"@example.org> SIZE=10", 1, 0,
	    &a, pa, &err), 0, "quoted local part with @ and >");
	is_str(a.local, "\"john doe@x>y\"", "quoted local kept with quotes");
	is_str(pa, "SIZE=10", "params after a quoted path");
	is_int(path("FROM:<\"a\\\"b\"@example.org>", 1, 0, &a, pa, &err), 0,
	    "quoted-pair in quoted local part");
	is_int(path("FROM: <a@b.example>", 1, 0, &a, pa, &err), 0,
	    "space after the colon tolerated");
	is_int(path("FROM:a@b.example", 1, 0, &a, pa, &err), -1,
	    "no angle brackets");
	is_int(path("FROM:<a@b.example>x", 1, 0, &a, pa, &err), -1,
	    "junk after >");
	is_int(path("FROM <a@b.example>", 1, 0, &a, pa, &err), -1,
	    "no colon");
	is_str(err, "501 5.5.4 Syntax: MAIL FROM:<address>", "syntax hint");
	is_int(path("TO:<a@[192.0.2.1]>", 0, 0, &a, pa, &err), 0,
	    "IPv4 address literal");
	is_int(path("TO:<a@[IPv6:2001:db8::1]>", 0, 0, &a, pa, &err), 0,
	    "IPv6 address literal");
	is_int(path("TO:<a@[300.1.1.1]>", 0, 0, &a, pa, &err), -1,
	    "bad IPv4 literal");
	is_int(path("TO:<a@-bad.example>", 0, 0, &a, pa, &err), -1,
	    "label starting with -");
	is_int(path("TO:<a@b..example>", 0, 0, &a, pa, &err), -1,
	    "empty label");
	is_int(path("TO:<.a@b.example>", 0, 0, &a, pa, &err), -1,
	    "local part starting with a dot");
	is_int(path("TO:<a b@b.example>", 0, 0, &a, pa, &err), -1,
	    "space in an unquoted local part");
	is_int(path("TO:<j\xc3\xbcrgen@b\xc3\xbc.example>", 0, 0, &a, pa,
	    &err), -1, "UTF-8 refused without SMTPUTF8");
	is_int(path("TO:<j\xc3\xbcrgen@b\xc3\xbc.example>", 0, 1, &a, pa,
	    &err), 0, "UTF-8 accepted with SMTPUTF8");
	is_int(path("TO:<j\xc3rgen@b.example>", 0, 1, &a, pa, &err), -1,
	    "broken UTF-8 refused even with SMTPUTF8");
	memset(big, 'x', 300);
	memcpy(big, "TO:<", 4);
	(void)strlcpy(big + 296, "@b.example>", sizeof(big) - 296);
	is_int(path(big, 0, 0, &a, pa, &err), -1, "local part over 255");
}

static int
mparams(const char *in, int ext, struct smtp_mail_params *mp,
    const char **err)
{
	char	 buf[1024];

	(void)strlcpy(buf, in, sizeof(buf));
	*err = "";
	return smtp_parse_mail_params(buf, ext, mp, err);
}

static int
rparams(const char *in, int ext, struct smtp_rcpt_params *rp,
    const char **err)
{
	char	 buf[1024];

	(void)strlcpy(buf, in, sizeof(buf));
	*err = "";
	return smtp_parse_rcpt_params(buf, ext, rp, err);
}

static void
test_params(void)
{
	struct smtp_mail_params	 mp;
	struct smtp_rcpt_params	 rp;
	const char		*err;
	int			 all = SMTP_P_SIZE | SMTP_P_8BITMIME |
				    SMTP_P_SMTPUTF8 | SMTP_P_DSN | SMTP_P_AUTH;

	is_int(mparams("", all, &mp, &err), 0, "no params");
	is_int(mparams("SIZE=12345 BODY=8BITMIME SMTPUTF8", all, &mp, &err),
	    0, "SIZE BODY SMTPUTF8");
	is_int(mp.size, 12345, "SIZE value");
	is_int(mp.has_size, 1, "has_size");
	is_int(mp.body, SMTP_BODY_8BITMIME, "BODY=8BITMIME");
	is_int(mp.smtputf8, 1, "SMTPUTF8 flag");
	is_int(mparams("size=18446744073709551615", all, &mp, &err), 0,
	    "SIZE at UINT64_MAX");
	ok(mp.size == UINT64_MAX, "SIZE = UINT64_MAX");
	is_int(mparams("SIZE=18446744073709551616", all, &mp, &err), -1,
	    "SIZE overflow refused");
	is_str(err, "501 5.5.4 Bad SIZE parameter", "SIZE overflow: 501");
	is_int(mparams("SIZE=99999999999999999999999", all, &mp, &err), -1,
	    "SIZE too many digits");
	is_int(mparams("SIZE=-1", all, &mp, &err), -1, "negative SIZE");
	is_int(mparams("SIZE=1 SIZE=2", all, &mp, &err), -1, "SIZE twice");
	is_int(mparams("SIZE", all, &mp, &err), -1, "SIZE without value");
	is_int(mparams("BODY=BINARYMIME", all, &mp, &err), -1,
	    "BODY=BINARYMIME refused");
	is_str(err, "555 5.5.4 Unsupported BODY type", "BINARYMIME: 555");
	is_int(mparams("SMTPUTF8=yes", all, &mp, &err), -1,
	    "SMTPUTF8 takes no value");
	is_int(mparams("RET=HDRS ENVID=QQ314159+2B", all, &mp, &err), 0,
	    "RET ENVID");
	is_int(mp.ret, SMTP_RET_HDRS, "RET=HDRS");
	is_str(mp.envid, "QQ314159+2B", "ENVID kept as xtext");
	is_int(mparams("ENVID=bad+zz", all, &mp, &err), -1, "bad xtext");
	is_int(mparams("RET=ALL", all, &mp, &err), -1, "bad RET");
	is_int(mparams("RET=FULL", SMTP_P_SIZE, &mp, &err), -1,
	    "RET without DSN offered");
	is_str(err, "555 5.5.4 Unsupported MAIL parameter", "555 5.5.4");
	is_int(mparams("X-FOO=bar", all, &mp, &err), -1, "unknown param");
	is_int(mparams("AUTH=<>", all, &mp, &err), 0, "AUTH=<>");
	is_str(mp.auth, "<>", "AUTH value");
	is_int(mparams("=x", all, &mp, &err), -1, "empty keyword");
	is_str(err, "501 5.5.4 Syntax error in parameters", "501 syntax");

	is_int(rparams("NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;a+40b.example",
	    SMTP_P_DSN, &rp, &err), 0, "NOTIFY ORCPT");
	is_int(rp.notify, SMTP_NOTIFY_SUCCESS | SMTP_NOTIFY_FAILURE,
	    "NOTIFY mask");
	is_str(rp.orcpt, "rfc822;a+40b.example", "ORCPT kept");
	is_int(rparams("NOTIFY=NEVER", SMTP_P_DSN, &rp, &err), 0,
	    "NOTIFY=NEVER");
	is_int(rparams("NOTIFY=NEVER,DELAY", SMTP_P_DSN, &rp, &err), -1,
	    "NEVER with others refused");
	is_str(err, "501 5.5.4 Bad NOTIFY parameter", "501 NOTIFY");
	is_int(rparams("NOTIFY=SUCCESS,SUCCESS", SMTP_P_DSN, &rp, &err), -1,
	    "NOTIFY item twice");
	is_int(rparams("ORCPT=rfc822", SMTP_P_DSN, &rp, &err), -1,
	    "ORCPT without ;");
	is_int(rparams("NOTIFY=DELAY", 0, &rp, &err), -1,
	    "NOTIFY without DSN");
	is_str(err, "555 5.5.4 Unsupported RCPT parameter", "555 RCPT");
}

static void
test_misc(void)
{
	char		 buf[2048];
	unsigned char	 dec[64];
	ssize_t		 n;

	n = smtp_reply_format("250 2.0.0 Ok", buf, sizeof(buf));
	is_mem(buf, n, "250 2.0.0 Ok\r\n", 14, "one-line reply");
	n = smtp_reply_format("250 mx Hello\nPIPELINING\nHELP", buf,
	    sizeof(buf));
	is_mem(buf, n, "250-mx Hello\r\n250-PIPELINING\r\n250 HELP\r\n", 40,
	    "multi-line reply");
	n = smtp_reply_format("550 bad\rx\001y", buf, sizeof(buf));
	is_mem(buf, n, "550 bad?x?y\r\n", 13, "control characters replaced");
	is_int(smtp_reply_format("hello", buf, sizeof(buf)), -1,
	    "not a reply code");
	is_int(smtp_reply_format("650 x", buf, sizeof(buf)), -1,
	    "6xx is not a reply");
	is_int(smtp_reply_format("250 x", buf, 4), -1, "no room");
	n = smtp_reply_format("334 ", buf, sizeof(buf));
	is_mem(buf, n, "334 \r\n", 6, "empty text");
	n = smtp_reply_format("250-mx Hello\r\n250-SIZE\r\n250 HELP\r\n", buf,
	    sizeof(buf));
	is_mem(buf, n, "250-mx Hello\r\n250-SIZE\r\n250 HELP\r\n", 34,
	    "a reply already in wire form passes unchanged");
	n = smtp_reply_format("451 4.3.0 a\n4.3.0 b", buf, sizeof(buf));
	is_mem(buf, n, "451-4.3.0 a\r\n451 4.3.0 b\r\n", 26,
	    "continuation lines get the code");
	n = smtp_reply_format("220", buf, sizeof(buf));
	is_mem(buf, n, "220 \r\n", 6, "code alone");

	n = smtp_b64_decode("AHVzZXIAcGFzcw==", 16, dec, sizeof(dec));
	is_mem(dec, n, "\0user\0pass", 10, "base64 PLAIN");
	is_int(smtp_b64_decode("AHVzZX", 6, dec, sizeof(dec)), -1,
	    "base64 length not a multiple of 4");
	is_int(smtp_b64_decode("AH=zZXIA", 8, dec, sizeof(dec)), -1,
	    "base64 = in the middle");
	is_int(smtp_b64_decode("A*VzZXIA", 8, dec, sizeof(dec)), -1,
	    "base64 bad character");
	is_int(smtp_b64_decode("AHVzZXIA", 8, dec, 2), -1,
	    "base64 output too small");
	ok(smtp_xtext_valid("a+2Bb") && !smtp_xtext_valid("a+2b") &&
	    !smtp_xtext_valid("a=b") && !smtp_xtext_valid("a+2"),
	    "xtext validation");
	is_int(smtp_parse_helo("mx.example"), 0, "HELO domain");
	is_int(smtp_parse_helo("[192.0.2.1]"), 0, "HELO literal");
	is_int(smtp_parse_helo(""), -1, "HELO empty");
	is_int(smtp_parse_helo("two words"), -1, "HELO two words");
}

static void
test_data(void)
{
	static const char *vectors[] = {
		"\n.\n", "\n.\r\n", "\r.\r\n", "\r\n.\n", "\r\n.\r",
		"\r\n.\r\r\n", "\n.\r\r\n"
	};
	static const char *vnames[] = {
		"\\n.\\n", "\\n.\\r\\n", "\\r.\\r\\n", "\\r\\n.\\n",
		"\\r\\n.\\r", "\\r\\n.\\r\\r\\n", "\\n.\\r\\r\\n"
	};
	struct sink	 k, k2;
	char		 msg[8192], longl[3000];
	const char	*want;
	size_t		 i, len, used, split, endpos;
	int		 flags, flags2, bad;

	/* a valid message: dots inside lines, stuffed dots, header/body */
	len = strlcpy(msg, "Subject: a . b\r\n\r\nline . with dot\r\n"
	    "..leading dot\r\n. \r\n\r\n...\r\nend.\r\n.\r\nQUIT\r\n",
	    sizeof(msg));
	endpos = len - 6;
	used = feed(msg, len, 0, 0, 0, len, &k, &flags);
	is_int(used, endpos, "valid: stops right after CRLF.CRLF");
	is_int(flags, SMTP_DATA_DONE, "valid: done, nothing wrong");
	want = "Subject: a . b\r\n\r\nline . with dot\r\n.leading dot\r\n"
	    " \r\n\r\n..\r\nend.\r\n";
	is_mem(k.out, k.len, want, strlen(want),
	    "valid: dot-unstuffed content");
	is_int(k.nheader, 1, "one header line");

	/* every split position gives the same result */
	bad = 0;
	for (split = 1; split < len; split++) {
		used = feed(msg, len, 0, 0, split, 0, &k2, &flags2);
		if (used != endpos || flags2 != flags || k2.len != k.len ||
		    memcmp(k2.out, k.out, k.len) != 0) {
			diag("split at %zu: used %zu flags %d len %zu", split,
			    used, flags2, k2.len);
			bad++;
		}
	}
	is_int(bad, 0, "valid: same result split at every offset");
	used = feed(msg, len, 0, 0, 0, 1, &k2, &flags2);
	ok(used == endpos && flags2 == flags && k2.len == k.len &&
	    memcmp(k2.out, k.out, k.len) == 0, "valid: fed octet by octet");

	/* empty message */
	used = feed(".\r\n", 3, 0, 0, 0, 3, &k, &flags);
	ok(used == 3 && flags == SMTP_DATA_DONE && k.len == 0,
	    "empty message");

	/* each smuggling vector: never the end, message doomed as bare */
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		len = snprintf(msg, sizeof(msg), "Subject: x\r\n\r\nhello%s"
		    "MAIL FROM:<evil@example>\r\nmore\r\n.\r\nQUIT\r\n",
		    vectors[i]);
		endpos = len - 6;
		used = feed(msg, len, 0, 0, 0, len, &k, &flags);
		is_int(used, endpos, "%s: read on to the real CRLF.CRLF",
		    vnames[i]);
		is_int(flags, SMTP_DATA_DONE | SMTP_DATA_BARE,
		    "%s: flagged bare CR/LF", vnames[i]);
		bad = 0;
		for (split = 1; split < len; split++) {
			used = feed(msg, len, 0, 0, split, 0, &k2, &flags2);
			if (used != endpos || flags2 != flags)
				bad++;
		}
		is_int(bad, 0, "%s: same at every split", vnames[i]);
	}
	/* a vector right at the start of the data */
	used = feed("\n.\r\nx\r\n.\r\n", 10, 0, 0, 0, 10, &k, &flags);
	ok(used == 10 && flags == (SMTP_DATA_DONE | SMTP_DATA_BARE),
	    "bare LF at the very start, then a dot line: not the end");
	/* bare CR inside a line, otherwise fine */
	used = feed("a\rb\r\n.\r\n", 8, 0, 0, 0, 8, &k, &flags);
	ok(used == 8 && (flags & SMTP_DATA_BARE) && k.len == 0,
	    "bare CR in a line: doomed, nothing handed on");

	/* long lines: 1000 with CRLF is fine, 1001 is not */
	memset(longl, 'x', sizeof(longl));
	memcpy(longl + 998, "\r\n.\r\n", 5);
	used = feed(longl, 1003, 0, 0, 0, 1003, &k, &flags);
	ok(used == 1003 && flags == SMTP_DATA_DONE && k.len == 1000,
	    "a 1000-octet line passes");
	memset(longl, 'x', sizeof(longl));
	memcpy(longl + 999, "\r\n.\r\n", 5);
	used = feed(longl, 1004, 0, 0, 0, 1004, &k, &flags);
	ok(used == 1004 && flags == (SMTP_DATA_DONE | SMTP_DATA_LONGLINE),
	    "a 1001-octet line dooms the message");
	bad = 0;
	for (split = 1; split < 1004; split++) {
		used = feed(longl, 1004, 0, 0, split, 0, &k2, &flags2);
		if (used != 1004 || flags2 != flags)
			bad++;
	}
	is_int(bad, 0, "long line: same at every split");
	memset(longl, 'x', sizeof(longl));
	longl[2000] = '\n';
	memcpy(longl + 2001, ".\r\nok\r\n.\r\n", 10);
	used = feed(longl, 2011, 0, 0, 0, 97, &k, &flags);
	is_int(used, 2011, "long line ending in bare LF, then .CRLF: "
	    "not the end");
	is_int(flags, SMTP_DATA_DONE | SMTP_DATA_LONGLINE | SMTP_DATA_BARE,
	    "long + bare");
	used = feed(longl, 2011, 50, 0, 0, 7, &k, &flags);
	ok(used == 2011 && (flags & SMTP_DATA_LONGLINE),
	    "configurable text-line limit");

	/* size */
	used = feed("0123456789\r\n.\r\n", 15, 0, 12, 0, 15, &k, &flags);
	ok(used == 15 && flags == SMTP_DATA_DONE, "size = limit passes");
	used = feed("0123456789\r\n.\r\n", 15, 0, 11, 0, 15, &k, &flags);
	ok(used == 15 && flags == (SMTP_DATA_DONE | SMTP_DATA_TOOBIG),
	    "size over limit: doomed");
	used = feed("..\r\n.\r\n", 7, 0, 3, 0, 7, &k, &flags);
	ok(used == 7 && flags == SMTP_DATA_DONE, "size counted unstuffed");
}

int
main(void)
{
	plan(145);
	test_cmd();
	test_path();
	test_params();
	test_misc();
	test_data();
	return done_testing();
}
