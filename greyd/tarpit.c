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
 * The smtp process: spamd's jail child.  It accepts the connections the
 * firewall sends to greyd, looks each source up in the blacklists and
 * the trap list, and talks spamd's dialogue through the shared SMTP
 * engine (common/smtp): blacklisted and trapped sources are tarpitted
 * (one byte every -s seconds) and get their lists' messages after DATA;
 * the others are stuttered for their first -S seconds, their tuples go
 * to the greylister once per RCPT, and DATA gets 451.  It also serves
 * the config socket (cfgsock.c) that loads the blacklists.
 *
 * Nothing here walks every connection on a timer: each connection has
 * its own events (the engine's pacing timer, the grey-stutter timer),
 * and only a change of the "crowded" state (clients + 5 >= maxcon,
 * when spamd stops stuttering) touches every connection, once.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#ifdef __linux__
#include <linux/netfilter_ipv4.h>
#ifndef IP6T_SO_ORIGINAL_DST
#define IP6T_SO_ORIGINAL_DST	80
#endif
#endif

#include "addr.h"
#include "greyd.h"
#include "imsg.h"
#include "log.h"
#include "proc.h"
#include "smtp.h"
#include "tls.h"
#include "xmalloc.h"

#define TARPIT_MAXLISTS		64	/* lists named in one reply */
#define TARPIT_REPLY_MAX	16000

struct tarpit;

struct grey_con {
	TAILQ_ENTRY(grey_con)	 entry;
	struct tarpit		*tp;
	struct smtp_session	*sess;
	int			 fd;
	struct addr		 src;
	char			 addr[ADDR_STRLEN];
	char			 dst[ADDR_STRLEN];	/* original dest */
	int			 dst_done;
	int			 black;		/* listed or trapped */
	char			*reply;		/* blacklisted: the reply */
	char			*lists;		/* " a b" for the logs */
	int			 stutter;	/* msec a byte, now */
	time_t			 start;
	size_t			 body_lines;
	int			 in_body;
	struct event		*ev_grey;	/* end of grey stutter */
	struct event		*ev_close;	/* close after the reply */
};
TAILQ_HEAD(grey_cons, grey_con);

struct tarpit {
	struct proc		*proc;
	struct greyd_conf	*conf;
	struct event_base	*base;
	struct smtp_server	*srv;		/* no STARTTLS */
	struct smtp_server	*srv_tls;	/* STARTTLS (-C/-K) */
	struct blacklist	*black;
	struct prefixset	*traps;
	struct bl_list		 traplist;
	struct event		*ev_listen[GREYD_LISTEN_MAX];
	int			 nlisten;
	int			 accepting;
	struct event		*ev_resume;	/* after EMFILE */
	struct cfgsock		*cfg;
	struct grey_setrx	 rx;
	struct grey_cons	 cons;
	int			 clients;
	int			 blackcount;
	int			 crowded;
	size_t			 cfg_lines;
	size_t			 cfg_bad;
};

/* This process's state: its hooks, events and dispatch share it. */
static struct tarpit	*tarpit;

static void	tarpit_accept(int, short, void *);
static void	tarpit_resume(int, short, void *);
static void	tarpit_listen(struct tarpit *, int);
static void	tarpit_pace(struct grey_con *);
static void	tarpit_crowd(struct tarpit *);
static void	tarpit_grey_end(int, short, void *);
static void	tarpit_close_cb(int, short, void *);
static void	tarpit_close_later(struct grey_con *);
static void	tarpit_origdst(struct grey_con *);
static void	tarpit_cfg_line(const char *, void *);
static void	tarpit_cfg_done(void *);
static void	tarpit_publish_black(struct tarpit *);

static int	hook_connect(struct smtp_session *, void *);
static int	hook_helo(struct smtp_session *, void *, const char *);
static int	hook_noop(struct smtp_session *, void *);
static int	hook_starttls(struct smtp_session *, void *);
static const char *tarpit_final(struct grey_con *);
static int	hook_error(struct smtp_session *, void *, enum smtp_verb,
		    const char *, int);
static int	hook_mail(struct smtp_session *, void *,
		    const struct smtp_addr *, const struct smtp_mail_params *);
static int	hook_rcpt(struct smtp_session *, void *,
		    const struct smtp_addr *, const struct smtp_rcpt_params *);
static int	hook_data(struct smtp_session *, void *);
static int	hook_body(struct smtp_session *, void *, const char *, size_t,
		    int);
static int	hook_eom(struct smtp_session *, void *,
		    const struct smtp_msg *);
static int	hook_rset(struct smtp_session *, void *, enum smtp_rset_why);
static int	hook_quit(struct smtp_session *, void *);
static void	hook_disconnect(struct smtp_session *, void *, const char *);

static const struct smtp_hooks tarpit_hooks = {
	.connect = hook_connect,
	.helo = hook_helo,
	.mail = hook_mail,
	.rcpt = hook_rcpt,
	.data = hook_data,
	.body = hook_body,
	.eom = hook_eom,
	.rset = hook_rset,
	.quit = hook_quit,
	.disconnect = hook_disconnect,
	.noop = hook_noop,
	.starttls = hook_starttls,
	.error = hook_error
};

int
tarpit_run(struct proc *p)
{
	struct greyd_conf	*conf = proc_arg(p);
	struct tarpit		*tp;
	struct smtp_config	 sc;
	int			 i;

	tp = xcalloc(1, sizeof(*tp));
	tp->proc = p;
	tp->conf = conf;
	tp->base = proc_base(p);
	tp->black = blacklist_new();
	tp->traps = prefixset_new();
	(void)strlcpy(tp->traplist.tag, GREYD_TRAPLIST,
	    sizeof(tp->traplist.tag));
	tp->traplist.msg = xstrdup(GREYD_TRAPMSG);
	tp->traplist.set = tp->traps;
	TAILQ_INIT(&tp->cons);
	tarpit = tp;

	memset(&sc, 0, sizeof(sc));
	sc.hostname = conf->hostname;
	sc.banner = conf->banner;
	/*
	 * spamd's dialogue: its own HELO/EHLO replies, MAIL without HELO,
	 * any HELO word, the 21st unknown command answered with the final
	 * reply and no 421, every reply after one stutter delay.
	 */
	sc.flags = SMTP_F_NO_PIPELINING | SMTP_F_NO_ENHANCED |
	    SMTP_F_HELO_VERBATIM | SMTP_F_LAX_SEQUENCE | SMTP_F_LAX_HELO |
	    SMTP_F_ERRORS_QUIET | SMTP_F_PACE_DELAY;
	sc.max_errors = GREYD_MAX_ERRORS + 1;
	sc.timeout = conf->timeout * 1000;
	sc.hooks = &tarpit_hooks;
	if ((tp->srv = smtp_server_new(tp->base, &sc)) == NULL)
		return -1;
	if (conf->tls != NULL) {
		sc.flags |= SMTP_F_STARTTLS;
		sc.tls_ctx = tls_ctx_ssl_ctx(conf->tls);
		if ((tp->srv_tls = smtp_server_new(tp->base, &sc)) == NULL)
			return -1;
	}
	for (i = 0; i < conf->nsmtp_fd; i++) {
		tp->ev_listen[i] = event_new(tp->base, conf->smtp_fd[i],
		    EV_READ | EV_PERSIST, tarpit_accept, tp);
		if (tp->ev_listen[i] == NULL)
			fatalx("event_new");
	}
	tp->nlisten = conf->nsmtp_fd;
	tp->ev_resume = evtimer_new(tp->base, tarpit_resume, tp);
	if (tp->ev_resume == NULL)
		fatalx("evtimer_new");
	tarpit_listen(tp, 1);
	log_debug("maxcon %d, maxblack %d, stutter %d ms, idle timeout %d s",
	    conf->maxcon, conf->maxblack, conf->stutter, conf->timeout);
	if (conf->cfg_fd != -1)
		tp->cfg = cfgsock_new(tp->base, conf->cfg_fd,
		    conf->cfg_anyport, tarpit_cfg_line, tarpit_cfg_done, tp);
	return 0;
}

void
tarpit_dispatch(struct proc *p, int from, struct imsg *msg)
{
	struct tarpit		*tp = tarpit;
	struct prefixset	*set;
	struct prefix		 pf;
	struct addr		 a;
	char			 buf[ADDR_STRLEN];
	int			 which, r;

	if (from != PROC_GREY) {
		log_warnx("unexpected message %u from process %d",
		    msg->hdr.type, from);
		return;
	}
	switch (msg->hdr.type) {
	case IMSG_GREY_TRAPPED:
		if (imsg_get_data(msg, &a, sizeof(a)) == -1 ||
		    prefix_set(&pf, &a, addr_maxlen(a.af)) == -1)
			break;
		(void)prefixset_add(tp->traps, &pf, NULL);
		log_debug("%s added to %s", addr_ntop(&a, buf, sizeof(buf)),
		    GREYD_TRAPLIST);
		break;
	case IMSG_SET_BEGIN:
	case IMSG_SET_ADD:
	case IMSG_SET_END:
		r = grey_set_recv(&tp->rx, msg, &which, &set);
		if (r == 1 && which == GREYD_SET_TRAP) {
			prefixset_free(tp->traps);
			tp->traps = tp->traplist.set = set;
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
tarpit_listen(struct tarpit *tp, int on)
{
	int	 i;

	if (tp->accepting == on)
		return;
	tp->accepting = on;
	for (i = 0; i < tp->nlisten; i++) {
		if (on)
			event_add(tp->ev_listen[i], NULL);
		else
			event_del(tp->ev_listen[i]);
	}
}

static void
tarpit_resume(int fd, short ev, void *arg)
{
	struct tarpit	*tp = arg;

	tarpit_listen(tp, 1);
}

static void
tarpit_accept(int lfd, short ev, void *arg)
{
	struct tarpit		*tp = arg;
	struct greyd_conf	*conf = tp->conf;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct bl_list		*lists[TARPIT_MAXLISTS];
	struct grey_con		*c;
	struct timeval		 tv = { 1, 0 };
	char			 lbuf[80];
	static char		 reply[TARPIT_REPLY_MAX];	/* scratch */
	size_t			 n;
	int			 fd;

	if ((fd = accept4(lfd, (struct sockaddr *)&ss, &len,
	    SOCK_NONBLOCK | SOCK_CLOEXEC)) == -1) {
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			log_warn("accept");
			tarpit_listen(tp, 0);
			evtimer_add(tp->ev_resume, &tv);
		}
		return;
	}
	if (tp->clients >= conf->maxcon) {
		/* spamd: no free slot, the connection is closed at once */
		log_debug("maxcon %d reached: connection closed",
		    conf->maxcon);
		close(fd);
		return;
	}
	c = xcalloc(1, sizeof(*c));
	c->tp = tp;
	c->fd = fd;
	c->start = time(NULL);
	if (addr_from_sockaddr(&c->src, NULL, (struct sockaddr *)&ss) == -1) {
		close(fd);
		free(c);
		return;
	}
	(void)addr_ntop(&c->src, c->addr, sizeof(c->addr));
	n = blacklist_match(tp->black, &c->src, lists, TARPIT_MAXLISTS - 1);
	if (prefixset_lookup(tp->traps, &c->src, NULL, NULL) == 1)
		lists[n++] = &tp->traplist;
	if (n > 0) {
		c->black = 1;
		if (grey_black_reply(conf->nreply, c->addr, lists, n, reply,
		    sizeof(reply)) == -1) {
			log_warnx("%s: list messages too long, generic reply",
			    c->addr);
			(void)grey_black_reply(conf->nreply, c->addr, NULL, 0,
			    reply, sizeof(reply));
		}
		c->reply = xstrdup(reply);
		grey_loglists(lists, n, lbuf, sizeof(lbuf));
		c->lists = xstrdup(lbuf);
	}
	c->sess = smtp_session_new(c->black || tp->srv_tls == NULL ?
	    tp->srv : tp->srv_tls, fd, (struct sockaddr *)&ss, len);
	if (c->sess == NULL) {
		free(c->reply);
		free(c->lists);
		free(c);
		return;
	}
	smtp_session_set_arg(c->sess, c);
	c->ev_close = evtimer_new(tp->base, tarpit_close_cb, c);
	c->ev_grey = evtimer_new(tp->base, tarpit_grey_end, c);
	if (c->ev_close == NULL || c->ev_grey == NULL)
		fatalx("evtimer_new");
	TAILQ_INSERT_TAIL(&tp->cons, c, entry);
	tp->clients++;
	if (c->black)
		tp->blackcount++;

	/* spamd's initcon() */
	c->stutter = (!conf->blackonly && conf->grey_stutter == 0 &&
	    !c->black) ? 0 : conf->stutter;
	if (c->black && !conf->blackonly && tp->blackcount > conf->maxblack)
		c->stutter = 0;
	if (!c->black && !conf->blackonly && c->stutter > 0) {
		tv.tv_sec = conf->grey_stutter;
		evtimer_add(c->ev_grey, &tv);
	}
	log_info("%s: connected (%d/%d)%s%s", c->addr, tp->clients,
	    tp->blackcount, c->lists ? ", lists:" : "",
	    c->lists ? c->lists : "");
	tarpit_crowd(tp);
	tarpit_pace(c);
}

/* The stutter spamd gives this connection now. */
static void
tarpit_pace(struct grey_con *c)
{
	smtp_session_set_pace(c->sess,
	    c->tp->crowded ? 0 : c->stutter);
}

/* spamd stops stuttering while clients + 5 >= maxcon. */
static void
tarpit_crowd(struct tarpit *tp)
{
	struct grey_con	*c;
	int		 crowded;

	crowded = tp->clients + 5 >= tp->conf->maxcon;
	if (crowded == tp->crowded)
		return;
	tp->crowded = crowded;
	TAILQ_FOREACH(c, &tp->cons, entry)
		tarpit_pace(c);
}

static void
tarpit_grey_end(int fd, short ev, void *arg)
{
	struct grey_con	*c = arg;

	c->stutter = 0;
	tarpit_pace(c);
}

static void
tarpit_close_cb(int fd, short ev, void *arg)
{
	struct grey_con	*c = arg;

	smtp_session_close(c->sess, "done");
}

/* After the reply now pending has gone out: spamd closes. */
static void
tarpit_close_later(struct grey_con *c)
{
	struct timeval	 tv = { 0, 0 };

	evtimer_add(c->ev_close, &tv);
}

/*
 * Where the client meant to connect (spamd's CO:, used for -M): the
 * conntrack NAT original destination when nftables redirected the
 * connection, else the local address (TPROXY, divert-to, no NAT).
 */
static void
tarpit_origdst(struct grey_con *c)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct addr		 a;
	int			 r = -1;

	c->dst_done = 1;
	memset(&ss, 0, sizeof(ss));
#ifdef __linux__
	if (c->src.af == AF_INET)
		r = getsockopt(c->fd, SOL_IP, SO_ORIGINAL_DST, &ss, &len);
	else
		r = getsockopt(c->fd, SOL_IPV6, IP6T_SO_ORIGINAL_DST, &ss,
		    &len);
#endif
	if (r == -1) {
		len = sizeof(ss);
		if (getsockname(c->fd, (struct sockaddr *)&ss, &len) == -1)
			return;
	}
	if (addr_from_sockaddr(&a, NULL, (struct sockaddr *)&ss) == 0)
		(void)addr_ntop(&a, c->dst, sizeof(c->dst));
}

static int
hook_connect(struct smtp_session *s, void *arg)
{
	struct grey_con	*c = arg;
	char		 buf[512];

	if (grey_banner(c->tp->conf->hostname, c->tp->conf->banner,
	    time(NULL), buf, sizeof(buf)) == -1)
		return SMTP_DEFAULT;
	smtp_reply(s, "%s", buf);
	return SMTP_DEFAULT;
}

/*
 * spamd: EHLO from a client that may still start TLS gets the short
 * capability list; everything else its one line.
 */
static int
hook_helo(struct smtp_session *s, void *arg, const char *helo)
{
	struct grey_con	*c = arg;

	if (smtp_session_esmtp(s) && !c->black && c->tp->srv_tls != NULL &&
	    !smtp_session_tls(s))
		smtp_reply(s, "250 %s\n8BITMIME\nSMTPUTF8\nSTARTTLS",
		    c->tp->conf->hostname);
	else
		smtp_reply(s, "250 Hello, spam sender. Pleased to be "
		    "wasting your time.");
	return SMTP_DEFAULT;
}

static int
hook_starttls(struct smtp_session *s, void *arg)
{
	smtp_reply(s, "220 glad you want to burn more CPU cycles on your "
	    "spam");
	return SMTP_DEFAULT;
}

static int
hook_noop(struct smtp_session *s, void *arg)
{
	smtp_reply(s, "250 2.0.0 OK I did nothing");
	return SMTP_DEFAULT;
}

/* The reply spamd gives at the end: the lists' messages, or 451. */
static const char *
tarpit_final(struct grey_con *c)
{
	return c->reply != NULL ? c->reply :
	    "451 Temporary failure, please try again later.";
}

/*
 * spamd counts unrecognized commands only, and answers the 21st with
 * its final reply (the list messages, or 451) before closing.  A bare
 * HELO/EHLO has its own reply.
 */
static int
hook_error(struct smtp_session *s, void *arg, enum smtp_verb verb,
    const char *deftext, int last)
{
	struct grey_con	*c = arg;

	switch (verb) {
	case SMTP_CMD_HELO:
	case SMTP_CMD_EHLO:
		smtp_reply(s, "501 helo requires domain name.");
		return SMTP_UNCOUNTED;
	case SMTP_CMD_NONE:
	case SMTP_CMD_UNKNOWN:
	case SMTP_CMD_NOTIMPL:
		if (last) {
			log_info("%s: too many unrecognized commands",
			    c->addr);
			smtp_reply(s, "%s", tarpit_final(c));
		} else
			smtp_reply(s, "500 5.5.1 Command unrecognized");
		return SMTP_DEFAULT;
	default:
		return SMTP_UNCOUNTED;
	}
}

static int
hook_mail(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_mail_params *mp)
{
	smtp_reply(s, "250 You are about to try to deliver spam. "
	    "Your time will be spent, for nothing.");
	return SMTP_DEFAULT;
}

static int
hook_rcpt(struct smtp_session *s, void *arg, const struct smtp_addr *a,
    const struct smtp_rcpt_params *rp)
{
	struct grey_con		*c = arg;
	struct greyd_conf	*conf = c->tp->conf;
	struct grey_tuple	 t;
	const char		*helo;

	memset(&t, 0, sizeof(t));
	if (smtp_session_mail_from(s) != NULL)
		(void)grey_path(smtp_session_mail_from(s), t.from,
		    sizeof(t.from));
	(void)grey_path(a, t.to, sizeof(t.to));
	if ((helo = smtp_session_helo(s)) != NULL)
		(void)strlcpy(t.helo, helo, sizeof(t.helo));
	smtp_reply(s, "250 This is hurting you more than it is hurting me.");
	if (conf->verbose)
		log_info("(%s) %s: %s -> %s", c->black ? "BLACK" : "GREY",
		    c->addr, t.from, t.to);
	if (conf->blackonly || c->black)
		return SMTP_DEFAULT;
	if (!c->dst_done)
		tarpit_origdst(c);
	t.src = c->src;
	(void)strlcpy(t.dst, c->dst, sizeof(t.dst));
	if (proc_compose(c->tp->proc, PROC_GREY, IMSG_GREY_TUPLE, 0, -1, &t,
	    sizeof(t)) == -1)
		log_warnx("%s: tuple not sent to the greylister", c->addr);
	return SMTP_DEFAULT;
}

static int
hook_data(struct smtp_session *s, void *arg)
{
	struct grey_con		*c = arg;
	struct greyd_conf	*conf = c->tp->conf;

	if (!conf->blackonly && !c->black) {
		smtp_reply(s, "451 Temporary failure, please try again "
		    "later.");
		tarpit_close_later(c);
		return SMTP_DEFAULT;
	}
	if (conf->window > 0 && setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF,
	    &conf->window, sizeof(conf->window)) == -1)
		log_debug("setsockopt SO_RCVBUF: %s", strerror(errno));
	c->body_lines = 0;
	c->in_body = 0;
	smtp_reply(s, "354 Enter spam, end with \".\" on a line by itself");
	return SMTP_DEFAULT;
}

static int
hook_body(struct smtp_session *s, void *arg, const char *line, size_t len,
    int flags)
{
	struct grey_con	*c = arg;
	size_t		 l = len;

	while (l > 0 && (line[l - 1] == '\n' || line[l - 1] == '\r'))
		l--;
	/* spamd reads up to "." or the 10th body line, then replies */
	if (c->in_body && ++c->body_lines >= GREYD_BODY_LINES) {
		smtp_data_reply(s, 1, "%s", tarpit_final(c));
		return 0;
	}
	if (!c->in_body && l == 0) {
		c->in_body = 1;
		return 0;
	}
	if (!c->tp->conf->verbose)
		return 0;
	if (c->in_body) {
		if (l > 0)
			log_debug("%s: Body: %.*s", c->addr, (int)l, line);
	} else if ((l >= 5 && strncasecmp(line, "From:", 5) == 0) ||
	    (l >= 3 && strncasecmp(line, "To:", 3) == 0) ||
	    (l >= 8 && strncasecmp(line, "Subject:", 8) == 0))
		log_info("%s: %.*s", c->addr, (int)l, line);
	return 0;
}

static int
hook_eom(struct smtp_session *s, void *arg, const struct smtp_msg *m)
{
	struct grey_con	*c = arg;

	smtp_reply(s, "%s", tarpit_final(c));
	tarpit_close_later(c);
	return SMTP_DEFAULT;
}

static int
hook_rset(struct smtp_session *s, void *arg, enum smtp_rset_why why)
{
	if (why == SMTP_RSET_CMD)
		smtp_reply(s, "250 Ok to start over.");
	return SMTP_DEFAULT;
}

static int
hook_quit(struct smtp_session *s, void *arg)
{
	struct grey_con	*c = arg;

	smtp_reply(s, "221 %s", c->tp->conf->hostname);
	return SMTP_DEFAULT;
}

static void
hook_disconnect(struct smtp_session *s, void *arg, const char *why)
{
	struct grey_con	*c = arg;
	struct tarpit	*tp;

	if (c == NULL)
		return;
	tp = c->tp;
	log_info("%s: disconnected after %lld seconds.%s%s", c->addr,
	    (long long)(time(NULL) - c->start), c->lists ? " lists:" : "",
	    c->lists ? c->lists : "");
	TAILQ_REMOVE(&tp->cons, c, entry);
	tp->clients--;
	if (c->black)
		tp->blackcount--;
	event_free(c->ev_close);
	event_free(c->ev_grey);
	free(c->reply);
	free(c->lists);
	free(c);
	tarpit_crowd(tp);
}

static void
tarpit_cfg_line(const char *line, void *arg)
{
	struct tarpit	*tp = arg;
	const char	*err;
	size_t		 tl;

	tp->cfg_lines++;
	if (blacklist_parse_line(tp->black, line, &err) == -1) {
		tp->cfg_bad++;
		tl = strcspn(line, ";");
		log_warnx("config line rejected (list %.*s): %s",
		    (int)(tl > 64 ? 64 : tl), line, err);
		return;
	}
	log_debug("config line applied (list %.*s)",
	    (int)strcspn(line, ";"), line);
}

static void
tarpit_cfg_done(void *arg)
{
	struct tarpit	*tp = arg;

	log_info("blacklists loaded: %zu lines, %zu rejected, %zu lists",
	    tp->cfg_lines, tp->cfg_bad, tp->black->nlists);
	tp->cfg_lines = tp->cfg_bad = 0;
	tarpit_publish_black(tp);
}

/* The greylister must not whitelist what these lists hold. */
static void
tarpit_publish_black(struct tarpit *tp)
{
	struct prefixset	*u;
	struct prefix		*arr;
	struct bl_list		*l;
	size_t			 n, i;

	if (tp->conf->blackonly)
		return;
	u = prefixset_new();
	TAILQ_FOREACH(l, &tp->black->lists, entry) {
		arr = prefixset_array(l->set, &n);
		for (i = 0; i < n; i++)
			(void)prefixset_add(u, &arr[i], NULL);
		free(arr);
	}
	prefixset_collapse(u);
	if (grey_set_send(tp->proc, PROC_GREY, GREYD_SET_BLACK, u) == -1)
		log_warnx("blacklists not sent to the greylister");
	prefixset_free(u);
}
