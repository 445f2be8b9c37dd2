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

#ifndef MX_CONFLEX_H
#define MX_CONFLEX_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/*
 * conflex: the one lexer under every yacc grammar of mxsuite, in the
 * OpenBSD parse.y tradition (line oriented, macros, include, a sorted
 * keyword table, `file:line: message` errors, parsing goes on after an
 * error so that every error is reported).
 *
 * All state lives in a struct conflex; this file has no globals.  yacc's
 * yylex(void) and yyerror(const char *) take no context, so each grammar
 * keeps ONE file-scope `struct conflex *` for them (see the example).
 *
 * Tokens returned by conflex_lex():
 *   0           end of input (end of the top file);
 *   '\n'        end of a line (a last line without newline gets one);
 *   syn.string  a quoted "..." or '...' string, or a bare word that is
 *               neither a keyword nor a number.  Quoted strings are never
 *               keywords.  Escapes inside quotes: \<quote> and \\ give the
 *               character, \<space> \<tab> give the blank, \<newline>
 *               joins lines; any other \x is kept as the two characters.
 *   syn.number  a bare word of decimal digits with an optional leading
 *               '-', in int64 range (strtonum); "10/24" is NUMBER '/'
 *               NUMBER, "25M" or "10.0.0.1" are strings.  With
 *               syn.number 0, digits are returned as strings.
 *   keywords    a bare word found in syn.keywords (bsearch);
 *   operators   a two-character sequence found in syn.operators ("=>");
 *   c           any other character is returned as itself: { } < > = ,
 *               / ( ) ! and so on.
 * A bare word starts with a letter, digit, ':', '_' (or '-' before a
 * digit) and goes on with letters, digits and punctuation other than
 * ( ) { } < > ! = # , " ' (so paths with '/' must start with a letter or
 * be quoted, as in OpenBSD).  '#' starts a comment up to the end of the
 * line, outside quotes and at the start of a token.  A backslash before
 * a newline joins two lines anywhere.  Blanks are space, tab, \r, \f and \v.
 *
 * Macros: `$name` at the start of a token (never inside quotes) is
 * replaced by the macro's value and the text is lexed again, so a value
 * can hold several tokens, other macros (nested expansion, with a depth
 * limit that catches recursion) or be glued to what follows ($dir/x).
 * Newlines in a value are read as blanks.  A value is lexed without the
 * quotes it was defined with: after `dir = "/var"`, $dir reads '/' "var"
 * (as in OpenBSD).  An undefined macro is an error.  The grammar defines
 * macros with conflex_macro_set() (a rule such as `STRING '=' string`);
 * conflex_macro_cmdline() takes -D name=value, which is persistent:
 * later definitions in the file of the same name are ignored, as
 * OpenBSD does.
 *
 * include: the grammar calls conflex_include() from its include rule.
 * The file's tokens start after the include line's '\n' (whether or not
 * yacc has read it as lookahead), so `grammar include '\n'` works.  A
 * relative path is taken relative to the directory of the including file
 * (to the working directory for a memory buffer); it must be a regular
 * file (the top file may be a device: -f /dev/stdin).  Includes nest up to
 * CONFLEX_MAXDEPTH files; an include loop is an error.  Errors in an
 * included file carry that file's name and line.
 *
 * Errors: conflex_error() prints `file:line: message` for the current
 * token (the last one conflex_lex() returned), counts it, and returns;
 * the parse goes on.  By default messages go to log_warnx() (stderr
 * before log_init() or in debug mode, syslog otherwise);
 * conflex_set_errfn() redirects them.  On a lexical error (undefined
 * macro, overlong token, bad number, unterminated string, NUL byte) the
 * lexer reports it and returns syn.error if the grammar has an ERROR
 * token (then the next yacc "syntax error" is not reported twice: call
 * conflex_yyerror() from yyerror()), or else goes on with the next
 * token.  The caller checks conflex_errors() at the end.
 *
 * Memory: every string the lexer hands out (token strings, file names,
 * conflex_strdup/conflex_asprintf results) belongs to the conflex and
 * lives until conflex_free().  Grammar actions never free them (nothing
 * leaks in yacc's error recovery) and copy what they keep.
 *
 * Example parse.y (tests/unit/t_conflex_gram.y is a complete one); POSIX
 * yacc only, so that byacc and `bison -y` both take it:
 *
 *	%{
 *	#include <stdint.h>
 *	#include "conflex.h"
 *	static struct conflex *lex;	// yylex/yyerror take no argument
 *	int	yylex(void);
 *	static void yyerror(const char *);
 *	%}
 *	%union { int64_t number; char *string; }
 *	%token INCLUDE PORT ERROR
 *	%token <string> STRING
 *	%token <number> NUMBER
 *	%%
 *	grammar	: | grammar '\n' | grammar main '\n'
 *		| grammar error '\n'	{ yyerrok; }
 *		;
 *	main	: INCLUDE STRING	{ conflex_include(lex, $2); }
 *		| STRING '=' STRING	{ conflex_macro_set(lex, $1, $3); }
 *		| PORT NUMBER		{
 *			if ($2 < 1 || $2 > 65535)
 *				conflex_error(lex, "bad port %lld",
 *				    (long long)$2);
 *			conf->port = $2;
 *		}
 *		;
 *	%%
 *	static const struct conflex_keyword keywords[] = {	// sorted
 *		{ "include", INCLUDE }, { "port", PORT },
 *	};
 *	int
 *	yylex(void)
 *	{
 *		struct conflex_value	v;
 *		int			t;
 *
 *		t = conflex_lex(lex, &v);
 *		if (t == STRING)
 *			yylval.string = v.string;
 *		else if (t == NUMBER)
 *			yylval.number = v.number;
 *		return t;
 *	}
 *	static void
 *	yyerror(const char *msg)
 *	{
 *		conflex_yyerror(lex, msg);
 *	}
 *	int
 *	parse_config(const char *path, char **defines, int ndefines)
 *	{
 *		struct conflex_syntax syn = { keywords, nitems(keywords),
 *		    NULL, 0, STRING, NUMBER, ERROR };
 *		int i, errors;
 *
 *		lex = conflex_new(&syn);
 *		for (i = 0; i < ndefines; i++)
 *			if (conflex_macro_cmdline(lex, defines[i]) == -1)
 *				errx(1, "bad -D %s", defines[i]);
 *		if (conflex_open_file(lex, path, 0) == 0)
 *			yyparse();
 *		errors = conflex_errors(lex);
 *		conflex_free(lex);
 *		lex = NULL;
 *		return errors ? -1 : 0;
 *	}
 */

#define CONFLEX_MAXTOKEN	8192	/* bytes in one token */
#define CONFLEX_MAXDEPTH	16	/* nested include files */
#define CONFLEX_MAXEXPAND	16	/* nested macro expansions */
#define CONFLEX_MAXEXPANDLEN	(1024 * 1024)	/* expanded bytes, total */

/* conflex_open_file() flags */
#define CONFLEX_SECRET	0x01	/* the file and its includes: secrecy check */

struct conflex;

struct conflex_keyword {
	const char	*name;
	int		 token;
};

struct conflex_syntax {
	const struct conflex_keyword	*keywords;	/* sorted by strcmp */
	size_t				 nkeywords;
	const struct conflex_keyword	*operators;	/* 2 chars: "=>" */
	size_t				 noperators;
	int				 string;	/* STRING token */
	int				 number;	/* NUMBER, 0: none */
	int				 error;		/* ERROR, 0: none */
};

struct conflex_value {
	char		*string;	/* STRING: owned by the conflex */
	int64_t		 number;	/* NUMBER */
	const char	*file;		/* where the token starts */
	int		 lineno;
};

/* where messages go; the default calls log_warnx() */
#define CONFLEX_ERROR	0
#define CONFLEX_WARNING	1
typedef void (*conflex_errfn)(void *, int, const char *, int, const char *);

/* life; conflex_new() fatalx's on an unsorted keyword table */
struct conflex	*conflex_new(const struct conflex_syntax *);
void		 conflex_free(struct conflex *);
void		 conflex_set_errfn(struct conflex *, conflex_errfn, void *);

/* input: -1 (error reported and counted) if it cannot be read */
int		 conflex_open_file(struct conflex *, const char *, int);
int		 conflex_open_buffer(struct conflex *, const char *,
		    const void *, size_t);
int		 conflex_include(struct conflex *, const char *);

/* tokens */
int		 conflex_lex(struct conflex *, struct conflex_value *);
const char	*conflex_text(const struct conflex *);
const char	*conflex_file(const struct conflex *);
int		 conflex_lineno(const struct conflex *);

/* macros */
int		 conflex_macro_set(struct conflex *, const char *,
		    const char *);
int		 conflex_macro_cmdline(struct conflex *, const char *);
const char	*conflex_macro_get(struct conflex *, const char *);
int		 conflex_macro_warn_unused(struct conflex *);

/* errors and warnings, `file:line: message` */
void		 conflex_error(struct conflex *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
void		 conflex_verror(struct conflex *, const char *, va_list)
		    __attribute__((__format__ (printf, 2, 0)));
void		 conflex_error_at(struct conflex *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__ (printf, 4, 5)));
void		 conflex_warn(struct conflex *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
void		 conflex_yyerror(struct conflex *, const char *);
int		 conflex_errors(const struct conflex *);

/* strings owned by the conflex, freed by conflex_free() */
char		*conflex_strdup(struct conflex *, const char *);
char		*conflex_asprintf(struct conflex *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));

/* 0 if fd is owned by root or us and not group/world accessible */
int		 conflex_check_secrecy(int, const char *);

#endif /* MX_CONFLEX_H */
