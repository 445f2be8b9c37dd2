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
 * libFuzzer target for common/greydb's record decoder, text key parser
 * and stored-key form.  Byte 0 picks what the rest is:
 *   0: a record value: what decodes must encode back to the same bytes;
 *   1: a text key: what parses must join back to the same key, its
 *      fields free of '\n' (but "to", which takes the rest, as spamd);
 *   2: a text key for the stored form: at most 289 bytes, the text
 *      itself up to GREYDB_KEY_INLINE, else prefix, NUL, hash.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "greydb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)

static void	fuzz_rec(const uint8_t *, size_t);
static void	fuzz_key(const uint8_t *, size_t);
static void	fuzz_store(const uint8_t *, size_t);

static void
fuzz_rec(const uint8_t *rec, size_t len)
{
	struct greydb_entry	 e;
	struct db_enc		 enc;
	const void		*fk, *out;
	size_t			 fklen, olen;

	memset(&e, 0, sizeof(e));
	if (greydb_rec_decode(rec, len, &e, &fk, &fklen) == -1) {
		CHECK(fk == NULL && fklen == 0 && e.first == 0);
		return;
	}
	CHECK(fklen == 0 || fk != NULL);
	db_enc_init(&enc, GREYDB_REC_V1);
	db_enc_time(&enc, e.first);
	db_enc_time(&enc, e.pass);
	db_enc_time(&enc, e.expire);
	db_enc_u32(&enc, (uint32_t)e.bcount);
	db_enc_u32(&enc, (uint32_t)e.pcount);
	db_enc_bytes(&enc, fk, fklen);
	out = db_enc_data(&enc, &olen);
	CHECK(out != NULL && olen == len && memcmp(out, rec, len) == 0);
	db_enc_free(&enc);
}

static void
fuzz_key(const uint8_t *key, size_t len)
{
	struct greydb_entry	 e;
	char			*j;
	int			 n;

	if (greydb_key_parse((const char *)key, len, &e) == -1) {
		CHECK(len == 0 || memchr(key, '\0', len) != NULL ||
		    e.type == GREYDB_BOGUS);
		greydb_entry_free(&e);
		return;
	}
	CHECK(e.keylen == len && memcmp(e.key, key, len) == 0 &&
	    e.key[len] == '\0');
	CHECK(strchr(e.ip, '\n') == NULL && strchr(e.helo, '\n') == NULL &&
	    strchr(e.from, '\n') == NULL);
	if (e.type == GREYDB_WHITE) {
		CHECK(strcmp(e.ip, e.key) == 0);
	} else {
		CHECK(e.type == GREYDB_GREY);
		if (memchr(key, '\n', len) != NULL &&
		    (j = strchr(e.key, '\n')) != NULL &&
		    (j = strchr(j + 1, '\n')) != NULL &&
		    strchr(j + 1, '\n') == NULL)
			/* two separators: spamd's old format, no helo */
			n = asprintf(&j, "%s\n%s\n%s", e.ip, e.from, e.to);
		else
			n = asprintf(&j, "%s\n%s\n%s\n%s", e.ip, e.helo,
			    e.from, e.to);
		CHECK(n >= 0 && (size_t)n == len &&
		    memcmp(j, key, len) == 0);
		free(j);
	}
	greydb_entry_free(&e);
}

static void
fuzz_store(const uint8_t *key, size_t len)
{
	unsigned char	out[GREYDB_KEY_INLINE + 1];
	size_t		olen;

	olen = greydb_key_store((const char *)key, len, out);
	if (len <= GREYDB_KEY_INLINE) {
		CHECK(olen == len && memcmp(out, key, len) == 0);
		return;
	}
	CHECK(olen == GREYDB_KEY_PREFIX + 1 + GREYDB_HASH_LEN);
	CHECK(memcmp(out, key, GREYDB_KEY_PREFIX) == 0 &&
	    out[GREYDB_KEY_PREFIX] == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	*copy;
	size_t	 len;

	if (size < 1)
		return 0;
	/* an exact-size copy, so ASan sees any overread */
	len = size - 1;
	copy = malloc(len ? len : 1);
	CHECK(copy != NULL);
	memcpy(copy, data + 1, len);
	switch (data[0] % 3) {
	case 0:
		fuzz_rec(copy, len);
		break;
	case 1:
		fuzz_key(copy, len);
		break;
	default:
		fuzz_store(copy, len);
		break;
	}
	free(copy);
	return 0;
}
