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
 * The SMTP proxy's transform (common/proxy does the SMTP: the client's
 * end of data is answered with the next hop's answer, a next hop that is
 * down gives 421 at the greeting or 451 after the data).  Here, as
 * spampd's process_message does: a message of --maxsize KB or more is
 * relayed untouched ("skipped large message"); otherwise it is scanned
 * by a worker; spam (and with --tagall every message) is relayed as
 * SpamAssassin rewrites it, ham as it came; a scan that fails or times
 * out relays the message untagged, or with --dose answers 450.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>

#include "log.h"
#include "proxy.h"
#include "xmalloc.h"

#include "fd.h"

#define FD_DOSE_REPLY	"450 4.7.1 Temporary failure processing message, " \
			"please try again later"

struct fd_pmsg {
	struct proxy_msg	*msg;
	struct fd_proxy_ctx	*ctx;
	char			 msgid[256];
	char			*rcpts;
	size_t			 size;
};

static void	fd_scanned(struct fd_result *, void *);
static void	fd_out_free(const void *, size_t, void *);
static char	*fd_rcpts(const struct proxy_msg *);

void
fd_msgid(const char *m, size_t len, char *out, size_t outlen)
{
	const char	*p = m, *end = m + len, *e;
	size_t		 n;

	(void)strlcpy(out, "(unknown)", outlen);
	while (p < end && *p != '\r' && *p != '\n') {
		if ((size_t)(end - p) > 11 &&
		    strncasecmp(p, "Message-ID:", 11) == 0) {
			p += 11;
			while (p < end && (*p == ' ' || *p == '\t' ||
			    *p == '\r' || *p == '\n'))
				p++;
			for (e = p; e < end && *e != '\r' && *e != '\n' &&
			    *e != ' ' && *e != '\t'; e++)
				;
			n = e - p;
			if (n > 0) {
				if (n >= outlen)
					n = outlen - 1;
				memcpy(out, p, n);
				out[n] = '\0';
			}
			return;
		}
		if ((p = memchr(p, '\n', end - p)) == NULL)
			return;
		p++;
	}
}

static char *
fd_rcpts(const struct proxy_msg *msg)
{
	struct evbuffer	*b;
	char		*s;
	size_t		 i, n;

	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	for (i = 0; i < msg->nrcpts; i++)
		evbuffer_add_printf(b, "%s<%s>", i ? "," : "", msg->rcpts[i]);
	n = evbuffer_get_length(b);
	s = xmalloc(n + 1);
	evbuffer_remove(b, s, n);
	s[n] = '\0';
	evbuffer_free(b);
	return s;
}

void
fd_transform(struct proxy_msg *msg, void *arg)
{
	struct fd_proxy_ctx	*ctx = arg;
	struct fd_pmsg		*pm;
	char			*buf, *rcpts;
	size_t			 off = 0;
	ssize_t			 r;
	char			 msgid[256];

	rcpts = fd_rcpts(msg);
	if ((long long)msg->size >= ctx->opts->maxsize * 1024) {
		fd_stats.skipped++;
		log_info("skipped large message (%.15gKB)",
		    msg->size / 1024.0);
		free(rcpts);
		proxy_done(msg, PROXY_RELAY, NULL);
		return;
	}
	buf = xmalloc(msg->size + 1);
	while (off < msg->size && (r = proxy_msg_read(msg, off, buf + off,
	    msg->size - off)) > 0)
		off += r;
	buf[off] = '\0';
	fd_msgid(buf, off, msgid, sizeof(msgid));
	log_info("processing message %s for %s", msgid, rcpts);
	pm = xcalloc(1, sizeof(*pm));
	pm->msg = msg;
	pm->ctx = ctx;
	pm->rcpts = rcpts;
	pm->size = off;
	(void)strlcpy(pm->msgid, msgid, sizeof(pm->msgid));
	(void)fd_scan(ctx->scanner, FD_CMD_PROCESS, buf, off,
	    (ctx->opts->sef || ctx->opts->seh) ? msg->from : NULL,
	    fd_scanned, pm);
}

static void
fd_out_free(const void *data, size_t len, void *arg)
{
	free((void *)data);
}

static void
fd_scanned(struct fd_result *res, void *arg)
{
	struct fd_pmsg		*pm = arg;
	const struct fd_opts	*o = pm->ctx->opts;
	struct proxy_msg	*msg = pm->msg;

	if (res->status != FD_OK) {
		log_warnx("WARNING!! SpamAssassin error on message %s: %s%s",
		    pm->msgid, res->err, o->dose ? " (--dose: 450)" :
		    ", relayed untagged");
		if (o->dose)
			proxy_done(msg, PROXY_REJECT, FD_DOSE_REPLY);
		else
			proxy_done(msg, PROXY_UNCHANGED, NULL);
		goto done;
	}
	log_info("%s %s (%.2f/%.2f) from <%s> for %s in %.2fs, %zu bytes.",
	    res->is_spam ? "identified spam" : "clean message", pm->msgid,
	    strtod(res->score, NULL), strtod(res->required, NULL), msg->from,
	    pm->rcpts, res->secs, pm->size);
	if (o->log_rules_hit)
		log_info("rules hit for %s: %s", pm->msgid,
		    res->tests != NULL ? res->tests : "");
	if ((res->is_spam || o->tagall) && res->out != NULL) {
		if ((msg->body = evbuffer_new()) == NULL)
			fatal("evbuffer_new");
		/* the scan's output is relayed as it is, not copied */
		if (evbuffer_add_reference(msg->body, res->out, res->outlen,
		    fd_out_free, NULL) == -1)
			fatal("evbuffer_add_reference");
		res->out = NULL;
	}
	proxy_done(msg, PROXY_RELAY, NULL);
 done:
	free(pm->rcpts);
	free(pm);
}
