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
 * greyd's config-socket line parser (spamd's parse_configline and
 * sdl_add): lists added, replaced, deleted, matched; malformed lines
 * rejected without changing anything.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "../../greyd/greyd.h"
#include "tap.h"

static size_t
matches(struct blacklist *bl, const char *ip, char *out, size_t len)
{
	struct bl_list	*l[16];
	struct addr	 a;
	size_t		 n, i;

	out[0] = '\0';
	if (addr_parse(ip, &a, 0) == -1)
		return 0;
	n = blacklist_match(bl, &a, l, 16);
	for (i = 0; i < n; i++) {
		if (i > 0)
			strlcat(out, ",", len);
		strlcat(out, l[i]->tag, len);
	}
	return n;
}

static const char *bad[] = {
	"",
	"notag",
	";\"msg\";inet;1;192.0.2.0/24",		/* empty tag */
	"a b;\"msg\";inet;1;192.0.2.0/24",	/* blank in tag */
	"t;msg;inet;1;192.0.2.0/24",		/* unquoted message */
	"t;\"msg;inet;1;192.0.2.0/24",		/* unterminated */
	"t;\"msg\"inet;1;192.0.2.0/24",		/* no ';' after quote */
	"t;\"msg\";",				/* no family */
	"t;\"msg\";inet",			/* no count */
	"t;\"msg\";inet;x;192.0.2.0/24",	/* bad count */
	"t;\"msg\";inet;-1;192.0.2.0/24",
	"t;\"msg\";inet;2;192.0.2.0/24",	/* fewer than counted */
	"t;\"msg\";inet;1;192.0.2.0/24;10.0.0.0/8",	/* more */
	"t;\"msg\";inet;1;192.0.2.0",		/* no mask (spamd: %u/%u) */
	"t;\"msg\";inet;1;0.0.0.0/0",		/* the whole net */
	"t;\"msg\";inet;1;192.0.2.0/33",
	"t;\"msg\";inet;1;2001:db8::/32",	/* v6 under inet */
	"t;\"msg\";inet6;1;192.0.2.0/24",	/* v4 under inet6 */
	"t;\"msg\";inet6;1;::/0",
	"t;\"msg\";inet;1;192.0.2.0/24;inet;1;10.0.0.0/8",	/* twice */
	"t;\"msg\";ipx;1;192.0.2.0/24",
	"t;\"msg\";inet;1;999.0.2.0/24",
	NULL
};

int
main(void)
{
	struct blacklist	*bl;
	struct bl_list		*l;
	const char		*err;
	char			 buf[256];
	int			 i;

	bl = blacklist_new();

	is_int(blacklist_parse_line(bl, "uatraps;\"Your address %A is in "
	    "uatraps\\n\";inet;2;192.0.2.0/24;198.51.100.7/32", &err), 0,
	    "a list with two IPv4 prefixes");
	ok((l = blacklist_find(bl, "uatraps")) != NULL, "list found by tag");
	is_str(l ? l->msg : NULL, "Your address %A is in uatraps\\n",
	    "message kept raw between the quotes");
	is_int(matches(bl, "192.0.2.77", buf, sizeof(buf)), 1,
	    "address inside the /24 matches");
	is_int(matches(bl, "198.51.100.7", buf, sizeof(buf)), 1,
	    "the /32 matches");
	is_int(matches(bl, "198.51.100.8", buf, sizeof(buf)), 0,
	    "the neighbour of the /32 does not");

	is_int(blacklist_parse_line(bl, "nixspam;\"say \\\"no\\\"; ok\";"
	    "inet;1;192.0.2.128/25;inet6;1;2001:db8::/32;", &err), 0,
	    "quoted quotes and ';' in the message, both families, "
	    "trailing ';'");
	is_str((l = blacklist_find(bl, "nixspam")) ? l->msg : NULL,
	    "say \\\"no\\\"; ok", "message with escaped quotes");
	is_int(matches(bl, "192.0.2.200", buf, sizeof(buf)), 2,
	    "an address in two lists finds both");
	is_str(buf, "uatraps,nixspam", "in list order");
	is_int(matches(bl, "2001:db8::1", buf, sizeof(buf)), 1,
	    "IPv6 source matches the inet6 part");
	is_int(matches(bl, "2001:db9::1", buf, sizeof(buf)), 0,
	    "IPv6 outside does not");

	is_int(blacklist_parse_line(bl, "lenient;\"m\";inet;1;192.0.2.1/24",
	    &err), 0, "host bits set are masked off, as sdl_add does");
	is_int(matches(bl, "192.0.2.5", buf, sizeof(buf)), 2,
	    "masked prefix matches");
	is_str(buf, "uatraps,lenient", "with uatraps");
	is_int(blacklist_parse_line(bl, "lenient;\"m\";inet;0", &err), 0,
	    "a list with no addresses");
	is_int(matches(bl, "192.0.2.5", buf, sizeof(buf)), 1,
	    "replaced list holds nothing");

	is_int(blacklist_parse_line(bl, "uatraps;\"new\";inet;1;10.0.0.0/8",
	    &err), 0, "same tag replaces the list");
	is_int(matches(bl, "192.0.2.200", buf, sizeof(buf)), 1,
	    "the old prefixes are gone");
	is_str(buf, "nixspam", "only the other list left");
	is_int(matches(bl, "10.1.2.3", buf, sizeof(buf)), 1,
	    "the new prefix is there");
	is_str(blacklist_find(bl, "uatraps")->msg, "new", "new message");
	is_int((int)bl->nlists, 3, "still three lists");

	is_int(blacklist_parse_line(bl, "uatraps;", &err), 0,
	    "a bare 'tag;' deletes");
	ok(blacklist_find(bl, "uatraps") == NULL, "list deleted");
	is_int(blacklist_parse_line(bl, "nosuch;", &err), 0,
	    "deleting an unknown list is fine");
	is_int((int)bl->nlists, 2, "two lists left");

	for (i = 0; bad[i] != NULL; i++) {
		err = NULL;
		is_int(blacklist_parse_line(bl, bad[i], &err), -1,
		    "rejected: %s", bad[i]);
		ok(err != NULL && *err != '\0', "with a reason (%s)",
		    err ? err : "none");
	}
	ok(blacklist_find(bl, "t") == NULL, "no bad line created a list");
	is_int((int)bl->nlists, 2, "lists unchanged by bad lines");
	is_int(matches(bl, "192.0.2.200", buf, sizeof(buf)), 1,
	    "nixspam intact after bad lines");

	/* list limit */
	for (i = 0; i < CFG_LISTS_MAX + 5; i++) {
		snprintf(buf, sizeof(buf), "l%d;\"m\";inet;1;10.%d.0.0/16", i,
		    i % 256);
		if (blacklist_parse_line(bl, buf, &err) == -1)
			break;
	}
	is_int((int)bl->nlists, CFG_LISTS_MAX, "at most %d lists",
	    CFG_LISTS_MAX);
	is_int(i, CFG_LISTS_MAX - 2, "the first list over the limit fails");

	blacklist_free(bl);
	blacklist_free(NULL);
	return done_testing();
}
