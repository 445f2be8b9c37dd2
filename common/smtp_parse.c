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

/* Pure SMTP parsing: skeleton. */

#include <sys/types.h>

#include <string.h>

#include "smtp.h"

int
smtp_parse_cmd(char *line, struct smtp_cmd *cmd)
{
	memset(cmd, 0, sizeof(*cmd));
	return -1;
}

int
smtp_parse_path(char *s, int mail, int utf8, struct smtp_addr *a,
    char **paramsp, const char **errp)
{
	return -1;
}

int
smtp_parse_mail_params(char *s, int ext, struct smtp_mail_params *p,
    const char **errp)
{
	return -1;
}

int
smtp_parse_rcpt_params(char *s, int ext, struct smtp_rcpt_params *p,
    const char **errp)
{
	return -1;
}

int
smtp_parse_helo(const char *s)
{
	return -1;
}

int
smtp_addr_format(const struct smtp_addr *a, char *buf, size_t len)
{
	return -1;
}

int
smtp_xtext_valid(const char *s)
{
	return 0;
}

ssize_t
smtp_b64_decode(const char *in, size_t len, unsigned char *out, size_t outsz)
{
	return -1;
}

ssize_t
smtp_reply_format(const char *text, char *buf, size_t len)
{
	return -1;
}

void
smtp_data_init(struct smtp_data *d, size_t textline, uint64_t max_size,
    smtp_data_cb cb, void *arg)
{
	memset(d, 0, sizeof(*d));
}

void
smtp_data_clear(struct smtp_data *d)
{
}

size_t
smtp_data_feed(struct smtp_data *d, const char *buf, size_t len)
{
	return len;
}
