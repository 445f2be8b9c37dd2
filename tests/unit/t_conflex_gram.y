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
 * An example grammar on conflex, shaped like the daemons' parse.y, for
 * tests/unit/t_conflex_gram.c and the fuzz target.  POSIX yacc only.
 *
 *	# comment
 *	dir = "/var/db"			macro
 *	include "other.conf"
 *	hostname mx.example.org		key/value lines
 *	port 25
 *	path $dir "/x"			strings concatenate (with a blank)
 *	listener lo {			blocks
 *		port 2525
 *		tag "IN"
 *	}
 *
 * The result is printed back, one normalised line per setting, into a
 * buffer that tgram_parse() returns.
 */

%{
#include <sys/types.h>

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conflex.h"
#include "log.h"
#include "xmalloc.h"

struct tgram {
	struct conflex	*lex;
	char		*out;		/* the settings, printed back */
	size_t		 outlen;
	char		*errs;		/* the messages */
	size_t		 errlen;
	int		 inblock;
};

/*
 * yylex() and yyerror() have no argument: this one pointer is how they
 * reach the parse in progress.  Everything else hangs off it.
 */
static struct tgram	*tg;

int	tgram_parse(const char *, const char *const *, char **, char **);
int	tgram_parse_buffer(const void *, size_t, char **, char **);
int	yylex(void);
int	yyparse(void);
static void yyerror(const char *);
static void emit(const char *, ...)
	    __attribute__((__format__ (printf, 1, 2)));
static void collect(void *, int, const char *, int, const char *);
static int tgram_run(void);
static void tgram_start(void);
static int tgram_finish(int, char **, char **);
%}

%union {
	int64_t	 number;
	char	*string;
}

%token	INCLUDE HOSTNAME PORT PATH LISTENER TAG ERROR
%token	<string> STRING
%token	<number> NUMBER
%type	<string> string
%type	<number> port

%%

grammar		: /* empty */
		| grammar '\n'
		| grammar include '\n'
		| grammar varset '\n'
		| grammar main '\n'
		| grammar listener '\n'
		| grammar error '\n'		{ yyerrok; }
		;

include		: INCLUDE STRING		{
			conflex_include(tg->lex, $2);
		}
		;

varset		: STRING '=' string		{
			conflex_macro_set(tg->lex, $1, $3);
		}
		;

string		: string STRING			{
			$$ = conflex_asprintf(tg->lex, "%s %s", $1, $2);
		}
		| STRING
		;

port		: PORT NUMBER			{
			if ($2 < 1 || $2 > 65535) {
				/* reported and counted; the parse goes on */
				conflex_error(tg->lex, "port %lld out of range",
				    (long long)$2);
			}
			$$ = $2;
		}
		;

main		: HOSTNAME string		{ emit("hostname %s", $2); }
		| port				{ emit("port %lld",
						    (long long)$1); }
		| PATH string			{ emit("path \"%s\"", $2); }
		;

listener	: LISTENER STRING		{
			emit("listener %s {", $2);
			tg->inblock = 1;
		} optnl '{' optnl listenopts '}'	{
			tg->inblock = 0;
			emit("}");
		}
		;

listenopts	: /* empty */
		| listenopts listenopt nl
		;

listenopt	: port				{ emit("port %lld",
						    (long long)$1); }
		| TAG STRING			{ emit("tag \"%s\"", $2); }
		;

optnl		: /* empty */
		| optnl '\n'
		;

nl		: '\n' optnl
		;

%%

static const struct conflex_keyword keywords[] = {
	{ "hostname",	HOSTNAME },
	{ "include",	INCLUDE },
	{ "listener",	LISTENER },
	{ "path",	PATH },
	{ "port",	PORT },
	{ "tag",	TAG },
};

int
yylex(void)
{
	struct conflex_value	v;
	int			t;

	t = conflex_lex(tg->lex, &v);
	if (t == STRING)
		yylval.string = v.string;
	else if (t == NUMBER)
		yylval.number = v.number;
	return t;
}

static void
yyerror(const char *msg)
{
	conflex_yyerror(tg->lex, msg);
}

static void
emit(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("%s", __func__);
	tg->out = xreallocarray(tg->out, tg->outlen + (size_t)n + 3, 1);
	(void)snprintf(tg->out + tg->outlen, (size_t)n + 3, "%s%s\n",
	    tg->inblock ? "\t" : "", s);
	tg->outlen += (size_t)n + 1 + (tg->inblock ? 1 : 0);
	free(s);
}

static void
collect(void *arg, int kind, const char *file, int line, const char *msg)
{
	char	*s;
	int	 n;

	n = asprintf(&s, "%s%s:%d: %s\n",
	    kind == CONFLEX_WARNING ? "warning: " : "", file, line, msg);
	if (n == -1)
		fatal("%s", __func__);
	tg->errs = xreallocarray(tg->errs, tg->errlen + (size_t)n + 1, 1);
	memcpy(tg->errs + tg->errlen, s, (size_t)n + 1);
	tg->errlen += (size_t)n;
	free(s);
}

static int
tgram_run(void)
{
	int	errors;

	yyparse();
	(void)conflex_macro_warn_unused(tg->lex);
	errors = conflex_errors(tg->lex);
	conflex_free(tg->lex);
	tg->lex = NULL;
	return errors;
}

static void
tgram_start(void)
{
	static const struct conflex_syntax syn = {
		keywords, sizeof(keywords) / sizeof(keywords[0]), NULL, 0,
		STRING, NUMBER, ERROR
	};

	tg = xcalloc(1, sizeof(*tg));
	tg->out = xstrdup("");
	tg->errs = xstrdup("");
	tg->lex = conflex_new(&syn);
	conflex_set_errfn(tg->lex, collect, NULL);
}

static int
tgram_finish(int errors, char **out, char **errs)
{
	*out = tg->out;
	*errs = tg->errs;
	free(tg);
	tg = NULL;
	return errors;
}

/*
 * Parse path with -D defines (NULL-terminated); *out gets the settings
 * printed back, *errs the messages; returns the number of errors.
 */
int
tgram_parse(const char *path, const char *const *defines, char **out,
    char **errs)
{
	int	errors = 0;

	tgram_start();
	for (; defines != NULL && *defines != NULL; defines++)
		if (conflex_macro_cmdline(tg->lex, *defines) == -1) {
			collect(NULL, CONFLEX_ERROR, "-D", 0, *defines);
			errors++;
		}
	if (conflex_open_file(tg->lex, path, 0) == 0)
		errors += tgram_run();
	else {
		errors += conflex_errors(tg->lex);
		conflex_free(tg->lex);
	}
	return tgram_finish(errors, out, errs);
}

int
tgram_parse_buffer(const void *buf, size_t len, char **out, char **errs)
{
	tgram_start();
	conflex_open_buffer(tg->lex, "buf", buf, len);
	return tgram_finish(tgram_run(), out, errs);
}
