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
 * fwtable-test: drive a firewall table back-end from the command line.
 *
 *	fwtable-test [-c] SPEC CMD TABLE [PREFIX ... | -]
 *	fwtable-test [-c] SPEC < script
 *
 * CMD is add, delete, replace, list or flush; "-" reads the prefixes
 * from standard input, one per line.  Without CMD, each line of
 * standard input is "CMD TABLE [PREFIX ...]" and all of them run on
 * one handle (so the nft back-end's cached content is exercised).
 * list prints the table, one prefix per line; replace, add and delete
 * print "CMD TABLE: N prefixes in S.SSS s" on standard error.
 * -c: create missing sets.  Exit 1 (and the error on stderr) when a
 * command fails.
 */

#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "fwtable.h"
#include "xmalloc.h"

static void	 usage(void) __attribute__((__noreturn__));
static int	 run(struct fwtable *, int, char **);
static int	 print_cb(const struct prefix *, void *, void *);
static double	 now(void);
static int	 read_prefixes(FILE *, struct prefixset *);

static void
usage(void)
{
	fprintf(stderr, "usage: fwtable-test [-c] spec "
	    "[add|delete|replace|list|flush table [prefix ... | -]]\n");
	exit(2);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
print_cb(const struct prefix *p, void *data, void *arg)
{
	char	 buf[PREFIX_STRLEN];

	printf("%s\n", prefix_ntop(p, buf, sizeof(buf)));
	return 0;
}

static int
read_prefixes(FILE *f, struct prefixset *set)
{
	struct prefix	 p;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 len;

	while ((len = getline(&line, &cap, f)) != -1) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		if (prefix_parse(line, &p, ADDR_LENIENT) == -1) {
			warnx("bad prefix \"%s\"", line);
			free(line);
			return -1;
		}
		(void)prefixset_add(set, &p, NULL);
	}
	free(line);
	return 0;
}

static int
run(struct fwtable *fw, int argc, char **argv)
{
	struct prefixset	*set;
	struct prefix		*v, p;
	const char		*cmd, *table;
	double			 t0;
	size_t			 n;
	int			 i, rv;

	if (argc < 2) {
		warnx("a command needs a table");
		return -1;
	}
	cmd = argv[0];
	table = argv[1];
	set = prefixset_new();
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-") == 0) {
			if (read_prefixes(stdin, set) == -1)
				goto fail;
			continue;
		}
		if (prefix_parse(argv[i], &p, ADDR_LENIENT) == -1) {
			warnx("bad prefix \"%s\"", argv[i]);
			goto fail;
		}
		(void)prefixset_add(set, &p, NULL);
	}
	v = prefixset_array(set, &n);
	t0 = now();
	if (strcmp(cmd, "add") == 0)
		rv = fwtable_add(fw, table, v, n);
	else if (strcmp(cmd, "delete") == 0)
		rv = fwtable_delete(fw, table, v, n);
	else if (strcmp(cmd, "replace") == 0)
		rv = fwtable_replace(fw, table, set);
	else if (strcmp(cmd, "flush") == 0)
		rv = fwtable_flush(fw, table);
	else if (strcmp(cmd, "list") == 0) {
		prefixset_clear(set);
		if ((rv = fwtable_list(fw, table, set)) == 0)
			(void)prefixset_walk(set, print_cb, NULL);
	} else {
		warnx("unknown command \"%s\"", cmd);
		free(v);
		goto fail;
	}
	if (rv == 0 && strcmp(cmd, "list") != 0 && strcmp(cmd, "flush") != 0)
		fprintf(stderr, "%s %s: %zu prefixes in %.3f s\n", cmd,
		    table, n, now() - t0);
	free(v);
	prefixset_free(set);
	fflush(stdout);
	if (rv == -1) {
		warnx("%s", fwtable_error(fw));
		return -1;
	}
	return 0;
 fail:
	prefixset_free(set);
	return -1;
}

int
main(int argc, char *argv[])
{
	struct fwtable	*fw;
	char		 err[512], *line = NULL, *words[64], *w, *sp;
	size_t		 cap = 0;
	int		 ch, flags = 0, rv = 0, n;

	while ((ch = getopt(argc, argv, "c")) != -1) {
		switch (ch) {
		case 'c':
			flags |= FWTABLE_CREATE;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	if ((fw = fwtable_open(argv[0], flags, err, sizeof(err))) == NULL)
		errx(1, "%s", err);
	if (argc > 1)
		rv = run(fw, argc - 1, argv + 1);
	else {
		while (getline(&line, &cap, stdin) != -1) {
			n = 0;
			sp = line;
			while (n < 64 && (w = strsep(&sp, " \t\r\n")) != NULL)
				if (*w != '\0')
					words[n++] = w;
			if (n == 0 || words[0][0] == '#')
				continue;
			printf("> %s\n", words[0]);
			if (run(fw, n, words) == -1)
				rv = -1;
		}
		free(line);
	}
	fwtable_close(fw);
	return rv == 0 ? 0 : 1;
}
