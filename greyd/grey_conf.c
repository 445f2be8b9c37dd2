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

#include "greyd.h"

#define GREY_DURATION_MAX	(10LL * 366 * 24 * 3600)	/* ten years */

static int	grey_parse_num(const char *, long long *, char **);

/* The leading decimal digits of s: -1 if none or out of range. */
static int
grey_parse_num(const char *s, long long *n, char **end)
{
	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	*n = strtoll(s, end, 10);
	if (errno != 0 || *n < 0)
		return -1;
	return 0;
}

/*
 * "N" in the default unit (seconds per unit in defunit), or "N" followed
 * by one of s m h d w.  0 on success with the seconds in *out.
 */
int
grey_parse_duration(const char *s, time_t defunit, time_t *out)
{
	long long	 n, unit;
	char		*end;

	if (grey_parse_num(s, &n, &end) == -1)
		return -1;
	if (*end == '\0')
		unit = defunit;
	else if (end[1] != '\0')
		return -1;
	else {
		switch (*end) {
		case 's':
			unit = 1;
			break;
		case 'm':
			unit = 60;
			break;
		case 'h':
			unit = 3600;
			break;
		case 'd':
			unit = 24 * 3600;
			break;
		case 'w':
			unit = 7 * 24 * 3600;
			break;
		default:
			return -1;
		}
	}
	if (unit <= 0 || n > GREY_DURATION_MAX / unit)
		return -1;
	*out = (time_t)(n * unit);
	return 0;
}

/*
 * A delay in milliseconds: "N" in seconds (spamd's unit), or "N" followed
 * by ms or s.  At most max msec.  0 on success with the msec in *out.
 */
int
grey_parse_msec(const char *s, int max, int *out)
{
	long long	 n, unit;
	char		*end;

	if (grey_parse_num(s, &n, &end) == -1)
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
 * spamd's -G passtime:greyexp:whiteexp, bare numbers in minutes, hours
 * and hours; each may carry its own unit.  Every field is required, as
 * in spamd; greyexp and whiteexp may not be 0 (greydb reads 0 as "the
 * default"); like spamd, a passtime beyond greyexp is accepted (nothing
 * then ever passes).
 */
int
grey_parse_times(const char *arg, time_t *pass, time_t *grey,
    time_t *white)
{
	char	 buf[128], *p, *f[3];
	time_t	 v[3];
	int	 i;
	static const time_t	 units[3] = { 60, 3600, 3600 };

	if (strlcpy(buf, arg, sizeof(buf)) >= sizeof(buf))
		return -1;
	p = buf;
	for (i = 0; i < 3; i++) {
		f[i] = p;
		if ((p = strchr(p, ':')) != NULL)
			*p++ = '\0';
		else if (i < 2)
			return -1;
	}
	if (p != NULL)
		return -1;
	for (i = 0; i < 3; i++)
		if (grey_parse_duration(f[i], units[i], &v[i]) == -1)
			return -1;
	if (v[1] == 0 || v[2] == 0)
		return -1;
	*pass = v[0];
	*grey = v[1];
	*white = v[2];
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
