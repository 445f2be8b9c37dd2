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
 * The greylister process (spamd's greywatcher, db updater and scanner in
 * one): it owns the database handle, takes one tuple per RCPT from the
 * smtp process, traps, and every scan_interval seconds (and on SIGHUP to
 * greyd) expires entries, whitelists the sources that passed and hands
 * the white list to the parent (the firewall) and the trap list to the
 * smtp process.  Sources on greyd-setup's lists (the union the smtp
 * process sends) are never whitelisted.
 */

#include <sys/types.h>
#include <sys/time.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "addr.h"
#include "greydb.h"
#include "greyd.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "xmalloc.h"

struct grey_state {
	struct proc		*proc;
	struct greydb		*db;
	struct event		*ev_scan;
	struct prefixset	*black;		/* union of greyd-setup lists */
	struct grey_setrx	 rx;
};

/* This process's state: its run and dispatch functions share it. */
static struct grey_state	*grey_state;

static void	grey_scan(struct grey_state *);
static void	grey_scan_cb(int, short, void *);
static int	grey_black_cb(const char *, void *);
static void	grey_tuple(struct grey_state *, struct imsg *);
static int	grey_send_list(struct grey_state *, int, int, char **,
		    size_t);

int
grey_proc_run(struct proc *p)
{
	struct greyd_conf	*conf = proc_arg(p);
	struct grey_state	*gs;
	struct greydb_config	 dbc;
	struct timeval		 tv = { 0, 0 };
	char			 mx[ADDR_STRLEN];
	int			 i;

	for (i = 0; i < conf->nsmtp_fd; i++)
		close(conf->smtp_fd[i]);
	if (conf->cfg_fd != -1)
		close(conf->cfg_fd);
	gs = xcalloc(1, sizeof(*gs));
	gs->proc = p;
	gs->black = prefixset_new();
	memset(&dbc, 0, sizeof(dbc));
	dbc.passtime = conf->passtime;
	dbc.greyexp = conf->greyexp;
	dbc.whiteexp = conf->whiteexp;
	dbc.trapexp = conf->trapexp;
	if (conf->has_lowprio)
		dbc.lowprio_mx = addr_ntop(&conf->lowprio, mx, sizeof(mx));
	if ((gs->db = greydb_open(conf->dbpath, &dbc)) == NULL) {
		log_warnx("cannot open the database %s",
		    conf->dbpath ? conf->dbpath : GREYDB_PATH);
		return -1;
	}
	greydb_set_startup(gs->db, (int64_t)conf->started);
	(void)greydb_alloweddomains_load(gs->db, GREYDB_ALLOWEDDOMAINS);
	grey_state = gs;
	gs->ev_scan = evtimer_new(proc_base(p), grey_scan_cb, gs);
	if (gs->ev_scan == NULL)
		fatalx("evtimer_new");
	/* the first scan at once: the firewall gets its white list */
	evtimer_add(gs->ev_scan, &tv);
	return 0;
}

void
grey_proc_dispatch(struct proc *p, int from, struct imsg *msg)
{
	struct grey_state	*gs = grey_state;
	struct prefixset	*set;
	int			 which, r;

	switch (msg->hdr.type) {
	case IMSG_GREY_TUPLE:
		if (from == PROC_SMTP)
			grey_tuple(gs, msg);
		break;
	case IMSG_GREY_SCAN:
		if (from == PROC_PARENT)
			grey_scan(gs);
		break;
	case IMSG_SET_BEGIN:
	case IMSG_SET_ADD:
	case IMSG_SET_END:
		if (from != PROC_SMTP)
			break;
		r = grey_set_recv(&gs->rx, msg, &which, &set);
		if (r == 1 && which == GREYD_SET_BLACK) {
			prefixset_free(gs->black);
			gs->black = set;
			log_debug("blacklists: %zu prefixes",
			    prefixset_count(set));
		} else if (r == 1)
			prefixset_free(set);
		break;
	default:
		log_warnx("unexpected message %u from process %d",
		    msg->hdr.type, from);
		break;
	}
}

static void
grey_tuple(struct grey_state *gs, struct imsg *msg)
{
	struct greyd_conf	*conf = proc_arg(gs->proc);
	struct grey_tuple	 t;
	struct greydb_tuple	 dt;
	char			 ip[ADDR_STRLEN];
	int			 result = 0;

	if (imsg_get_data(msg, &t, sizeof(t)) == -1)
		return;
	if (t.src.af != AF_INET && t.src.af != AF_INET6)
		return;
	t.dst[sizeof(t.dst) - 1] = '\0';
	t.helo[sizeof(t.helo) - 1] = '\0';
	t.from[sizeof(t.from) - 1] = '\0';
	t.to[sizeof(t.to) - 1] = '\0';
	if (addr_ntop(&t.src, ip, sizeof(ip)) == NULL)
		return;
	dt.ip = ip;
	dt.helo = t.helo;
	dt.from = t.from;
	dt.to = t.to;
	if (greydb_grey(gs->db, &dt, t.dst[0] ? t.dst : NULL, 0,
	    &result) == -1) {
		log_warnx("%s: tuple not recorded", ip);
		return;
	}
	if (result == GREYDB_R_TRAPPED) {
		log_info("%s trapped helo=%s from=%s to=%s", ip, t.helo,
		    t.from, t.to);
		(void)proc_compose(gs->proc, PROC_SMTP, IMSG_GREY_TRAPPED, 0,
		    -1, &t.src, sizeof(t.src));
	} else if (conf->verbose)
		log_info("%s greylisted helo=%s from=%s to=%s", ip, t.helo,
		    t.from, t.to);
}

static int
grey_black_cb(const char *ip, void *arg)
{
	struct grey_state	*gs = arg;
	struct addr		 a;

	if (addr_parse(ip, &a, 0) == -1)
		return 0;
	if (prefixset_lookup(gs->black, &a, NULL, NULL) == 1) {
		log_info("%s blacklisted, removing from whitelist", ip);
		return 1;
	}
	return 0;
}

static int
grey_send_list(struct grey_state *gs, int to, int which, char **ips,
    size_t n)
{
	struct prefixset	*set;
	struct prefix		 pf;
	size_t			 i;
	int			 rv;

	set = prefixset_new();
	for (i = 0; i < n; i++) {
		if (prefix_parse(ips[i], &pf, 0) == -1) {
			log_warnx("scan: bad address \"%s\"", ips[i]);
			continue;
		}
		(void)prefixset_add(set, &pf, NULL);
	}
	rv = grey_set_send(gs->proc, to, which, set);
	prefixset_free(set);
	return rv;
}

static void
grey_scan(struct grey_state *gs)
{
	struct greyd_conf	*conf = proc_arg(gs->proc);
	struct greydb_scan	 res;
	struct timeval		 tv;

	(void)greydb_alloweddomains_load(gs->db, GREYDB_ALLOWEDDOMAINS);
	memset(&res, 0, sizeof(res));
	if (greydb_scan(gs->db, grey_black_cb, gs, &res) == 0) {
		log_debug("scan: %zu white, %zu trapped, %zu expired, "
		    "%zu whitelisted", res.nwhite, res.ntrapped, res.expired,
		    res.whitelisted);
		(void)grey_send_list(gs, PROC_PARENT, GREYD_SET_WHITE,
		    res.white, res.nwhite);
		(void)grey_send_list(gs, PROC_SMTP, GREYD_SET_TRAP,
		    res.trapped, res.ntrapped);
		greydb_scan_free(&res);
	} else
		log_warnx("scan failed");
	evtimer_del(gs->ev_scan);
	tv.tv_sec = conf->scan_interval;
	tv.tv_usec = 0;
	evtimer_add(gs->ev_scan, &tv);
}

static void
grey_scan_cb(int fd, short ev, void *arg)
{
	grey_scan(arg);
}
