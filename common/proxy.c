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
 * The SMTP content proxy: see proxy.h.
 *
 * A client connection is first only a file descriptor: the next hop is
 * connected (and greets us, and answers our EHLO) before the engine
 * takes the client over, so that SIZE can be the smaller of ours and
 * the next hop's (one engine server per distinct SIZE) and a next hop
 * that is down gets the client a plain "421" greeting.
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/listener.h>

#include "log.h"
#include "proxy.h"
#include "smtp.h"
#include "smtpc.h"
#include "xmalloc.h"

#define PROXY_MEM_DEFAULT	(1024 * 1024)
#define PROXY_FLUSH		(256 * 1024)
#define PROXY_NSERVERS		8

enum proxy_pending {
	P_NONE,
	P_MAIL,
	P_RCPT,
	P_RSET,
	P_DATA
};

struct proxy_session;

struct proxy_server {
	uint64_t		 size;
	struct smtp_server	*srv;
};

struct proxy {
	struct event_base	*base;
	struct proxy_config	 conf;
	char			*hostname;
	char			*spool_dir;
	struct sockaddr_storage	 next_sa;
	socklen_t		 next_salen;
	char			 next_name[256];
	struct evconnlistener	*lev;
	struct smtp_hooks	 hooks;
	struct proxy_server	 servers[PROXY_NSERVERS];
	size_t			 nservers;
	TAILQ_HEAD(, proxy_session) sessions;
};

struct proxy_txn;

struct proxy_session {
	TAILQ_ENTRY(proxy_session) entry;
	struct proxy		*p;
	int			 fd;		/* until the engine has it */
	struct smtp_session	*sess;
	struct smtpc		*hop;
	int			 hop_dead;
	char			 hop_why[SMTPC_TEXT_MAX];
	enum proxy_pending	 pending;
	char			 peer[NI_MAXHOST];
	char			*from;
	char			*rcpt;		/* RCPT being relayed */
	char			**rcpts;	/* accepted */
	size_t			 nrcpts;
	struct proxy_txn	*txn;
};

struct proxy_txn {
	struct proxy_msg	 msg;		/* first: proxy_done's cast */
	struct proxy_session	*ps;		/* NULL: client gone */
	struct evbuffer		*wbuf;		/* pending writes to fd */
	int			 failed;	/* spooling failed */
	int			 transforming;
	struct smtpc_msg	 cmsg;
	char			*helo;
};

static void	proxy_accept_cb(struct evconnlistener *, evutil_socket_t,
		    struct sockaddr *, int, void *);
static void	proxy_hop_cb(struct smtpc *, int, void *);
static void	proxy_session_free(struct proxy_session *);
static void	proxy_envelope_clear(struct proxy_session *);
static void	proxy_txn_free(struct proxy_txn *);
static void	proxy_relay(struct proxy_txn *, int);
static void	proxy_reply_hop(struct proxy_session *,
		    const struct smtpc_reply *);
static void	proxy_eod_reply(struct proxy_session *);
static void	proxy_hop_failed(struct proxy_session *);
static int	proxy_h_mail(struct smtp_session *, void *,
		    const struct smtp_addr *, const struct smtp_mail_params *);
static int	proxy_h_rcpt(struct smtp_session *, void *,
		    const struct smtp_addr *, const struct smtp_rcpt_params *);
static int	proxy_h_data(struct smtp_session *, void *);
static int	proxy_h_body(struct smtp_session *, void *, const char *,
		    size_t, int);
static int	proxy_h_eom(struct smtp_session *, void *,
		    const struct smtp_msg *);
static int	proxy_h_rset(struct smtp_session *, void *,
		    enum smtp_rset_why);
static void	proxy_h_disconnect(struct smtp_session *, void *,
		    const char *);

struct proxy *
proxy_new(struct event_base *base, const struct proxy_config *conf,
    const char **errstr)
{
	struct proxy		*p;
	struct addrinfo		 hints, *res;
	struct sockaddr_un	*sun;
	const char		*tmp;
	int			 e;

	p = xcalloc(1, sizeof(*p));
	p->base = base;
	TAILQ_INIT(&p->sessions);
	p->conf = *conf;
	p->hostname = xstrdup(conf->hostname ? conf->hostname : "localhost");
	p->conf.hostname = p->hostname;
	if (conf->spool_dir != NULL)
		p->spool_dir = xstrdup(conf->spool_dir);
	else if ((tmp = getenv("TMPDIR")) != NULL && *tmp)
		p->spool_dir = xstrdup(tmp);
	else
		p->spool_dir = xstrdup("/tmp");
	if (p->conf.mem_max == 0)
		p->conf.mem_max = PROXY_MEM_DEFAULT;
	if (p->conf.timeout <= 0)
		p->conf.timeout = 300 * 1000;
	if (p->conf.timeout_data <= 0)
		p->conf.timeout_data = 600 * 1000;
	p->conf.next_host = p->conf.next_port = p->conf.next_path = NULL;

	if (conf->next_path != NULL) {
		sun = (struct sockaddr_un *)&p->next_sa;
		sun->sun_family = AF_UNIX;
		if (strlcpy(sun->sun_path, conf->next_path,
		    sizeof(sun->sun_path)) >= sizeof(sun->sun_path)) {
			*errstr = "next hop socket path too long";
			goto fail;
		}
		p->next_salen = sizeof(*sun);
		(void)strlcpy(p->next_name, conf->next_path,
		    sizeof(p->next_name));
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		if (conf->next_host == NULL || conf->next_port == NULL) {
			*errstr = "no next hop";
			goto fail;
		}
		if ((e = getaddrinfo(conf->next_host, conf->next_port, &hints,
		    &res)) != 0) {
			*errstr = gai_strerror(e);
			goto fail;
		}
		memcpy(&p->next_sa, res->ai_addr, res->ai_addrlen);
		p->next_salen = res->ai_addrlen;
		freeaddrinfo(res);
		(void)snprintf(p->next_name, sizeof(p->next_name), "%s:%s",
		    conf->next_host, conf->next_port);
	}

	p->hooks.mail = proxy_h_mail;
	p->hooks.rcpt = proxy_h_rcpt;
	p->hooks.data = proxy_h_data;
	p->hooks.body = proxy_h_body;
	p->hooks.eom = proxy_h_eom;
	p->hooks.rset = proxy_h_rset;
	p->hooks.disconnect = proxy_h_disconnect;
	return p;
 fail:
	free(p->hostname);
	free(p->spool_dir);
	free(p);
	return NULL;
}

void
proxy_free(struct proxy *p)
{
	size_t	 i;

	if (p == NULL)
		return;
	if (p->lev != NULL)
		evconnlistener_free(p->lev);
	/* the engine's sessions go first (disconnect hooks), then ours */
	for (i = 0; i < p->nservers; i++)
		smtp_server_free(p->servers[i].srv);
	while (!TAILQ_EMPTY(&p->sessions))
		proxy_session_free(TAILQ_FIRST(&p->sessions));
	free(p->hostname);
	free(p->spool_dir);
	free(p);
}

int
proxy_listen(struct proxy *p, int fd)
{
	if (evutil_make_socket_nonblocking(fd) == -1)
		return -1;
	p->lev = evconnlistener_new(p->base, proxy_accept_cb, p, 0, 0, fd);
	return p->lev == NULL ? -1 : 0;
}

static void
proxy_accept_cb(struct evconnlistener *lev, evutil_socket_t fd,
    struct sockaddr *sa, int salen, void *arg)
{
	proxy_accept(arg, fd);
}

/* The engine server for this SIZE (one per distinct value). */
static struct smtp_server *
proxy_server(struct proxy *p, uint64_t size)
{
	struct smtp_config	 c;
	struct smtp_server	*srv;

	for (size_t i = 0; i < p->nservers; i++)
		if (p->servers[i].size == size)
			return p->servers[i].srv;
	memset(&c, 0, sizeof(c));
	c.hostname = p->hostname;
	c.flags = p->conf.flags;
	c.tls_ctx = p->conf.tls_ctx;
	c.max_size = size;
	c.hooks = &p->hooks;
	if ((srv = smtp_server_new(p->base, &c)) == NULL)
		return NULL;
	if (p->nservers == PROXY_NSERVERS) {
		/* a next hop that keeps changing its SIZE: forget one */
		smtp_server_free(p->servers[0].srv);
		memmove(&p->servers[0], &p->servers[1],
		    (PROXY_NSERVERS - 1) * sizeof(p->servers[0]));
		p->nservers--;
	}
	p->servers[p->nservers].size = size;
	p->servers[p->nservers++].srv = srv;
	return srv;
}

void
proxy_accept(struct proxy *p, int fd)
{
	struct proxy_session	*ps;
	struct smtpc_params	 cp;
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);

	ps = xcalloc(1, sizeof(*ps));
	ps->p = p;
	ps->fd = fd;
	TAILQ_INSERT_TAIL(&p->sessions, ps, entry);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == -1 ||
	    getnameinfo((struct sockaddr *)&ss, sl, ps->peer,
	    sizeof(ps->peer), NULL, 0, NI_NUMERICHOST) != 0)
		(void)strlcpy(ps->peer, "local", sizeof(ps->peer));
	memset(&cp, 0, sizeof(cp));
	cp.helo = p->hostname;
	cp.lmtp = p->conf.next_lmtp;
	cp.tls = SMTPC_TLS_NO;
	cp.timeout_connect = p->conf.timeout;
	cp.timeout_greeting = p->conf.timeout;
	cp.timeout_cmd = p->conf.timeout;
	cp.timeout_data = p->conf.timeout_data;
	ps->hop = smtpc_connect(p->base, (struct sockaddr *)&p->next_sa,
	    p->next_salen, &cp, proxy_hop_cb, ps);
}

static void
proxy_session_free(struct proxy_session *ps)
{
	TAILQ_REMOVE(&ps->p->sessions, ps, entry);
	if (ps->txn != NULL) {
		if (ps->txn->transforming) {
			/* proxy_done frees it */
			ps->txn->ps = NULL;
		} else
			proxy_txn_free(ps->txn);
		ps->txn = NULL;
	}
	proxy_envelope_clear(ps);
	smtpc_free(ps->hop);
	if (ps->fd != -1)
		close(ps->fd);
	free(ps);
}

static void
proxy_envelope_clear(struct proxy_session *ps)
{
	size_t	 i;

	free(ps->from);
	ps->from = NULL;
	free(ps->rcpt);
	ps->rcpt = NULL;
	for (i = 0; i < ps->nrcpts; i++)
		free(ps->rcpts[i]);
	free(ps->rcpts);
	ps->rcpts = NULL;
	ps->nrcpts = 0;
}

static void
proxy_txn_free(struct proxy_txn *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	if (t->msg.buf != NULL)
		evbuffer_free(t->msg.buf);
	if (t->msg.head != NULL)
		evbuffer_free(t->msg.head);
	if (t->msg.body != NULL)
		evbuffer_free(t->msg.body);
	if (t->wbuf != NULL)
		evbuffer_free(t->wbuf);
	if (t->msg.fd != -1)
		close(t->msg.fd);
	for (i = 0; i < t->msg.nrcpts; i++)
		free(t->msg.rcpts[i]);
	free(t->msg.rcpts);
	free((char *)t->msg.from);
	free(t->helo);
	smtpc_msg_clear(&t->cmsg);
	free(t);
}

/*
 * The next hop.
 */

static void
proxy_greet(struct proxy_session *ps)
{
	struct proxy			*p = ps->p;
	const struct smtpc_caps		*caps = smtpc_caps(ps->hop);
	struct smtp_server		*srv;
	uint64_t			 size = p->conf.max_size;
	int				 fd = ps->fd;

	if ((caps->flags & SMTPC_CAP_SIZE) && caps->size > 0 &&
	    (size == 0 || caps->size < size))
		size = caps->size;
	if ((srv = proxy_server(p, size)) == NULL) {
		log_warnx("proxy: cannot set up the SMTP server");
		proxy_session_free(ps);
		return;
	}
	ps->fd = -1;
	if ((ps->sess = smtp_session_new(srv, fd, NULL, 0)) == NULL) {
		log_warnx("proxy: client %s: cannot start session", ps->peer);
		proxy_session_free(ps);
		return;
	}
	smtp_session_set_arg(ps->sess, ps);
}

static void
proxy_refuse(struct proxy_session *ps)
{
	char	 buf[SMTPC_TEXT_MAX + 128];
	int	 n;

	log_warnx("proxy: client %s: next hop %s: %s", ps->peer,
	    ps->p->next_name, smtpc_status(ps->hop)->text);
	n = snprintf(buf, sizeof(buf),
	    "421 4.4.1 %s Service not available: next hop unavailable\r\n",
	    ps->p->hostname);
	if (n > 0 && (size_t)n < sizeof(buf))
		(void)write(ps->fd, buf, n);
	proxy_session_free(ps);
}

static void
proxy_hop_cb(struct smtpc *hop, int evt, void *arg)
{
	struct proxy_session	*ps = arg;

	switch (evt) {
	case SMTPC_READY:
		if (ps->sess == NULL && ps->fd != -1)
			proxy_greet(ps);
		break;
	case SMTPC_REPLY:
		proxy_reply_hop(ps, smtpc_last_reply(hop));
		break;
	case SMTPC_DONE:
		proxy_eod_reply(ps);
		break;
	case SMTPC_ERROR:
		if (ps->sess == NULL && ps->fd != -1) {
			proxy_refuse(ps);
			return;
		}
		ps->hop_dead = 1;
		(void)strlcpy(ps->hop_why, smtpc_status(hop)->text,
		    sizeof(ps->hop_why));
		smtpc_free(hop);
		ps->hop = NULL;
		if (ps->sess == NULL) {
			proxy_session_free(ps);
			return;
		}
		proxy_hop_failed(ps);
		break;
	case SMTPC_CLOSED:
		smtpc_free(hop);
		ps->hop = NULL;
		if (ps->sess == NULL)
			proxy_session_free(ps);
		break;
	}
}

/* The next hop is gone: whatever the client waits for is a 4xx. */
static void
proxy_hop_failed(struct proxy_session *ps)
{
	struct proxy_txn	*t = ps->txn;
	enum proxy_pending	 pend = ps->pending;
	size_t			 i, n;

	log_warnx("proxy: client %s: next hop %s failed: %s", ps->peer,
	    ps->p->next_name, ps->hop_why);
	ps->pending = P_NONE;
	if (pend == P_NONE)
		return;
	if (pend == P_DATA && t != NULL) {
		ps->txn = NULL;
		proxy_txn_free(t);
		n = ps->nrcpts;
		proxy_envelope_clear(ps);
		if (ps->p->conf.flags & SMTP_F_LMTP) {
			/* one answer per recipient; the next command: 421 */
			for (i = 0; i < n; i++)
				smtp_reply(ps->sess,
				    "451 4.4.2 Next hop failed: %s",
				    ps->hop_why);
			return;
		}
	}
	smtp_reply(ps->sess, "421 4.4.2 %s Next hop failed: %s",
	    ps->p->hostname, ps->hop_why);
}

static void
proxy_reply_send(struct proxy_session *ps, const struct smtpc_reply *r)
{
	smtp_reply(ps->sess, "%03d %s%s%s", r->code, r->status,
	    r->status[0] ? " " : "", r->text);
}

static void
proxy_reply_hop(struct proxy_session *ps, const struct smtpc_reply *r)
{
	enum proxy_pending	 pend = ps->pending;

	ps->pending = P_NONE;
	switch (pend) {
	case P_MAIL:
		if (r->code / 100 != 2) {
			free(ps->from);
			ps->from = NULL;
		}
		break;
	case P_RCPT:
		if (r->code / 100 == 2 && ps->rcpt != NULL) {
			ps->rcpts = xreallocarray(ps->rcpts, ps->nrcpts + 1,
			    sizeof(*ps->rcpts));
			ps->rcpts[ps->nrcpts++] = ps->rcpt;
			ps->rcpt = NULL;
		}
		break;
	case P_RSET:
		break;
	default:
		log_warnx("proxy: client %s: unexpected reply from next hop",
		    ps->peer);
		return;
	}
	proxy_reply_send(ps, r);
}

/* The next hop answered the end of data: now, and only now, the client. */
static void
proxy_eod_reply(struct proxy_session *ps)
{
	struct proxy_txn	*t = ps->txn;
	struct smtpc_msg	*m;
	const struct smtpc_reply *r, *fail = NULL;
	size_t			 i;

	if (t == NULL || ps->pending != P_DATA)
		return;
	/* our state first: a reply may end the session */
	ps->pending = P_NONE;
	ps->txn = NULL;
	proxy_envelope_clear(ps);
	m = &t->cmsg;
	if (ps->p->conf.flags & SMTP_F_LMTP) {
		for (i = 0; i < m->nrcpts; i++)
			proxy_reply_send(ps, &m->rcpts[i].result);
	} else if (!ps->p->conf.next_lmtp)
		proxy_reply_send(ps, &m->data);
	else {
		/* LMTP next hop, SMTP client: one answer for all */
		for (i = 0; i < m->nrcpts; i++) {
			r = &m->rcpts[i].result;
			if (r->code / 100 == 2)
				continue;
			if (fail == NULL || (smtpc_reply_temp(r) &&
			    !smtpc_reply_temp(fail)))
				fail = r;
		}
		proxy_reply_send(ps, fail ? fail : &m->rcpts[0].result);
	}
	proxy_txn_free(t);
}

/*
 * Engine hooks.
 */

static int
proxy_relay_cmd(struct proxy_session *ps, enum proxy_pending pend,
    const char *verb, const char *addr, const char *params)
{
	if (ps->hop_dead || ps->hop == NULL) {
		smtp_reply(ps->sess, "421 4.4.2 %s Next hop failed: %s",
		    ps->p->hostname, ps->hop_why[0] ? ps->hop_why : "gone");
		return SMTP_DEFAULT;
	}
	ps->pending = pend;
	if ((addr != NULL && smtpc_command(ps->hop, "%s:<%s>%s", verb, addr,
	    params) == -1) ||
	    (addr == NULL && smtpc_command(ps->hop, "%s", verb) == -1)) {
		ps->pending = P_NONE;
		smtp_reply(ps->sess, "451 4.3.0 Cannot relay the command");
		return SMTP_DEFAULT;
	}
	return SMTP_DEFER;
}

/*
 * The client's MAIL and RCPT parameters, rebuilt from what the engine
 * parsed, for the extensions the next hop offers.
 */
static void
proxy_mail_params(struct proxy_session *ps,
    const struct smtp_mail_params *mp, char *buf, size_t len)
{
	int	 caps = ps->hop ? smtpc_caps(ps->hop)->flags : 0;
	char	 tmp[SMTP_PATH_MAX + 64];

	buf[0] = '\0';
	if (mp->has_size && (caps & SMTPC_CAP_SIZE)) {
		(void)snprintf(tmp, sizeof(tmp), " SIZE=%llu",
		    (unsigned long long)mp->size);
		(void)strlcat(buf, tmp, len);
	}
	if (mp->body == SMTP_BODY_7BIT)
		(void)strlcat(buf, " BODY=7BIT", len);
	else if (mp->body == SMTP_BODY_8BITMIME &&
	    (caps & SMTPC_CAP_8BITMIME))
		(void)strlcat(buf, " BODY=8BITMIME", len);
	if (mp->smtputf8 && (caps & SMTPC_CAP_SMTPUTF8))
		(void)strlcat(buf, " SMTPUTF8", len);
	if (caps & SMTPC_CAP_DSN) {
		if (mp->ret == SMTP_RET_FULL)
			(void)strlcat(buf, " RET=FULL", len);
		else if (mp->ret == SMTP_RET_HDRS)
			(void)strlcat(buf, " RET=HDRS", len);
		if (mp->envid[0] != '\0') {
			(void)snprintf(tmp, sizeof(tmp), " ENVID=%s",
			    mp->envid);
			(void)strlcat(buf, tmp, len);
		}
	}
	if (mp->auth[0] != '\0' && (caps & SMTPC_CAP_AUTH)) {
		(void)snprintf(tmp, sizeof(tmp), " AUTH=%s", mp->auth);
		(void)strlcat(buf, tmp, len);
	}
}

static void
proxy_rcpt_params(struct proxy_session *ps,
    const struct smtp_rcpt_params *rp, char *buf, size_t len)
{
	int	 caps = ps->hop ? smtpc_caps(ps->hop)->flags : 0;
	char	 tmp[SMTP_ORCPT_MAX + 16];
	int	 first = 1;

	buf[0] = '\0';
	if (!(caps & SMTPC_CAP_DSN))
		return;
	if (rp->notify & SMTP_NOTIFY_NEVER)
		(void)strlcat(buf, " NOTIFY=NEVER", len);
	else if (rp->notify) {
		(void)strlcat(buf, " NOTIFY=", len);
		if (rp->notify & SMTP_NOTIFY_SUCCESS) {
			(void)strlcat(buf, "SUCCESS", len);
			first = 0;
		}
		if (rp->notify & SMTP_NOTIFY_FAILURE) {
			(void)strlcat(buf, first ? "FAILURE" : ",FAILURE",
			    len);
			first = 0;
		}
		if (rp->notify & SMTP_NOTIFY_DELAY)
			(void)strlcat(buf, first ? "DELAY" : ",DELAY", len);
	}
	if (rp->orcpt[0] != '\0') {
		(void)snprintf(tmp, sizeof(tmp), " ORCPT=%s", rp->orcpt);
		(void)strlcat(buf, tmp, len);
	}
}

static int
proxy_h_mail(struct smtp_session *sess, void *arg, const struct smtp_addr *a,
    const struct smtp_mail_params *mp)
{
	struct proxy_session	*ps = arg;
	char			 addr[SMTP_PATH_MAX + 1];
	char			 params[1024];

	if (smtp_addr_format(a, addr, sizeof(addr)) == -1) {
		smtp_reply(sess, "553 5.1.7 Address too long");
		return SMTP_DEFAULT;
	}
	proxy_envelope_clear(ps);
	ps->from = xstrdup(addr);
	proxy_mail_params(ps, mp, params, sizeof(params));
	return proxy_relay_cmd(ps, P_MAIL, "MAIL FROM", addr, params);
}

static int
proxy_h_rcpt(struct smtp_session *sess, void *arg, const struct smtp_addr *a,
    const struct smtp_rcpt_params *rp)
{
	struct proxy_session	*ps = arg;
	char			 addr[SMTP_PATH_MAX + 1];
	char			 params[1024];

	if (smtp_addr_format(a, addr, sizeof(addr)) == -1) {
		smtp_reply(sess, "553 5.1.3 Address too long");
		return SMTP_DEFAULT;
	}
	free(ps->rcpt);
	ps->rcpt = xstrdup(addr);
	proxy_rcpt_params(ps, rp, params, sizeof(params));
	return proxy_relay_cmd(ps, P_RCPT, "RCPT TO", addr, params);
}

static int
proxy_h_data(struct smtp_session *sess, void *arg)
{
	struct proxy_session	*ps = arg;
	struct proxy_txn	*t;

	if (ps->hop_dead || ps->hop == NULL) {
		smtp_reply(sess, "421 4.4.2 %s Next hop failed: %s",
		    ps->p->hostname, ps->hop_why[0] ? ps->hop_why : "gone");
		return SMTP_DEFAULT;
	}
	proxy_txn_free(ps->txn);
	t = ps->txn = xcalloc(1, sizeof(*t));
	t->ps = ps;
	t->msg.fd = -1;
	if ((t->msg.buf = evbuffer_new()) == NULL)
		fatalx("proxy: out of memory");
	return SMTP_DEFAULT;
}

/* Write what is buffered for the spool file. */
static int
proxy_spool_flush(struct proxy_txn *t)
{
	while (evbuffer_get_length(t->wbuf) > 0) {
		if (evbuffer_write(t->wbuf, t->msg.fd) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			log_warn("proxy: writing the spool file");
			return -1;
		}
	}
	return 0;
}

static int
proxy_spool_start(struct proxy *p, struct proxy_txn *t)
{
	char	 path[1024];

	if (snprintf(path, sizeof(path), "%s/proxy.XXXXXXXXXX",
	    p->spool_dir) >= (int)sizeof(path)) {
		log_warnx("proxy: spool directory name too long");
		return -1;
	}
	if ((t->msg.fd = mkstemp(path)) == -1) {
		log_warn("proxy: mkstemp %s", path);
		return -1;
	}
	(void)unlink(path);
	/* what is in memory goes first */
	t->wbuf = t->msg.buf;
	t->msg.buf = NULL;
	return proxy_spool_flush(t);
}

static int
proxy_h_body(struct smtp_session *sess, void *arg, const char *line,
    size_t len, int flags)
{
	struct proxy_session	*ps = arg;
	struct proxy_txn	*t = ps->txn;

	if (t == NULL || t->failed)
		return -1;
	t->msg.size += len;
	if (t->msg.fd == -1) {
		if (evbuffer_add(t->msg.buf, line, len) == -1)
			fatalx("proxy: out of memory");
		if (evbuffer_get_length(t->msg.buf) > ps->p->conf.mem_max &&
		    proxy_spool_start(ps->p, t) == -1) {
			t->failed = 1;
			return -1;
		}
		return 0;
	}
	if (evbuffer_add(t->wbuf, line, len) == -1)
		fatalx("proxy: out of memory");
	if (evbuffer_get_length(t->wbuf) >= PROXY_FLUSH &&
	    proxy_spool_flush(t) == -1) {
		t->failed = 1;
		return -1;
	}
	return 0;
}

static int
proxy_h_eom(struct smtp_session *sess, void *arg, const struct smtp_msg *sm)
{
	struct proxy_session	*ps = arg;
	struct proxy_txn	*t = ps->txn;
	const char		*helo;
	size_t			 i;

	if (t == NULL)
		return SMTP_DEFAULT;	/* cannot happen */
	if (t->wbuf != NULL && proxy_spool_flush(t) == -1) {
		ps->txn = NULL;
		proxy_txn_free(t);
		smtp_reply(sess, "451 4.3.0 Cannot spool the message");
		return SMTP_DEFAULT;
	}
	if (t->wbuf != NULL) {
		evbuffer_free(t->wbuf);
		t->wbuf = NULL;
	}
	if (ps->hop_dead || ps->hop == NULL) {
		ps->txn = NULL;
		proxy_txn_free(t);
		smtp_reply(sess, "421 4.4.2 %s Next hop failed: %s",
		    ps->p->hostname, ps->hop_why[0] ? ps->hop_why : "gone");
		return SMTP_DEFAULT;
	}
	t->msg.peer = ps->peer;
	if ((helo = smtp_session_helo(sess)) != NULL)
		t->helo = xstrdup(helo);
	t->msg.helo = t->helo;
	t->msg.from = xstrdup(ps->from ? ps->from : "");
	t->msg.nrcpts = ps->nrcpts;
	t->msg.rcpts = xcalloc(ps->nrcpts + 1, sizeof(char *));
	for (i = 0; i < ps->nrcpts; i++)
		t->msg.rcpts[i] = xstrdup(ps->rcpts[i]);
	if ((t->msg.head = evbuffer_new()) == NULL)
		fatalx("proxy: out of memory");
	ps->pending = P_DATA;
	if (ps->p->conf.transform == NULL) {
		proxy_relay(t, PROXY_UNCHANGED);
		return SMTP_DEFER;
	}
	t->transforming = 1;
	ps->p->conf.transform(&t->msg, ps->p->conf.arg);
	return SMTP_DEFER;
}

void
proxy_done(struct proxy_msg *msg, int result, const char *reply)
{
	struct proxy_txn	*t = (struct proxy_txn *)msg;
	struct proxy_session	*ps = t->ps;
	size_t			 i, n = 1;

	t->transforming = 0;
	if (ps == NULL) {
		proxy_txn_free(t);
		return;
	}
	if (result == PROXY_REJECT) {
		if (reply == NULL || (reply[0] != '4' && reply[0] != '5'))
			reply = "451 4.3.0 Message refused by the filter";
		if (ps->p->conf.flags & SMTP_F_LMTP)
			n = ps->nrcpts;
		/* our state first: a reply may end the session */
		ps->pending = P_NONE;
		ps->txn = NULL;
		proxy_envelope_clear(ps);
		if (ps->hop != NULL)
			smtpc_reset(ps->hop);
		for (i = 0; i < n; i++)
			smtp_reply(ps->sess, "%s", reply);
		proxy_txn_free(t);
		return;
	}
	proxy_relay(t, result);
}

/* Send the message (as transformed) to the next hop. */
static void
proxy_relay(struct proxy_txn *t, int result)
{
	struct proxy_session	*ps = t->ps;
	struct smtpc_msg	*m = &t->cmsg;
	size_t			 i;

	smtpc_msg_init(m, t->msg.from);
	for (i = 0; i < t->msg.nrcpts; i++)
		smtpc_msg_add_rcpt(m, t->msg.rcpts[i]);
	if (result == PROXY_RELAY) {
		if (evbuffer_get_length(t->msg.head) > 0)
			m->head = t->msg.head;
		if (t->msg.body != NULL) {
			m->body = t->msg.body;
			m->fd = -1;
		}
	}
	if (m->body == NULL) {
		m->body = t->msg.buf;
		m->fd = t->msg.fd;
	}
	if (ps->hop == NULL || smtpc_data(ps->hop, m) == -1) {
		ps->pending = P_NONE;
		ps->txn = NULL;
		proxy_txn_free(t);
		smtp_reply(ps->sess, "421 4.4.2 %s Next hop failed",
		    ps->p->hostname);
	}
}

static int
proxy_h_rset(struct smtp_session *sess, void *arg, enum smtp_rset_why why)
{
	struct proxy_session	*ps = arg;

	proxy_envelope_clear(ps);
	if (ps->txn != NULL && !ps->txn->transforming) {
		proxy_txn_free(ps->txn);
		ps->txn = NULL;
	}
	if (why == SMTP_RSET_DISCONNECT)
		return SMTP_DEFAULT;
	if (why == SMTP_RSET_CMD)
		return proxy_relay_cmd(ps, P_RSET, "RSET", NULL, NULL);
	if (ps->hop != NULL)
		smtpc_reset(ps->hop);
	return SMTP_DEFAULT;
}

static void
proxy_h_disconnect(struct smtp_session *sess, void *arg, const char *why)
{
	struct proxy_session	*ps = arg;

	if (ps == NULL)
		return;
	ps->sess = NULL;
	ps->pending = P_NONE;
	if (ps->hop != NULL && !ps->hop_dead && ps->txn == NULL) {
		/* a polite QUIT; freed when the next hop answers */
		smtpc_quit(ps->hop);
		return;
	}
	proxy_session_free(ps);
}

ssize_t
proxy_msg_read(struct proxy_msg *msg, size_t off, void *buf, size_t len)
{
	struct evbuffer_ptr	 pos;
	ssize_t			 n;

	if (msg->buf != NULL) {
		if (off >= evbuffer_get_length(msg->buf))
			return 0;
		if (evbuffer_ptr_set(msg->buf, &pos, off,
		    EVBUFFER_PTR_SET) == -1)
			return -1;
		return evbuffer_copyout_from(msg->buf, &pos, buf, len);
	}
	if (msg->fd == -1)
		return 0;
	do {
		n = pread(msg->fd, buf, len, off);
	} while (n == -1 && errno == EINTR);
	return n;
}
