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
 * libFuzzer target for greyd-setup's spamd.conf parser (getcap syntax):
 * any input parses without crashing or leaking; every error names the
 * file and a line of the input; every record expands (tc=) or fails
 * cleanly; every field decodes as cgetstr does; the lists of "all"
 * resolve or fail with errors.  Message files are not read here unless
 * they are regular files (the parser refuses anything else).
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../greyd/setup_conf.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct setup_conf	*c;
	struct setup_field	**f;
	struct setup_list	*l;
	const char		*p;
	size_t			 i, j, n, nl = 1;
	char			*s;
	long			 line;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			nl++;
	c = setup_conf_parse("fuzz", (const char *)data, size);
	for (i = 0; i < c->nerrs; i++) {
		CHECK(strncmp(c->errs[i], "fuzz:", 5) == 0);
		p = c->errs[i] + 5;
		if (*p >= '1' && *p <= '9') {
			line = strtol(p, NULL, 10);
			CHECK(line >= 1 && (size_t)line <= nl);
		}
	}
	for (i = 0; i < c->nrecs; i++) {
		CHECK(c->recs[i].names != NULL && *c->recs[i].names != '\0');
		CHECK(c->recs[i].line >= 1 && (size_t)c->recs[i].line <= nl);
		for (j = 0; j < c->recs[i].nfields; j++) {
			p = c->recs[i].fields[j].text;
			CHECK(*p != '\0' && *p != ' ' && *p != '\t');
			if (setup_cap_decode(p, strlen(p), &s) == 0) {
				CHECK(strlen(s) <= strlen(p));
				free(s);
			}
		}
		if (setup_conf_get(c, c->recs[i].names, NULL, &f, &n) == 0) {
			(void)setup_cap_bool(f, n, "black");
			if (setup_cap_str(c, f, n, "msg", &s) == 1)
				free(s);
			free(f);
		}
	}
	if (setup_conf_lists(c, &l, &n) == 0) {
		for (i = 0; i < n; i++) {
			CHECK(l[i].file != NULL && setup_tag_ok(l[i].name));
			CHECK(!l[i].black || l[i].msg != NULL);
		}
		setup_lists_free(l, n);
	} else
		CHECK(c->nerrs > 0);
	setup_conf_free(c);
	return 0;
}
