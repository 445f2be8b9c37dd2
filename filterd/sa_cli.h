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
 * Test modes over message files (like `spamassassin -t`):
 *	sa_cli_scan(engine, SA_CLI_MESSAGE, files, n, stdout)
 * SA_CLI_MESSAGE	the rewritten message (rewrite_mail)
 * SA_CLI_HEADERS	the X-Spam-* fields only
 * SA_CLI_REPORT	the report text
 * SA_CLI_MESSAGE_FILES	each rewritten message to FILE.filterd
 * SA_CLI_TESTS	one line per file: file TAB spam|ham TAB score TAB
 *		shown score TAB tests TAB subtests TAB X-Spam-Status value
 *		(its line ends as \001)
 * Returns 0, or 1 if a file could not be read or scanned.
 */

#ifndef FILTERD_SA_CLI_H
#define FILTERD_SA_CLI_H

#include <stdio.h>

struct sa_engine;

#define SA_CLI_MESSAGE	0
#define SA_CLI_HEADERS	1
#define SA_CLI_REPORT	2
#define SA_CLI_TESTS	3
#define SA_CLI_MESSAGE_FILES 4

int	sa_cli_scan(struct sa_engine *, int, char **, int, FILE *);
int	sa_cli_readfile(const char *, char **, size_t *);

#endif /* FILTERD_SA_CLI_H */
