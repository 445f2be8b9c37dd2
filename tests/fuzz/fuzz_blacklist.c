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
 * libFuzzer target for greyd-setup's list reader: each line parses to
 * at most ADDR_RANGE_MAX valid prefixes (host bits clear), sorted and
 * contiguous for a range; a whole buffer (plain, or gzip when it starts
 * with the magic) goes through decode, parse, collapse and the config
 * line, whose COUNT fields match the prefixes that follow them.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../greyd/setup_list.c"
#include "../../greyd/setup_line.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	check_line(const char *, size_t);
static void	check_configline(char *);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void
check_line(const char *s, size_t len)
{
	struct prefix	 p[ADDR_RANGE_MAX];
	struct addr	 m, last, next;
	int		 n, i;

	n = setup_parse_line(s, len, p, nitems(p));
	CHECK(n >= -1 && n <= (int)nitems(p));
	for (i = 0; i < n; i++) {
		CHECK(p[i].len >= 0 && p[i].len <= addr_maxlen(p[i].addr.af));
		m = p[i].addr;
		addr_mask(&m, p[i].len);
		CHECK(addr_cmp(&m, &p[i].addr) == 0);
		if (i > 0) {
			/* The next prefix starts right after the last one. */
			CHECK(p[i].addr.af == p[0].addr.af);
			prefix_last(&p[i - 1], &last);
			prefix_first(&p[i], &next);
			CHECK(addr_cmp(&last, &next) < 0);
		}
	}
}

/* tag;"msg";inet;N;...[;inet6;N;...]\n: the counts hold. */
static void
check_configline(char *l)
{
	char	*p, *end, *tok;
	long	 want;
	int	 got;

	end = l + strlen(l);
	CHECK(end > l && end[-1] == '\n');
	end[-1] = '\0';
	/* The message: escapes as spamd reads them, then the quote. */
	CHECK(strncmp(l, "fuzz;\"", 6) == 0);
	for (p = l + 6; *p != '\0' && *p != '"'; p++)
		if (*p == '\\') {
			CHECK(p[1] == '\\' || p[1] == '"' || p[1] == 'n');
			p++;
		}
	CHECK(*p == '"' && p[1] == ';');
	p += 2;
	while (p != NULL && *p != '\0') {
		tok = strsep(&p, ";");
		CHECK(strcmp(tok, "inet") == 0 || strcmp(tok, "inet6") == 0);
		tok = strsep(&p, ";");
		CHECK(tok != NULL);
		want = strtol(tok, NULL, 10);
		for (got = 0; p != NULL && *p != '\0' &&
		    strncmp(p, "inet", 4) != 0; got++)
			(void)strsep(&p, ";");
		CHECK(got == want);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct prefixset	*set;
	struct setup_stats	 st;
	const char		*s = (const char *)data, *nl, *end = s + size;
	char			*text, *l, err[128];
	size_t			 tlen, len;

	for (; s < end; s = nl + 1) {
		if ((nl = memchr(s, '\n', end - s)) == NULL)
			nl = end;
		check_line(s, nl - s);
	}
	if (setup_decode(data, size, 1 << 20, &text, &tlen, err,
	    sizeof(err)) == -1)
		return 0;
	set = prefixset_new();
	memset(&st, 0, sizeof(st));
	setup_parse_buf(text, tlen, set, &st);
	CHECK(st.entries + st.bad <= st.lines);
	prefixset_collapse(set);
	l = setup_configline("fuzz", text, set, &len);
	CHECK(l != NULL && strlen(l) == len);
	if (prefixset_count(set) > 0)
		check_configline(l);
	else
		CHECK(strcmp(l, "fuzz;\n") == 0);
	free(l);
	prefixset_free(set);
	free(text);
	return 0;
}
