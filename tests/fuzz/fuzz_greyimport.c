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
 * libFuzzer target for greydb -I's line parser (greyd/grey_import.c):
 * the input is one line.  What parses is a valid entry (type, fields
 * within spamd's limits, counts in range); printed back in spamdb's
 * format it parses again to the same entry.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "greydb.h"
#include "../../greyd/grey_import.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void	check_entry(const struct greydb_entry *);
static int	print_entry(const struct greydb_entry *, char *, size_t);

static void
check_entry(const struct greydb_entry *e)
{
	CHECK(e->ip != NULL && *e->ip != '\0' && strlen(e->ip) <
	    GREYDB_MAX_MAIL);
	CHECK(strchr(e->ip, '|') == NULL);
	switch (e->type) {
	case GREYDB_GREY:
		CHECK(*e->to != '\0');
		CHECK(strlen(e->helo) < GREYDB_MAX_MAIL &&
		    strlen(e->from) < GREYDB_MAX_MAIL &&
		    strlen(e->to) < GREYDB_MAX_MAIL);
		/* FALLTHROUGH */
	case GREYDB_WHITE:
		CHECK(e->first >= 0 && e->pass >= 0 && e->expire >= 0);
		CHECK(e->bcount >= 0 && e->pcount >= 0);
		CHECK(greydb_ip_valid(e->ip));
		break;
	case GREYDB_TRAPPED:
		CHECK(e->expire >= 0 && e->bcount == 1 && e->pass == 0);
		CHECK(greydb_ip_valid(e->ip));
		break;
	case GREYDB_SPAMTRAP:
		CHECK(strchr(e->ip, '@') != NULL);
		break;
	default:
		CHECK(0);
	}
}

/* spamdb's print_entry, into buf: its length, or -1. */
static int
print_entry(const struct greydb_entry *e, char *buf, size_t len)
{
	switch (e->type) {
	case GREYDB_GREY:
		return (snprintf(buf, len,
		    "GREY|%s|%s|%s|%s|%lld|%lld|%lld|%d|%d", e->ip, e->helo,
		    e->from, e->to, (long long)e->first, (long long)e->pass,
		    (long long)e->expire, (int)e->bcount, (int)e->pcount));
	case GREYDB_WHITE:
		return (snprintf(buf, len, "WHITE|%s|||%lld|%lld|%lld|%d|%d",
		    e->ip, (long long)e->first, (long long)e->pass,
		    (long long)e->expire, (int)e->bcount, (int)e->pcount));
	case GREYDB_TRAPPED:
		return (snprintf(buf, len, "TRAPPED|%s|%lld", e->ip,
		    (long long)e->expire));
	default:
		return (snprintf(buf, len, "SPAMTRAP|%s", e->ip));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct greydb_entry	 e, e2;
	char			*line, *out;
	size_t			 outlen = size + 128;
	int			 n;

	if (size > 8192)
		return (0);
	line = malloc(size + 1);
	out = malloc(outlen);
	CHECK(line != NULL && out != NULL);
	memcpy(line, data, size);
	line[size] = '\0';
	if (grey_import_parse(line, &e) == NULL) {
		check_entry(&e);
		n = print_entry(&e, out, outlen);
		CHECK(n > 0 && (size_t)n < outlen);
		CHECK(grey_import_parse(out, &e2) == NULL);
		CHECK(e2.type == e.type && e2.first == e.first &&
		    e2.pass == e.pass && e2.expire == e.expire &&
		    e2.bcount == e.bcount && e2.pcount == e.pcount);
		CHECK(strcmp(e2.ip, e.ip) == 0 &&
		    strcmp(e2.helo, e.helo) == 0 &&
		    strcmp(e2.from, e.from) == 0 && strcmp(e2.to, e.to) == 0);
	}
	free(line);
	free(out);
	return (0);
}
