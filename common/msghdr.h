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

#ifndef MX_MSGHDR_H
#define MX_MSGHDR_H

/*
 * The header block of an RFC 5322 message (dkimsignd, filterd, maild).
 *
 * Fed from a buffer at once (msghdr_parse) or in chunks of any size
 * (msghdr_feed), it keeps the header block's octets exactly as given
 * and splits it into fields.  Each field keeps its raw octets (name,
 * colon, value, folding, every line end, through the field's last line
 * end), so a field can be written out again unchanged, or
 * canonicalized (DKIM).
 *
 * Lines end at LF; a CR before the LF belongs to the line end (LF-only
 * input is fine; a CR elsewhere is an ordinary octet).  A line that
 * begins with SP or HTAB continues the field before it.  The header
 * ends at the first empty line (CRLF or LF alone; it belongs to the
 * header block but to no field), or at the end of input
 * (msghdr_finish; then the message has no body).
 *
 * Tolerance: a line that is not a field ("From " mbox lines, a
 * continuation with no field before it, a line with no colon or an
 * empty name) becomes a field flagged MSGHDR_F_BAD with an empty name,
 * so that nothing is lost; the name is what precedes the colon, WSP
 * before the colon excluded (RFC 5322 obs-optional).  Limits: a line
 * longer than max_line or a header block larger than max_total octets
 * makes msghdr_feed fail (-1, reason in msghdr_error) and the parser
 * stays failed.
 */

#include <sys/types.h>

#include <stddef.h>

#define MSGHDR_F_BAD		0x01	/* not a field: no name/colon */
#define MSGHDR_F_NOEOL		0x02	/* input ended inside it */

#define MSGHDR_LINE_MAX		(64 * 1024)	/* default max_line */
#define MSGHDR_TOTAL_MAX	(1024 * 1024)	/* default max_total */

struct msghdr;

struct msghdr_field {
	size_t		 off;		/* start in the block */
	size_t		 len;		/* raw length, line ends included */
	size_t		 namelen;	/* name: block[off, off + namelen) */
	size_t		 valoff;	/* value: from off + valoff */
	int		 flags;		/* MSGHDR_F_* */
};

/* max_line, max_total: 0 for the defaults above. */
struct msghdr	*msghdr_new(size_t, size_t);
void		 msghdr_free(struct msghdr *);
/* Forget everything: ready for another message, same limits. */
void		 msghdr_reset(struct msghdr *);

/*
 * Feed octets.  Returns how many were taken: all of them while the
 * header goes on, fewer once the empty line has been taken (the rest is
 * the body); -1 on error.  Once done, further calls take nothing.
 */
ssize_t		 msghdr_feed(struct msghdr *, const void *, size_t);
/* End of input: the header ends here even without the empty line. */
int		 msghdr_finish(struct msghdr *);
/* A whole buffer: msghdr_feed then, without an empty line, finish. */
ssize_t		 msghdr_parse(struct msghdr *, const void *, size_t);
int		 msghdr_done(const struct msghdr *);
const char	*msghdr_error(const struct msghdr *);

/* The header block as taken so far (and its length). */
const char	*msghdr_block(const struct msghdr *, size_t *);
/*
 * Fields are numbered from 0 at the top; only complete fields count: a
 * field is complete once the line after it has been taken whole (it
 * could otherwise still be continued), or the header has ended.
 */
size_t		 msghdr_count(const struct msghdr *);
const struct msghdr_field *msghdr_field(const struct msghdr *, size_t);
/* Pointers into the block, valid until the next feed/reset/free. */
const char	*msghdr_raw(const struct msghdr *, size_t, size_t *);
const char	*msghdr_name(const struct msghdr *, size_t, size_t *);
/* The raw value: after the colon, through the last line end. */
const char	*msghdr_rawvalue(const struct msghdr *, size_t, size_t *);
/*
 * The unfolded value (malloc'd): line ends removed, leading and
 * trailing WSP removed, other octets as they are.
 */
char		*msghdr_value(const struct msghdr *, size_t);
/* Case-insensitive name test. */
int		 msghdr_is(const struct msghdr *, size_t, const char *);
/*
 * The index of the nth field named name (case-insensitive): nth 0 is the
 * first from the top, -1 the last, -2 the one above; -1 if none.
 */
ssize_t		 msghdr_find(const struct msghdr *, const char *, int);
/* How many fields have this name. */
size_t		 msghdr_count_name(const struct msghdr *, const char *);

/*
 * The first mailbox of an address header value ("Name <a@b>",
 * "a@b (comment)", "group: a@b;"): its addr-spec as written (comments,
 * display name and angle brackets removed; a quoted local part kept
 * with its quotes), into buf.  0, or -1 if there is none or it does
 * not fit.
 */
int		 msghdr_mailbox(const char *, char *, size_t);

#endif /* MX_MSGHDR_H */
