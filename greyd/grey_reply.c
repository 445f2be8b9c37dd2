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
 * The texts greyd sends: spamd's banner, its blacklist replies with each
 * list's message expanded, and the tuple fields as spamd keys them.
 */

#include <sys/types.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "greyd.h"
#include "smtp.h"

static int	grey_putc(char *, size_t, size_t *, char);
static int	grey_puts(char *, size_t, size_t *, const char *);

static int
grey_putc(char *buf, size_t len, size_t *off, char c)
{
	if (*off + 1 >= len)
		return -1;
	buf[(*off)++] = c;
	buf[*off] = '\0';
	return 0;
}

static int
grey_puts(char *buf, size_t len, size_t *off, const char *s)
{
	while (*s != '\0')
		if (grey_putc(buf, len, off, *s++) == -1)
			return -1;
	return 0;
}

/*
 * spamd's rules: a backslash or percent waits for the next character;
 * "\\n" is a newline, "\\\"" a quote, "\\\\" a backslash, "%%" a
 * percent, "%A" the address; any other pair is kept as it is, and a
 * lone escape character at the end is kept.  (spamd drops the character
 * after "\\%" or "%\\"; greyd keeps both.)
 */
int
grey_expand(const char *msg, const char *addr, char *buf, size_t len)
{
	size_t	 off = 0;
	char	 sav = '\0';
	int	 rv = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (; *msg != '\0' && rv == 0; msg++) {
		if (sav == '\0') {
			if (*msg == '\\' || *msg == '%')
				sav = *msg;
			else
				rv = grey_putc(buf, len, &off, *msg);
			continue;
		}
		if (sav == '\\' && *msg == 'n')
			rv = grey_putc(buf, len, &off, '\n');
		else if (sav == '\\' && (*msg == '"' || *msg == '\\'))
			rv = grey_putc(buf, len, &off, *msg);
		else if (sav == '%' && *msg == '%')
			rv = grey_putc(buf, len, &off, '%');
		else if (sav == '%' && *msg == 'A')
			rv = grey_puts(buf, len, &off, addr);
		else if ((rv = grey_putc(buf, len, &off, sav)) == 0) {
			if (*msg == '\\' || *msg == '%') {
				sav = *msg;
				continue;
			}
			rv = grey_putc(buf, len, &off, *msg);
		}
		sav = '\0';
	}
	if (rv == 0 && sav != '\0')
		rv = grey_putc(buf, len, &off, sav);
	return rv;
}

/*
 * "CODE line\nline\n..." for smtp_reply(): every matching list's message
 * in order, each message ending a line; without a message (or without
 * lists) spamd's generic three lines.
 */
int
grey_black_reply(const char *code, const char *addr, struct bl_list **lists,
    size_t n, char *buf, size_t len)
{
	char	 tmp[CFG_MSG_MAX];
	size_t	 i, off = 0, tl;
	int	 any = 0;

	if (len == 0)
		return -1;
	buf[0] = '\0';
	if (grey_puts(buf, len, &off, code) == -1 ||
	    grey_putc(buf, len, &off, ' ') == -1)
		return -1;
	for (i = 0; i < n; i++) {
		if (lists[i]->msg == NULL || lists[i]->msg[0] == '\0')
			continue;
		if (grey_expand(lists[i]->msg, addr, tmp, sizeof(tmp)) == -1)
			return -1;
		tl = strlen(tmp);
		while (tl > 0 && tmp[tl - 1] == '\n')
			tmp[--tl] = '\0';
		if (any && grey_putc(buf, len, &off, '\n') == -1)
			return -1;
		if (grey_puts(buf, len, &off, tmp) == -1)
			return -1;
		any = 1;
	}
	if (!any) {
		off = 0;
		if (snprintf(buf, len, "%s Sorry %s\nYou are trying to send "
		    "mail from an address listed by one\nor more IP-based "
		    "registries as being a SPAM source.", code, addr) >=
		    (int)len)
			return -1;
	}
	return 0;
}

int
grey_banner(const char *hostname, const char *name, time_t now, char *buf,
    size_t len)
{
	char	 tbuf[64];
	int	 n;

	if (ctime_r(&now, tbuf) == NULL)
		return -1;
	tbuf[strcspn(tbuf, "\n")] = '\0';
	n = snprintf(buf, len, "220 %s ESMTP %s; %s", hostname, name, tbuf);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

int
grey_path(const struct smtp_addr *a, char *buf, size_t len)
{
	int	 n;

	if (a->domain[0] == '\0')
		n = snprintf(buf, len, "<%s>", a->local);
	else
		n = snprintf(buf, len, "<%s@%s>", a->local, a->domain);
	if (n < 0 || (size_t)n >= len)
		return -1;
	return 0;
}

/* spamd's loglists: " tag tag", " ..." once it grows past 76. */
void
grey_loglists(struct bl_list **lists, size_t n, char *buf, size_t len)
{
	size_t	 i, lim;

	if (len == 0)
		return;
	buf[0] = '\0';
	lim = len > 4 ? len - 4 : 0;
	for (i = 0; i < n; i++) {
		if (strlen(buf) + strlen(lists[i]->tag) + 1 >= lim) {
			(void)strlcat(buf, " ...", len);
			break;
		}
		(void)strlcat(buf, " ", len);
		(void)strlcat(buf, lists[i]->tag, len);
	}
}
