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
 * Fuzz filterd's Hyperscan prefilter (filterd/sa_hs.c): the input's
 * first line is a PCRE2 pattern, the other lines a text.  When the
 * prefilter takes the pattern, every line PCRE2 matches (alone, as the
 * engine runs it) must leave the pattern flagged by a scan of the lines
 * joined with '\n': the superset property the engine's rule skipping
 * rests on.  Also: sa_hs_relax and sa_hs_check on any string.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "../../filterd/sa_hs.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	pcre2_code		*code;
	pcre2_match_data	*md;
	pcre2_match_context	*mc;
	struct sa_hs		*h;
	PCRE2_SIZE		 off;
	const char		*d = (const char *)data, *nl, *s, *e;
	char			*pat, *rx, *text, err[128];
	uint32_t		 ml, mark[2] = { 0, 0 };
	size_t			 plen, tlen;
	int			 ec, rc, hit = 0;

	if ((nl = memchr(d, '\n', size)) == NULL || nl - d > 64)
		return (0);
	plen = (size_t)(nl - d);
	pat = malloc(plen + 1);
	memcpy(pat, d, plen);
	pat[plen] = '\0';
	if (strlen(pat) != plen) {
		free(pat);
		return (0);
	}
	rx = sa_hs_relax(pat);
	free(rx);
	(void)sa_hs_check(pat, err, sizeof(err));
	code = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, 0, &ec,
	    &off, NULL);
	if (code == NULL) {
		free(pat);
		return (0);
	}
	if (pcre2_pattern_info(code, PCRE2_INFO_MINLENGTH, &ml) != 0)
		ml = 0;
	text = (char *)nl + 1;
	tlen = size - plen - 1;
	md = pcre2_match_data_create_from_pattern(code, NULL);
	mc = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(mc, 100000);
	pcre2_set_depth_limit(mc, 1000);
	/* each line alone; a PCRE2 error (limits) gives no verdict */
	for (s = text; s < text + tlen && hit == 0; s = e + 1) {
		if ((e = memchr(s, '\n', text + tlen - s)) == NULL)
			e = text + tlen;
		rc = pcre2_match(code, (PCRE2_SPTR)s, (size_t)(e - s), 0, 0,
		    md, mc);
		if (rc >= 0)
			hit = 1;
		else if (rc != PCRE2_ERROR_NOMATCH)
			hit = -1;
	}
	h = sa_hs_new();
	if (hit == 1 && sa_hs_add(h, pat, ml, 1, err, sizeof(err)) == 0 &&
	    sa_hs_finish(h, err, sizeof(err)) == 0) {
		/* the lines, each followed by '\n', as the engine joins */
		char *t = malloc(tlen + 2);

		memcpy(t, text, tlen);
		t[tlen] = '\n';
		if (sa_hs_scan(h, t, tlen + 1, mark, 1) == 0)
			CHECK(mark[1] == 1);
		free(t);
	}
	sa_hs_free(h);
	pcre2_match_context_free(mc);
	pcre2_match_data_free(md);
	pcre2_code_free(code);
	free(pat);
	return (0);
}
