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
 * greylogd's work for one logged packet: which address to whitelist
 * (glog_decide), then spamlogd's dbupdate() and sync_white().
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <string.h>
#include <time.h>

#include "greydb.h"
#include "greylogd.h"
#include "log.h"
#include "spamsync.h"

static int64_t	glog_mono(const struct glog *);
static int	glog_find(struct glog_local *, int, const void *, int64_t);

static int64_t
glog_mono(const struct glog *g)
{
	struct timespec	 ts;

	if (g->mono != NULL)
		return g->mono();
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (int64_t)ts.tv_sec;
}

/* Find an address, reloading the list (rate-limited) if it is unknown. */
static int
glog_find(struct glog_local *l, int af, const void *addr, int64_t now)
{
	int	 r;

	if ((r = glog_local_find(l, af, addr)) == -1 &&
	    glog_local_refresh(l, now) == 1)
		r = glog_local_find(l, af, addr);
	return r;
}

int
glog_decide(struct glog_local *l, const struct glog_opts *o,
    const struct glog_pkt *pk, int64_t now, enum glog_dir *dirp, char *ip,
    size_t iplen)
{
	enum glog_dir		 dir = pk->dir;
	const unsigned char	*peer, *mine;

	if (dir == GLOG_DIR_UNKNOWN) {
		/*
		 * Outbound when the source is ours.  An inbound SYN's
		 * destination is ours: reload the list only when neither
		 * end is known (a new address), so that the usual inbound
		 * packet costs no reload.
		 */
		if (glog_local_find(l, pk->af, pk->src) >= 0)
			dir = GLOG_DIR_OUT;
		else if (glog_local_find(l, pk->af, pk->dst) >= 0)
			dir = GLOG_DIR_IN;
		else if (glog_local_refresh(l, now) == 1 &&
		    glog_local_find(l, pk->af, pk->src) >= 0)
			dir = GLOG_DIR_OUT;
		else
			dir = GLOG_DIR_IN;
	}
	*dirp = dir;
	if (dir == GLOG_DIR_OUT && o->inbound_only)
		return 0;
	if (o->ifname != NULL) {
		if (pk->ifname[0] != '\0') {
			/* pflog: spamlogd's "on interface" */
			if (strcmp(pk->ifname, o->ifname) != 0)
				return 0;
		} else {
			mine = dir == GLOG_DIR_IN ? pk->dst : pk->src;
			if (glog_find(l, pk->af, mine, now) != 1)
				return 0;
		}
	}
	peer = dir == GLOG_DIR_IN ? pk->src : pk->dst;
	if (inet_ntop(pk->af, peer, ip, iplen) == NULL)
		return 0;
	return 1;
}

int
glog_handle(struct glog *g, int dlt, const unsigned char *p, size_t len)
{
	struct glog_pkt		 pk;
	struct spamsync_entry	 e;
	enum glog_dir		 dir;
	char			 ip[INET6_ADDRSTRLEN];
	int64_t			 now;
	int			 r;

	g->npkts++;
	if ((r = glog_pkt_parse(dlt, p, len, &pk)) != GLOG_PKT_SYN) {
		if (r == GLOG_PKT_BAD) {
			g->nbad++;
			log_debug("packet skipped: %s", pk.why);
		}
		return 0;
	}
	if (!glog_decide(g->local, &g->opts, &pk, glog_mono(g), &dir, ip,
	    sizeof(ip)))
		return 0;
	log_debug("%s %s", glog_dir_name(dir), ip);
	if (greydb_white_refresh(g->db, ip, g->whiteexp) == -1)
		return -1;
	g->nwhite++;
	if (g->sync != NULL) {
		now = greydb_now(g->db);
		memset(&e, 0, sizeof(e));
		e.kind = SPAMSYNC_WHITE;
		e.time = now;
		e.expire = now + g->whiteexp;
		if (strlcpy(e.ip, ip, sizeof(e.ip)) >= sizeof(e.ip))
			return -1;
		if (spamsync_sender_send_entry(g->sync, g->key, &e) == 0)
			g->nsync++;
	}
	return 1;
}
