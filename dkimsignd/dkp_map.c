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
 * sender_map and listid_map (dkimproxy's LookupMap): one
 * "KEY<whitespace>SIGNATURE-SPEC-LIST" a line; blank lines and lines
 * starting with "#" or ";" are comments.  Keys are compared in lower
 * case; a key given twice keeps its last line (warning).
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/tree.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#include "dkimsignd.h"

static void	dkp_map_entry_free(struct dkp_map_entry *);
static int	dkp_map_line(struct dkp_conf *, void *, const char *, int,
		    char *);

RB_GENERATE(dkp_map_tree, dkp_map_entry, entry, dkp_map_cmp);

int
dkp_map_cmp(struct dkp_map_entry *a, struct dkp_map_entry *b)
{
	return strcmp(a->key, b->key);
}

static void
dkp_map_entry_free(struct dkp_map_entry *e)
{
	if (e == NULL)
		return;
	dkp_sigs_clear(&e->sigs);
	free(e->key);
	free(e);
}

void
dkp_map_free(struct dkp_map *map)
{
	struct dkp_map_entry	*e, *next;

	if (map == NULL)
		return;
	RB_FOREACH_SAFE(e, dkp_map_tree, &map->tree, next) {
		RB_REMOVE(dkp_map_tree, &map->tree, e);
		dkp_map_entry_free(e);
	}
	free(map->path);
	free(map);
}

static int
dkp_map_line(struct dkp_conf *conf, void *arg, const char *name,
    int lineno, char *line)
{
	struct dkp_map		*map = arg;
	struct dkp_map_entry	*e, *old;
	struct dkp_sig		*sig;
	char			 err[DKP_ERR_MAX];
	char			*p, *key, *q;

	p = line;
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	if (*p == '\0' || *p == '#' || *p == ';')
		return 0;
	key = p;
	while (*p != '\0' && !isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		*p++ = '\0';
	while (isspace((unsigned char)*p))
		p++;
	if (*p == '\0') {
		dkp_conf_msg(conf, 0, name, lineno, "%s: no signature", key);
		return -1;
	}
	e = xcalloc(1, sizeof(*e));
	TAILQ_INIT(&e->sigs);
	e->line = lineno;
	e->key = xstrdup(key);
	for (q = e->key; *q != '\0'; q++)
		*q = tolower((unsigned char)*q);
	if (dkp_sig_parse_list(conf, p, &e->sigs, err, sizeof(err)) == -1) {
		dkp_conf_msg(conf, 0, name, lineno, "%s", err);
		dkp_map_entry_free(e);
		return -1;
	}
	TAILQ_FOREACH(sig, &e->sigs, entry) {
		if (dkp_sig_check(sig, map->checks, err, sizeof(err)) == -1) {
			dkp_conf_msg(conf, 0, name, lineno, "%s", err);
			dkp_map_entry_free(e);
			return -1;
		}
		if (sig->sha1)
			dkp_conf_msg(conf, 1, name, lineno, "signature %s: "
			    "rsa-sha1 is forbidden (RFC 8301), signing "
			    "rsa-sha256", sig->spec);
	}
	if ((old = RB_INSERT(dkp_map_tree, &map->tree, e)) != NULL) {
		dkp_conf_msg(conf, 1, name, lineno, "%s: also on line %d, "
		    "this one is used", e->key, old->line);
		RB_REMOVE(dkp_map_tree, &map->tree, old);
		dkp_map_entry_free(old);
		RB_INSERT(dkp_map_tree, &map->tree, e);
	} else
		map->n++;
	return 0;
}

struct dkp_map *
dkp_map_parse(struct dkp_conf *conf, const char *name, const char *text,
    size_t len, int checks)
{
	struct dkp_map	*map;

	map = xcalloc(1, sizeof(*map));
	map->path = xstrdup(name);
	map->checks = checks;
	RB_INIT(&map->tree);
	if (dkp_lines(conf, name, text, len, dkp_map_line, map) == -1) {
		dkp_map_free(map);
		return NULL;
	}
	return map;
}

struct dkp_map *
dkp_map_load(struct dkp_conf *conf, const char *path, int checks)
{
	struct dkp_map	*map;
	char		*buf;
	size_t		 len;

	if ((buf = dkp_file_read(conf, path, DKP_MAP_MAX, &len)) == NULL)
		return NULL;
	map = dkp_map_parse(conf, path, buf, len, checks);
	free(buf);
	return map;
}

const struct dkp_map_entry *
dkp_map_find(const struct dkp_map *map, const char *key)
{
	struct dkp_map_entry	 find;

	find.key = (char *)key;
	return RB_FIND(dkp_map_tree, &((struct dkp_map *)map)->tree, &find);
}

/* The domain and its parents, then ".": in lower case, from buf. */
static const struct dkp_map_entry *
dkp_map_lookup_domain(const struct dkp_map *map, const char *d)
{
	const struct dkp_map_entry	*e;

	while (d != NULL && *d != '\0') {
		if ((e = dkp_map_find(map, d)) != NULL)
			return e;
		if ((d = strchr(d, '.')) != NULL)
			d++;
	}
	return dkp_map_find(map, ".");
}

/*
 * LookupMap's lookup_address: the whole address, the address without
 * its "+extension", the domain and each parent domain, ".".
 */
const struct dkp_map_entry *
dkp_map_lookup_address(const struct dkp_map *map, const char *addr)
{
	const struct dkp_map_entry	*e;
	char				*a, *at, *plus;
	size_t				 i;

	if (map == NULL)
		return NULL;
	a = xstrdup(addr);
	for (i = 0; a[i] != '\0'; i++)
		a[i] = tolower((unsigned char)a[i]);
	if ((at = strrchr(a, '@')) == NULL) {
		e = dkp_map_lookup_domain(map, a);
		free(a);
		return e;
	}
	if (at != a && (e = dkp_map_find(map, a)) != NULL)
		goto done;
	if ((plus = memchr(a, '+', at - a)) != NULL && plus != a) {
		memmove(plus, at, strlen(at) + 1);
		at = plus;
		if ((e = dkp_map_find(map, a)) != NULL)
			goto done;
	}
	e = dkp_map_lookup_domain(map, at + 1);
 done:
	free(a);
	return e;
}

/* List-Id's <id>: the id, then its parent suffixes, ".". */
const struct dkp_map_entry *
dkp_map_lookup_listid(const struct dkp_map *map, const char *id)
{
	const struct dkp_map_entry	*e;
	char				*a;
	size_t				 i;

	if (map == NULL)
		return NULL;
	a = xstrdup(id);
	for (i = 0; a[i] != '\0'; i++)
		a[i] = tolower((unsigned char)a[i]);
	e = dkp_map_lookup_domain(map, a);
	free(a);
	return e;
}
