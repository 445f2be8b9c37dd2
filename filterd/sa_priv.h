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

/* filterd's scan engine: what sa_engine.c, sa_msg.c and sa_out.c share */

#ifndef FILTERD_SA_PRIV_H
#define FILTERD_SA_PRIV_H

#include <stdint.h>

struct mimebuf;
struct sa_msg;

struct sa_hval {
	uint32_t hash;
	char	*spec;
	char	*val;		/* NULL: absent */
	size_t	 len;
};

struct sa_hcache {
	struct sa_hval	*v;
	size_t		 n, cap;
};

void		 sa_msg_value(struct sa_msg *, size_t, int, struct mimebuf *);
const char	*sa_msg_envelope_from(struct sa_msg *);
const char	*sa_msg_cache_put(struct sa_msg *, const char *, const char *,
		    size_t);
void		 sa_hcache_clear(struct sa_hcache *);
uint32_t	 sa_hash(const char *);
const char	*sa_msg_get_len(struct sa_msg *, const char *, size_t *);

/* sa_lit.c: the prefilter's literals */
char		**sa_lit_extract(const char *);
void		 sa_lit_free(char **);
struct sa_ac;
struct sa_ac	*sa_ac_new(void);
int		 sa_ac_add(struct sa_ac *, const char *, size_t);
void		 sa_ac_finish(struct sa_ac *);
size_t		 sa_ac_nlits(const struct sa_ac *);
void		 sa_ac_scan(const struct sa_ac *, const char *, size_t,
		    uint32_t *, uint32_t);
void		 sa_ac_free(struct sa_ac *);

#endif /* FILTERD_SA_PRIV_H */
