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
 * libFuzzer target for the SMTP command parser (common/smtp_parse.c):
 * any line splits into a verb and arguments; MAIL/RCPT arguments go
 * through the path and parameter parsers in every mode; an accepted
 * path formats back into something that parses to the same address;
 * every error comes with a well-formed reply.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_error(const char *);
static void	check_path(const char *, int, int);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define ALL_EXT		(SMTP_P_SIZE | SMTP_P_8BITMIME | SMTP_P_SMTPUTF8 | \
			 SMTP_P_DSN | SMTP_P_AUTH)

/* An error text is a complete 4xx/5xx reply. */
static void
check_error(const char *err)
{
	char	 out[SMTP_REPLY_MAX];

	CHECK(err != NULL);
	CHECK(err[0] == '4' || err[0] == '5');
	CHECK(smtp_reply_format(err, out, sizeof(out)) > 0);
}

static void
check_path(const char *args, int mail, int utf8)
{
	struct smtp_mail_params	 mp;
	struct smtp_rcpt_params	 rp;
	struct smtp_addr	 a, a2;
	const char		*err = NULL;
	char			 buf[SMTP_LINE_MAX * 2], fmt[SMTP_PATH_MAX + 1];
	char			 again[SMTP_PATH_MAX + 16], *params;
	int			 n;

	if (strlcpy(buf, args, sizeof(buf)) >= sizeof(buf))
		return;
	if (smtp_parse_path(buf, mail, utf8, &a, &params, &err) == -1) {
		check_error(err);
		return;
	}
	CHECK(params != NULL);
	CHECK(strlen(a.local) <= SMTP_LOCAL_MAX);
	CHECK(strlen(a.domain) <= SMTP_DOMAIN_MAX);
	/* null path only for MAIL; a domainless path only for RCPT */
	if (a.local[0] == '\0')
		CHECK(mail && a.domain[0] == '\0');
	if (a.domain[0] == '\0' && a.local[0] != '\0')
		CHECK(!mail && strcasecmp(a.local, "postmaster") == 0);
	/* what was accepted formats and parses back to itself */
	CHECK(smtp_addr_format(&a, fmt, sizeof(fmt)) == 0);
	n = snprintf(again, sizeof(again), "%s:<%s>", mail ? "FROM" : "TO",
	    fmt);
	CHECK(n > 0 && (size_t)n < sizeof(again));
	CHECK(smtp_parse_path(again, mail, utf8, &a2, &params, &err) == 0);
	CHECK(strcmp(a.local, a2.local) == 0);
	CHECK(strcmp(a.domain, a2.domain) == 0);

	if (strlcpy(buf, args, sizeof(buf)) >= sizeof(buf))
		return;
	if (smtp_parse_path(buf, mail, utf8, &a, &params, &err) == -1)
		abort();
	if (mail) {
		if (smtp_parse_mail_params(params, ALL_EXT, &mp, &err) == -1)
			check_error(err);
		else {
			CHECK(mp.envid[0] == '\0' ||
			    smtp_xtext_valid(mp.envid));
			CHECK(mp.body >= SMTP_BODY_NONE &&
			    mp.body <= SMTP_BODY_8BITMIME);
		}
	} else {
		if (smtp_parse_rcpt_params(params, ALL_EXT, &rp, &err) == -1)
			check_error(err);
		else if (rp.notify & SMTP_NOTIFY_NEVER)
			CHECK(rp.notify == SMTP_NOTIFY_NEVER);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct smtp_cmd	 cmd;
	unsigned char	 dec[SMTP_AUTH_LINE_MAX];
	char		 line[SMTP_AUTH_LINE_MAX + 1];
	char		 out[SMTP_AUTH_LINE_MAX * 2];
	ssize_t		 n;

	if (size > SMTP_AUTH_LINE_MAX)
		return 0;
	memcpy(line, data, size);
	line[size] = '\0';

	n = smtp_b64_decode(line, strlen(line), dec, sizeof(dec));
	CHECK(n <= (ssize_t)(strlen(line) / 4 * 3));
	n = smtp_reply_format(line, out, sizeof(out));
	if (n > 0) {
		CHECK(n >= 6 && out[n - 2] == '\r' && out[n - 1] == '\n');
		CHECK(memchr(out, '\0', n) == NULL);
	}
	(void)smtp_parse_helo(line);

	smtp_parse_cmd(line, &cmd);
	CHECK(cmd.args != NULL && cmd.name != NULL);
	CHECK(cmd.verb >= SMTP_CMD_NONE && cmd.verb <= SMTP_CMD_NOTIMPL);
	if (cmd.verb == SMTP_CMD_MAIL || cmd.verb == SMTP_CMD_RCPT) {
		check_path(cmd.args, cmd.verb == SMTP_CMD_MAIL, 0);
		check_path(cmd.args, cmd.verb == SMTP_CMD_MAIL, 1);
	}
	return 0;
}
