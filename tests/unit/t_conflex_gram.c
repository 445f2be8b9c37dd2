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
 * conflex under a real yacc grammar (t_conflex_gram.y, linked in by the
 * GNUmakefile): sample files in a temporary directory are parsed, the
 * settings printed back and the `file:line: message` lines compared.
 */

#include <sys/types.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

int	tgram_parse(const char *, const char *const *, char **, char **);
int	tgram_parse_buffer(const void *, size_t, char **, char **);

static char	tmpdir[PATH_MAX];

static const char *tpath(const char *);
static void	put(const char *, const char *);
static void	untmp(char *);
static int	parse(const char *, const char *const *, char **, char **);

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

/* the temporary directory reads "T" in messages */
static void
untmp(char *s)
{
	size_t	 dl = strlen(tmpdir);
	char	*p;

	while ((p = strstr(s, tmpdir)) != NULL) {
		*p = 'T';
		memmove(p + 1, p + dl, strlen(p + dl) + 1);
	}
}

static int
parse(const char *name, const char *const *defines, char **out,
    char **errs)
{
	int	n;

	n = tgram_parse(tpath(name), defines, out, errs);
	untmp(*errs);
	return n;
}

static void
test_good(void)
{
	char	*out, *errs;
	int	 n;

	put("main.conf",
	    "# an example\n"
	    "name = \"db\"\n"
	    "host = mx.example.org\n"
	    "unused = \"1\"\n"
	    "hostname $host\n"
	    "port 25\n"
	    "path $name \"x y\" \\\n"
	    "    z\n"
	    "include \"inc.conf\"\n"
	    "listener lo {\n"
	    "\tport 2525\t# comment\n"
	    "\n"
	    "\ttag \"IN\"\n"
	    "}\n"
	    "\n"
	    "listener \"all\"\n"
	    "{\n"
	    "}\n"
	    "hostname 'last'");
	put("inc.conf", "hostname \"from include\"\nport 26\n");
	n = parse("main.conf", NULL, &out, &errs);
	is_int(n, 0, "good config: no errors");
	is_str(out,
	    "hostname mx.example.org\n"
	    "port 25\n"
	    "path \"db x y z\"\n"
	    "hostname from include\n"
	    "port 26\n"
	    "listener lo {\n"
	    "\tport 2525\n"
	    "\ttag \"IN\"\n"
	    "}\n"
	    "listener all {\n"
	    "}\n"
	    "hostname last\n", "good config: settings");
	is_str(errs, "warning: T/main.conf:4: macro 'unused' not used\n",
	    "good config: the unused macro is a warning");
	free(out);
	free(errs);
}

static void
test_defines(void)
{
	const char *const	 defs[] = { "host=cmd.example", "p=7", NULL };
	const char *const	 bad[] = { "nothing", NULL };
	char			*out, *errs;
	int			 n;

	put("d.conf", "host = file.example\nhostname $host\nport $p\n");
	n = parse("d.conf", defs, &out, &errs);
	is_int(n, 0, "-D: no errors");
	is_str(out, "hostname cmd.example\nport 7\n", "-D overrides the file");
	is_str(errs, "", "-D: no messages");
	free(out);
	free(errs);

	n = parse("d.conf", bad, &out, &errs);
	is_int(n, 2, "bad -D, then an undefined macro");
	is_str(errs, "-D:0: nothing\nT/d.conf:3: macro 'p' not defined\n",
	    "bad -D: messages");
	free(out);
	free(errs);
}

static void
test_errors(void)
{
	char	*out, *errs;
	int	 n;

	put("err.conf",
	    "port 25\n"
	    "port 70000\n"
	    "bogus words here\n"
	    "hostname $undefined\n"
	    "include \"bad.conf\"\n"
	    "port 26\n"
	    "listener x {\n"
	    "\tport 0\n"
	    "}\n"
	    "\"unterminated\n");
	put("bad.conf", "hostname ok.example\nport abc\n");
	n = parse("err.conf", NULL, &out, &errs);
	is_str(errs,
	    "T/err.conf:2: port 70000 out of range\n"
	    "T/err.conf:3: syntax error\n"
	    "T/err.conf:4: macro 'undefined' not defined\n"
	    "T/bad.conf:2: syntax error\n"
	    "T/err.conf:8: port 0 out of range\n"
	    "T/err.conf:10: unterminated quoted string\n",
	    "every error, once, with its file and line");
	is_int(n, 6, "error count");
	is_str(out,
	    "port 25\n"
	    "port 70000\n"
	    "hostname ok.example\n"
	    "port 26\n"
	    "listener x {\n"
	    "\tport 0\n"
	    "}\n", "the good lines around the errors are parsed");
	free(out);
	free(errs);

	put("eof.conf", "listener y {\n\tport 1\n");
	n = parse("eof.conf", NULL, &out, &errs);
	is_int(n, 1, "missing '}': one error");
	is_str(errs, "T/eof.conf:2: syntax error\n",
	    "missing '}': reported at the last line");
	free(out);
	free(errs);

	put("loop.conf", "port 1\ninclude \"loop.conf\"\nport 2\n");
	n = parse("loop.conf", NULL, &out, &errs);
	is_int(n, 1, "include loop: one error");
	is_str(errs, "T/loop.conf:2: include loop: T/loop.conf includes "
	    "T/loop.conf\n", "include loop: message");
	is_str(out, "port 1\nport 2\n", "include loop: the rest is parsed");
	free(out);
	free(errs);

	put("miss.conf", "include \"nope.conf\"\nport 3\n");
	n = parse("miss.conf", NULL, &out, &errs);
	is_int(n, 1, "missing include: one error");
	is_str(errs, "T/miss.conf:1: cannot open T/nope.conf: "
	    "No such file or directory\n", "missing include: message");
	free(out);
	free(errs);

	n = parse("none.conf", NULL, &out, &errs);
	is_int(n, 1, "missing file");
	is_str(errs, "T/none.conf:0: cannot open T/none.conf: "
	    "No such file or directory\n", "missing file: message");
	free(out);
	free(errs);

	n = tgram_parse_buffer("port 1\nport x\nport 2", 20, &out, &errs);
	is_int(n, 1, "buffer: one error");
	is_str(errs, "buf:2: syntax error\n", "buffer: message");
	is_str(out, "port 1\nport 2\n", "buffer: settings");
	free(out);
	free(errs);
}

int
main(void)
{
	char	*p;
	char	 cmd[PATH_MAX + 16];

	log_init(1, LOG_MAIL);
	p = realpath("/tmp", NULL);
	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/t_conflex_gram.XXXXXX",
	    p ? p : "/tmp");
	free(p);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	plan(23);
	test_good();
	test_defines();
	test_errors();

	(void)snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		diag("cannot remove %s", tmpdir);
	return done_testing();
}
