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
 * greydb -I: one line of spamdb(8)'s output parsed into a record
 * (pure; greydb.c stores it with greydb_put_entry()).
 */

#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "greydb.h"
#include "greyd.h"

#define IMPORT_FIELDS	10	/* GREY's, the most */

/*
 * line (modified: its fields are cut at the '|') into *e, whose strings
 * then point into it: GREY and WHITE with all their values, TRAPPED
 * with its expire (first, pass 0 and bcount 1: the caller sets first),
 * SPAMTRAP with its address in e->ip.  NULL, or why the line is not an
 * entry.
 */
const char *
grey_import_parse(char *line, struct greydb_entry *e)
{
	char		*f[IMPORT_FIELDS + 1], *p;
	const char	*errstr;
	long long	 v[5];
	int		 n = 0, i;

	for (p = line; n <= IMPORT_FIELDS; ) {
		f[n++] = p;
		if ((p = strchr(p, '|')) == NULL)
			break;
		*p++ = '\0';
	}
	if (n > IMPORT_FIELDS)
		return ("too many fields");
	memset(e, 0, sizeof(*e));
	e->helo = e->from = e->to = "";
	if (strcmp(f[0], "GREY") == 0 && n == 10) {
		e->type = GREYDB_GREY;
		e->helo = f[2];
		e->from = f[3];
		e->to = f[4];
		if (*e->to == '\0')
			return ("GREY without a recipient");
		if (strlen(e->helo) >= GREYDB_MAX_MAIL ||
		    strlen(e->from) >= GREYDB_MAX_MAIL ||
		    strlen(e->to) >= GREYDB_MAX_MAIL)
			return ("helo, from or to too long");
	} else if (strcmp(f[0], "WHITE") == 0 && n == 9) {
		e->type = GREYDB_WHITE;
		if (*f[2] != '\0' || *f[3] != '\0')
			return ("WHITE with helo or from fields");
	} else if (strcmp(f[0], "TRAPPED") == 0 && n == 3)
		e->type = GREYDB_TRAPPED;
	else if (strcmp(f[0], "SPAMTRAP") == 0 && n == 2)
		e->type = GREYDB_SPAMTRAP;
	else if (strcmp(f[0], "GREY") == 0 || strcmp(f[0], "WHITE") == 0 ||
	    strcmp(f[0], "TRAPPED") == 0 || strcmp(f[0], "SPAMTRAP") == 0)
		return ("wrong number of fields");
	else
		return ("not a GREY, WHITE, TRAPPED or SPAMTRAP line");
	e->ip = f[1];
	if (e->type != GREYDB_SPAMTRAP && !greydb_ip_valid(e->ip))
		return ("invalid ip address");
	if (e->type == GREYDB_SPAMTRAP &&
	    (strchr(e->ip, '@') == NULL || strlen(e->ip) >= GREYDB_MAX_MAIL))
		return ("not an email address");
	if (e->type == GREYDB_GREY || e->type == GREYDB_WHITE) {
		/* first pass expire bcount pcount: the last five fields */
		for (i = 0; i < 5; i++) {
			v[i] = strtonum(f[n - 5 + i], 0, i < 3 ? LLONG_MAX :
			    INT32_MAX, &errstr);
			if (errstr != NULL)
				return (i < 3 ? "bad time" : "bad count");
		}
		e->first = v[0];
		e->pass = v[1];
		e->expire = v[2];
		e->bcount = (int32_t)v[3];
		e->pcount = (int32_t)v[4];
	} else if (e->type == GREYDB_TRAPPED) {
		e->expire = strtonum(f[2], 0, LLONG_MAX, &errstr);
		if (errstr != NULL)
			return ("bad time");
		e->bcount = 1;
	}
	return (NULL);
}
