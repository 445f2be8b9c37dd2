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
 * t_fd_spamd: the spamd protocol as spamd 4.0.1 speaks it: requests
 * parsed (every command, versions, headers, partial input, errors with
 * spamd's own messages), replies byte for byte as captured from spamd,
 * and the delegation side's reply parser reading them back.
 */

#include <sys/types.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "tap.h"
#include "log.h"
#include "xmalloc.h"
#include "../../filterd/fd.h"

static int
req(const char *s, int eof, struct fd_spamd_req *r)
{
	return fd_spamd_parse(s, strlen(s), eof, r);
}

static void
reply_is(enum fd_cmd cmd, int minor, const struct fd_result *res,
    const char *want, const char *name)
{
	struct fd_spamd_req	 r;
	char			*s;
	size_t			 len;

	memset(&r, 0, sizeof(r));
	r.cmd = cmd;
	r.vmajor = 1;
	r.vminor = minor;
	s = fd_spamd_reply(&r, res, &len);
	is_int(len, strlen(want), "%s: length", name);
	is_str(s, want, "%s", name);
	free(s);
}

int
main(void)
{
	struct fd_spamd_req	 r;
	struct fd_result	 res, back;
	const char		*m;
	char			*s, err[256], zbuf[256];
	size_t			 len, i;
	uLongf			 zlen;
	int			 rc;
	static const char *const cmds[] = { "CHECK", "SYMBOLS", "REPORT",
	    "REPORT_IFSPAM", "PROCESS", "HEADERS" };

	log_init(1, LOG_MAIL);

	/* requests */
	for (i = 0; i < 6; i++) {
		char	 buf[128];

		(void)snprintf(buf, sizeof(buf), "%s SPAMC/1.5\r\n"
		    "Content-length: 3\r\nUser: bob\r\n\r\nabc", cmds[i]);
		is_int(req(buf, 0, &r), FD_SPAMD_DONE, "%s parsed", cmds[i]);
		is_str(fd_cmd_name(r.cmd), cmds[i], "%s: command", cmds[i]);
		is_int(r.clen, 3, "%s: Content-length", cmds[i]);
		is_str(r.user, "bob", "%s: User", cmds[i]);
		is_int(strlen(buf) - r.hdrlen, 3, "%s: body offset", cmds[i]);
		is_int(fd_spamd_body_done(&r, 3, 0), 1, "%s: body complete",
		    cmds[i]);
	}
	is_int(req("PROCESS SPAMC/1.5\r\nContent-len", 0, &r), FD_SPAMD_MORE,
	    "partial headers: more");
	is_int(req("PROC", 0, &r), FD_SPAMD_MORE, "partial line: more");
	is_int(req("PROCESS SPAMC/1.5\r\nContent-length: 10\r\n\r\nabc", 0,
	    &r), FD_SPAMD_DONE, "headers done, body short");
	is_int(fd_spamd_body_done(&r, 3, 0), 0, "body short: wait");
	is_int(fd_spamd_body_done(&r, 3, 1), -1, "body short at eof: mismatch");
	is_int(req("CHECK SPAMC/1.5\r\n\r\nabc", 0, &r), FD_SPAMD_DONE,
	    "no Content-length");
	is_int(r.clen, -1, "no Content-length: -1");
	is_int(fd_spamd_body_done(&r, 3, 0), 0, "read to eof");
	is_int(fd_spamd_body_done(&r, 3, 1), 1, "eof ends it");
	is_int(req("CHECK SPAMC/1.5\r\ncontent-length: 3\r\n\r\nabc", 0, &r),
	    FD_SPAMD_DONE, "content-length in lower case: ignored");
	is_int(r.clen, -1, "as spamd ignores it (case-sensitive)");
	is_int(req("CHECK SPAMC/1.0\r\nabc", 0, &r), FD_SPAMD_DONE,
	    "1.0: no headers");
	is_int(r.hdrlen, 17, "1.0: body right after the line");
	is_int(req("PING SPAMC/1.5\r\n\r\n", 0, &r), FD_SPAMD_DONE, "PING");
	is_int(r.cmd, FD_CMD_PING, "PING command");
	is_int(req("PING SPAMC/1.2\r\n", 0, &r), FD_SPAMD_DONE,
	    "PING 1.2: no headers");
	is_int(req("SKIP SPAMC/1.5\r\n\r\n", 0, &r), FD_SPAMD_DONE, "SKIP");
	is_int(req("CHECK SPAMC/1.5\r\nCompress: zlib\r\n\r\n", 0, &r),
	    FD_SPAMD_BAD, "Compress without Content-length");
	is_str(r.err, "Service Unavailable: Compress requires Content-length "
	    "header", "spamd's message");
	is_int(r.error, 69, "EX_UNAVAILABLE");

	/* errors: spamd's answers */
	is_int(req("BOGUS SPAMC/1.5\r\n\r\n", 0, &r), FD_SPAMD_BAD, "BOGUS");
	is_str(r.err, "Bad header line: BOGUS SPAMC/1.5", "BOGUS message");
	is_int(r.error, 76, "EX_PROTOCOL");
	s = fd_spamd_error(r.error, r.err, &len);
	is_str(s, "SPAMD/1.0 76 Bad header line: BOGUS SPAMC/1.5\r\n",
	    "BOGUS reply as spamd's");
	free(s);
	is_int(req("TELL SPAMC/1.5\r\nMessage-class: spam\r\nSet: local\r\n"
	    "Content-length: 0\r\n\r\n", 0, &r), FD_SPAMD_BAD, "TELL refused");
	s = fd_spamd_error(r.error, r.err, &len);
	is_str(s, "SPAMD/1.0 69 Service Unavailable: TELL commands are not "
	    "enabled, set the --allow-tell switch.\r\n", "TELL reply as "
	    "spamd's without --allow-tell");
	free(s);
	is_int(req("CHECK SPAMC/1.5\r\nContent-length: 1x\r\n\r\n", 0, &r),
	    FD_SPAMD_BAD, "non-numeric length");
	is_str(r.err, "Bad header line: (Content-Length contains non-numeric "
	    "bytes)", "its message");
	is_int(req("CHECK SPAMC/1.5\r\nnocolon\r\n\r\n", 0, &r), FD_SPAMD_BAD,
	    "header without colon");
	is_str(r.err, "Bad header line: (header not in 'Name: value' format)",
	    "its message");
	is_int(req("CHECK SPAMC/1.5\r\nCompress: gzip\r\n\r\n", 0, &r),
	    FD_SPAMD_BAD, "Compress: gzip");
	is_int(req("CHECK SPAMC/1.5\r\nUser: a\001b\r\n\r\n", 0, &r),
	    FD_SPAMD_BAD, "User with a control character");
	is_int(req("CHECK SPAMC/1.5\r\n", 1, &r), FD_SPAMD_BAD,
	    "eof in headers");
	is_str(r.err, "Bad header line: (EOF during headers)", "its message");
	is_int(req("", 1, &r), FD_SPAMD_BAD, "eof before anything");
	is_int(req("CHECK SPAMC/x\r\n\r\n", 0, &r), FD_SPAMD_BAD,
	    "bad version");
	{
		char	*many;
		size_t	 n = 0, k;

		many = xmalloc(300 * 8 + 64);
		n += snprintf(many, 64, "CHECK SPAMC/1.5\r\n");
		for (k = 0; k < 300; k++) {
			memcpy(many + n, "X: y\r\n", 6);
			n += 6;
		}
		memcpy(many + n, "\r\n", 3);
		is_int(fd_spamd_parse(many, n + 2, 0, &r), FD_SPAMD_BAD,
		    "300 headers refused");
		is_str(r.err, "Bad header line: (too many headers)",
		    "too many headers");
		free(many);
	}

	/* replies, as captured from spamd 4.0.1 */
	memset(&res, 0, sizeof(res));
	res.status = FD_OK;
	res.is_spam = 1;
	(void)strlcpy(res.score, "1001.3", sizeof(res.score));
	(void)strlcpy(res.required, "5.0", sizeof(res.required));
	res.tests = "GTUBE,RCVD_ILLEGAL_IP";
	res.report = "report\n";
	res.out = "X-Spam-Flag: YES\r\n\r\nbody\r\n";
	res.outlen = strlen(res.out);
	reply_is(FD_CMD_PING, 5, NULL, "SPAMD/1.5 0 PONG\r\n", "PING");
	reply_is(FD_CMD_CHECK, 5, &res, "SPAMD/1.1 0 EX_OK\r\nSpam: True ; "
	    "1001.3 / 5.0\r\n\r\n", "CHECK spam");
	reply_is(FD_CMD_SYMBOLS, 5, &res, "SPAMD/1.1 0 EX_OK\r\n"
	    "Content-length: 21\r\nSpam: True ; 1001.3 / 5.0\r\n\r\n"
	    "GTUBE,RCVD_ILLEGAL_IP", "SYMBOLS");
	reply_is(FD_CMD_REPORT, 5, &res, "SPAMD/1.1 0 EX_OK\r\n"
	    "Content-length: 7\r\nSpam: True ; 1001.3 / 5.0\r\n\r\nreport\n",
	    "REPORT");
	reply_is(FD_CMD_REPORT_IFSPAM, 5, &res, "SPAMD/1.1 0 EX_OK\r\n"
	    "Content-length: 7\r\nSpam: Yes ; 1001.3 / 5.0\r\n\r\nreport\n",
	    "REPORT_IFSPAM spam: Yes");
	reply_is(FD_CMD_PROCESS, 5, &res, "SPAMD/1.1 0 EX_OK\r\n"
	    "Content-length: 26\r\nSpam: True ; 1001.3 / 5.0\r\n\r\n"
	    "X-Spam-Flag: YES\r\n\r\nbody\r\n", "PROCESS");
	reply_is(FD_CMD_PROCESS, 2, &res, "SPAMD/1.1 0 EX_OK\r\n"
	    "Content-length: 26\r\n\r\nX-Spam-Flag: YES\r\n\r\nbody\r\n",
	    "PROCESS 1.2: no Spam header");
	reply_is(FD_CMD_SYMBOLS, 2, &res, "SPAMD/1.1 0 EX_OK\r\n"
	    "Spam: True ; 1001.3 / 5.0\r\n\r\nGTUBE,RCVD_ILLEGAL_IP\r\n",
	    "SYMBOLS 1.2: no length, CRLF after");
	res.is_spam = 0;
	(void)strlcpy(res.score, "1.3", sizeof(res.score));
	reply_is(FD_CMD_CHECK, 5, &res, "SPAMD/1.1 0 EX_OK\r\nSpam: False ; "
	    "1.3 / 5.0\r\n\r\n", "CHECK ham");
	reply_is(FD_CMD_REPORT_IFSPAM, 5, &res, "SPAMD/1.1 0 EX_OK\r\n"
	    "Content-length: 0\r\nSpam: No ; 1.3 / 5.0\r\n\r\n",
	    "REPORT_IFSPAM ham: No, empty");
	res.status = FD_TIMEOUT;
	(void)strlcpy(res.err, "scan timed out", sizeof(res.err));
	reply_is(FD_CMD_CHECK, 5, &res, "SPAMD/1.0 79 Timeout: (scan timed "
	    "out while trying to CHECK)\r\n", "timeout: EX_TIMEOUT");
	res.status = FD_ERROR;
	reply_is(FD_CMD_CHECK, 5, &res, "SPAMD/1.0 70 Software error: scan "
	    "timed out\r\n", "error: EX_SOFTWARE");

	/* the delegation side reads spamd's replies */
	memset(&back, 0, sizeof(back));
	m = "SPAMD/1.1 0 EX_OK\r\nContent-length: 21\r\nSpam: True ; 1001.3 "
	    "/ 5.0\r\n\r\nGTUBE,RCVD_ILLEGAL_IP";
	is_int(fd_spamc_parse(m, strlen(m), FD_CMD_SYMBOLS, &back), 0,
	    "SYMBOLS read back");
	is_int(back.is_spam, 1, "spam");
	is_str(back.score, "1001.3", "score");
	is_str(back.required, "5.0", "required");
	is_str(back.tests, "GTUBE,RCVD_ILLEGAL_IP", "tests");
	fd_result_clear(&back);
	m = "SPAMD/1.1 0 EX_OK\r\nContent-length: 99\r\nSpam: False ; 1.3 / "
	    "5.0\r\n\r\nX-Spam-Status: No, score=1.3 required=5.0 tests=A,B,"
	    "\r\n\tC autolearn=no\r\n\r\nbody\r\n";
	rc = fd_spamc_parse(m, strlen(m), FD_CMD_PROCESS, &back);
	is_int(rc, -1, "Content-length mismatch refused");
	fd_result_clear(&back);
	m = "SPAMD/1.1 0 EX_OK\r\nContent-length: 79\r\nSpam: False ; 1.3 / "
	    "5.0\r\n\r\nX-Spam-Status: No, score=1.3 required=5.0 tests=A,B,"
	    "\r\n\tC autolearn=no\r\n\r\nbody\r\n";
	is_int(fd_spamc_parse(m, strlen(m), FD_CMD_PROCESS, &back), 0,
	    "PROCESS read back");
	is_int(back.is_spam, 0, "ham");
	is_str(back.tests, "A,B,C", "tests= from X-Spam-Status, unfolded");
	is_int(back.outlen, 79, "the message");
	fd_result_clear(&back);
	m = "SPAMD/1.0 76 Bad header line: BOGUS\r\n";
	is_int(fd_spamc_parse(m, strlen(m), FD_CMD_CHECK, &back), -1,
	    "an error answer");
	is_int(back.status, FD_ERROR, "FD_ERROR");
	ok(strstr(back.err, "76 Bad header") != NULL, "err: %s", back.err);
	fd_result_clear(&back);
	m = "SPAMD/1.0 79 Timeout: (x)\r\n";
	(void)fd_spamc_parse(m, strlen(m), FD_CMD_CHECK, &back);
	is_int(back.status, FD_TIMEOUT, "79 is a timeout");
	fd_result_clear(&back);
	is_int(fd_spamc_parse("", 0, FD_CMD_CHECK, &back), -1, "no answer");
	fd_result_clear(&back);

	/* Compress: zlib */
	zlen = sizeof(zbuf);
	is_int(compress((Bytef *)zbuf, &zlen, (const Bytef *)"hello world",
	    11), Z_OK, "compress");
	s = fd_inflate(zbuf, zlen, 1 << 20, &len, err, sizeof(err));
	ok(s != NULL && len == 11 && memcmp(s, "hello world", 11) == 0,
	    "inflated back");
	free(s);
	s = fd_inflate("garbage", 7, 1 << 20, &len, err, sizeof(err));
	ok(s == NULL, "garbage refused: %s", err);
	return done_testing();
}
