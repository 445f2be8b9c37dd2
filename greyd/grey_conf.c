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
 * Command-line values: durations with unit suffixes, spamd's -G, and
 * greysync's restart delay.
 */

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "greydb.h"
#include "greyd.h"

/*
 * A delay in milliseconds: "N" in seconds (spamd's unit), or "N" followed
 * by ms or s.  At most max msec.  0 on success with the msec in *out.
 */
int
grey_parse_msec(const char *s, int max, int *out)
{
	long long	 n, unit;
	char		*end;

	if (greydb_parse_num(s, &n, &end) == -1)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		unit = 1000;
	else if (strcmp(end, "ms") == 0)
		unit = 1;
	else
		return -1;
	if (n > max / unit)
		return -1;
	*out = (int)(n * unit);
	return 0;
}

/*
 * greysync's restart delay: `prev' is the delay that preceded the run
 * that ended (0 for the first run), `ran' how long that run lasted.
 * 1 s after a first death or a run of GREYD_SYNC_RESET seconds or more,
 * else twice the last delay, at most GREYD_SYNC_BACKOFF_MAX.
 */
int
grey_sync_backoff(int prev, time_t ran)
{
	if (prev <= 0 || ran >= GREYD_SYNC_RESET)
		return GREYD_SYNC_BACKOFF_MIN;
	if (prev >= GREYD_SYNC_BACKOFF_MAX / 2)
		return GREYD_SYNC_BACKOFF_MAX;
	return prev * 2;
}
