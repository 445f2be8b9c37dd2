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
 * greydb: spamdb(8) for greyd's database.  Same flags, output and exit
 * status; -f names another database directory, -I imports spamdb's
 * output (a site moving from OpenBSD: "spamdb > dump" there).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "greydb.h"
#include "greyd.h"
#include "log.h"

struct import_batch;

enum greydb_action {
	ACT_LIST = 0,
	ACT_ADD,
	ACT_DEL,
	ACT_IMPORT
};

static __dead void usage(void);
static int	print_entry(const struct greydb_entry *);
static int	list_cb(const struct greydb_entry *, void *);
static int	dbshow(struct greydb *, char **);
static int	dbadd(struct greydb *, enum greydb_type, const char *);
static int	dbdel(struct greydb *, enum greydb_type, const char *);
static const char *import_why(int);
static int	import_flush(struct import_batch *);
static void	import_add(struct import_batch *, size_t, const char *,
		    size_t);
static int	dbimport(struct greydb *, const char *);

static __dead void
usage(void)
{
	fprintf(stderr, "usage: %s [-adGTt] [-f dir] [keys ...]\n"
	    "       %s -I [-f dir] [file]\n", getprogname(), getprogname());
	exit(1);
}

/* spamdb's print_entry: 0, or 1 for a bogus record. */
static int
print_entry(const struct greydb_entry *e)
{
	switch (e->type) {
	case GREYDB_GREY:
		printf("GREY|%s|%s|%s|%s|%lld|%lld|%lld|%d|%d\n", e->ip,
		    e->helo, e->from, e->to, (long long)e->first,
		    (long long)e->pass, (long long)e->expire, (int)e->bcount,
		    (int)e->pcount);
		break;
	case GREYDB_WHITE:
		printf("WHITE|%s|||%lld|%lld|%lld|%d|%d\n", e->ip,
		    (long long)e->first, (long long)e->pass,
		    (long long)e->expire, (int)e->bcount, (int)e->pcount);
		break;
	case GREYDB_TRAPPED:
		printf("TRAPPED|%s|%lld\n", e->ip, (long long)e->expire);
		break;
	case GREYDB_SPAMTRAP:
		printf("SPAMTRAP|%s\n", e->ip);
		break;
	default:
		warnx("bogus size db entry - bad db file?");
		return (1);
	}
	return (0);
}

static int
list_cb(const struct greydb_entry *e, void *arg)
{
	(void)arg;
	return (print_entry(e));
}

static int
dbshow(struct greydb *db, char **keys)
{
	struct greydb_entry	e;
	int			errors = 0, r;

	for (; *keys != NULL; keys++) {
		r = greydb_get(db, *keys, &e);
		if (r == -1) {
			warnx("db->get failed");
			return (errors + 1);
		}
		if (r == GREYDB_NOTFOUND) {
			errors++;
			continue;
		}
		r = print_entry(&e);
		greydb_entry_free(&e);
		if (r != 0)
			return (errors + 1);
	}
	return (errors);
}

static int
dbadd(struct greydb *db, enum greydb_type type, const char *key)
{
	int	r;

	if ((type == GREYDB_WHITE || type == GREYDB_TRAPPED) &&
	    !greydb_ip_valid(key)) {
		warnx("invalid ip address %s", key);
		return (1);
	}
	r = greydb_add(db, type, key);
	if (r == GREYDB_NOTEMAIL) {
		greydb_close(db);
		errx(255, "not an email address: %s", key);
	}
	if (r != 0) {
		warnx("db->put failed");
		return (1);
	}
	return (0);
}

static int
dbdel(struct greydb *db, enum greydb_type type, const char *key)
{
	int	r;

	if (type == GREYDB_GREY)
		r = greydb_del_grey(db, key);
	else
		r = greydb_del(db, key);
	if (r == GREYDB_NOTFOUND) {
		warnx("no entry for %s", key);
		return (1);
	}
	if (r != 0) {
		warnx("db->del failed");
		return (1);
	}
	return (0);
}

/*
 * -I stores its lines IMPORT_BATCH at a time, each batch one
 * transaction (one commit, one fsync, instead of one a line).
 */
#define IMPORT_BATCH	1000

struct import_batch {
	struct greydb		*db;
	const char		*name;
	size_t			 n;		/* lines */
	size_t			 lineno[IMPORT_BATCH];
	char			*line[IMPORT_BATCH];
	const char		*why[IMPORT_BATCH];
	size_t			 ne;		/* entries parsed */
	struct greydb_entry	 e[IMPORT_BATCH];
	size_t			 eline[IMPORT_BATCH];	/* their line */
	int			 res[IMPORT_BATCH];
};

/* Why greydb_put_entry() refused an entry (r its result). */
static const char *
import_why(int r)
{
	if (r == GREYDB_NOTEMAIL)
		return ("not an email address");
	return ("db->put failed");
}

/*
 * Store the batch's good lines, then report its bad ones in line order:
 * the count of bad lines.  If the transaction fails, the lines are
 * stored one by one, so that the good ones are kept all the same.
 */
static int
import_flush(struct import_batch *b)
{
	size_t	 i;
	int	 bad = 0;

	if (greydb_put_entries(b->db, b->e, b->ne, b->res) == -1)
		for (i = 0; i < b->ne; i++)
			b->res[i] = greydb_put_entry(b->db, &b->e[i]);
	for (i = 0; i < b->ne; i++)
		if (b->res[i] != 0)
			b->why[b->eline[i]] = import_why(b->res[i]);
	for (i = 0; i < b->n; i++) {
		if (b->why[i] != NULL) {
			fprintf(stderr, "%s:%zu: %s\n", b->name, b->lineno[i],
			    b->why[i]);
			bad++;
		}
		free(b->line[i]);
	}
	b->n = b->ne = 0;
	return (bad);
}

/*
 * One line of spamdb's output (len its length) into the batch, with its
 * times and counts.
 */
static void
import_add(struct import_batch *b, size_t lineno, const char *line,
    size_t len)
{
	size_t	 i = b->n++;

	b->lineno[i] = lineno;
	if ((b->line[i] = strdup(line)) == NULL)
		err(1, NULL);
	if (len != strlen(line))
		b->why[i] = "NUL byte in the line";
	else if ((b->why[i] = grey_import_parse(b->line[i],
	    &b->e[b->ne])) == NULL) {
		if (b->e[b->ne].type == GREYDB_TRAPPED)
			b->e[b->ne].first = greydb_now(b->db);
		b->eline[b->ne++] = i;
	}
}

/* -I: every line of file (NULL or "-": stdin); the bad lines' count. */
static int
dbimport(struct greydb *db, const char *path)
{
	struct import_batch	*b;
	FILE			*fp;
	char			*line = NULL;
	size_t			 sz = 0, lineno = 0;
	ssize_t			 len;
	int			 bad = 0;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		err(1, NULL);
	b->db = db;
	if (path == NULL || strcmp(path, "-") == 0) {
		fp = stdin;
		b->name = "stdin";
	} else if ((fp = fopen(path, "r")) == NULL) {
		warn("%s", path);
		free(b);
		return (1);
	} else
		b->name = path;
	while ((len = getline(&line, &sz, fp)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		import_add(b, lineno, line, (size_t)len);
		if (b->n == IMPORT_BATCH)
			bad += import_flush(b);
	}
	bad += import_flush(b);
	if (ferror(fp)) {
		warn("%s", b->name);
		bad++;
	}
	free(line);
	free(b);
	if (fp != stdin)
		fclose(fp);
	return (bad);
}

int
main(int argc, char *argv[])
{
	struct greydb_config	 cfg;
	struct greydb		*db;
	struct stat		 sb;
	enum greydb_action	 action = ACT_LIST;
	enum greydb_type	 type = GREYDB_WHITE;
	const char		*path = GREYDB_PATH;
	int			 ch, i, r = 0, c = 0;

	log_init(1, LOG_MAIL);
	log_setverbose(0);

	while ((ch = getopt(argc, argv, "adf:GITt")) != -1) {
		switch (ch) {
		case 'a':
			if (action == ACT_IMPORT)
				usage();
			action = ACT_ADD;
			break;
		case 'I':
			if (action != ACT_LIST)
				usage();
			action = ACT_IMPORT;
			break;
		case 'd':
			if (action == ACT_IMPORT)
				usage();
			action = ACT_DEL;
			break;
		case 'f':
			path = optarg;
			break;
		case 'G':
			type = GREYDB_GREY;
			break;
		case 't':
			type = GREYDB_TRAPPED;
			break;
		case 'T':
			type = GREYDB_SPAMTRAP;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if ((action == ACT_LIST || action == ACT_IMPORT) &&
	    type != GREYDB_WHITE)
		usage();
	if (action == ACT_IMPORT && argc > 1)
		usage();

	/* spamdb's checks, made before the database is opened or made */
	if (action == ACT_ADD && type == GREYDB_GREY)
		errx(2, "cannot add GREY entries");
	for (i = 0; i < argc; i++)
		if (argv[i][0] != '\0')
			c++;
	if ((action == ACT_ADD || action == ACT_DEL) && c == 0)
		errx(2, "no addresses specified");

	memset(&cfg, 0, sizeof(cfg));
	if (action == ACT_LIST) {
		cfg.flags = GREYDB_RDONLY;
		if (stat(path, &sb) == -1)
			err(1, "cannot open %s for reading", path);
	}
	if ((db = greydb_open(path, &cfg)) == NULL)
		errx(1, "cannot open %s for %s", path,
		    action != ACT_LIST ? "writing" : "reading");

	switch (action) {
	case ACT_LIST:
		if (argc > 0)
			r = dbshow(db, argv);
		else {
			r = greydb_walk(db, list_cb, NULL);
			r = r != 0;
		}
		break;
	case ACT_ADD:
		for (i = 0; i < argc; i++)
			if (argv[i][0] != '\0')
				r += dbadd(db, type, argv[i]);
		break;
	case ACT_DEL:
		for (i = 0; i < argc; i++)
			if (argv[i][0] != '\0')
				r += dbdel(db, type, argv[i]);
		break;
	case ACT_IMPORT:
		r = dbimport(db, argc > 0 ? argv[0] : NULL) != 0;
		break;
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		r = r == 0 ? 1 : r;
	greydb_close(db);
	return (r);
}
