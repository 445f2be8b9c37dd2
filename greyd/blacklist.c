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
 * The blacklists that greyd-setup (spamd-setup) loads through the config
 * socket, one line per list, in spamd's format:
 *
 *	tag;"message";inet;COUNT;a.b.c.d/m;...;inet6;COUNT;x::/m;...
 *
 * A bare "tag;" deletes the list.  The message stays as it came (between
 * the quotes, escapes included) and is expanded per reply (grey_reply.c).
 * Each list is one prefixset; a lookup asks every list for its longest
 * match, so an address finds every list that holds it, in list order.
 */

#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "greyd.h"
#include "xmalloc.h"

static void	bl_list_free(struct bl_list *);
static int	bl_parse_family(char **, int, struct prefixset *,
		    const char **);
static char	*bl_field(char **);

struct blacklist *
blacklist_new(void)
{
	struct blacklist	*bl;

	bl = xcalloc(1, sizeof(*bl));
	TAILQ_INIT(&bl->lists);
	return bl;
}

static void
bl_list_free(struct bl_list *l)
{
	if (l == NULL)
		return;
	prefixset_free(l->set);
	free(l->msg);
	free(l);
}

void
blacklist_free(struct blacklist *bl)
{
	struct bl_list	*l;

	if (bl == NULL)
		return;
	while ((l = TAILQ_FIRST(&bl->lists)) != NULL) {
		TAILQ_REMOVE(&bl->lists, l, entry);
		bl_list_free(l);
	}
	free(bl);
}

struct bl_list *
blacklist_find(struct blacklist *bl, const char *tag)
{
	struct bl_list	*l;

	TAILQ_FOREACH(l, &bl->lists, entry)
		if (strcmp(l->tag, tag) == 0)
			return l;
	return NULL;
}

/* Replace or append list tag; takes set (freed on failure). */
int
blacklist_set(struct blacklist *bl, const char *tag, const char *msg,
    struct prefixset *set)
{
	struct bl_list	*l;

	if ((l = blacklist_find(bl, tag)) != NULL) {
		prefixset_free(l->set);
		free(l->msg);
		l->set = set;
		l->msg = xstrdup(msg);
		return 0;
	}
	if (bl->nlists >= CFG_LISTS_MAX || strlen(tag) >= sizeof(l->tag)) {
		prefixset_free(set);
		return -1;
	}
	l = xcalloc(1, sizeof(*l));
	(void)strlcpy(l->tag, tag, sizeof(l->tag));
	l->msg = xstrdup(msg);
	l->set = set;
	TAILQ_INSERT_TAIL(&bl->lists, l, entry);
	bl->nlists++;
	return 0;
}

int
blacklist_delete(struct blacklist *bl, const char *tag)
{
	struct bl_list	*l;

	if ((l = blacklist_find(bl, tag)) == NULL)
		return 0;
	TAILQ_REMOVE(&bl->lists, l, entry);
	bl->nlists--;
	bl_list_free(l);
	return 1;
}

size_t
blacklist_match(struct blacklist *bl, const struct addr *a,
    struct bl_list **out, size_t max)
{
	struct bl_list	*l;
	size_t		 n = 0;

	TAILQ_FOREACH(l, &bl->lists, entry) {
		if (n == max)
			break;
		if (prefixset_lookup(l->set, a, NULL, NULL) == 1)
			out[n++] = l;
	}
	return n;
}

/* The next ';'-separated field, NUL-terminated; NULL at the end. */
static char *
bl_field(char **pp)
{
	char	*f = *pp, *e;

	if (f == NULL)
		return NULL;
	if ((e = strchr(f, ';')) != NULL) {
		*e = '\0';
		*pp = e + 1;
	} else
		*pp = NULL;
	return f;
}

/* COUNT;p1;p2... of one family into set. */
static int
bl_parse_family(char **pp, int af, struct prefixset *set,
    const char **errp)
{
	struct prefix	 p;
	const char	*errstr;
	char		*f;
	long long	 count, i;

	if ((f = bl_field(pp)) == NULL) {
		*errp = "missing address count";
		return -1;
	}
	count = strtonum(f, 0, 100000000, &errstr);
	if (errstr != NULL) {
		*errp = "bad address count";
		return -1;
	}
	for (i = 0; i < count; i++) {
		if ((f = bl_field(pp)) == NULL || *f == '\0') {
			*errp = "fewer addresses than counted";
			return -1;
		}
		if (prefix_parse(f, &p, ADDR_LENIENT) == -1 ||
		    p.addr.af != af || strchr(f, '/') == NULL) {
			*errp = "bad address";
			return -1;
		}
		if (p.len == 0) {
			/* spamd: never blacklist the whole net */
			*errp = "prefix length 0";
			return -1;
		}
		(void)prefixset_add(set, &p, NULL);
	}
	return 0;
}

int
blacklist_parse_line(struct blacklist *bl, const char *line,
    const char **errp)
{
	struct prefixset	*set = NULL;
	char			*buf, *p, *tag, *msg, *f;
	int			 esc, seen4 = 0, seen6 = 0;
	const char		*dummy;

	if (errp == NULL)
		errp = &dummy;
	*errp = NULL;
	buf = xstrdup(line);
	p = buf;
	tag = p;
	if ((p = strchr(p, ';')) == NULL) {
		*errp = "no ';' after the tag";
		goto bad;
	}
	*p++ = '\0';
	if (*tag == '\0' || strlen(tag) >= CFG_TAG_MAX ||
	    strpbrk(tag, " \t\"") != NULL) {
		*errp = "bad tag";
		goto bad;
	}
	if (*p == '\0') {
		(void)blacklist_delete(bl, tag);
		free(buf);
		return 0;
	}
	if (*p++ != '"') {
		*errp = "message does not start with '\"'";
		goto bad;
	}
	msg = p;
	for (esc = 0; *p != '\0'; p++) {
		if (esc)
			esc = 0;
		else if (*p == '\\')
			esc = 1;
		else if (*p == '"')
			break;
	}
	if (*p != '"' || p[1] != ';') {
		*errp = "unterminated message";
		goto bad;
	}
	*p = '\0';
	p += 2;
	if (strlen(msg) >= CFG_MSG_MAX / 2) {
		*errp = "message too long";
		goto bad;
	}
	set = prefixset_new();
	while ((f = bl_field(&p)) != NULL) {
		if (*f == '\0' && p == NULL)
			break;		/* a trailing ';' */
		if (strcmp(f, "inet") == 0 && !seen4) {
			seen4 = 1;
			if (bl_parse_family(&p, AF_INET, set, errp) == -1)
				goto bad;
		} else if (strcmp(f, "inet6") == 0 && !seen6) {
			seen6 = 1;
			if (bl_parse_family(&p, AF_INET6, set, errp) == -1)
				goto bad;
		} else {
			*errp = "expected inet or inet6";
			goto bad;
		}
	}
	if (!seen4 && !seen6) {
		*errp = "no address family";
		goto bad;
	}
	if (blacklist_set(bl, tag, msg, set) == -1) {
		set = NULL;
		*errp = "too many lists";
		goto bad;
	}
	free(buf);
	return 0;
bad:
	prefixset_free(set);
	free(buf);
	return -1;
}
