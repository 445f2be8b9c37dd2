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
 * Whole prefix sets between greyd's processes: BEGIN, ADD chunks of
 * struct prefix (as many as fit an imsg), END.  The receiver builds a
 * staging set and hands it over at END, so a set is replaced whole.
 */

#include <sys/types.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "greyd.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"

#define GREY_SET_CHUNK	(IMSG_MAX_DATA / sizeof(struct prefix))

int
grey_set_send(struct proc *p, int to, int which, const struct prefixset *set)
{
	struct prefix	*arr;
	size_t		 n, off, k;

	if (proc_compose(p, to, IMSG_SET_BEGIN, which, -1, NULL, 0) == -1)
		return -1;
	arr = prefixset_array(set, &n);
	for (off = 0; off < n; off += k) {
		k = n - off;
		if (k > GREY_SET_CHUNK)
			k = GREY_SET_CHUNK;
		if (proc_compose(p, to, IMSG_SET_ADD, which, -1, arr + off,
		    k * sizeof(*arr)) == -1) {
			free(arr);
			return -1;
		}
	}
	free(arr);
	return proc_compose(p, to, IMSG_SET_END, which, -1, NULL, 0);
}

int
grey_set_recv(struct grey_setrx *rx, struct imsg *msg, int *which,
    struct prefixset **out)
{
	struct prefix	 pf;
	const uint8_t	*d = msg->data;
	uint32_t	 w = msg->hdr.peerid;
	size_t		 i;

	*out = NULL;
	if (w < 1 || w > GREYD_SET_MAX) {
		log_warnx("set message for unknown set %u", w);
		return -1;
	}
	*which = (int)w;
	switch (msg->hdr.type) {
	case IMSG_SET_BEGIN:
		prefixset_free(rx->staging[w]);
		rx->staging[w] = prefixset_new();
		return 0;
	case IMSG_SET_ADD:
		if (rx->staging[w] == NULL || msg->datalen % sizeof(pf) != 0) {
			log_warnx("set %u: bad chunk", w);
			return -1;
		}
		for (i = 0; i < msg->datalen; i += sizeof(pf)) {
			memcpy(&pf, d + i, sizeof(pf));
			if (prefixset_add(rx->staging[w], &pf, NULL) == -1) {
				log_warnx("set %u: bad prefix", w);
				return -1;
			}
		}
		return 0;
	case IMSG_SET_END:
		if (rx->staging[w] == NULL) {
			log_warnx("set %u: end without begin", w);
			return -1;
		}
		*out = rx->staging[w];
		rx->staging[w] = NULL;
		return 1;
	default:
		return -1;
	}
}

void
grey_setrx_clear(struct grey_setrx *rx)
{
	int	 i;

	for (i = 0; i <= GREYD_SET_MAX; i++) {
		prefixset_free(rx->staging[i]);
		rx->staging[i] = NULL;
	}
}
