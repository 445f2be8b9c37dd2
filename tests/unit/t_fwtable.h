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
 * Helpers shared by t_fwtable and t_fwtable_pf: the files of the test
 * directory dir, and a table's contents as one string.  Include after
 * tap.h, fwtable.h and addr.h.
 */

#ifndef T_FWTABLE_H
#define T_FWTABLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define has_str(got, needle, ...) do {					\
	const char *h_g_ = (got), *h_n_ = (needle);			\
	if (!ok(h_g_ != NULL && strstr(h_g_, h_n_) != NULL,		\
	    __VA_ARGS__))						\
		diag("got '%s', expected it to contain '%s'",		\
		    h_g_ ? h_g_ : "NULL", h_n_);			\
} while (0)

static char	 dir[256];

static void	 pfx(struct prefix *, const char *);
static char	*slurp(const char *);
static int	 cat_cb(const struct prefix *, void *, void *);
static char	*list_str(struct fwtable *, const char *);

static void
pfx(struct prefix *p, const char *s)
{
	if (prefix_parse(s, p, 0) == -1) {
		fprintf(stderr, "bad test prefix %s\n", s);
		exit(1);
	}
}

/* The file name in dir, or NULL if it cannot be read. */
static char *
slurp(const char *name)
{
	static char	 buf[4096];
	char		 path[512];
	FILE		*f;
	size_t		 n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int
cat_cb(const struct prefix *p, void *data, void *arg)
{
	char	 buf[PREFIX_STRLEN];

	(void)data;
	strlcat(arg, prefix_ntop(p, buf, sizeof(buf)), 4096);
	strlcat(arg, " ", 4096);
	return 0;
}

/* The table as "p1 p2 ... ", or "ERR: message". */
static char *
list_str(struct fwtable *fw, const char *name)
{
	static char		 buf[4096];
	struct prefixset	*set;

	buf[0] = '\0';
	set = prefixset_new();
	if (fwtable_list(fw, name, set) == -1)
		snprintf(buf, sizeof(buf), "ERR: %s", fwtable_error(fw));
	else
		prefixset_walk(set, cat_cb, buf);
	prefixset_free(set);
	return buf;
}

#endif /* T_FWTABLE_H */
