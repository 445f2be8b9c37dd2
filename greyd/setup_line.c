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
 * spamd's config line, as spamd.c parse_configline() reads it:
 *
 *	tag;"message";inet;COUNT;a.b.c.d/m;...[;inet6;COUNT;x::/m;...]\n
 *
 * spamd-setup always writes the inet part (COUNT may be 0); we add the
 * inet6 part when the list has IPv6 prefixes.  Inside the quotes spamd
 * reads \" as a quote, \n as a new line, \\ as a backslash, %% as a
 * percent sign and %A as the client's address: the message goes out
 * with '"', new lines and backslashes escaped and '%' as written, so
 * that %A and %% in spamd.conf keep their meaning.  A bare "tag;"
 * deletes the list.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "compat.h"
#include "xmalloc.h"
#include "setup.h"

struct line_buf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

struct line_walk {
	struct line_buf	*b;
	int		 af;
	size_t		 n;
};

static void	line_add(struct line_buf *, const char *, size_t);
static int	line_count(const struct prefix *, void *, void *);
static int	line_prefix(const struct prefix *, void *, void *);

static void
line_add(struct line_buf *b, const char *s, size_t n)
{
	size_t	need = b->len + n + 1;

	if (need > b->cap) {
		b->cap = MAXIMUM(need, b->cap * 2);
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

char *
setup_msg_escape(const char *msg)
{
	struct line_buf	 b;
	const char	*p;

	memset(&b, 0, sizeof(b));
	line_add(&b, "", 0);
	for (p = msg; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			line_add(&b, "\\\"", 2);
			break;
		case '\\':
			line_add(&b, "\\\\", 2);
			break;
		case '\n':
			line_add(&b, "\\n", 2);
			break;
		case '\r':
			break;
		default:
			line_add(&b, p, 1);
			break;
		}
	}
	return b.p;
}

static int
line_count(const struct prefix *p, void *data, void *arg)
{
	struct line_walk	*w = arg;

	if (p->addr.af == w->af)
		w->n++;
	return 0;
}

static int
line_prefix(const struct prefix *p, void *data, void *arg)
{
	struct line_walk	*w = arg;
	char			 buf[PREFIX_STRLEN + 1];

	if (p->addr.af != w->af)
		return 0;
	buf[0] = ';';
	if (prefix_ntop(p, buf + 1, sizeof(buf) - 1) == NULL)
		return -1;
	line_add(w->b, buf, strlen(buf));
	return 0;
}

char *
setup_configline(const char *tag, const char *msg,
    const struct prefixset *set, size_t *lenp)
{
	struct line_buf		 b;
	struct line_walk	 w;
	char			*esc, num[32];
	static const int	 afs[] = { AF_INET, AF_INET6 };
	static const char	*names[] = { "inet", "inet6" };
	size_t			 i;

	memset(&b, 0, sizeof(b));
	line_add(&b, tag, strlen(tag));
	line_add(&b, ";", 1);
	if (set == NULL || prefixset_count(set) == 0) {
		line_add(&b, "\n", 1);
		*lenp = b.len;
		return b.p;
	}
	esc = setup_msg_escape(msg != NULL ? msg : "");
	line_add(&b, "\"", 1);
	line_add(&b, esc, strlen(esc));
	line_add(&b, "\"", 1);
	free(esc);
	for (i = 0; i < nitems(afs); i++) {
		memset(&w, 0, sizeof(w));
		w.b = &b;
		w.af = afs[i];
		(void)prefixset_walk(set, line_count, &w);
		if (w.n == 0 && afs[i] == AF_INET6)
			continue;
		snprintf(num, sizeof(num), ";%s;%zu", names[i], w.n);
		line_add(&b, num, strlen(num));
		if (prefixset_walk(set, line_prefix, &w) != 0) {
			free(b.p);
			return NULL;
		}
	}
	line_add(&b, "\n", 1);
	*lenp = b.len;
	return b.p;
}
