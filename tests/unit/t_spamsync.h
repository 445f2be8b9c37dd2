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
 * The sync test vectors of the reference (greyd.md section 3, checked
 * byte for byte against a real greyd), shared by t_spamsync and
 * t_spamsync_gsync.
 */

#ifndef T_SPAMSYNC_H
#define T_SPAMSYNC_H

#include <stddef.h>
#include <stdio.h>

#define TS		1700000000LL
/* sync key of a key file holding "greyd-test-key\n" */
#define TESTKEY		"cd860bc99302447dc4f3739817c4d1f02b19b1ab"

/* GREY counter 0, ts TS, 192.0.2.1 mx.example.org <a@..> <b@..> */
static const char grey_hex[] =
    "02020074000000007ef217e1b4015ae7a7a76dfe4bc0a32081768b5600000000"
    "000100506553f100c000020100100010000f"
    "3c61406578616d706c652e6f72673e003c62406578616d706c652e6e65743e00"
    "6d782e6578616d706c652e6f7267000000"
    "0000000000000000000000000000000004";
/* WHITE counter 1, ts TS, expire TS + 3110400, 192.0.2.1 */
static const char white_hex[] =
    "0202003400000001c3b1c06c4b4ff67dbc6902235fbd47f60a97ead700000000"
    "000200106553f10065836700c000020100000004";
/* TRAPPED counter 2, ts TS, expire TS + 86400, 198.51.100.9 */
static const char trap_hex[] =
    "0202003400000002f061899a70740d0d901e3939110e44ef3b84496500000000"
    "000300106553f10065554280c633640900000004";

static size_t	unhex(const char *, unsigned char *, size_t);

static size_t
unhex(const char *s, unsigned char *out, size_t max)
{
	size_t		 n = 0;
	unsigned int	 b;

	while (s[0] != '\0' && s[1] != '\0' && n < max) {
		if (sscanf(s, "%2x", &b) != 1)
			break;
		out[n++] = b;
		s += 2;
	}
	return (n);
}

#endif /* T_SPAMSYNC_H */
