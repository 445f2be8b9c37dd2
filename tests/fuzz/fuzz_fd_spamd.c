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
 * Fuzz filterd's spamd protocol: the input is a request as a client
 * sends it, fed whole and in two pieces (the parser must say MORE, then
 * the same thing), and also read as a spamd answer (delegation).
 * Checks: a parsed request's body offset lies inside the input; the
 * verdict does not depend on how the bytes arrived; a reply can be built
 * for every command; errors carry spamd's code and message.
 */

#include <sys/types.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#include "../../filterd/fd_spamd.c"
#include "../../filterd/fd_spamc.c"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int		 init;
	struct fd_spamd_req	 r, r2;
	struct fd_result	 res;
	const char		*d = (const char *)data;
	char			*s, err[256];
	size_t			 len, half;
	int			 rc, rc2, eof, cmd;

	if (!init) {
		log_init(1, LOG_MAIL);
		log_setverbose(0);
		init = 1;
	}
	for (eof = 0; eof <= 1; eof++) {
		rc = fd_spamd_parse(d, size, eof, &r);
		CHECK(rc == FD_SPAMD_MORE || rc == FD_SPAMD_DONE ||
		    rc == FD_SPAMD_BAD);
		if (rc == FD_SPAMD_BAD) {
			CHECK(r.error >= 64 && r.error <= 79);
			CHECK(r.err[0] != '\0');
			s = fd_spamd_error(r.error, r.err, &len);
			CHECK(strncmp(s, "SPAMD/1.0 ", 10) == 0);
			free(s);
		}
		if (rc != FD_SPAMD_DONE)
			continue;
		CHECK(r.hdrlen <= size);
		CHECK(r.cmd != FD_CMD_NONE && r.cmd != FD_CMD_TELL);
		(void)fd_spamd_body_done(&r, size - r.hdrlen, eof);
		/* the same request, cut anywhere before its end */
		half = r.hdrlen / 2;
		rc2 = fd_spamd_parse(d, half, 0, &r2);
		CHECK(rc2 == FD_SPAMD_MORE || rc2 == FD_SPAMD_BAD ||
		    half == r.hdrlen);
		memset(&res, 0, sizeof(res));
		res.status = FD_OK;
		res.is_spam = size & 1;
		(void)strlcpy(res.score, "1.0", sizeof(res.score));
		(void)strlcpy(res.required, "5.0", sizeof(res.required));
		res.out = (char *)(uintptr_t)(d + r.hdrlen);
		res.outlen = size - r.hdrlen;
		s = fd_spamd_reply(&r, &res, &len);
		CHECK(strncmp(s, "SPAMD/1.", 8) == 0);
		free(s);
		if (r.compress && r.clen >= 0 &&
		    (size_t)r.clen <= size - r.hdrlen) {
			s = fd_inflate(d + r.hdrlen, r.clen, 1 << 20, &len,
			    err, sizeof(err));
			free(s);
		}
	}
	for (cmd = FD_CMD_CHECK; cmd <= FD_CMD_PING; cmd++) {
		memset(&res, 0, sizeof(res));
		rc = fd_spamc_parse(d, size, cmd, &res);
		CHECK(rc == 0 || res.status != FD_OK);
		if (rc == 0 && (cmd == FD_CMD_PROCESS ||
		    cmd == FD_CMD_HEADERS))
			CHECK(res.out != NULL && res.outlen <= size);
		fd_result_clear(&res);
	}
	return 0;
}
