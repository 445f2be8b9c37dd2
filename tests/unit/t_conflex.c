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
 * conflex through its token API.  Each input is lexed to a compact dump
 * ("k:port n25 sfoo { NL") by a tiny driver that also does what a
 * grammar would: `STRING = STRING` defines a macro, `include STRING`
 * includes a file.  Messages are collected and compared whole.
 */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conflex.h"
#include "log.h"
#include "xmalloc.h"
#include "tap.h"

enum {
	T_BLOCK = 300,
	T_INCLUDE,
	T_PORT,
	T_ARROW,
	T_STRING,
	T_NUMBER,
	T_ERROR
};

static const struct conflex_keyword keywords[] = {
	{ "block",	T_BLOCK },
	{ "include",	T_INCLUDE },
	{ "port",	T_PORT },
};

static const struct conflex_keyword operators[] = {
	{ "=>",		T_ARROW },
};

static const struct conflex_syntax syntax = {
	keywords, nitems(keywords), operators, nitems(operators),
	T_STRING, T_NUMBER, T_ERROR
};

static char	 tmpdir[PATH_MAX];
static char	 msgs[65536];
static size_t	 msglen;

static void	 collect(void *, int, const char *, int, const char *);
static struct conflex *lexer(const struct conflex_syntax *);
static char	*drive(struct conflex *, int);
static char	*lex_str(const char *, int);
static const char *tpath(const char *);
static void	 put(const char *, const char *);
static void	 appendf(char **, size_t *, size_t *, const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));

static void
collect(void *arg, int kind, const char *file, int line, const char *msg)
{
	char		 buf[4096], *p;
	size_t		 dl = strlen(tmpdir);

	(void)snprintf(buf, sizeof(buf), "%s%s:%d: %s\n",
	    kind == CONFLEX_WARNING ? "W " : "", file, line, msg);
	/* the temporary directory prints as "T" */
	for (p = buf; *p != '\0' && msglen + 1 < sizeof(msgs); ) {
		if (strncmp(p, tmpdir, dl) == 0) {
			msgs[msglen++] = 'T';
			p += dl;
			continue;
		}
		msgs[msglen++] = *p++;
	}
	msgs[msglen] = '\0';
}

static void
appendf(char **buf, size_t *len, size_t *size, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(*buf + *len, *size - *len, fmt, ap);
		va_end(ap);
		if (n < 0)
			abort();
		if ((size_t)n < *size - *len) {
			*len += (size_t)n;
			return;
		}
		*buf = xrecallocarray(*buf, *size, *size * 2 + (size_t)n, 1);
		*size = *size * 2 + (size_t)n;
	}
}

static struct conflex *
lexer(const struct conflex_syntax *syn)
{
	struct conflex	*ctx;

	msglen = 0;
	msgs[0] = '\0';
	ctx = conflex_new(syn);
	conflex_set_errfn(ctx, collect, NULL);
	return ctx;
}

/*
 * Lex everything; withlines adds "@line" to each token.  Acts on
 * `STRING = STRING` and `include STRING` as a grammar would.
 */
static char *
drive(struct conflex *ctx, int withlines)
{
	struct conflex_value	 v;
	int			 line[3], nline = 0, t, guard = 0;
	const char		*lstr[3] = { NULL, NULL, NULL };
	char			*out;
	size_t			 len = 0, size = 256;

	out = xcalloc(1, size);
	while ((t = conflex_lex(ctx, &v)) != 0 && guard++ < 100000) {
		if (len > 0)
			appendf(&out, &len, &size, " ");
		if (t == T_STRING)
			appendf(&out, &len, &size, "s%s", v.string);
		else if (t == T_NUMBER)
			appendf(&out, &len, &size, "n%lld",
			    (long long)v.number);
		else if (t == T_ERROR)
			appendf(&out, &len, &size, "ERR");
		else if (t == '\n')
			appendf(&out, &len, &size, "NL");
		else if (t >= T_BLOCK && t <= T_ARROW)
			appendf(&out, &len, &size, "k:%s", conflex_text(ctx));
		else
			appendf(&out, &len, &size, "%c", t);
		if (withlines)
			appendf(&out, &len, &size, "@%d", v.lineno);

		if (t == '\n') {
			nline = 0;
			continue;
		}
		if (nline < 3) {
			line[nline] = t;
			lstr[nline++] = v.string;
		} else
			nline = 4;
		if (nline == 3 && line[0] == T_STRING && line[1] == '=' &&
		    line[2] == T_STRING)
			conflex_macro_set(ctx, lstr[0], lstr[2]);
		if (nline == 2 && line[0] == T_INCLUDE && line[1] == T_STRING)
			conflex_include(ctx, lstr[1]);
	}
	return out;
}

static char *
lex_str(const char *s, int withlines)
{
	struct conflex	*ctx;
	char		*out;

	ctx = lexer(&syntax);
	conflex_open_buffer(ctx, "t", s, strlen(s));
	out = drive(ctx, withlines);
	conflex_free(ctx);
	return out;
}

static const char *
tpath(const char *name)
{
	static char	path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", tmpdir, name) >=
	    sizeof(path))
		abort();
	return path;
}

static void
put(const char *name, const char *content)
{
	FILE	*fp;

	if ((fp = fopen(tpath(name), "w")) == NULL) {
		perror(tpath(name));
		exit(1);
	}
	fputs(content, fp);
	fclose(fp);
}

/* each test: a check of what the lexer gives, and of its messages */
#define LEX(in, want, wantmsgs, name) do {				\
	char *o_ = lex_str((in), 0);					\
	is_str(o_, (want), "%s: tokens", (name));			\
	is_str(msgs, (wantmsgs), "%s: messages", (name));		\
	free(o_);							\
} while (0)

static void
test_basics(void)
{
	LEX("block foo { port 25 }\n",
	    "k:block sfoo { k:port n25 } NL", "", "words and keywords");
	LEX("a=b,c<d>(e)!f/g",
	    "sa = sb , sc < sd > ( se ) ! sf/g NL", "", "punctuation");
	LEX("x => y = z\n", "sx k:=> sy = sz NL", "", "operator =>");
	LEX("::1 _x a.b-c/d@e\n", "s::1 s_x sa.b-c/d@e NL", "",
	    "word characters");
	LEX("/etc/x\n", "/ setc/x NL", "", "a path must start a word");
	LEX("\"/etc/x\"\n", "s/etc/x NL", "", "quoted path");
	LEX("", "", "", "empty input");
	LEX("last", "slast NL", "", "newline added at the end");
	LEX("a\r\nb\r\n", "sa NL sb NL", "", "CRLF");
	LEX("\t  a \t b  \n\n", "sa sb NL NL", "", "blanks and empty lines");
	LEX("block\"x\"\n", "k:block sx NL", "", "quote ends a word");
	LEX("\xc3\xa9\n", "\xc3 \xa9 NL", "",
	    "high bytes are characters");
}

static void
test_quotes(void)
{
	LEX("\"a b\" 'c d'\n", "sa b sc d NL", "", "double and single");
	LEX("\"block\"\n", "sblock NL", "", "quoted keyword is a string");
	LEX("\"25\"\n", "s25 NL", "", "quoted number is a string");
	LEX("\"x\\\"y\" 'it\\'s'\n", "sx\"y sit's NL", "", "escaped quote");
	LEX("\"a\\\\\" b\n", "sa\\ sb NL", "", "escaped backslash");
	LEX("\"a\\ b\\\tc\"\n", "sa b\tc NL", "", "escaped blanks");
	LEX("\"a\\nb\\d\"\n", "sa\\nb\\d NL", "",
	    "other escapes kept as written");
	LEX("\"ab\\\ncd\" x\n", "sabcd sx NL", "",
	    "backslash-newline in quotes");
	LEX("\"a # b\" # c\n", "sa # b NL", "", "no comment in quotes");
	LEX("\"\" ''\n", "s s NL", "", "empty strings");
	LEX("\"two\nlines\"\n", "stwo\nlines NL", "", "newline in quotes");
	LEX("x\n\"open\nstill\n", "sx NL ERR",
	    "t:2: unterminated quoted string\n", "unterminated quote");
	LEX("\"a\\", "ERR NL", "t:1: unterminated quoted string\n",
	    "backslash at end in quotes");
	{
		static const char in[] = "\"a\0b\" c\n";
		struct conflex *ctx = lexer(&syntax);
		char *o;

		conflex_open_buffer(ctx, "t", in, sizeof(in) - 1);
		o = drive(ctx, 0);
		is_str(o, "ERR sc NL", "NUL in quotes: tokens");
		is_str(msgs, "t:1: NUL byte in quoted string\n",
		    "NUL in quotes: message");
		free(o);
		conflex_free(ctx);
	}
	{
		static const char in[] = "a \0 b\n";
		struct conflex *ctx = lexer(&syntax);
		char *o;

		conflex_open_buffer(ctx, "t", in, sizeof(in) - 1);
		o = drive(ctx, 0);
		is_str(o, "sa ERR sb NL", "NUL byte: tokens");
		is_str(msgs, "t:1: unexpected NUL byte\n",
		    "NUL byte: message");
		free(o);
		conflex_free(ctx);
	}
}

static void
test_continuation_comments(void)
{
	char	*o;

	LEX("port \\\n 25\nx\n", "k:port n25 NL sx NL", "",
	    "backslash-newline joins lines");
	o = lex_str("port \\\n 25\nx\n", 1);
	is_str(o, "k:port@1 n25@2 NL@2 sx@3 NL@3",
	    "lines after a joined line");
	free(o);
	LEX("ab\\\ncd\n", "sabcd NL", "", "join inside a word");
	LEX("a\\b\n", "sa\\b NL", "", "other backslash kept");
	LEX("# all comment\nfoo # trailing \\\n bar\n",
	    "NL sfoo NL", "", "comments, a comment joined to the next line");
	LEX("foo#bar\n", "sfoo NL", "", "# ends a word");
	LEX("\"a\"#x\n", "sa NL", "", "comment after a string");
	LEX("# no newline", "NL", "", "comment at the end");
	o = lex_str("a\n\n# c\n\"x\ny\" b\nc", 1);
	is_str(o, "sa@1 NL@1 NL@2 NL@3 sx\ny@4 sb@5 NL@5 sc@6 NL@6",
	    "line numbers");
	free(o);
}

static void
test_numbers(void)
{
	LEX("25 -7 007 0\n", "n25 n-7 n7 n0 NL", "", "numbers");
	LEX("25M 10.0.0.1 0x10 1e3 12ab\n",
	    "s25M s10.0.0.1 s0x10 s1e3 s12ab NL", "",
	    "not fully numeric: strings");
	LEX("10/24 192.168.0.0/16\n", "n10 / n24 s192.168.0.0/16 NL", "",
	    "a number ends at /");
	LEX("-x - -5x 5-6\n", "- sx - s-5x s5-6 NL", "", "minus signs");
	LEX("25{ 3,4 7=8 9}\n", "n25 { n3 , n4 n7 = n8 n9 } NL", "",
	    "numbers before punctuation");
	LEX("9223372036854775807 -9223372036854775808\n",
	    "n9223372036854775807 n-9223372036854775808 NL", "",
	    "int64 limits");
	LEX("9223372036854775808 x\n-9223372036854775809\n",
	    "ERR sx NL ERR NL",
	    "t:1: number 9223372036854775808 is too large\n"
	    "t:2: number -9223372036854775809 is too small\n",
	    "numbers out of range");
	{
		struct conflex_syntax syn = syntax;
		struct conflex *ctx;
		char *o;

		syn.number = 0;
		ctx = lexer(&syn);
		conflex_open_buffer(ctx, "t", "25 10/24\n", 9);
		o = drive(ctx, 0);
		is_str(o, "s25 s10/24 NL", "no NUMBER token: strings");
		free(o);
		conflex_free(ctx);
	}
}

static void
test_long_tokens(void)
{
	char	*in, *want, *o;
	size_t	 n = CONFLEX_MAXTOKEN;

	in = xmalloc(n + 64);
	want = xmalloc(n + 64);

	memset(in, 'w', n);
	memcpy(in + n, " x\n", 4);
	want[0] = 's';
	memset(want + 1, 'w', n);
	memcpy(want + 1 + n, " sx NL", 7);
	o = lex_str(in, 0);
	is_str(o, want, "word of the maximum length");
	is_str(msgs, "", "word of the maximum length: no message");
	free(o);

	memset(in, 'w', n + 1);
	memcpy(in + n + 1, " x\ny\n", 6);
	o = lex_str(in, 1);
	is_str(o, "ERR@1 sx@1 NL@1 sy@2 NL@2", "overlong word");
	is_str(msgs, "t:1: word too long (more than 8192 bytes)\n",
	    "overlong word: message");
	free(o);

	in[0] = '"';
	memset(in + 1, 'q', n + 1);
	memcpy(in + n + 2, "\" x\n", 5);
	o = lex_str(in, 0);
	is_str(o, "ERR sx NL", "overlong quoted string, lexing goes on");
	is_str(msgs, "t:1: string too long (more than 8192 bytes)\n",
	    "overlong quoted string: message");
	free(o);

	in[0] = '$';
	memset(in + 1, 'm', n + 1);
	memcpy(in + n + 2, " x\n", 4);
	o = lex_str(in, 0);
	is_str(o, "ERR sx NL", "overlong macro name");
	is_str(msgs, "t:1: macro name too long\n",
	    "overlong macro name: message");
	free(o);

	free(in);
	free(want);
}

static void
test_macros(void)
{
	struct conflex	*ctx;
	char		*o;
	const char	*in;

	LEX("x = \"1 2\"\nport $x\n",
	    "sx = s1 2 NL k:port n1 n2 NL", "", "macro expands to tokens");
	LEX("x = \"v\"\n\"$x\" '$x'\n", "sx = sv NL s$x s$x NL", "",
	    "no expansion in quotes");
	LEX("a$b\n", "sa$b NL", "", "no expansion inside a word");
	LEX("h = mx\n$h.example.com\n",
	    "sh = smx NL smx.example.com NL", "", "expansion glued to text");
	LEX("p = \"port\"\n$p 25\n", "sp = sport NL k:port n25 NL", "",
	    "expansion can be a keyword");
	LEX("q = '\"a b\"'\n$q\n", "sq = s\"a b\" NL sa b NL", "",
	    "quotes in a value are lexed");
	LEX("a = \"$b\"\nb = deep\n$a\n",
	    "sa = s$b NL sb = sdeep NL sdeep NL", "", "nested macros");
	LEX("n = \"1\n2\"\n$n\n", "sn = s1\n2 NL n1 n2 NL", "",
	    "newline in a value reads as a blank");
	LEX("port $nope 25\nx\n", "k:port ERR n25 NL sx NL",
	    "t:1: macro 'nope' not defined\n", "undefined macro");
	LEX("$ x\n$\n", "ERR sx NL ERR NL",
	    "t:1: '$' without a macro name\nt:2: '$' without a macro name\n",
	    "$ alone");
	LEX("r = \"$r\"\n$r\nx\n", "sr = s$r NL ERR NL sx NL",
	    "t:2: macro 'r' nested more than 16 deep (recursive?)\n",
	    "recursive macro");
	LEX("r = \"$r $r\"\n$r\nx\n", "sr = s$r $r NL ERR NL sx NL",
	    "t:2: macro 'r' nested more than 16 deep (recursive?)\n",
	    "recursive macro: one error only");
	LEX("x = a\nx = b\n$x\n", "sx = sa NL sx = sb NL sb NL", "",
	    "redefinition replaces");

	/* expansion budget: 2^20 words from 20 doubling macros */
	{
		char buf[4096];
		size_t len = 0;
		int i;

		len += (size_t)snprintf(buf, sizeof(buf), "m0 = \"%s\"\n",
		    "abcdefghijabcdefghijabcdefghijabcdefghij");
		for (i = 1; i < 16; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "m%d = \"$m%d $m%d\"\n", i, i - 1, i - 1);
		(void)snprintf(buf + len, sizeof(buf) - len,
		    "$m15\n$m15\n");
		ctx = lexer(&syntax);
		conflex_open_buffer(ctx, "t", buf, strlen(buf));
		o = drive(ctx, 0);
		ok(conflex_errors(ctx) >= 1 && conflex_errors(ctx) <= 2 &&
		    strstr(msgs, "t:17: macro 'm") != NULL &&
		    strstr(msgs, "expansions exceed 1048576 bytes") != NULL,
		    "expansion budget stops a macro bomb");
		if (conflex_errors(ctx) < 1 || conflex_errors(ctx) > 2)
			diag("errors %d: %.300s", conflex_errors(ctx), msgs);
		free(o);
		conflex_free(ctx);
	}

	/* -D overrides the file, whatever the order */
	ctx = lexer(&syntax);
	is_int(conflex_macro_cmdline(ctx, "x=cmd"), 0, "-D x=cmd");
	is_int(conflex_macro_cmdline(ctx, "eq=a=b"), 0, "-D with = in value");
	is_int(conflex_macro_cmdline(ctx, "noequals"), -1, "-D without =");
	is_int(conflex_macro_cmdline(ctx, "bad-name=1"), -1,
	    "-D bad name");
	is_int(conflex_macro_cmdline(ctx, "=1"), -1, "-D empty name");
	in = "x = file\n$x $eq\n";
	conflex_open_buffer(ctx, "t", in, strlen(in));
	o = drive(ctx, 0);
	is_str(o, "sx = sfile NL scmd sa = sb NL", "-D wins over the file");
	is_str(conflex_macro_get(ctx, "x"), "cmd", "conflex_macro_get");
	ok(conflex_macro_get(ctx, "nope") == NULL, "get undefined: NULL");
	is_int(conflex_errors(ctx), 0, "-D: no errors");
	free(o);
	conflex_free(ctx);

	/* names, unused macros */
	ctx = lexer(&syntax);
	in = "used = \"1\"\nunused = \"2\"\n$used\n";
	conflex_open_buffer(ctx, "t", in, strlen(in));
	conflex_macro_cmdline(ctx, "dflag=3");
	o = drive(ctx, 0);
	free(o);
	is_int(conflex_macro_warn_unused(ctx), 2, "two unused macros");
	is_str(msgs, "W -D:0: macro 'dflag' not used\n"
	    "W t:2: macro 'unused' not used\n", "unused macros listed");
	is_int(conflex_errors(ctx), 0, "warnings are not errors");
	msglen = 0;
	is_int(conflex_macro_set(ctx, "a-b", "x"), -1, "invalid name");
	is_int(conflex_macro_set(ctx, "", "x"), -1, "empty name");
	is_int(conflex_errors(ctx), 2, "invalid names are errors");
	is_str(msgs, "t:3: invalid macro name 'a-b'\n"
	    "t:3: invalid macro name ''\n", "invalid name messages");
	conflex_free(ctx);
}

static void
test_includes(void)
{
	struct conflex	*ctx;
	char		*o;
	int		 i;
	char		 name[32], body[64];

	put("main.conf", "foo\ninclude \"inc.conf\"\nbar\n");
	put("inc.conf", "inner 1\nlast");
	ctx = lexer(&syntax);
	is_int(conflex_open_file(ctx, tpath("main.conf"), 0), 0,
	    "open a file");
	o = drive(ctx, 1);
	is_str(o, "sfoo@1 NL@1 k:include@2 sinc.conf@2 NL@2 sinner@1 n1@1 "
	    "NL@1 slast@2 NL@2 sbar@3 NL@3", "include an existing file");
	is_str(msgs, "", "include: no messages");
	free(o);
	conflex_free(ctx);

	/* a value's file names the included file */
	put("main.conf", "include \"inc.conf\"\n");
	put("inc.conf", "x\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("main.conf"), 0);
	{
		struct conflex_value v;
		int t;

		while ((t = conflex_lex(ctx, &v)) != 0)
			if (t == T_STRING && strcmp(v.string, "inc.conf") == 0)
				conflex_include(ctx, v.string);
			else if (t == T_STRING && strcmp(v.string, "x") == 0)
				break;
		ok(t == T_STRING && strcmp(v.file, tpath("inc.conf")) == 0 &&
		    v.lineno == 1, "token position in the included file");
		ok(strcmp(conflex_file(ctx), tpath("inc.conf")) == 0 &&
		    conflex_lineno(ctx) == 1, "conflex_file/lineno");
	}
	conflex_free(ctx);

	put("main.conf", "a\ninclude \"missing.conf\"\nb\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("main.conf"), 0);
	o = drive(ctx, 0);
	is_str(o, "sa NL k:include smissing.conf NL sb NL",
	    "missing include: lexing goes on");
	is_str(msgs, "T/main.conf:2: cannot open T/missing.conf: "
	    "No such file or directory\n", "missing include: message");
	is_int(conflex_errors(ctx), 1, "missing include: one error");
	free(o);
	conflex_free(ctx);

	put("a.conf", "include \"b.conf\"\n");
	put("b.conf", "x\ninclude \"a.conf\"\ny\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("a.conf"), 0);
	o = drive(ctx, 0);
	is_str(o, "k:include sb.conf NL sx NL k:include sa.conf NL sy NL",
	    "include loop: tokens");
	is_str(msgs, "T/b.conf:2: include loop: T/b.conf includes "
	    "T/a.conf\n", "include loop: message");
	free(o);
	conflex_free(ctx);

	put("self.conf", "include \"self.conf\"\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("self.conf"), 0);
	o = drive(ctx, 0);
	is_str(msgs, "T/self.conf:1: include loop: T/self.conf includes "
	    "T/self.conf\n", "file including itself");
	free(o);
	conflex_free(ctx);

	/* depth: d0 includes d1 ... includes d19 */
	for (i = 0; i < 20; i++) {
		(void)snprintf(name, sizeof(name), "d%d.conf", i);
		(void)snprintf(body, sizeof(body), "include \"d%d.conf\"\n",
		    i + 1);
		put(name, body);
	}
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("d0.conf"), 0);
	o = drive(ctx, 0);
	is_str(msgs, "T/d15.conf:1: include d16.conf: more than 16 nested "
	    "files\n", "include depth limit");
	free(o);
	conflex_free(ctx);

	/* every error reported, each with its own file and line */
	put("main.conf", "ok 1\ninclude \"inc.conf\"\n$undef2 x\n"
	    "\"open");
	put("inc.conf", "fine\n$undef\n99999999999999999999\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("main.conf"), 0);
	o = drive(ctx, 0);
	is_str(o, "sok n1 NL k:include sinc.conf NL sfine NL ERR NL ERR NL "
	    "ERR sx NL ERR NL", "errors across includes: tokens");
	is_str(msgs, "T/inc.conf:2: macro 'undef' not defined\n"
	    "T/inc.conf:3: number 99999999999999999999 is too large\n"
	    "T/main.conf:3: macro 'undef2' not defined\n"
	    "T/main.conf:4: unterminated quoted string\n",
	    "errors across includes: every message, right file and line");
	is_int(conflex_errors(ctx), 4, "errors across includes: count");
	free(o);
	conflex_free(ctx);

	/* included after the '\n' even when asked for after it */
	put("main.conf", "include \"inc.conf\"\nz\n");
	put("inc.conf", "y\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("main.conf"), 0);
	{
		struct conflex_value v;
		int t, n = 0;
		char got[64] = "";

		while ((t = conflex_lex(ctx, &v)) != 0 && n++ < 20) {
			if (t == '\n' && n == 3)
				conflex_include(ctx, "inc.conf");
			if (t == T_STRING)
				strlcat(got, v.string, sizeof(got));
			strlcat(got, "|", sizeof(got));
		}
		is_str(got, "|inc.conf||y||z||",
		    "include requested after the newline");
	}
	conflex_free(ctx);

	/* include on a last line without newline */
	put("main.conf", "a\ninclude \"inc.conf\"");
	put("inc.conf", "y\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("main.conf"), 0);
	o = drive(ctx, 1);
	is_str(o, "sa@1 NL@1 k:include@2 sinc.conf@2 NL@2 sy@1 NL@1",
	    "include on the last line");
	is_str(msgs, "", "include on the last line: no messages");
	free(o);
	conflex_free(ctx);

	/* an empty included file */
	put("main.conf", "include \"empty.conf\"\nz\n");
	put("empty.conf", "");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("main.conf"), 0);
	o = drive(ctx, 1);
	is_str(o, "k:include@1 sempty.conf@1 NL@1 sz@2 NL@2",
	    "empty included file");
	free(o);
	conflex_free(ctx);

	put("main.conf", "include \"inc.conf\" \"x\" include \"y\"\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("main.conf"), 0);
	{
		struct conflex_value v;

		(void)conflex_lex(ctx, &v);
		(void)conflex_lex(ctx, &v);
		is_int(conflex_include(ctx, "inc.conf"), 0, "first include");
		is_int(conflex_include(ctx, "inc.conf"), -1,
		    "second include on one line");
		is_str(msgs, "T/main.conf:1: only one include per line\n",
		    "second include: message");
	}
	conflex_free(ctx);

	/* top-level file problems */
	ctx = lexer(&syntax);
	is_int(conflex_open_file(ctx, tpath("nonexistent"), 0), -1,
	    "missing top file");
	is_str(msgs, "T/nonexistent:0: cannot open T/nonexistent: "
	    "No such file or directory\n", "missing top file: message");
	is_int(conflex_errors(ctx), 1, "missing top file: counted");
	conflex_free(ctx);

	put("dev.conf", "include \"/dev/null\"\nx\n");
	ctx = lexer(&syntax);
	conflex_open_file(ctx, tpath("dev.conf"), 0);
	o = drive(ctx, 0);
	is_str(msgs, "T/dev.conf:1: cannot read /dev/null: not a regular "
	    "file\n", "include of a device refused");
	free(o);
	conflex_free(ctx);

	ctx = lexer(&syntax);
	is_int(conflex_open_file(ctx, "/dev/null", 0), 0,
	    "top file may be a device");
	o = drive(ctx, 0);
	is_str(o, "", "top file /dev/null: no tokens");
	free(o);
	conflex_free(ctx);

	ctx = lexer(&syntax);
	is_int(conflex_open_file(ctx, tmpdir, 0), -1, "directory");
	ok(strstr(msgs, "is a directory") != NULL, "directory: message");
	conflex_free(ctx);
}

static void
test_secrecy(void)
{
	struct conflex	*ctx;
	int		 fd;
	char		*o;

	put("secret.conf", "include \"open.conf\"\n");
	put("open.conf", "x\n");
	chmod(tpath("secret.conf"), 0600);
	chmod(tpath("open.conf"), 0644);

	fd = open(tpath("secret.conf"), O_RDONLY);
	is_int(conflex_check_secrecy(fd, "secret.conf"), 0, "0600 is secret");
	close(fd);
	fd = open(tpath("open.conf"), O_RDONLY);
	is_int(conflex_check_secrecy(fd, "open.conf"), -1,
	    "0644 is not secret");
	close(fd);
	chmod(tpath("open.conf"), 0620);
	fd = open(tpath("open.conf"), O_RDONLY);
	is_int(conflex_check_secrecy(fd, "open.conf"), -1,
	    "group writable is not secret");
	close(fd);
	chmod(tpath("open.conf"), 0644);

	ctx = lexer(&syntax);
	is_int(conflex_open_file(ctx, tpath("open.conf"), CONFLEX_SECRET), -1,
	    "CONFLEX_SECRET refuses a readable file");
	is_str(msgs, "T/open.conf:0: T/open.conf: group or world "
	    "accessible\n", "CONFLEX_SECRET: message");
	conflex_free(ctx);

	ctx = lexer(&syntax);
	is_int(conflex_open_file(ctx, tpath("secret.conf"), CONFLEX_SECRET),
	    0, "CONFLEX_SECRET opens a 0600 file");
	o = drive(ctx, 0);
	is_str(msgs, "T/secret.conf:1: T/open.conf: group or world "
	    "accessible\n", "CONFLEX_SECRET applies to includes");
	free(o);
	conflex_free(ctx);
}

static void
test_errors(void)
{
	struct conflex		*ctx;
	struct conflex_syntax	 syn = syntax;
	struct conflex_value	 v;
	char			*o;
	int			 t;

	/* without an ERROR token, bad tokens vanish and lexing goes on */
	syn.error = 0;
	ctx = lexer(&syn);
	conflex_open_buffer(ctx, "t", "a $u b\n$v\n", 10);
	o = drive(ctx, 0);
	is_str(o, "sa sb NL NL", "no ERROR token: errors skipped");
	is_str(msgs, "t:1: macro 'u' not defined\n"
	    "t:2: macro 'v' not defined\n", "no ERROR token: messages");
	is_int(conflex_errors(ctx), 2, "no ERROR token: counted");
	free(o);
	conflex_free(ctx);

	/* yyerror after a lexical error is not said twice */
	ctx = lexer(&syntax);
	conflex_open_buffer(ctx, "t", "a $u\nb\n", 7);
	t = conflex_lex(ctx, &v);
	t = conflex_lex(ctx, &v);
	is_int(t, T_ERROR, "ERROR token");
	conflex_yyerror(ctx, "syntax error");
	is_int(conflex_errors(ctx), 1, "syntax error after ERROR: silent");
	t = conflex_lex(ctx, &v);
	t = conflex_lex(ctx, &v);
	conflex_yyerror(ctx, "syntax error");
	conflex_error(ctx, "bad %s %d", "thing", 7);
	conflex_warn(ctx, "just %s", "saying");
	conflex_error_at(ctx, "other", 9, "there");
	is_str(msgs, "t:1: macro 'u' not defined\nt:2: syntax error\n"
	    "t:2: bad thing 7\nW t:2: just saying\nother:9: there\n",
	    "error functions");
	is_int(conflex_errors(ctx), 4, "error count");
	conflex_free(ctx);

	/* arena strings */
	ctx = lexer(&syntax);
	o = conflex_asprintf(ctx, "%s-%d", "a", 1);
	is_str(o, "a-1", "conflex_asprintf");
	is_str(conflex_strdup(ctx, "dup"), "dup", "conflex_strdup");
	conflex_free(ctx);
}

static void
test_fatal(void)
{
	static const struct conflex_keyword bad[] = {
		{ "b", 1 }, { "a", 2 },
	};
	struct conflex_syntax	syn = syntax;
	pid_t			pid;
	int			status = 0, fd;

	syn.keywords = bad;
	syn.nkeywords = nitems(bad);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		if ((fd = open("/dev/null", O_WRONLY)) != -1)
			dup2(fd, 2);
		(void)conflex_new(&syn);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 1,
	    "unsorted keyword table is fatal");
}

int
main(void)
{
	char	*p;

	log_init(1, LOG_MAIL);
	p = realpath("/tmp", NULL);
	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/t_conflex.XXXXXX",
	    p ? p : "/tmp");
	free(p);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}

	plan(183);
	test_basics();
	test_quotes();
	test_continuation_comments();
	test_numbers();
	test_long_tokens();
	test_macros();
	test_includes();
	test_secrecy();
	test_errors();
	test_fatal();

	{
		char cmd[PATH_MAX + 16];

		(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			diag("cannot remove %s", tmpdir);
	}
	return done_testing();
}
