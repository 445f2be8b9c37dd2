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
 * The scanners behind fd_scan().
 *
 * The pool: --children worker processes forked from the daemon after
 * the rules are loaded and compiled (the engine's pages are shared), each
 * serving one scan at a time over a socketpair: the request is a struct
 * fd_wreq, the envelope sender and the message; the answer a struct
 * fd_wrep and its strings.  The event loop only moves bytes.  A scan
 * past --satimeout gets its worker killed (SIGKILL) and replaced; the
 * scan answers FD_TIMEOUT.  A worker that dies answers FD_ERROR and is
 * replaced.  Scans wait in a queue while every worker is busy.
 *
 * The spamd scanner (--delegate): each scan is one connection to a real
 * spamd, the request the spamd protocol's (SPAMC/1.5, Content-length),
 * the answer read to its end and parsed (fd_spamc_parse).
 */

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "log.h"
#include "mimedec.h"
#include "xmalloc.h"

#include "fd.h"
#include "sa_engine.h"

#define FD_WORKER_FD	3
#define FD_POOL		1
#define FD_SPAMD	2

struct fd_wreq {
	uint32_t	 cmd;
	uint32_t	 fromlen;
	uint64_t	 len;
};

struct fd_wrep {
	uint32_t	 status;
	uint32_t	 is_spam;
	char		 score[FD_SCORE_MAX];
	char		 required[FD_SCORE_MAX];
	char		 err[FD_ERR_MAX];
	uint64_t	 ntests;
	uint64_t	 nreport;
	uint64_t	 nout;
};

struct fd_worker {
	struct fd_scanner	*s;
	pid_t			 pid;
	struct bufferevent	*bev;
	struct fd_job		*job;
	struct event		*timer;
	int			 retire;	/* replace after this scan */
};

struct fd_job {
	TAILQ_ENTRY(fd_job)	 entry;
	struct fd_scanner	*s;
	enum fd_cmd		 cmd;
	char			*msg;
	size_t			 len;
	char			*from;
	fd_scan_cb		 cb;
	void			*arg;
	struct fd_worker	*w;
	struct timespec		 start;
	struct bufferevent	*bev;		/* spamd */
	struct event		*ev;		/* deferred answer */
	int			 queued;
	struct fd_result	 res;
};
TAILQ_HEAD(fd_jobq, fd_job);

struct fd_scanner {
	int			 kind;
	struct event_base	*base;
	struct sa_engine	*engine;
	struct fd_worker	*w;
	int			 nw;
	int			 timeout;	/* seconds */
	struct fd_jobq		 queue;
	struct fd_jobq		 running;	/* spamd */
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	char			*where;		/* for the log */
};

struct fd_stats	fd_stats;
static int	fd_wlog_debug = 1;
static int	fd_wlog_fac = LOG_MAIL;

static void	fd_job_free(struct fd_job *);
static void	fd_job_finish(struct fd_job *);
static void	fd_job_later(int, short, void *);
static void	fd_answer_later(struct fd_job *);
static int	fd_worker_spawn(struct fd_worker *);
static void	fd_worker_kill(struct fd_worker *);
static void	fd_worker_read(struct bufferevent *, void *);
static void	fd_worker_event(struct bufferevent *, short, void *);
static void	fd_worker_timeout(int, short, void *);
static void	fd_worker_start(struct fd_worker *, struct fd_job *);
static void	fd_pool_next(struct fd_scanner *);
static __dead void fd_worker_main(int, struct sa_engine *);
static void	fd_worker_scan(struct sa_engine *, struct fd_wreq *, char *,
		    char *, struct fd_wrep *, struct mimebuf *,
		    struct mimebuf *, struct mimebuf *);
static int	fd_readn(int, void *, size_t);
static int	fd_writev(int, struct iovec *, int);
static void	fd_spamd_start(struct fd_job *);
static void	fd_spamd_read(struct bufferevent *, void *);
static void	fd_spamd_event(struct bufferevent *, short, void *);
static double	fd_elapsed(const struct timespec *);

static double
fd_elapsed(const struct timespec *t0)
{
	struct timespec	 t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) + (t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* ---- the pool ---- */

struct fd_scanner *
fd_scanner_pool(struct event_base *base, struct sa_engine *e, int n,
    int timeout)
{
	struct fd_scanner	*s;
	int			 i;

	s = xcalloc(1, sizeof(*s));
	s->kind = FD_POOL;
	s->base = base;
	s->engine = e;
	s->timeout = timeout;
	TAILQ_INIT(&s->queue);
	TAILQ_INIT(&s->running);
	s->nw = e != NULL ? n : 0;
	s->w = xcalloc(n > 0 ? n : 1, sizeof(*s->w));
	for (i = 0; i < s->nw; i++) {
		s->w[i].s = s;
		s->w[i].pid = -1;
		if ((s->w[i].timer = evtimer_new(base, fd_worker_timeout,
		    &s->w[i])) == NULL)
			fatalx("evtimer_new");
		if (fd_worker_spawn(&s->w[i]) == -1) {
			fd_scanner_free(s);
			return NULL;
		}
	}
	return s;
}

/* How the workers log (log_init's arguments), before they start. */
void
fd_scan_logging(int debug, int fac)
{
	fd_wlog_debug = debug;
	fd_wlog_fac = fac;
}

void
fd_scanner_free(struct fd_scanner *s)
{
	struct fd_job	*j;
	int		 i;

	if (s == NULL)
		return;
	while ((j = TAILQ_FIRST(&s->queue)) != NULL) {
		TAILQ_REMOVE(&s->queue, j, entry);
		fd_job_free(j);
	}
	while ((j = TAILQ_FIRST(&s->running)) != NULL) {
		TAILQ_REMOVE(&s->running, j, entry);
		fd_job_free(j);
	}
	for (i = 0; i < s->nw; i++) {
		if (s->w[i].job != NULL) {
			s->w[i].job->w = NULL;
			fd_job_free(s->w[i].job);
		}
		if (s->w[i].bev != NULL)
			bufferevent_free(s->w[i].bev);
		if (s->w[i].pid != -1) {
			(void)kill(s->w[i].pid, SIGTERM);
			(void)waitpid(s->w[i].pid, NULL, 0);
		}
		if (s->w[i].timer != NULL)
			event_free(s->w[i].timer);
	}
	free(s->w);
	free(s->where);
	free(s);
}

static int
fd_worker_spawn(struct fd_worker *w)
{
	struct fd_scanner	*s = w->s;
	int			 sv[2], sig, verbose;
	pid_t			 pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("worker socketpair");
		return -1;
	}
	if ((pid = fork()) == -1) {
		log_warn("worker fork");
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		/* nothing of the daemon's but the engine and stderr */
		if (dup2(sv[1], FD_WORKER_FD) == -1)
			_exit(1);
		closelog();
		closefrom(FD_WORKER_FD + 1);
		for (sig = 1; sig < NSIG; sig++)
			if (sig != SIGKILL && sig != SIGSTOP)
				(void)signal(sig, SIG_DFL);
		(void)signal(SIGPIPE, SIG_IGN);
		(void)signal(SIGHUP, SIG_IGN);
		verbose = log_getverbose();
		log_init(fd_wlog_debug, fd_wlog_fac);
		log_setverbose(verbose);
		log_procinit("filterd worker");
		setproctitle("worker");
		fd_worker_main(FD_WORKER_FD, s->engine);
	}
	close(sv[1]);
	w->pid = pid;
	if (evutil_make_socket_nonblocking(sv[0]) == -1)
		fatal("worker socket");
	if ((w->bev = bufferevent_socket_new(s->base, sv[0],
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(w->bev, fd_worker_read, NULL, fd_worker_event, w);
	bufferevent_enable(w->bev, EV_READ | EV_WRITE);
	log_debug("worker %ld started", (long)pid);
	return 0;
}

/* A worker's pid was reaped (SIGCHLD). */
int
fd_scanner_reap(struct fd_scanner *s, pid_t pid, int status)
{
	int	 i;

	if (s == NULL)
		return 0;
	for (i = 0; i < s->nw; i++)
		if (s->w[i].pid == pid) {
			if (WIFSIGNALED(status) &&
			    WTERMSIG(status) != SIGKILL)
				log_warnx("worker %ld died of signal %d",
				    (long)pid, WTERMSIG(status));
			s->w[i].pid = -1;
			fd_worker_kill(&s->w[i]);
			return 1;
		}
	return 0;
}

/* Stop a worker (its scan answered by the caller first), start another. */
static void
fd_worker_kill(struct fd_worker *w)
{
	w->retire = 0;
	if (w->bev != NULL) {
		bufferevent_free(w->bev);
		w->bev = NULL;
	}
	if (w->pid != -1) {
		(void)kill(w->pid, SIGKILL);
		/* reaped by the SIGCHLD handler's waitpid */
		w->pid = -1;
	}
	evtimer_del(w->timer);
	if (w->job != NULL) {
		w->job->w = NULL;
		if (w->job->res.status == FD_OK) {
			w->job->res.status = FD_ERROR;
			(void)strlcpy(w->job->res.err, "the worker died",
			    sizeof(w->job->res.err));
		}
		fd_job_finish(w->job);
		w->job = NULL;
	}
	if (fd_worker_spawn(w) == -1)
		log_warnx("worker not replaced");
	fd_pool_next(w->s);
}

static void
fd_worker_timeout(int fd, short ev, void *arg)
{
	struct fd_worker	*w = arg;

	if (w->job != NULL) {
		w->job->res.status = FD_TIMEOUT;
		(void)snprintf(w->job->res.err, sizeof(w->job->res.err),
		    "scan timed out after %d s (--satimeout)",
		    w->s->timeout);
		fd_stats.timeouts++;
	}
	fd_worker_kill(w);
}

static void
fd_worker_event(struct bufferevent *bev, short what, void *arg)
{
	struct fd_worker	*w = arg;

	log_warnx("worker %ld: %s", (long)w->pid, (what & BEV_EVENT_EOF) ?
	    "closed" : "error");
	fd_worker_kill(w);
}

static void
fd_worker_read(struct bufferevent *bev, void *arg)
{
	struct fd_worker	*w = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	struct fd_wrep		 rep;
	struct fd_job		*j = w->job;
	size_t			 need;

	if (evbuffer_get_length(in) < sizeof(rep))
		return;
	evbuffer_copyout(in, &rep, sizeof(rep));
	need = sizeof(rep) + rep.ntests + rep.nreport + rep.nout;
	if (evbuffer_get_length(in) < need)
		return;
	evbuffer_drain(in, sizeof(rep));
	if (j == NULL) {	/* cannot happen: one scan at a time */
		evbuffer_drain(in, need - sizeof(rep));
		return;
	}
	evtimer_del(w->timer);
	j->res.status = rep.status;
	j->res.is_spam = rep.is_spam;
	rep.score[sizeof(rep.score) - 1] = '\0';
	rep.required[sizeof(rep.required) - 1] = '\0';
	rep.err[sizeof(rep.err) - 1] = '\0';
	(void)strlcpy(j->res.score, rep.score, sizeof(j->res.score));
	(void)strlcpy(j->res.required, rep.required,
	    sizeof(j->res.required));
	(void)strlcpy(j->res.err, rep.err, sizeof(j->res.err));
	j->res.tests = xmalloc(rep.ntests + 1);
	evbuffer_remove(in, j->res.tests, rep.ntests);
	j->res.tests[rep.ntests] = '\0';
	if (rep.nreport > 0 || j->cmd == FD_CMD_REPORT ||
	    j->cmd == FD_CMD_REPORT_IFSPAM) {
		j->res.report = xmalloc(rep.nreport + 1);
		evbuffer_remove(in, j->res.report, rep.nreport);
		j->res.report[rep.nreport] = '\0';
	}
	if (rep.nout > 0) {
		j->res.out = xmalloc(rep.nout + 1);
		evbuffer_remove(in, j->res.out, rep.nout);
		j->res.out[rep.nout] = '\0';
		j->res.outlen = rep.nout;
	}
	w->job = NULL;
	j->w = NULL;
	fd_job_finish(j);
	if (w->retire)
		fd_worker_kill(w);	/* replaced with the new engine */
	else
		fd_pool_next(w->s);
}

/*
 * New rules (SIGHUP): workers forked from now on get this engine; idle
 * ones are replaced at once, busy ones after their scan.  Each worker
 * has its own copy of the old engine: the caller may free it at once.
 */
void
fd_scanner_set_engine(struct fd_scanner *s, struct sa_engine *e)
{
	int	 i;

	s->engine = e;
	for (i = 0; i < s->nw; i++) {
		if (s->w[i].job != NULL)
			s->w[i].retire = 1;
		else
			fd_worker_kill(&s->w[i]);
	}
}

/*
 * The request goes out at once in one write when it fits in the socket
 * (the worker is idle: nothing else is queued), the rest through the
 * bufferevent; the message itself is not copied (it lives as long as
 * the job, and the job until the worker answered or died).
 */
static void
fd_worker_start(struct fd_worker *w, struct fd_job *j)
{
	struct evbuffer	*out = bufferevent_get_output(w->bev);
	struct fd_wreq	 req;
	struct timeval	 tv;
	struct iovec	 iov[3];
	ssize_t		 r = 0;
	size_t		 i;

	memset(&req, 0, sizeof(req));
	req.cmd = j->cmd;
	req.fromlen = j->from != NULL ? strlen(j->from) : 0;
	req.len = j->len;
	w->job = j;
	j->w = w;
	iov[0].iov_base = &req;
	iov[0].iov_len = sizeof(req);
	iov[1].iov_base = j->from;
	iov[1].iov_len = req.fromlen;
	iov[2].iov_base = j->msg;
	iov[2].iov_len = j->len;
	if (evbuffer_get_length(out) == 0) {
		do {
			r = writev(bufferevent_getfd(w->bev), iov, 3);
		} while (r == -1 && errno == EINTR);
		if (r == -1)
			r = 0;	/* EAGAIN; errors show on the bufferevent */
	}
	for (i = 0; i < 3; i++) {
		if ((size_t)r >= iov[i].iov_len) {
			r -= iov[i].iov_len;
			continue;
		}
		if (i < 2)
			bufferevent_write(w->bev, (char *)iov[i].iov_base + r,
			    iov[i].iov_len - r);
		else
			evbuffer_add_reference(out, j->msg + r, j->len - r,
			    NULL, NULL);
		r = 0;
	}
	tv.tv_sec = w->s->timeout;
	tv.tv_usec = 0;
	evtimer_add(w->timer, &tv);
}

static void
fd_pool_next(struct fd_scanner *s)
{
	struct fd_job	*j;
	int		 i;

	while ((j = TAILQ_FIRST(&s->queue)) != NULL) {
		for (i = 0; i < s->nw; i++)
			if (s->w[i].job == NULL && s->w[i].bev != NULL)
				break;
		if (i == s->nw)
			return;
		TAILQ_REMOVE(&s->queue, j, entry);
		j->queued = 0;
		fd_worker_start(&s->w[i], j);
	}
}

/* ---- the worker process ---- */

/* Read n octets, blocking; 0 or -1 (EOF, error). */
static int
fd_readn(int fd, void *p, size_t n)
{
	ssize_t	 r;
	char	*c = p;

	while (n > 0) {
		r = read(fd, c, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		c += r;
		n -= r;
	}
	return 0;
}

/* Write all of iov (one system call unless the socket is full). */
static int
fd_writev(int fd, struct iovec *iov, int n)
{
	ssize_t	 r;

	while (n > 0) {
		if (iov->iov_len == 0) {
			iov++;
			n--;
			continue;
		}
		if ((r = writev(fd, iov, n)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		while (n > 0 && (size_t)r >= iov->iov_len) {
			r -= iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + r;
			iov->iov_len -= r;
		}
	}
	return 0;
}

static void
fd_worker_scan(struct sa_engine *e, struct fd_wreq *req, char *from,
    char *msg, struct fd_wrep *rep, struct mimebuf *tests,
    struct mimebuf *report, struct mimebuf *out)
{
	struct sa_envelope	 env;
	struct sa_result	*res;
	char			*p;

	memset(&env, 0, sizeof(env));
	env.mail_from = from;
	if (sa_scan(e, msg, req->len, from != NULL ? &env : NULL,
	    &res) == -1) {
		rep->status = FD_ERROR;
		(void)snprintf(rep->err, sizeof(rep->err), "scan failed: %s",
		    strerror(errno));
		return;
	}
	rep->status = FD_OK;
	rep->is_spam = res->is_spam;
	sa_out_score(res, rep->score, sizeof(rep->score));
	(void)snprintf(rep->required, sizeof(rep->required), "%2.1f",
	    res->required);
	if (sa_out_tests(res, ",", tests) == -1)
		goto fail;
	if ((req->cmd == FD_CMD_REPORT || (req->cmd == FD_CMD_REPORT_IFSPAM &&
	    res->is_spam)) && sa_out_report(res, report) == -1)
		goto fail;
	if (req->cmd == FD_CMD_PROCESS || req->cmd == FD_CMD_HEADERS) {
		if (sa_out_message(res, out) == -1)
			goto fail;
		if (req->cmd == FD_CMD_HEADERS && out->buf != NULL) {
			/* spamd: up to the first empty line, kept */
			if ((p = strstr(out->buf, "\r\n\r\n")) != NULL &&
			    (strstr(out->buf, "\n\n") == NULL ||
			    p < strstr(out->buf, "\n\n")))
				out->len = p + 4 - out->buf;
			else if ((p = strstr(out->buf, "\n\n")) != NULL)
				out->len = p + 2 - out->buf;
		}
	}
	sa_result_free(res);
	return;
 fail:
	rep->status = FD_ERROR;
	(void)strlcpy(rep->err, "cannot write the result", sizeof(rep->err));
	sa_result_free(res);
}

static __dead void
fd_worker_main(int fd, struct sa_engine *e)
{
	struct fd_wreq	 req;
	struct fd_wrep	 rep;
	struct mimebuf	 tests, report, out;
	struct iovec	 iov[4];
	char		*from, *msg;

	for (;;) {
		if (fd_readn(fd, &req, sizeof(req)) == -1)
			_exit(0);
		from = xmalloc((size_t)req.fromlen + 1);
		msg = xmalloc(req.len + 1);
		if ((req.fromlen > 0 && fd_readn(fd, from, req.fromlen) ==
		    -1) || fd_readn(fd, msg, req.len) == -1)
			_exit(0);
		from[req.fromlen] = '\0';
		msg[req.len] = '\0';
		memset(&rep, 0, sizeof(rep));
		mimebuf_init(&tests);
		mimebuf_init(&report);
		mimebuf_init(&out);
		fd_worker_scan(e, &req, req.fromlen > 0 ? from : NULL, msg,
		    &rep, &tests, &report, &out);
		rep.ntests = tests.len;
		rep.nreport = report.len;
		rep.nout = out.len;
		/* one write: the daemon wakes up once for the answer */
		iov[0].iov_base = &rep;
		iov[0].iov_len = sizeof(rep);
		iov[1].iov_base = tests.buf;
		iov[1].iov_len = tests.len;
		iov[2].iov_base = report.buf;
		iov[2].iov_len = report.len;
		iov[3].iov_base = out.buf;
		iov[3].iov_len = out.len;
		if (fd_writev(fd, iov, 4) == -1)
			_exit(0);
		mimebuf_free(&tests);
		mimebuf_free(&report);
		mimebuf_free(&out);
		free(from);
		free(msg);
	}
}

/* ---- jobs ---- */

struct fd_job *
fd_scan(struct fd_scanner *s, enum fd_cmd cmd, char *msg, size_t len,
    const char *from, fd_scan_cb cb, void *arg)
{
	struct fd_job	*j;

	j = xcalloc(1, sizeof(*j));
	j->s = s;
	j->cmd = cmd;
	j->msg = msg;
	j->len = len;
	j->from = from != NULL ? xstrdup(from) : NULL;
	j->cb = cb;
	j->arg = arg;
	clock_gettime(CLOCK_MONOTONIC, &j->start);
	if (s->kind == FD_SPAMD) {
		fd_spamd_start(j);
		return j;
	}
	if (s->nw == 0) {
		j->res.status = FD_ERROR;
		(void)strlcpy(j->res.err, "no scan engine",
		    sizeof(j->res.err));
		fd_answer_later(j);
		return j;
	}
	TAILQ_INSERT_TAIL(&s->queue, j, entry);
	j->queued = 1;
	fd_pool_next(s);
	return j;
}

static void
fd_answer_later(struct fd_job *j)
{
	struct timeval	 tv = { 0, 0 };

	if ((j->ev = evtimer_new(j->s->base, fd_job_later, j)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(j->ev, &tv);
}

static void
fd_job_later(int fd, short ev, void *arg)
{
	fd_job_finish(arg);
}

/* Answer and free. */
static void
fd_job_finish(struct fd_job *j)
{
	j->res.secs = fd_elapsed(&j->start);
	if (j->res.status == FD_OK) {
		fd_stats.scanned++;
		fd_stats.spam += j->res.is_spam != 0;
	} else
		fd_stats.errors++;
	if (j->cb != NULL)
		j->cb(&j->res, j->arg);
	fd_job_free(j);
}

void
fd_scan_cancel(struct fd_job *j)
{
	if (j == NULL)
		return;
	j->cb = NULL;
	if (j->queued) {
		TAILQ_REMOVE(&j->s->queue, j, entry);
		fd_job_free(j);
	}
	/* else it finishes and is freed, unanswered */
}

static void
fd_job_free(struct fd_job *j)
{
	if (j->bev != NULL) {
		bufferevent_free(j->bev);
		TAILQ_REMOVE(&j->s->running, j, entry);
	}
	if (j->ev != NULL)
		event_free(j->ev);
	fd_result_clear(&j->res);
	free(j->msg);
	free(j->from);
	free(j);
}

/* ---- a real spamd ---- */

struct fd_scanner *
fd_scanner_spamd(struct event_base *base, const char *host,
    const char *port, const char *path, int timeout, char *err,
    size_t errlen)
{
	struct fd_scanner	*s;
	struct addrinfo		 hints, *res;
	struct sockaddr_un	*sun;
	int			 e;

	s = xcalloc(1, sizeof(*s));
	s->kind = FD_SPAMD;
	s->base = base;
	s->timeout = timeout;
	s->w = NULL;
	TAILQ_INIT(&s->queue);
	TAILQ_INIT(&s->running);
	if (path != NULL) {
		sun = (struct sockaddr_un *)&s->ss;
		sun->sun_family = AF_UNIX;
		if (strlcpy(sun->sun_path, path, sizeof(sun->sun_path)) >=
		    sizeof(sun->sun_path)) {
			(void)snprintf(err, errlen, "%s: name too long", path);
			free(s);
			return NULL;
		}
		s->sslen = sizeof(*sun);
		s->where = xstrdup(path);
		return s;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		(void)snprintf(err, errlen, "%s:%s: %s", host, port,
		    gai_strerror(e));
		free(s);
		return NULL;
	}
	memcpy(&s->ss, res->ai_addr, res->ai_addrlen);
	s->sslen = res->ai_addrlen;
	freeaddrinfo(res);
	if (xasprintf(&s->where, "%s:%s", host, port) == -1)
		fatal("asprintf");
	return s;
}

static void
fd_spamd_start(struct fd_job *j)
{
	struct fd_scanner	*s = j->s;
	struct timeval		 tv;
	char			 hdr[128];
	int			 n;

	TAILQ_INSERT_TAIL(&s->running, j, entry);
	if ((j->bev = bufferevent_socket_new(s->base, -1,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		fatalx("bufferevent_socket_new");
	bufferevent_setcb(j->bev, fd_spamd_read, NULL, fd_spamd_event, j);
	tv.tv_sec = s->timeout;
	tv.tv_usec = 0;
	bufferevent_set_timeouts(j->bev, &tv, &tv);
	n = snprintf(hdr, sizeof(hdr), "%s SPAMC/1.5\r\nContent-length: "
	    "%zu\r\n\r\n", fd_cmd_name(j->cmd), j->len);
	if (n < 0 || (size_t)n >= sizeof(hdr))
		fatalx("spamd request");
	bufferevent_write(j->bev, hdr, n);
	bufferevent_write(j->bev, j->msg, j->len);
	bufferevent_enable(j->bev, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(j->bev, (struct sockaddr *)&s->ss,
	    s->sslen) == -1) {
		/* the event callback reports it */
		log_debug("spamd %s: connect failed at once", s->where);
	}
}

static void
fd_spamd_read(struct bufferevent *bev, void *arg)
{
	/* read to the end: spamd closes after its answer */
	(void)bev;
	(void)arg;
}

static void
fd_spamd_event(struct bufferevent *bev, short what, void *arg)
{
	struct fd_job	*j = arg;
	struct evbuffer	*in = bufferevent_get_input(bev);
	size_t		 len;
	const char	*p;

	if (what & BEV_EVENT_CONNECTED)
		return;
	TAILQ_REMOVE(&j->s->running, j, entry);
	j->bev = NULL;
	if (what & BEV_EVENT_EOF) {
		len = evbuffer_get_length(in);
		p = (const char *)evbuffer_pullup(in, len);
		if (fd_spamc_parse(p != NULL ? p : "", len, j->cmd,
		    &j->res) == -1 && j->res.status == FD_OK)
			j->res.status = FD_ERROR;
	} else if (what & BEV_EVENT_TIMEOUT) {
		j->res.status = FD_TIMEOUT;
		(void)snprintf(j->res.err, sizeof(j->res.err),
		    "spamd %s: no answer after %d s (--satimeout)",
		    j->s->where, j->s->timeout);
		fd_stats.timeouts++;
	} else {
		j->res.status = FD_ERROR;
		(void)snprintf(j->res.err, sizeof(j->res.err),
		    "spamd %s: %s", j->s->where,
		    evutil_socket_error_to_string(EVUTIL_SOCKET_ERROR()));
	}
	bufferevent_free(bev);
	fd_job_finish(j);
}
