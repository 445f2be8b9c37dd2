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

#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xmalloc.h"
#include "tap.h"

int
main(void)
{
	char	*s, *d;
	int	*a;
	int	 n;

	log_init(1, LOG_MAIL);
	plan(7);

	s = xstrdup("hello");
	is_str(s, "hello", "xstrdup copies");
	d = xstrndup("hello world", 5);
	is_str(d, "hello", "xstrndup stops at n");
	free(d);
	n = xasprintf(&d, "%s-%d", s, 42);
	is_int(n, 8, "xasprintf returns the length");
	is_str(d, "hello-42", "xasprintf formats");
	free(d);
	free(s);

	a = xcalloc(4, sizeof(*a));
	ok(a[0] == 0 && a[3] == 0, "xcalloc zeroes");
	a = xrecallocarray(a, 4, 8, sizeof(*a));
	a[7] = 7;
	ok(a[4] == 0 && a[7] == 7, "xrecallocarray grows and zeroes");
	free(a);
	d = xmemdup("a\0b", 3);
	is_mem(d, 3, "a\0b", 3, "xmemdup keeps NULs");
	free(d);
	return done_testing();
}
