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
 * The answer of a real spamd (delegation, --delegate), as spamc reads
 * it: "SPAMD/1.1 0 EX_OK", the headers (Content-length, "Spam: True ;
 * 1001.3 / 5.0"), an empty line, the body: the message (PROCESS,
 * HEADERS), the rule names (SYMBOLS) or the report (REPORT...).  For
 * PROCESS the rule names come from the X-Spam-Status field's tests=.
 */

#include <sys/types.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"

#include "fd.h"

static char	*fd_status_tests(const char *, size_t);

void
fd_result_clear(struct fd_result *r)
{
	free(r->tests);
	free(r->report);
	free(r->out);
	memset(r, 0, sizeof(*r));
}

/* tests= of the X-Spam-Status field of a message's header, or NULL. */
static char *
fd_status_tests(const char *m, size_t len)
{
	const char	*p, *end, *e;
	char		*t, *o;
	size_t		 n;

	for (p = m, end = m + len; p < end;) {
		if (*p == '\r' || *p == '\n')	/* the header ends */
			return NULL;
		if ((size_t)(end - p) > 14 &&
		    strncasecmp(p, "X-Spam-Status:", 14) == 0)
			break;
		if ((p = memchr(p, '\n', end - p)) == NULL)
			return NULL;
		p++;
	}
	if (p >= end)
		return NULL;
	/* the field, unfolded: up to a line that does not start with WSP */
	for (e = p; e < end; e++)
		if (*e == '\n' && (e + 1 >= end || (e[1] != ' ' &&
		    e[1] != '\t')))
			break;
	for (; p + 6 <= e; p++)
		if (strncmp(p, "tests=", 6) == 0)
			break;
	if (p + 6 > e)
		return NULL;
	p += 6;
	t = o = xmalloc(e - p + 1);
	for (; p < e; p++) {
		if (*p == '\r' || *p == '\n' || *p == '\t')
			continue;
		if (*p == ' ') {
			/* folded inside the list: "A,B,\n\tC" */
			if (o > t && o[-1] == ',')
				continue;
			break;
		}
		*o++ = *p;
	}
	*o = '\0';
	n = strlen(t);
	if (strcmp(t, "none") == 0 || n == 0)
		t[0] = '\0';
	return t;
}

int
fd_spamc_parse(const char *buf, size_t len, enum fd_cmd cmd,
    struct fd_result *r)
{
	const char	*p, *nl, *end = buf + len, *v;
	char		 line[512], yes[16];
	long long	 clen = -1;
	size_t		 n, blen;
	int		 code, ver1, ver2;

	if ((nl = memchr(buf, '\n', len)) == NULL) {
		r->status = FD_ERROR;
		(void)snprintf(r->err, sizeof(r->err), "spamd: %s",
		    len == 0 ? "closed without an answer" :
		    "no answer line");
		return -1;
	}
	n = nl - buf;
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, buf, n);
	line[n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[n - 1] = '\0';
	if (sscanf(line, "SPAMD/%d.%d %d", &ver1, &ver2, &code) != 3) {
		r->status = FD_ERROR;
		(void)snprintf(r->err, sizeof(r->err), "spamd: bad answer "
		    "\"%.100s\"", line);
		return -1;
	}
	if (code != 0) {
		r->status = code == 79 ? FD_TIMEOUT : FD_ERROR;
		(void)snprintf(r->err, sizeof(r->err), "spamd: %.200s", line);
		return -1;
	}
	p = nl + 1;
	if (cmd == FD_CMD_PING)
		return 0;
	for (;;) {
		if ((nl = memchr(p, '\n', end - p)) == NULL) {
			r->status = FD_ERROR;
			(void)strlcpy(r->err, "spamd: the answer ends in its "
			    "headers", sizeof(r->err));
			return -1;
		}
		n = nl - p;
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0) {
			p = nl + 1;
			break;
		}
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl + 1;
		if (strncasecmp(line, "Content-length:", 15) == 0)
			clen = strtoll(line + 15, NULL, 10);
		else if (strncmp(line, "Spam:", 5) == 0) {
			v = line + 5;
			if (sscanf(v, " %15s ; %31s / %31s", yes, r->score,
			    r->required) != 3) {
				r->status = FD_ERROR;
				(void)snprintf(r->err, sizeof(r->err),
				    "spamd: bad header \"%.100s\"", line);
				return -1;
			}
			r->is_spam = strcmp(yes, "True") == 0 ||
			    strcmp(yes, "Yes") == 0;
		}
	}
	blen = end - p;
	if (clen >= 0 && (size_t)clen != blen) {
		r->status = FD_ERROR;
		(void)snprintf(r->err, sizeof(r->err), "spamd: %zu octets, "
		    "Content-length %lld", blen, clen);
		return -1;
	}
	r->status = FD_OK;
	switch (cmd) {
	case FD_CMD_PROCESS:
	case FD_CMD_HEADERS:
		r->out = xmalloc(blen + 1);
		memcpy(r->out, p, blen);
		r->out[blen] = '\0';
		r->outlen = blen;
		r->tests = fd_status_tests(p, blen);
		break;
	case FD_CMD_SYMBOLS:
		r->tests = xmalloc(blen + 1);
		memcpy(r->tests, p, blen);
		r->tests[blen] = '\0';
		break;
	case FD_CMD_REPORT:
	case FD_CMD_REPORT_IFSPAM:
		r->report = xmalloc(blen + 1);
		memcpy(r->report, p, blen);
		r->report[blen] = '\0';
		break;
	default:
		break;
	}
	if (r->tests == NULL)
		r->tests = xstrdup("");
	return 0;
}
