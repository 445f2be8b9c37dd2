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
 * The shared configuration lexer; see conflex.h for the language.
 *
 * Input is a stack of files (struct conflex_file), the top one being
 * read.  Each file has its own push-back stack of ints: characters given
 * back by the lexer, and macro expansions pushed in reverse, each closed
 * by a MARK_EXPAND_END entry so that the nesting depth is known.  Line
 * numbers move whenever a '\n' is read and back when one is pushed back;
 * expansions never hold a '\n' (it becomes a blank), so lines stay true.
 * Every file ends with a '\n' (a missing one is made up), so no token
 * spans two files.  No globals in this file.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conflex.h"
#include "log.h"
#include "xmalloc.h"

#define MARK_EXPAND_END	256	/* push-back entry: an expansion ends */
#define LEX_AGAIN	(-2)	/* internal: read the next token */
#define LEX_ERROR	(-3)	/* internal: error reported */
#define TOK_NONE	(-1)	/* no token returned yet */

struct conflex_str {
	struct conflex_str	*next;
	char			 s[];
};

struct conflex_file {
	struct conflex_file	*prev;		/* the includer */
	const char		*name;		/* in the arena */
	FILE			*fp;		/* or a memory buffer: */
	unsigned char		*buf;
	size_t			 len;
	size_t			 pos;
	dev_t			 dev;
	ino_t			 ino;
	int			 has_id;	/* dev/ino valid */
	int			 lineno;
	int			 lastc;
	int			 eof;		/* EOF seen once */
	int			 readerr;	/* reported */
	int			*unget;
	size_t			 nunget;
	size_t			 ungetsz;
};

struct conflex_macro {
	TAILQ_ENTRY(conflex_macro) entry;
	char			*name;
	char			*value;
	const char		*file;		/* in the arena */
	int			 lineno;
	int			 persist;	/* from -D */
	int			 used;
};

struct conflex {
	struct conflex_syntax	 syn;
	int			 flags;
	struct conflex_file	*cur;
	struct conflex_file	*pending;	/* include after the '\n' */
	int			 nfiles;
	TAILQ_HEAD(, conflex_macro) macros;
	struct conflex_str	*strs;
	const char		*tok_file;
	int			 tok_line;
	int			 last_tok;
	int			 expand_depth;
	size_t			 expanded;
	int			 errors;
	int			 lexerr;
	conflex_errfn		 errfn;
	void			*errarg;
	char			 tok[CONFLEX_MAXTOKEN + 1];
};

static char	*arena_add(struct conflex *, const char *, size_t);
static void	 report(struct conflex *, int, const char *, int,
		    const char *, va_list)
		    __attribute__((__format__ (printf, 5, 0)));
static void	 lex_error(struct conflex *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static void	 warn_at(struct conflex *, const char *, int, const char *,
		    ...)
		    __attribute__((__format__ (printf, 4, 5)));
static void	 default_errfn(void *, int, const char *, int, const char *);
static const char *secrecy_problem(int);
static struct conflex_file *file_open(struct conflex *, const char *,
		    const char *, int, int);
static void	 file_free(struct conflex_file *);
static void	 file_push(struct conflex *, struct conflex_file *);
static int	 file_getc(struct conflex *);
static void	 file_ungetc(struct conflex *, int);
static void	 unget_push(struct conflex_file *, int);
static int	 at_expand_end(struct conflex *);
static void	 flush_expansions(struct conflex *);
static int	 lgetc(struct conflex *);
static int	 is_blank(int);
static int	 is_word_char(int);
static int	 is_word_start(struct conflex *, int);
static void	 set_pos(struct conflex *, int);
static int	 lex_token(struct conflex *, struct conflex_value *);
static int	 lex_macro(struct conflex *);
static int	 lex_quoted(struct conflex *, int, struct conflex_value *);
static int	 lex_word(struct conflex *, int, struct conflex_value *);
static int	 kw_cmp(const void *, const void *);
static int	 macro_name_ok(const char *);
static struct conflex_macro *macro_find(struct conflex *, const char *);
static void	 macro_put(struct conflex *, const char *, const char *, int,
		    const char *, int);

/*
 * Life.
 */

struct conflex *
conflex_new(const struct conflex_syntax *syn)
{
	struct conflex	*ctx;
	size_t		 i;

	for (i = 1; i < syn->nkeywords; i++)
		if (strcmp(syn->keywords[i - 1].name,
		    syn->keywords[i].name) >= 0)
			fatalx("conflex: keyword table not sorted at \"%s\"",
			    syn->keywords[i].name);
	for (i = 0; i < syn->noperators; i++)
		if (strlen(syn->operators[i].name) != 2)
			fatalx("conflex: operator \"%s\" is not 2 characters",
			    syn->operators[i].name);
	if (syn->string == 0)
		fatalx("conflex: no STRING token");

	ctx = xcalloc(1, sizeof(*ctx));
	ctx->syn = *syn;
	TAILQ_INIT(&ctx->macros);
	ctx->last_tok = TOK_NONE;
	return ctx;
}

void
conflex_free(struct conflex *ctx)
{
	struct conflex_file	*f;
	struct conflex_macro	*m;
	struct conflex_str	*s;

	if (ctx == NULL)
		return;
	while ((f = ctx->cur) != NULL) {
		ctx->cur = f->prev;
		file_free(f);
	}
	file_free(ctx->pending);
	while ((m = TAILQ_FIRST(&ctx->macros)) != NULL) {
		TAILQ_REMOVE(&ctx->macros, m, entry);
		free(m->name);
		free(m->value);
		free(m);
	}
	while ((s = ctx->strs) != NULL) {
		ctx->strs = s->next;
		free(s);
	}
	free(ctx);
}

void
conflex_set_errfn(struct conflex *ctx, conflex_errfn fn, void *arg)
{
	ctx->errfn = fn;
	ctx->errarg = arg;
}

/*
 * Strings owned by the conflex.
 */

static char *
arena_add(struct conflex *ctx, const char *s, size_t len)
{
	struct conflex_str	*n;

	n = xmalloc(sizeof(*n) + len + 1);
	memcpy(n->s, s, len);
	n->s[len] = '\0';
	n->next = ctx->strs;
	ctx->strs = n;
	return n->s;
}

char *
conflex_strdup(struct conflex *ctx, const char *s)
{
	return arena_add(ctx, s, strlen(s));
}

char *
conflex_asprintf(struct conflex *ctx, const char *fmt, ...)
{
	va_list	 ap;
	char	*s, *r;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n == -1)
		fatal("%s", __func__);
	r = arena_add(ctx, s, (size_t)n);
	free(s);
	return r;
}

/*
 * Errors.
 */

static void
default_errfn(void *arg, int kind, const char *file, int line,
    const char *msg)
{
	const char	*w = kind == CONFLEX_WARNING ? "warning: " : "";

	if (line > 0)
		log_warnx("%s:%d: %s%s", file, line, w, msg);
	else
		log_warnx("%s: %s%s", file, w, msg);
}

static void
report(struct conflex *ctx, int kind, const char *file, int line,
    const char *fmt, va_list ap)
{
	char	msg[1024];

	/* a long message is cut, which is fine for a diagnostic */
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	if (kind == CONFLEX_ERROR)
		ctx->errors++;
	if (file == NULL)
		file = "(no input)";
	if (ctx->errfn != NULL)
		ctx->errfn(ctx->errarg, kind, file, line, msg);
	else
		default_errfn(NULL, kind, file, line, msg);
}

void
conflex_verror(struct conflex *ctx, const char *fmt, va_list ap)
{
	report(ctx, CONFLEX_ERROR, ctx->tok_file, ctx->tok_line, fmt, ap);
}

void
conflex_error(struct conflex *ctx, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	report(ctx, CONFLEX_ERROR, ctx->tok_file, ctx->tok_line, fmt, ap);
	va_end(ap);
}

void
conflex_error_at(struct conflex *ctx, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	report(ctx, CONFLEX_ERROR, file, line, fmt, ap);
	va_end(ap);
}

void
conflex_warn(struct conflex *ctx, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	report(ctx, CONFLEX_WARNING, ctx->tok_file, ctx->tok_line, fmt, ap);
	va_end(ap);
}

static void
warn_at(struct conflex *ctx, const char *file, int line, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	report(ctx, CONFLEX_WARNING, file, line, fmt, ap);
	va_end(ap);
}

static void
lex_error(struct conflex *ctx, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	report(ctx, CONFLEX_ERROR, ctx->tok_file, ctx->tok_line, fmt, ap);
	va_end(ap);
	ctx->lexerr = 1;
}

void
conflex_yyerror(struct conflex *ctx, const char *msg)
{
	/* the lexer said why already: no second "syntax error" */
	if (ctx->lexerr) {
		ctx->lexerr = 0;
		return;
	}
	conflex_error(ctx, "%s", msg);
}

int
conflex_errors(const struct conflex *ctx)
{
	return ctx->errors;
}

const char *
conflex_text(const struct conflex *ctx)
{
	return ctx->tok;
}

const char *
conflex_file(const struct conflex *ctx)
{
	return ctx->tok_file;
}

int
conflex_lineno(const struct conflex *ctx)
{
	return ctx->tok_line;
}

/*
 * Files.
 */

static const char *
secrecy_problem(int fd)
{
	struct stat	st;

	if (fstat(fd, &st) == -1)
		return strerror(errno);
	if (st.st_uid != 0 && st.st_uid != getuid())
		return "owner not root or current user";
	if (st.st_mode & (S_IRWXG | S_IRWXO))
		return "group or world accessible";
	return NULL;
}

int
conflex_check_secrecy(int fd, const char *name)
{
	const char	*why;

	if ((why = secrecy_problem(fd)) != NULL) {
		log_warnx("%s: %s", name, why);
		return -1;
	}
	return 0;
}

/*
 * Open path; a failure is reported at efile:eline (eline 0: no line)
 * and counted.  An include must be a regular file (no /dev/zero); the
 * top file may be anything but a directory (-f /dev/stdin).
 */
static struct conflex_file *
file_open(struct conflex *ctx, const char *path, const char *efile,
    int eline, int include)
{
	struct conflex_file	*f;
	struct stat		 st;
	const char		*why;
	FILE			*fp;

	if ((fp = fopen(path, "r")) == NULL) {
		conflex_error_at(ctx, efile, eline, "cannot open %s: %s",
		    path, strerror(errno));
		return NULL;
	}
	if (fstat(fileno(fp), &st) == -1) {
		conflex_error_at(ctx, efile, eline, "cannot stat %s: %s",
		    path, strerror(errno));
		fclose(fp);
		return NULL;
	}
	if (S_ISDIR(st.st_mode) || (include && !S_ISREG(st.st_mode))) {
		conflex_error_at(ctx, efile, eline, "cannot read %s: %s",
		    path, S_ISDIR(st.st_mode) ? "is a directory" :
		    "not a regular file");
		fclose(fp);
		return NULL;
	}
	if ((ctx->flags & CONFLEX_SECRET) &&
	    (why = secrecy_problem(fileno(fp))) != NULL) {
		conflex_error_at(ctx, efile, eline, "%s: %s", path, why);
		fclose(fp);
		return NULL;
	}
	f = xcalloc(1, sizeof(*f));
	f->name = conflex_strdup(ctx, path);
	f->fp = fp;
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->has_id = 1;
	f->lineno = 1;
	f->lastc = '\n';
	return f;
}

static void
file_free(struct conflex_file *f)
{
	if (f == NULL)
		return;
	if (f->fp != NULL)
		fclose(f->fp);
	free(f->buf);
	free(f->unget);
	free(f);
}

static void
file_push(struct conflex *ctx, struct conflex_file *f)
{
	f->prev = ctx->cur;
	ctx->cur = f;
	ctx->nfiles++;
}

int
conflex_open_file(struct conflex *ctx, const char *path, int flags)
{
	struct conflex_file	*f;

	if (ctx->cur != NULL)
		fatalx("%s: input already open", __func__);
	ctx->flags = flags;
	ctx->tok_file = conflex_strdup(ctx, path);
	if ((f = file_open(ctx, path, path, 0, 0)) == NULL)
		return -1;
	file_push(ctx, f);
	return 0;
}

int
conflex_open_buffer(struct conflex *ctx, const char *name, const void *buf,
    size_t len)
{
	struct conflex_file	*f;

	if (ctx->cur != NULL)
		fatalx("%s: input already open", __func__);
	f = xcalloc(1, sizeof(*f));
	f->name = conflex_strdup(ctx, name);
	f->buf = len > 0 ? xmemdup(buf, len) : NULL;
	f->len = len;
	f->lineno = 1;
	f->lastc = '\n';
	ctx->tok_file = f->name;
	file_push(ctx, f);
	return 0;
}

int
conflex_include(struct conflex *ctx, const char *path)
{
	struct conflex_file	*f, *p;
	const char		*slash, *full = path;

	if (ctx->cur == NULL)
		fatalx("%s: no input open", __func__);
	if (ctx->pending != NULL) {
		conflex_error(ctx, "only one include per line");
		return -1;
	}
	if (ctx->nfiles >= CONFLEX_MAXDEPTH) {
		conflex_error(ctx, "include %s: more than %d nested files",
		    path, CONFLEX_MAXDEPTH);
		return -1;
	}
	/* relative to the directory of the including file */
	if (path[0] != '/' && ctx->cur->fp != NULL &&
	    (slash = strrchr(ctx->cur->name, '/')) != NULL)
		full = conflex_asprintf(ctx, "%.*s/%s",
		    (int)(slash - ctx->cur->name), ctx->cur->name, path);
	if ((f = file_open(ctx, full, ctx->tok_file, ctx->tok_line,
	    1)) == NULL)
		return -1;
	for (p = ctx->cur; p != NULL; p = p->prev)
		if (p->has_id && p->dev == f->dev && p->ino == f->ino) {
			conflex_error(ctx, "include loop: %s includes %s",
			    ctx->cur->name, full);
			file_free(f);
			return -1;
		}
	/* the file's tokens come after the include line's '\n' */
	if (ctx->last_tok == '\n' || ctx->last_tok == TOK_NONE)
		file_push(ctx, f);
	else
		ctx->pending = f;
	return 0;
}

/*
 * Characters.
 */

static void
unget_push(struct conflex_file *f, int c)
{
	if (f->nunget == f->ungetsz) {
		f->unget = xrecallocarray(f->unget, f->ungetsz,
		    f->ungetsz ? f->ungetsz * 2 : 16, sizeof(*f->unget));
		f->ungetsz = f->ungetsz ? f->ungetsz * 2 : 16;
	}
	f->unget[f->nunget++] = c;
}

/* one raw character of the current file: no joining of lines */
static int
file_getc(struct conflex *ctx)
{
	struct conflex_file	*f = ctx->cur;
	int			 c;

	for (;;) {
		if (f->nunget > 0) {
			c = f->unget[--f->nunget];
			if (c == MARK_EXPAND_END) {
				ctx->expand_depth--;
				continue;
			}
		} else if (f->fp != NULL) {
			c = getc(f->fp);
			if (c == EOF && ferror(f->fp) && !f->readerr) {
				f->readerr = 1;
				conflex_error_at(ctx, f->name, f->lineno,
				    "read error: %s", strerror(errno));
			}
		} else if (f->pos < f->len)
			c = f->buf[f->pos++];
		else
			c = EOF;
		break;
	}
	if (c == '\n')
		f->lineno++;
	if (c != EOF)
		f->lastc = c;
	return c;
}

static void
file_ungetc(struct conflex *ctx, int c)
{
	if (c == EOF)
		return;
	if (c == '\n')
		ctx->cur->lineno--;
	unget_push(ctx->cur, c);
}

static int
at_expand_end(struct conflex *ctx)
{
	struct conflex_file	*f = ctx->cur;

	return f->nunget > 0 && f->unget[f->nunget - 1] == MARK_EXPAND_END;
}

/* drop what is left of the macro expansions being read */
static void
flush_expansions(struct conflex *ctx)
{
	struct conflex_file	*f = ctx->cur;

	while (ctx->expand_depth > 0 && f->nunget > 0)
		if (f->unget[--f->nunget] == MARK_EXPAND_END)
			ctx->expand_depth--;
}

/*
 * The next character outside quotes: backslash-newline joins lines, the
 * end of a file without a final newline reads as one, an included file
 * gives way to its includer at its end.
 */
static int
lgetc(struct conflex *ctx)
{
	struct conflex_file	*f;
	int			 c, next;

	for (;;) {
		if ((f = ctx->cur) == NULL)
			return EOF;
		c = file_getc(ctx);
		if (c == '\\') {
			next = file_getc(ctx);
			if (next == '\n')
				continue;
			file_ungetc(ctx, next);
			return c;
		}
		if (c != EOF)
			return c;
		if (!f->eof) {
			f->eof = 1;
			if (f->lastc != '\n') {
				f->lastc = '\n';
				f->lineno++;
				return '\n';
			}
		}
		if (f->prev == NULL)
			return EOF;
		ctx->cur = f->prev;
		ctx->nfiles--;
		file_free(f);
	}
}

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int
is_word_char(int c)
{
	if (c < 0 || c > 127)
		return 0;
	if (isalnum(c))
		return 1;
	return ispunct(c) && strchr("(){}<>!=#,\"'", c) == NULL;
}

static int
is_word_start(struct conflex *ctx, int c)
{
	int	next;

	if (c < 0 || c > 127)
		return 0;
	if (isalnum(c) || c == ':' || c == '_')
		return 1;
	if (c != '-')
		return 0;
	/* a '-' starts a word only as a negative number would */
	next = lgetc(ctx);
	file_ungetc(ctx, next);
	return next >= '0' && next <= '9';
}

/* the token that starts with c, just read, is here */
static void
set_pos(struct conflex *ctx, int c)
{
	struct conflex_file	*f = ctx->cur;

	if (f == NULL)
		return;
	ctx->tok_file = f->name;
	ctx->tok_line = f->lineno;
	if ((c == '\n' || c == EOF) && f->lineno > 1)
		ctx->tok_line--;
}

/*
 * Tokens.
 */

int
conflex_lex(struct conflex *ctx, struct conflex_value *v)
{
	int	t;

	ctx->lexerr = 0;
	for (;;) {
		memset(v, 0, sizeof(*v));
		t = lex_token(ctx, v);
		if (t == LEX_AGAIN)
			continue;
		if (t == LEX_ERROR) {
			if (ctx->syn.error != 0) {
				t = ctx->syn.error;
				break;
			}
			/* no ERROR token: the error is counted, go on */
			ctx->lexerr = 0;
			continue;
		}
		break;
	}
	v->file = ctx->tok_file;
	v->lineno = ctx->tok_line;
	ctx->last_tok = t;
	if (t == '\n' && ctx->pending != NULL) {
		file_push(ctx, ctx->pending);
		ctx->pending = NULL;
	}
	return t;
}

static int
lex_token(struct conflex *ctx, struct conflex_value *v)
{
	size_t	i;
	int	c, next;

	while (is_blank(c = lgetc(ctx)))
		;
	if (c == '#')
		while ((c = lgetc(ctx)) != '\n' && c != EOF)
			;
	set_pos(ctx, c);
	ctx->tok[0] = c == EOF ? '\0' : (char)c;
	ctx->tok[1] = '\0';

	if (c == EOF)
		return 0;
	if (c == '\n')
		return '\n';
	if (c == '$')
		return lex_macro(ctx);
	if (c == '"' || c == '\'')
		return lex_quoted(ctx, c, v);
	if (c == '\0') {
		lex_error(ctx, "unexpected NUL byte");
		return LEX_ERROR;
	}
	if (is_word_start(ctx, c))
		return lex_word(ctx, c, v);
	if (ctx->syn.noperators > 0) {
		next = lgetc(ctx);
		for (i = 0; i < ctx->syn.noperators; i++)
			if (ctx->syn.operators[i].name[0] == c &&
			    ctx->syn.operators[i].name[1] == next) {
				ctx->tok[1] = (char)next;
				ctx->tok[2] = '\0';
				return ctx->syn.operators[i].token;
			}
		file_ungetc(ctx, next);
	}
	return c;
}

/* after '$': push the macro's value back to be read */
static int
lex_macro(struct conflex *ctx)
{
	struct conflex_macro	*m;
	struct conflex_file	*f = ctx->cur;
	size_t			 len = 0, i;
	int			 c, toolong = 0;

	for (;;) {
		if (at_expand_end(ctx))
			break;
		c = lgetc(ctx);
		if (c == EOF)
			break;
		if (c > 127 || !(isalnum(c) || c == '_')) {
			file_ungetc(ctx, c);
			break;
		}
		if (len < CONFLEX_MAXTOKEN)
			ctx->tok[len++] = (char)c;
		else
			toolong = 1;
	}
	ctx->tok[len] = '\0';
	if (len == 0) {
		lex_error(ctx, "'$' without a macro name");
		goto fail;
	}
	if (toolong) {
		lex_error(ctx, "macro name too long");
		goto fail;
	}
	if ((m = macro_find(ctx, ctx->tok)) == NULL) {
		lex_error(ctx, "macro '%s' not defined", ctx->tok);
		goto fail;
	}
	if (ctx->expand_depth >= CONFLEX_MAXEXPAND) {
		lex_error(ctx, "macro '%s' nested more than %d deep "
		    "(recursive?)", m->name, CONFLEX_MAXEXPAND);
		goto fail;
	}
	len = strlen(m->value);
	if (len > CONFLEX_MAXEXPANDLEN - ctx->expanded) {
		lex_error(ctx, "macro '%s': expansions exceed %d bytes",
		    m->name, CONFLEX_MAXEXPANDLEN);
		goto fail;
	}
	m->used = 1;
	ctx->expanded += len;
	ctx->expand_depth++;
	unget_push(f, MARK_EXPAND_END);
	for (i = len; i > 0; i--)
		unget_push(f, m->value[i - 1] == '\n' ? ' ' :
		    (unsigned char)m->value[i - 1]);
	return LEX_AGAIN;

 fail:
	flush_expansions(ctx);
	return LEX_ERROR;
}

static int
lex_quoted(struct conflex *ctx, int quote, struct conflex_value *v)
{
	size_t	len = 0;
	int	c, next, toolong = 0, nul = 0;

	for (;;) {
		if ((c = file_getc(ctx)) == EOF) {
			lex_error(ctx, "unterminated quoted string");
			return LEX_ERROR;
		}
		if (c == quote)
			break;
		if (c == '\\') {
			next = file_getc(ctx);
			if (next == '\n')
				continue;
			if (next == quote || next == '\\' || next == ' ' ||
			    next == '\t')
				c = next;
			else
				file_ungetc(ctx, next);
		} else if (c == '\0') {
			nul = 1;
			continue;
		}
		if (len < CONFLEX_MAXTOKEN)
			ctx->tok[len++] = (char)c;
		else
			toolong = 1;
	}
	ctx->tok[len] = '\0';
	if (nul) {
		lex_error(ctx, "NUL byte in quoted string");
		return LEX_ERROR;
	}
	if (toolong) {
		lex_error(ctx, "string too long (more than %d bytes)",
		    CONFLEX_MAXTOKEN);
		return LEX_ERROR;
	}
	v->string = arena_add(ctx, ctx->tok, len);
	return ctx->syn.string;
}

static int
kw_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct conflex_keyword *)elem)->name);
}

static int
lex_word(struct conflex *ctx, int c, struct conflex_value *v)
{
	const struct conflex_keyword	*kw;
	const char			*errstr;
	size_t				 len = 0;
	int				 toolong = 0, numeric, digits;

	numeric = 1;
	digits = 0;
	for (;;) {
		if (numeric) {
			if (c >= '0' && c <= '9')
				digits++;
			else if (c == '/' && digits > 0 &&
			    ctx->syn.number != 0)
				break;	/* 10/24: NUMBER '/' NUMBER */
			else if (c != '-' || len > 0)
				numeric = 0;
		}
		if (len < CONFLEX_MAXTOKEN)
			ctx->tok[len++] = (char)c;
		else
			toolong = 1;
		c = lgetc(ctx);
		if (!is_word_char(c))
			break;
	}
	file_ungetc(ctx, c);
	ctx->tok[len] = '\0';
	if (toolong) {
		lex_error(ctx, "word too long (more than %d bytes)",
		    CONFLEX_MAXTOKEN);
		return LEX_ERROR;
	}
	if (numeric && digits > 0 && ctx->syn.number != 0) {
		v->number = strtonum(ctx->tok, LLONG_MIN, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			lex_error(ctx, "number %s is %s", ctx->tok, errstr);
			return LEX_ERROR;
		}
		return ctx->syn.number;
	}
	if (ctx->syn.nkeywords > 0 && (kw = bsearch(ctx->tok,
	    ctx->syn.keywords, ctx->syn.nkeywords,
	    sizeof(*ctx->syn.keywords), kw_cmp)) != NULL)
		return kw->token;
	v->string = arena_add(ctx, ctx->tok, len);
	return ctx->syn.string;
}

/*
 * Macros.
 */

static int
macro_name_ok(const char *name)
{
	const unsigned char	*p;

	if (*name == '\0')
		return 0;
	for (p = (const unsigned char *)name; *p != '\0'; p++)
		if (*p > 127 || !(isalnum(*p) || *p == '_'))
			return 0;
	return 1;
}

static struct conflex_macro *
macro_find(struct conflex *ctx, const char *name)
{
	struct conflex_macro	*m;

	TAILQ_FOREACH(m, &ctx->macros, entry)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

static void
macro_put(struct conflex *ctx, const char *name, const char *value,
    int persist, const char *file, int lineno)
{
	struct conflex_macro	*m;

	if ((m = macro_find(ctx, name)) == NULL) {
		m = xcalloc(1, sizeof(*m));
		m->name = xstrdup(name);
		TAILQ_INSERT_TAIL(&ctx->macros, m, entry);
	} else
		free(m->value);
	m->value = xstrdup(value);
	m->persist = persist;
	m->used = 0;
	m->file = file;
	m->lineno = lineno;
}

int
conflex_macro_set(struct conflex *ctx, const char *name, const char *value)
{
	struct conflex_macro	*m;

	if (!macro_name_ok(name)) {
		conflex_error(ctx, "invalid macro name '%s'", name);
		return -1;
	}
	/* -D on the command line wins */
	if ((m = macro_find(ctx, name)) != NULL && m->persist)
		return 0;
	macro_put(ctx, name, value, 0, ctx->tok_file, ctx->tok_line);
	return 0;
}

int
conflex_macro_cmdline(struct conflex *ctx, const char *def)
{
	const char	*eq;
	char		*name;
	int		 ret = -1;

	if ((eq = strchr(def, '=')) == NULL)
		return -1;
	name = xstrndup(def, (size_t)(eq - def));
	if (macro_name_ok(name)) {
		macro_put(ctx, name, eq + 1, 1, "-D", 0);
		ret = 0;
	}
	free(name);
	return ret;
}

const char *
conflex_macro_get(struct conflex *ctx, const char *name)
{
	struct conflex_macro	*m;

	if ((m = macro_find(ctx, name)) == NULL)
		return NULL;
	m->used = 1;
	return m->value;
}

int
conflex_macro_warn_unused(struct conflex *ctx)
{
	struct conflex_macro	*m;
	int			 n = 0;

	TAILQ_FOREACH(m, &ctx->macros, entry) {
		if (m->used)
			continue;
		n++;
		warn_at(ctx, m->file, m->lineno, "macro '%s' not used",
		    m->name);
	}
	return n;
}
