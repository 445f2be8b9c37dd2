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
 * Fuzz conflex from a memory buffer: the token API under a small driver
 * that defines macros (`STRING = STRING`) and includes files (`include
 * STRING`, only the two files made here: "a.conf" and "loop.conf"), with
 * a -D macro set from the input's first byte; then, when the GNUmakefile
 * links tests/unit/t_conflex_gram.y (-DMX_FUZZ_GRAM), the example yacc
 * grammar on the same input.  Checks the lexer's promises on the way.
 */

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conflex.h"

enum {
	F_BLOCK = 300,
	F_INCLUDE,
	F_ARROW,
	F_STRING,
	F_NUMBER,
	F_ERROR
};

static const struct conflex_keyword keywords[] = {
	{ "block",	F_BLOCK },
	{ "include",	F_INCLUDE },
};

static const struct conflex_keyword operators[] = {
	{ "=>",		F_ARROW },
};

static char	dir[64];

int	LLVMFuzzerInitialize(int *, char ***);
int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	tgram_parse_buffer(const void *, size_t, char **, char **);

static void	quiet(void *, int, const char *, int, const char *);
static void	put(const char *, const char *);
static void	cleanup(void);

static void
quiet(void *arg, int kind, const char *file, int line, const char *msg)
{
	if (file == NULL || msg == NULL || line < 0)
		abort();
}

static void
put(const char *name, const char *content)
{
	char	 path[128];
	FILE	*fp;

	(void)snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fputs(content, fp);
	fclose(fp);
}

static void
cleanup(void)
{
	char	path[128];

	(void)snprintf(path, sizeof(path), "%s/a.conf", dir);
	unlink(path);
	(void)snprintf(path, sizeof(path), "%s/loop.conf", dir);
	unlink(path);
	rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)strlcpy(dir, "/tmp/fuzz_conflex.XXXXXX", sizeof(dir));
	if (mkdtemp(dir) == NULL)
		abort();
	put("a.conf", "x = \"1 2\"\nblock $x { a => b }\n\"q\\\"\" 10/24\n"
	    "tail");
	put("loop.conf", "include \"loop.conf\"\n$x $y\n");
	atexit(cleanup);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct conflex_syntax syn = {
		keywords, 2, operators, 1, F_STRING, F_NUMBER, F_ERROR
	};
	static const char *const defs[] = { "y=cmd", "x=\"$y\" 5", "z=$z" };
	struct conflex		*ctx;
	struct conflex_value	 v;
	const char		*s[3] = { NULL, NULL, NULL };
	char			 path[128];
	int			 t, tk[3], n = 0, count = 0, last = 0;
#ifdef MX_FUZZ_GRAM
	char			*out, *errs;
#endif

	ctx = conflex_new(&syn);
	conflex_set_errfn(ctx, quiet, NULL);
	if (size > 0)
		(void)conflex_macro_cmdline(ctx, defs[data[0] % 3]);
	conflex_open_buffer(ctx, "fuzz", data, size);
	while ((t = conflex_lex(ctx, &v)) != 0) {
		/* every token has a place; strings are strings */
		if (v.file == NULL || v.lineno < 1)
			abort();
		if (strcmp(v.file, "fuzz") == 0) {
			if (v.lineno < last)
				abort();	/* lines only go forward */
			last = v.lineno;
		}
		if ((t == F_STRING) != (v.string != NULL))
			abort();
		if (t == F_STRING && strlen(v.string) > CONFLEX_MAXTOKEN)
			abort();
		if (++count > 10 * 1024 * 1024)
			abort();	/* the lexer must end */
		if (t == '\n') {
			n = 0;
			continue;
		}
		if (n < 3) {
			tk[n] = t;
			s[n++] = v.string;
		} else
			n = 4;
		if (n == 3 && tk[0] == F_STRING && tk[1] == '=' &&
		    tk[2] == F_STRING)
			(void)conflex_macro_set(ctx, s[0], s[2]);
		if (n == 2 && tk[0] == F_INCLUDE && tk[1] == F_STRING &&
		    (strcmp(s[1], "a.conf") == 0 ||
		    strcmp(s[1], "loop.conf") == 0)) {
			(void)snprintf(path, sizeof(path), "%s/%s", dir, s[1]);
			(void)conflex_include(ctx, path);
		}
	}
	(void)conflex_macro_warn_unused(ctx);
	if (conflex_errors(ctx) < 0)
		abort();
	conflex_free(ctx);

#ifdef MX_FUZZ_GRAM
	(void)tgram_parse_buffer(data, size, &out, &errs);
	free(out);
	free(errs);
#endif
	return 0;
}
