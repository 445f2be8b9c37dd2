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
 * `spamassassin -t`-like test modes over files, for filterd's command
 * line (the daemon's main calls sa_cli_scan) and for the tests.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mimedec.h"
#include "sa_cli.h"
#include "sa_conf.h"
#include "sa_engine.h"
#include "xmalloc.h"

int
sa_cli_readfile(const char *path, char **bufp, size_t *lenp)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;
	int	 fd;

	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY)) == -1)
		return (-1);
	for (;;) {
		if (len + 65536 > cap) {
			cap = cap ? cap * 2 : 131072;
			buf = xreallocarray(buf, cap, 1);
		}
		if ((n = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			free(buf);
			if (fd != STDIN_FILENO)
				(void)close(fd);
			return (-1);
		}
		if (n == 0)
			break;
		len += n;
	}
	if (fd != STDIN_FILENO)
		(void)close(fd);
	*bufp = buf;
	*lenp = len;
	return (0);
}

/* path.filterd := b */
static int
write_next_to(const char *path, const struct mimebuf *b)
{
	char	*p;
	FILE	*fp;
	int	 rc = 0;

	if (xasprintf(&p, "%s.filterd", path) == -1)
		return (-1);
	if ((fp = fopen(p, "w")) == NULL) {
		free(p);
		return (-1);
	}
	if (fwrite(b->buf, 1, b->len, fp) != b->len)
		rc = -1;
	if (fclose(fp) == EOF)
		rc = -1;
	free(p);
	return (rc);
}

int
sa_cli_scan(struct sa_engine *e, int mode, char **files, int nfiles,
    FILE *out)
{
	struct sa_result	*res;
	struct mimebuf		 b;
	char			*buf, sc[32];
	size_t			 len, i;
	int			 f, rc = 0;

	mimebuf_init(&b);
	for (f = 0; f < nfiles; f++) {
		if (sa_cli_readfile(files[f], &buf, &len) == -1) {
			fprintf(stderr, "%s: %s\n", files[f], strerror(errno));
			rc = 1;
			continue;
		}
		if (sa_scan(e, buf, len, NULL, &res) == -1) {
			fprintf(stderr, "%s: scan failed\n", files[f]);
			free(buf);
			rc = 1;
			continue;
		}
		b.len = 0;
		switch (mode) {
		case SA_CLI_TESTS:
			sa_out_score(res, sc, sizeof(sc));
			fprintf(out, "%s\t%s\t%.3f\t%s\t", files[f],
			    res->is_spam ? "spam" : "ham", res->score, sc);
			sa_out_tests(res, ",", &b);
			fprintf(out, "%.*s\t", (int)b.len, b.buf);
			if (res->nsubhits == 0)
				fprintf(out, "none");
			for (i = 0; i < res->nsubhits; i++)
				fprintf(out, "%s%s", i ? "," : "",
				    res->subhits[i].name);
			b.len = 0;
			(void)sa_out_header_value(res, "Status", &b);
			for (i = 0; i < b.len; i++)
				if (b.buf[i] == '\n')
					b.buf[i] = '\001';
			fprintf(out, "\t%.*s\n", (int)b.len, b.buf);
			break;
		case SA_CLI_HEADERS:
			(void)sa_out_headers(res, "\n", &b);
			fwrite(b.buf, 1, b.len, out);
			break;
		case SA_CLI_REPORT:
			(void)sa_out_report(res, &b);
			fwrite(b.buf, 1, b.len, out);
			break;
		case SA_CLI_MESSAGE_FILES:
			(void)sa_out_message(res, &b);
			if (write_next_to(files[f], &b) == -1) {
				fprintf(stderr, "%s.filterd: %s\n", files[f],
				    strerror(errno));
				rc = 1;
			}
			break;
		default:
			(void)sa_out_message(res, &b);
			fwrite(b.buf, 1, b.len, out);
			break;
		}
		sa_result_free(res);
		free(buf);
	}
	mimebuf_free(&b);
	return (rc);
}
