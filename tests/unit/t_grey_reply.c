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
 * greyd's texts: spamd's message expansion (%A, %%, \n, \", \\), the
 * multi-line blacklist reply as it goes on the wire, the banner, the
 * tuple paths, the "lists:" log suffix, and -G / duration parsing.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "greydb.h"
#include "smtp.h"
#include "../../greyd/greyd.h"
#include "tap.h"

struct xcase {
	const char	*msg;
	const char	*want;
};

static const struct xcase xcases[] = {
	{ "plain", "plain" },
	{ "Your address %A is listed", "Your address 192.0.2.7 is listed" },
	{ "%A%A", "192.0.2.7192.0.2.7" },
	{ "100%% sure", "100% sure" },
	{ "line1\\nline2", "line1\nline2" },
	{ "say \\\"hi\\\"", "say \"hi\"" },
	{ "back\\\\slash", "back\\slash" },
	{ "keep \\t and %B", "keep \\t and %B" },
	{ "trailing \\", "trailing \\" },
	{ "trailing %", "trailing %" },
	{ "%\\n", "%\n" },
	{ "", "" },
	{ NULL, NULL }
};

static char *
wire(const char *text)
{
	static char	 out[8192];
	ssize_t		 n;

	n = smtp_reply_format(text, out, sizeof(out) - 1);
	if (n < 0)
		return NULL;
	out[n] = '\0';
	return out;
}

int
main(void)
{
	struct bl_list	 l1, l2, l3, *lists[3];
	struct smtp_addr a;
	char		 buf[4096];
	time_t		 p, g, w, t;
	int		 i;

	for (i = 0; xcases[i].msg != NULL; i++) {
		is_int(grey_expand(xcases[i].msg, "192.0.2.7", buf,
		    sizeof(buf)), 0, "expand \"%s\"", xcases[i].msg);
		is_str(buf, xcases[i].want, "expand \"%s\" result",
		    xcases[i].msg);
	}
	is_int(grey_expand("Your address %A", "2001:db8::1", buf, 10), -1,
	    "expansion that does not fit fails");

	memset(&l1, 0, sizeof(l1));
	memset(&l2, 0, sizeof(l2));
	memset(&l3, 0, sizeof(l3));
	strlcpy(l1.tag, "uatraps", sizeof(l1.tag));
	l1.msg = "Your address %A is in uatraps\\nSee http://x/%A\\n";
	strlcpy(l2.tag, "china", sizeof(l2.tag));
	l2.msg = "China %A";
	strlcpy(l3.tag, "nomsg", sizeof(l3.tag));
	l3.msg = "";
	lists[0] = &l1;
	lists[1] = &l2;
	lists[2] = &l3;

	is_int(grey_black_reply("450", "192.0.2.7", lists, 2, buf,
	    sizeof(buf)), 0, "two lists");
	is_str(wire(buf),
	    "450-Your address 192.0.2.7 is in uatraps\r\n"
	    "450-See http://x/192.0.2.7\r\n"
	    "450 China 192.0.2.7\r\n",
	    "each message line prefixed, 450- until the last");
	is_int(grey_black_reply("550", "192.0.2.7", lists + 1, 1, buf,
	    sizeof(buf)), 0, "-5: one list");
	is_str(wire(buf), "550 China 192.0.2.7\r\n", "single line with 550");
	is_int(grey_black_reply("450", "192.0.2.9", lists + 2, 1, buf,
	    sizeof(buf)), 0, "a list without a message");
	is_str(wire(buf),
	    "450-Sorry 192.0.2.9\r\n"
	    "450-You are trying to send mail from an address listed by one\r\n"
	    "450 or more IP-based registries as being a SPAM source.\r\n",
	    "spamd's generic reply");
	is_int(grey_black_reply("450", "192.0.2.7", lists, 2, buf, 40), -1,
	    "reply that does not fit fails");

	l2.msg = GREYD_TRAPMSG;
	is_int(grey_black_reply("450", "198.51.100.9", lists + 1, 1, buf,
	    sizeof(buf)), 0, "traplist message");
	is_str(wire(buf),
	    "450 Your address 198.51.100.9 has mailed to spamtraps here\r\n",
	    "spamd's greytrap reply");

	grey_loglists(lists, 3, buf, sizeof(buf));
	is_str(buf, " uatraps china nomsg", "lists: suffix");
	grey_loglists(lists, 0, buf, sizeof(buf));
	is_str(buf, "", "no lists, no suffix");
	grey_loglists(lists, 3, buf, 16);
	is_str(buf, " uatraps ...", "long list truncated with ...");

	t = 0;
	ok(grey_banner("mx.example.org", GREYD_BANNER, t, buf,
	    sizeof(buf)) == 0, "banner");
	ok(strncmp(buf, "220 mx.example.org ESMTP spamd IP-based SPAM "
	    "blocker; ", 51) == 0, "banner text: %s", buf);
	ok(strchr(buf, '\n') == NULL, "no newline from ctime");
	is_int(grey_banner("h", "n", t, buf, 10), -1, "small buffer");

	memset(&a, 0, sizeof(a));
	strlcpy(a.local, "Alice", sizeof(a.local));
	strlcpy(a.domain, "Example.ORG", sizeof(a.domain));
	ok(grey_path(&a, buf, sizeof(buf)) == 0, "path");
	is_str(buf, "<Alice@Example.ORG>", "brackets and case kept");
	memset(&a, 0, sizeof(a));
	ok(grey_path(&a, buf, sizeof(buf)) == 0, "null path");
	is_str(buf, "<>", "null path is <>");
	strlcpy(a.local, "postmaster", sizeof(a.local));
	ok(grey_path(&a, buf, sizeof(buf)) == 0, "postmaster");
	is_str(buf, "<postmaster>", "<postmaster> without a domain");

	/* durations and -G */
	ok(greydb_parse_duration("5", 60, &t) == 0 && t == 300,
	    "bare number in the default unit");
	ok(greydb_parse_duration("5s", 60, &t) == 0 && t == 5, "5s");
	ok(greydb_parse_duration("3m", 1, &t) == 0 && t == 180, "3m");
	ok(greydb_parse_duration("4h", 1, &t) == 0 && t == 14400, "4h");
	ok(greydb_parse_duration("36d", 1, &t) == 0 && t == 3110400, "36d");
	ok(greydb_parse_duration("1w", 1, &t) == 0 && t == 604800, "1w");
	is_int(greydb_parse_duration("", 1, &t), -1, "empty");
	is_int(greydb_parse_duration("5x", 1, &t), -1, "bad unit");
	is_int(greydb_parse_duration("5ss", 1, &t), -1, "two units");
	is_int(greydb_parse_duration("-5", 1, &t), -1, "negative");
	is_int(greydb_parse_duration(" 5", 1, &t), -1, "leading blank");
	is_int(greydb_parse_duration("99999999999999999999", 1, &t), -1,
	    "overflow");
	is_int(greydb_parse_duration("9999999d", 1, &t), -1, "over ten years");

	is_int(greydb_parse_times("25:4:864", &p, &g, &w), 0,
	    "spamd's defaults");
	ok(p == 1500 && g == 14400 && w == 3110400,
	    "minutes:hours:hours (%lld %lld %lld)", (long long)p,
	    (long long)g, (long long)w);
	is_int(greydb_parse_times("5s:4h:36d", &p, &g, &w), 0, "with units");
	ok(p == 5 && g == 14400 && w == 3110400, "5s:4h:36d (%lld %lld %lld)",
	    (long long)p, (long long)g, (long long)w);
	is_int(greydb_parse_times("2s:1:1", &p, &g, &w), 0, "mixed");
	ok(p == 2 && g == 3600 && w == 3600, "2s:1:1");
	is_int(greydb_parse_times("0:1:1", &p, &g, &w), 0, "passtime 0");
	is_int(greydb_parse_times("25:4", &p, &g, &w), -1, "two fields");
	is_int(greydb_parse_times("25:4:864:1", &p, &g, &w), -1, "four");
	is_int(greydb_parse_times("25::864", &p, &g, &w), -1, "empty field");
	is_int(greydb_parse_times("300:4:1", &p, &g, &w), 0,
	    "passtime beyond greyexp accepted, as spamd does");
	is_int(greydb_parse_times("1:0:1", &p, &g, &w), -1, "greyexp 0");
	is_int(greydb_parse_times("1:1:0", &p, &g, &w), -1, "whiteexp 0");
	is_int(greydb_parse_times("a:b:c", &p, &g, &w), -1, "garbage");
	return done_testing();
}
