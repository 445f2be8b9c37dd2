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
 * common/spamsync's packet parser.  The input is parsed twice: as it
 * is (the HMAC check, and every check before it), and re-signed with
 * the key so the TLV walk is reached.  Every entry handed over must
 * have a valid address and bounded strings, and must build back into
 * a packet that parses to the same entry.
 */

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "spamsync.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define FUZZKEY		"cd860bc99302447dc4f3739817c4d1f02b19b1ab"

static struct spamsync_key	 key;
static int			 key_set;

static void	check_entry(const struct spamsync_entry *, void *);
static void	same_entry(const struct spamsync_entry *, void *);

static void
same_entry(const struct spamsync_entry *e, void *arg)
{
	const struct spamsync_entry	*want = arg;

	CHECK(e->kind == want->kind);
	CHECK(strcmp(e->ip, want->ip) == 0);
	CHECK(e->time == want->time);
	if (e->kind == SPAMSYNC_GREY) {
		CHECK(strcmp(e->helo, want->helo) == 0);
		CHECK(strcmp(e->from, want->from) == 0);
		CHECK(strcmp(e->to, want->to) == 0);
	} else
		CHECK(e->expire == want->expire);
}

static void
check_entry(const struct spamsync_entry *e, void *arg)
{
	unsigned char	 a[16], pkt[SPAMSYNC_MAXSIZE];
	size_t		 n = 0;
	ssize_t		 len;

	(void)arg;
	CHECK(inet_pton(AF_INET, e->ip, a) == 1 ||
	    inet_pton(AF_INET6, e->ip, a) == 1);
	CHECK(e->time >= 0 && e->time <= UINT32_MAX);
	switch (e->kind) {
	case SPAMSYNC_GREY:
		CHECK(e->helo != NULL && e->from != NULL && e->to != NULL);
		CHECK(strlen(e->helo) + strlen(e->from) + strlen(e->to) <
		    SPAMSYNC_MAXSIZE);
		break;
	case SPAMSYNC_WHITE:
	case SPAMSYNC_TRAPPED:
		CHECK(e->expire >= 0 && e->expire <= UINT32_MAX);
		break;
	default:
		abort();
	}
	len = spamsync_build(&key, 7, e, pkt, sizeof(pkt));
	CHECK(len > 0);
	CHECK(spamsync_parse(&key, pkt, len, same_entry, (void *)e, &n) ==
	    SPAMSYNC_OK);
	CHECK(n == 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char		 buf[SPAMSYNC_MAXSIZE];
	unsigned int		 mlen = 0;
	size_t			 n = 0, shlen;
	enum spamsync_err	 err;

	if (!key_set) {
		spamsync_key_set(&key, FUZZKEY);
		key_set = 1;
	}
	err = spamsync_parse(&key, data, size, check_entry, NULL, &n);
	CHECK(err >= SPAMSYNC_OK && err < SPAMSYNC_NERR);
	CHECK(err != SPAMSYNC_OK || n <= size / 4);
	if (size > SPAMSYNC_MAXSIZE)
		CHECK(err == SPAMSYNC_EOVERSIZE && n == 0);
	if (size < SPAMSYNC_HDR_LEN || size > sizeof(buf))
		return (0);

	/* re-signed: the TLV walk */
	memcpy(buf, data, size);
	shlen = (size_t)buf[2] << 8 | buf[3];
	if (shlen >= SPAMSYNC_HDR_LEN && shlen <= size) {
		memset(buf + 8, 0, SPAMSYNC_HMAC_LEN);
		HMAC(EVP_sha1(), FUZZKEY, strlen(FUZZKEY), buf, shlen,
		    buf + 8, &mlen);
	}
	err = spamsync_parse(&key, buf, size, check_entry, NULL, &n);
	CHECK(err >= SPAMSYNC_OK && err < SPAMSYNC_NERR);
	CHECK(err != SPAMSYNC_EHMAC || shlen < SPAMSYNC_HDR_LEN ||
	    shlen > size || buf[0] != 2 || buf[1] != 2);
	return (0);
}
