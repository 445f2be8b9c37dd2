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
 * The spamd protocol, server side (spamd 4.0.1's, SPAMC/1.5): the
 * request parser and the replies (the listener is fd_listen.c).
 *
 * Request: "CMD SPAMC/x.y" CRLF, headers (protocol > 1.0; PING and SKIP
 * only from 1.5) up to an empty line, the message: Content-length
 * octets (the name case-sensitive, as spamd compares it), or up to the
 * client's half-close.  "Compress: zlib" needs a Content-length.  At
 * most 255 header lines.  TELL is refused as spamd refuses it without
 * --allow-tell (filterd learns nothing).
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <zlib.h>

#include "log.h"
#include "xmalloc.h"

#include "fd.h"

#define FD_SPAMD_LINE_MAX	8192
#define FD_SPAMD_HDRS_MAX	255

/* sysexits, as spamd answers them */
#define EX_USAGE_	64
#define EX_DATAERR_	65
#define EX_UNAVAILABLE_	69
#define EX_SOFTWARE_	70
#define EX_IOERR_	74
#define EX_PROTOCOL_	76
#define EX_TIMEOUT_	79

static const struct {
	const char	*name;
	enum fd_cmd	 cmd;
} fd_cmds[] = {
	{ "CHECK", FD_CMD_CHECK },
	{ "SYMBOLS", FD_CMD_SYMBOLS },
	{ "REPORT", FD_CMD_REPORT },
	{ "REPORT_IFSPAM", FD_CMD_REPORT_IFSPAM },
	{ "PROCESS", FD_CMD_PROCESS },
	{ "HEADERS", FD_CMD_HEADERS },
	{ "PING", FD_CMD_PING },
	{ "SKIP", FD_CMD_SKIP },
	{ "TELL", FD_CMD_TELL }
};

static int	fd_spamd_bad(struct fd_spamd_req *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));

const char *
fd_cmd_name(enum fd_cmd cmd)
{
	size_t	 i;

	for (i = 0; i < nitems(fd_cmds); i++)
		if (fd_cmds[i].cmd == cmd)
			return fd_cmds[i].name;
	return "NONE";
}

static int
fd_spamd_bad(struct fd_spamd_req *r, int code, const char *fmt, ...)
{
	va_list	 ap;

	r->error = code;
	va_start(ap, fmt);
	(void)vsnprintf(r->err, sizeof(r->err), fmt, ap);
	va_end(ap);
	return FD_SPAMD_BAD;
}

/* The next line of buf from *off: its length without CRLF, or -1. */
static ssize_t
fd_line(const char *buf, size_t len, size_t off, size_t *next)
{
	const char	*nl;
	size_t		 n;

	if ((nl = memchr(buf + off, '\n', len - off)) == NULL)
		return -1;
	n = nl - (buf + off);
	*next = off + n + 1;
	if (n > 0 && buf[off + n - 1] == '\r')
		n--;
	return n;
}

int
fd_spamd_parse(const char *buf, size_t len, int eof, struct fd_spamd_req *r)
{
	char		 line[FD_SPAMD_LINE_MAX], *sp, *v, *e;
	size_t		 off = 0, next, i, nh;
	ssize_t		 n;
	const char	*errstr;

	memset(r, 0, sizeof(*r));
	r->clen = -1;
	if ((n = fd_line(buf, len, 0, &next)) == -1) {
		if (len >= sizeof(line))
			return fd_spamd_bad(r, EX_PROTOCOL_,
			    "Bad header line: (line too long)");
		if (eof)
			return fd_spamd_bad(r, EX_PROTOCOL_,
			    "Bad header line: (closed before headers)");
		return FD_SPAMD_MORE;
	}
	if ((size_t)n >= sizeof(line))
		return fd_spamd_bad(r, EX_PROTOCOL_,
		    "Bad header line: (line too long)");
	memcpy(line, buf, n);
	line[n] = '\0';
	off = next;
	if ((sp = strchr(line, ' ')) != NULL) {
		*sp = '\0';
		for (i = 0; i < nitems(fd_cmds); i++)
			if (strcmp(line, fd_cmds[i].name) == 0)
				r->cmd = fd_cmds[i].cmd;
		*sp = ' ';
	}
	if (r->cmd == FD_CMD_NONE || strncmp(sp + 1, "SPAMC/", 6) != 0)
		return fd_spamd_bad(r, EX_PROTOCOL_, "Bad header line: %s",
		    line);
	v = sp + 7;
	r->vmajor = strtol(v, &e, 10);
	if (e == v || *e != '.' || !isdigit((unsigned char)e[1]))
		return fd_spamd_bad(r, EX_PROTOCOL_, "Bad header line: %s",
		    line);
	r->vminor = strtol(e + 1, &e, 10);
	if (*e != '\0' || r->vmajor < 0 || r->vminor < 0)
		return fd_spamd_bad(r, EX_PROTOCOL_, "Bad header line: %s",
		    line);
	/* headers: from 1.1 on (PING, SKIP: from 1.5 on) */
	if (r->vmajor > 1 || r->vminor > 0) {
		if ((r->cmd == FD_CMD_PING || r->cmd == FD_CMD_SKIP) &&
		    r->vmajor == 1 && r->vminor < 5) {
			r->hdrlen = off;
			return FD_SPAMD_DONE;
		}
		for (nh = 0;; nh++) {
			if ((n = fd_line(buf, len, off, &next)) == -1) {
				if (len - off >= sizeof(line))
					return fd_spamd_bad(r, EX_PROTOCOL_,
					    "Bad header line: (line too "
					    "long)");
				if (eof)
					return fd_spamd_bad(r, EX_PROTOCOL_,
					    "Bad header line: (EOF during "
					    "headers)");
				return FD_SPAMD_MORE;
			}
			if (nh >= FD_SPAMD_HDRS_MAX)
				return fd_spamd_bad(r, EX_PROTOCOL_,
				    "Bad header line: (too many headers)");
			if ((size_t)n >= sizeof(line))
				return fd_spamd_bad(r, EX_PROTOCOL_,
				    "Bad header line: (line too long)");
			memcpy(line, buf + off, n);
			line[n] = '\0';
			off = next;
			if (n == 0)
				break;
			if ((v = strchr(line, ':')) == NULL)
				return fd_spamd_bad(r, EX_PROTOCOL_,
				    "Bad header line: (header not in "
				    "'Name: value' format)");
			*v++ = '\0';
			v += strspn(v, " \t");
			if (strcmp(line, "Content-length") == 0) {
				if (v[strspn(v, "0123456789")] != '\0')
					return fd_spamd_bad(r, EX_PROTOCOL_,
					    "Bad header line: (Content-Length"
					    " contains non-numeric bytes)");
				r->clen = strtonum(v, 0, 1LL << 40, &errstr);
				if (errstr != NULL)
					return fd_spamd_bad(r, EX_PROTOCOL_,
					    "Bad header line: (Content-Length"
					    " %s)", errstr);
			} else if (strcmp(line, "User") == 0) {
				for (i = 0; v[i] != '\0'; i++)
					if ((unsigned char)v[i] < 0x20)
						return fd_spamd_bad(r,
						    EX_PROTOCOL_, "Bad header "
						    "line: (User header "
						    "contains control chars)");
				(void)strlcpy(r->user, v, sizeof(r->user));
			} else if (strcmp(line, "Compress") == 0) {
				if (strcmp(v, "zlib") != 0)
					return fd_spamd_bad(r, EX_PROTOCOL_,
					    "Bad header line: (compression "
					    "type not supported: %s)", v);
				r->compress = 1;
			}
		}
	}
	r->hdrlen = off;
	if (r->compress && r->clen == -1)
		return fd_spamd_bad(r, EX_UNAVAILABLE_, "Service Unavailable:"
		    " Compress requires Content-length header");
	if (r->cmd == FD_CMD_TELL)
		return fd_spamd_bad(r, EX_UNAVAILABLE_, "Service Unavailable:"
		    " TELL commands are not enabled, set the --allow-tell "
		    "switch.");
	return FD_SPAMD_DONE;
}

/* 1: the body is complete; 0: read on; -1: a length mismatch (err). */
int
fd_spamd_body_done(const struct fd_spamd_req *r, size_t have, int eof)
{
	if (r->cmd == FD_CMD_PING || r->cmd == FD_CMD_SKIP)
		return 1;
	if (r->clen == -1)
		return eof ? 1 : 0;
	if (have >= (size_t)r->clen)
		return 1;
	return eof ? -1 : 0;
}

char *
fd_spamd_error(int code, const char *msg, size_t *len)
{
	char	*s;
	int	 n;

	if ((n = xasprintf(&s, "SPAMD/1.0 %d %s\r\n", code, msg)) == -1)
		fatal("asprintf");
	*len = n;
	return s;
}

char *
fd_spamd_reply(const struct fd_spamd_req *r, const struct fd_result *res,
    size_t *len)
{
	struct evbuffer	*b;
	const char	*yes, *no, *body = "";
	char		 spamhdr[128], msg[FD_ERR_MAX + 64], *s;
	size_t		 blen = 0;
	int		 v13, v12;

	v13 = r->vmajor > 1 || r->vminor >= 3;
	v12 = r->vmajor > 1 || r->vminor >= 2;
	if (r->cmd == FD_CMD_PING) {
		*len = strlen("SPAMD/1.5 0 PONG\r\n");
		return xstrdup("SPAMD/1.5 0 PONG\r\n");
	}
	if (res->status == FD_TIMEOUT) {
		(void)snprintf(msg, sizeof(msg), "Timeout: (%s while trying "
		    "to %s)", res->err, fd_cmd_name(r->cmd));
		return fd_spamd_error(EX_TIMEOUT_, msg, len);
	}
	if (res->status != FD_OK) {
		(void)snprintf(msg, sizeof(msg), "Software error: %s",
		    res->err);
		return fd_spamd_error(EX_SOFTWARE_, msg, len);
	}
	yes = r->cmd == FD_CMD_REPORT_IFSPAM ? "Yes" : "True";
	no = r->cmd == FD_CMD_REPORT_IFSPAM ? "No" : "False";
	(void)snprintf(spamhdr, sizeof(spamhdr), "Spam: %s ; %s / %s",
	    res->is_spam ? yes : no, res->score, res->required);
	if ((b = evbuffer_new()) == NULL)
		fatal("evbuffer_new");
	switch (r->cmd) {
	case FD_CMD_PROCESS:
	case FD_CMD_HEADERS:
		body = res->out != NULL ? res->out : "";
		blen = res->out != NULL ? res->outlen : 0;
		if (v13)
			evbuffer_add_printf(b, "SPAMD/1.1 0 EX_OK\r\n"
			    "Content-length: %zu\r\n%s\r\n\r\n", blen,
			    spamhdr);
		else if (v12)
			evbuffer_add_printf(b, "SPAMD/1.1 0 EX_OK\r\n"
			    "Content-length: %zu\r\n\r\n", blen);
		else
			evbuffer_add_printf(b, "SPAMD/1.0 0 EX_OK\r\n");
		evbuffer_add(b, body, blen);
		break;
	case FD_CMD_CHECK:
		evbuffer_add_printf(b, "SPAMD/1.1 0 EX_OK\r\n%s\r\n\r\n",
		    spamhdr);
		break;
	default:
		if (r->cmd == FD_CMD_SYMBOLS)
			body = res->tests != NULL ? res->tests : "";
		else if (r->cmd == FD_CMD_REPORT || res->is_spam)
			body = res->report != NULL ? res->report : "";
		blen = strlen(body);
		evbuffer_add_printf(b, "SPAMD/1.1 0 EX_OK\r\n");
		if (v13)
			evbuffer_add_printf(b, "Content-length: %zu\r\n",
			    blen);
		evbuffer_add_printf(b, "%s\r\n\r\n", spamhdr);
		evbuffer_add(b, body, blen);
		if (!v13 && r->cmd == FD_CMD_SYMBOLS)
			evbuffer_add(b, "\r\n", 2);
		break;
	}
	*len = evbuffer_get_length(b);
	s = xmalloc(*len + 1);
	evbuffer_remove(b, s, *len);
	s[*len] = '\0';
	evbuffer_free(b);
	return s;
}

char *
fd_inflate(const char *in, size_t inlen, size_t max, size_t *outlen,
    char *err, size_t errlen)
{
	z_stream	 z;
	char		*out;
	size_t		 size = inlen * 4 + 1024;
	int		 rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK) {
		(void)snprintf(err, errlen, "inflateInit failed");
		return NULL;
	}
	out = xmalloc(size);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = inlen;
	for (;;) {
		z.next_out = (unsigned char *)out + z.total_out;
		z.avail_out = size - z.total_out;
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR) {
			(void)snprintf(err, errlen, "zlib: %s",
			    z.msg != NULL ? z.msg : "bad data");
			goto fail;
		}
		if (z.avail_out > 0 && z.avail_in == 0) {
			(void)snprintf(err, errlen, "zlib: truncated data");
			goto fail;
		}
		if (size >= max) {
			(void)snprintf(err, errlen, "zlib: more than %zu "
			    "octets", max);
			goto fail;
		}
		out = xreallocarray(out, 2, size);
		size *= 2;
	}
	*outlen = z.total_out;
	inflateEnd(&z);
	return out;
 fail:
	inflateEnd(&z);
	free(out);
	return NULL;
}
