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
 * greyd's command-line helpers added with the -s milliseconds and the
 * greysync supervision: grey_parse_msec() and grey_sync_backoff().
 */

#include <sys/types.h>

#include <stdio.h>
#include <time.h>

#include "addr.h"
#include "../../greyd/greyd.h"
#include "tap.h"

static int
msec(const char *s)
{
	int	 v = -7;

	if (grey_parse_msec(s, 10000, &v) == -1)
		return -1;
	return v;
}

int
main(void)
{
	int	 d, i, seq[8];

	/* -s: bare numbers are spamd's seconds */
	is_int(msec("1"), 1000, "-s 1: one second");
	is_int(msec("0"), 0, "-s 0: no stutter");
	is_int(msec("10"), 10000, "-s 10: spamd's maximum");
	is_int(msec("11"), -1, "-s 11: over the maximum");
	is_int(msec("3s"), 3000, "-s 3s");
	is_int(msec("40ms"), 40, "-s 40ms");
	is_int(msec("10000ms"), 10000, "-s 10000ms: the maximum");
	is_int(msec("10001ms"), -1, "-s 10001ms: over");
	is_int(msec(""), -1, "empty");
	is_int(msec("-1"), -1, "negative");
	is_int(msec("1m"), -1, "minutes are not a stutter unit");
	is_int(msec("5 ms"), -1, "blank before the unit");
	is_int(msec("5mss"), -1, "trailing junk");
	is_int(msec("99999999999999999999"), -1, "overflow");

	/* greysync restarts: 1 s, doubling to 60 s, reset after 60 s */
	d = 0;
	for (i = 0; i < 8; i++)
		seq[i] = d = grey_sync_backoff(d, 0);
	is_int(seq[0], 1, "first restart after 1 s");
	is_int(seq[1], 2, "then 2 s");
	is_int(seq[2], 4, "then 4 s");
	is_int(seq[5], 32, "then 32 s");
	is_int(seq[6], 60, "capped at 60 s");
	is_int(seq[7], 60, "and stays there");
	is_int(grey_sync_backoff(60, 59), 60,
	    "a run of 59 s does not reset the delay");
	is_int(grey_sync_backoff(60, 60), 1,
	    "a run of 60 s resets it to 1 s");
	is_int(grey_sync_backoff(8, 3600), 1, "so does a longer one");
	is_int(grey_sync_backoff(16, 10), 32, "a short run doubles it");
	return done_testing();
}
