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
 * libFuzzer target for the record decoder in common/db: decode
 * arbitrary bytes with a field list taken from the input; the decoder
 * must never read outside the record, and whatever decodes completely
 * must encode back to exactly the same bytes.
 *
 * Input: byte 0 = number of fields (mod 16), the next bytes one field
 * type each (mod 8), the rest is the record (its first byte the
 * version, which must be 3).
 */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define VERSION		3

struct field {
	int		 type;
	uint64_t	 u;
	int64_t		 t;
	const void	*p;
	size_t		 len;
	char		 s[64];
	char		*sd;
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct field	 f[16];
	struct db_dec	 d;
	struct db_enc	 e;
	const void	*out;
	uint8_t		*rec, u8;
	uint16_t	 u16;
	uint32_t	 u32;
	size_t		 nf, i, j, rlen, olen;
	volatile uint8_t sink = 0;	/* reads every decoded byte */
	int		 r = 0;

	if (size < 1)
		return 0;
	nf = data[0] % 16;
	if (size < 1 + nf)
		return 0;
	for (i = 0; i < nf; i++) {
		memset(&f[i], 0, sizeof(f[i]));
		f[i].type = data[1 + i] % 8;
	}
	/* An exact-size copy, so ASan sees any overread. */
	rlen = size - 1 - nf;
	rec = malloc(rlen ? rlen : 1);
	CHECK(rec != NULL);
	memcpy(rec, data + 1 + nf, rlen);

	if (db_dec_init(&d, rec, rlen, VERSION) == -1)
		r = -1;
	for (i = 0; i < nf && r == 0; i++) {
		switch (f[i].type) {
		case 0:
			r = db_dec_u8(&d, &u8);
			f[i].u = u8;
			break;
		case 1:
			r = db_dec_u16(&d, &u16);
			f[i].u = u16;
			break;
		case 2:
			r = db_dec_u32(&d, &u32);
			f[i].u = u32;
			break;
		case 3:
			r = db_dec_u64(&d, &f[i].u);
			break;
		case 4:
			r = db_dec_time(&d, &f[i].t);
			break;
		case 5:
			r = db_dec_bytes(&d, &f[i].p, &f[i].len);
			for (j = 0; r == 0 && j < f[i].len; j++)
				sink += ((const uint8_t *)f[i].p)[j];
			break;
		case 6:
			r = db_dec_str(&d, f[i].s, sizeof(f[i].s));
			if (r == 0)
				CHECK(strlen(f[i].s) < sizeof(f[i].s));
			break;
		case 7:
			r = db_dec_strdup(&d, &f[i].sd);
			break;
		}
	}
	if (r == 0 && db_dec_end(&d) == 0) {
		db_enc_init(&e, VERSION);
		for (i = 0; i < nf; i++) {
			switch (f[i].type) {
			case 0:
				db_enc_u8(&e, f[i].u);
				break;
			case 1:
				db_enc_u16(&e, f[i].u);
				break;
			case 2:
				db_enc_u32(&e, f[i].u);
				break;
			case 3:
				db_enc_u64(&e, f[i].u);
				break;
			case 4:
				db_enc_time(&e, f[i].t);
				break;
			case 5:
				db_enc_bytes(&e, f[i].p, f[i].len);
				break;
			case 6:
				db_enc_str(&e, f[i].s);
				break;
			case 7:
				db_enc_str(&e, f[i].sd);
				break;
			}
		}
		out = db_enc_data(&e, &olen);
		CHECK(out != NULL && olen == rlen &&
		    memcmp(out, rec, rlen) == 0);
		db_enc_free(&e);
	} else {
		/* Failure is sticky. */
		CHECK(db_dec_u8(&d, &u8) == -1 && u8 == 0);
		CHECK(db_dec_end(&d) == -1);
	}
	for (i = 0; i < nf; i++)
		free(f[i].sd);
	free(rec);
	return 0;
}
