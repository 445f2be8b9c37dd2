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
 * The SMTP server engine: sessions, state machine, hooks.  Skeleton:
 * the real engine follows.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "smtp.h"
#include "xmalloc.h"

struct smtp_server {
	struct smtp_config	 conf;
};

struct smtp_server *
smtp_server_new(struct event_base *base, const struct smtp_config *conf)
{
	struct smtp_server	*srv;

	srv = xcalloc(1, sizeof(*srv));
	srv->conf = *conf;
	return srv;
}

void
smtp_server_free(struct smtp_server *srv)
{
	free(srv);
}

int
smtp_server_listen(struct smtp_server *srv, int fd)
{
	return -1;
}

const struct smtp_config *
smtp_server_config(struct smtp_server *srv)
{
	return &srv->conf;
}

struct smtp_session *
smtp_session_new(struct smtp_server *srv, int fd, const struct sockaddr *sa,
    socklen_t salen)
{
	close(fd);
	return NULL;
}

void
smtp_reply(struct smtp_session *s, const char *fmt, ...)
{
}

void
smtp_vreply(struct smtp_session *s, const char *fmt, va_list ap)
{
}

void
smtp_data_fail(struct smtp_session *s, const char *fmt, ...)
{
}

void
smtp_session_set_pace(struct smtp_session *s, int msec)
{
}

void
smtp_pause(struct smtp_session *s)
{
}

void
smtp_resume(struct smtp_session *s)
{
}

void
smtp_session_close(struct smtp_session *s, const char *reason)
{
}

void
smtp_session_set_arg(struct smtp_session *s, void *arg)
{
}

void *
smtp_session_arg(struct smtp_session *s)
{
	return NULL;
}

struct smtp_server *
smtp_session_server(struct smtp_session *s)
{
	return NULL;
}

uint64_t
smtp_session_id(struct smtp_session *s)
{
	return 0;
}

const struct sockaddr *
smtp_session_peer(struct smtp_session *s)
{
	return NULL;
}

const struct sockaddr *
smtp_session_local(struct smtp_session *s)
{
	return NULL;
}

const char *
smtp_session_peer_addr(struct smtp_session *s)
{
	return NULL;
}

const char *
smtp_session_helo(struct smtp_session *s)
{
	return NULL;
}

int
smtp_session_esmtp(struct smtp_session *s)
{
	return 0;
}

int
smtp_session_tls(struct smtp_session *s)
{
	return 0;
}

const char *
smtp_session_tls_info(struct smtp_session *s)
{
	return NULL;
}

const char *
smtp_session_auth_user(struct smtp_session *s)
{
	return NULL;
}

const char *
smtp_session_tag(struct smtp_session *s)
{
	return NULL;
}

const struct smtp_addr *
smtp_session_mail_from(struct smtp_session *s)
{
	return NULL;
}

const struct smtp_mail_params *
smtp_session_mail_params(struct smtp_session *s)
{
	return NULL;
}

size_t
smtp_session_nrcpt(struct smtp_session *s)
{
	return 0;
}

const struct smtp_rcpt *
smtp_session_rcpt(struct smtp_session *s, size_t i)
{
	return NULL;
}
