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
 * The engine's multi-pattern prefilter over Hyperscan: many PCRE2
 * patterns, each run by the engine over the lines of one text (body
 * lines, rawbody lines, URIs), are matched all at once over those lines
 * joined with '\n'.  Each pattern is compiled in Hyperscan's prefilter
 * mode, whose matches are a superset of the pattern's; a pattern whose
 * superset property could break on the joined text is refused (see
 * sa_hs.c), and its rule keeps running as before.  Exact results still
 * come from PCRE2: a pattern not flagged by sa_hs_scan cannot match any
 * of the lines, so its rule need not run.
 *
 *	struct sa_hs *h = sa_hs_new();
 *	sa_hs_add(h, pattern, minlen, id, err, errlen);	0: taken
 *	sa_hs_finish(h, err, errlen);
 *	sa_hs_scan(h, text, len, mark, gen);	mark[id] = gen if it may match
 *	sa_hs_free(h);
 *
 * Without Hyperscan (no MX_HAVE_HYPERSCAN) every pattern is refused.
 * The scratch space is allocated at the first scan, so a process that
 * builds the prefilter and then forks gets one scratch per child.  Not
 * thread-safe (one per engine).
 */

#ifndef FILTERD_SA_HS_H
#define FILTERD_SA_HS_H

#include <stddef.h>
#include <stdint.h>

struct sa_hs;

/* 1 if built with Hyperscan */
int		 sa_hs_available(void);
struct sa_hs	*sa_hs_new(void);
/*
 * The syntax check alone: 0 if the pattern's Hyperscan prefilter is a
 * superset over joined lines, -1 (reason in err) if it must not be used.
 */
int		 sa_hs_check(const char *, char *, size_t);
/*
 * The pattern as it goes to Hyperscan: counted repeats X{m,n} relaxed to
 * X* (m = 0) or X+ (a superset that compiles fast).  Malloc'd.
 */
char		*sa_hs_relax(const char *);
/*
 * Take a PCRE2 pattern (as the engine compiles it, flags inline) under
 * an id (index into sa_hs_scan's mark array).  minlen: PCRE2's bound on
 * the length of a match (0: it may match the empty string: refused).
 * 0: taken; -1: refused (reason in err).  Only before sa_hs_finish.
 */
int		 sa_hs_add(struct sa_hs *, const char *, size_t, unsigned int,
		    char *, size_t);
/* Compile the database (nothing taken: no database).  0 or -1 (err). */
int		 sa_hs_finish(struct sa_hs *, char *, size_t);
/* patterns in the database */
size_t		 sa_hs_count(const struct sa_hs *);
/*
 * Scan text once: mark[id] = gen for every pattern that may match it.
 * 0, or -1 (no scratch, scan error): then no mark can be trusted and
 * the caller must run every rule.
 */
int		 sa_hs_scan(struct sa_hs *, const char *, size_t, uint32_t *,
		    uint32_t);
void		 sa_hs_free(struct sa_hs *);

#endif /* FILTERD_SA_HS_H */
