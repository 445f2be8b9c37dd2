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
 * The MIME tree of a message held in memory (or mmap'd): filterd,
 * dkimsignd, maild.  Parts are offsets into the caller's buffer, which
 * must outlive the tree; no body is copied (each part's header block
 * is, by common/msghdr).
 *
 *	struct mime		*m = mime_parse(buf, len, NULL);
 *	const struct mime_part	*p;
 *
 *	for (p = mime_root(m); p != NULL; p = mime_next(p))
 *		if (p->nchild == 0)		a leaf
 *			mime_decode(m, p, &out, MIME_DEC_UTF8);
 *	mime_free(m);
 *
 * Each part: its header block [off, bodyoff) (the blank line included
 * when there is one), its body [bodyoff, bodyoff + bodylen), the body's
 * LF count and bare-LF count (IMAP BODYSTRUCTURE lines; CRLF size is
 * bodylen + barelf), type/subtype lower-cased with parameters,
 * Content-Transfer-Encoding, Content-Disposition, and children:
 *
 * - multipart/ * (RFC 2046 5.1): the body is split on lines
 *   "--boundary" ["--"] then blanks; the line end before a delimiter
 *   belongs to the delimiter.  The preamble and epilogue are no part;
 *   a missing final delimiter ends the last part at the end of the
 *   enclosing body (MIME_F_NOEND); a line with an enclosing multipart's
 *   delimiter also ends this one (MIME_F_NOEND).  A boundary that is a
 *   prefix of another never matches it (the rest of the line must be
 *   "--" or blanks).  No delimiter at all: the whole body is one part
 *   (as SpamAssassin does).  A multipart with no boundary parameter is
 *   text/plain (MIME_F_BADTYPE).
 * - message/rfc822 and message/global that are not base64 or QP: one
 *   child, the encapsulated message (its header and body).
 * - A part's header ends at its blank line, or at the first line that is
 *   neither a field nor a continuation (that line starts the body,
 *   MIME_F_NOSEP).  Several Content-Type fields: the last is used (as
 *   SpamAssassin).  No or unparsable Content-Type: text/plain, or
 *   message/rfc822 inside multipart/digest (MIME_F_DEFTYPE).
 * - Limits (struct mime_limits, 0 for the defaults): nesting depth
 *   (default 20, SpamAssassin's) and number of parts (default 1000):
 *   beyond them a multipart or message part stays a leaf, and
 *   mime_flags() has MIME_F_LIMIT.
 */

#ifndef MX_MIME_H
#define MX_MIME_H

#include <stddef.h>

#include "mimedec.h"

struct msghdr;

#define MIME_DEPTH_MAX		20
#define MIME_PARTS_MAX		1000

/* part flags */
#define MIME_F_NOEND		0x01	/* multipart: no final delimiter */
#define MIME_F_NOSEP		0x02	/* header not ended by a blank line */
#define MIME_F_DEFTYPE		0x04	/* Content-Type missing or bad */
#define MIME_F_BADTYPE		0x08	/* multipart without boundary */
#define MIME_F_NOPARTS		0x10	/* multipart without any delimiter */
#define MIME_F_LIMIT		0x20	/* depth/part limit: kept as a leaf */

enum mime_enc {
	MIME_ENC_7BIT,		/* also: none given */
	MIME_ENC_8BIT,
	MIME_ENC_BINARY,
	MIME_ENC_QP,
	MIME_ENC_BASE64,
	MIME_ENC_OTHER		/* x-uuencode etc.: body used as it is */
};

struct mime_limits {
	int		 max_depth;
	int		 max_parts;
};

struct mime_part {
	size_t			 off;		/* header start */
	size_t			 bodyoff;	/* body start */
	size_t			 bodylen;	/* body octets */
	size_t			 lines;		/* LFs in the body */
	size_t			 barelf;	/* LFs without CR before */
	struct msghdr		*hdr;		/* the part's fields */
	const char		*type;		/* "text" (lower case) */
	const char		*subtype;	/* "plain" */
	struct mime_ctype	 ct;		/* parsed Content-Type */
	struct mime_ctype	 disp;		/* Content-Disposition */
	enum mime_enc		 enc;
	char			*encname;	/* the CTE as given, or NULL */
	int			 flags;		/* MIME_F_* */
	int			 depth;		/* root 0 */
	struct mime_part	*parent;
	struct mime_part	**child;
	size_t			 nchild;
};

struct mime;

struct mime	*mime_parse(const char *, size_t, const struct mime_limits *);
void		 mime_free(struct mime *);
const struct mime_part *mime_root(const struct mime *);
int		 mime_flags(const struct mime *);	/* MIME_F_LIMIT */
size_t		 mime_nparts(const struct mime *);
/* Depth-first, document order: the next part after p, or NULL. */
const struct mime_part *mime_next(const struct mime_part *);
/*
 * The part an IMAP section number names ("1", "2.1.3"; RFC 3501 6.4.5):
 * the parts of a multipart are 1..n; a message that is not multipart
 * (the top one or an encapsulated one) has its body as part 1; "N.x"
 * below a message/rfc822 part N numbers the encapsulated message's
 * parts.  NULL if there is no such part (or spec is not numbers).
 */
const struct mime_part *mime_section(const struct mime *, const char *);
/* The whole message, as given to mime_parse, and its length. */
const char	*mime_buf(const struct mime *, size_t *);
/* Raw body (still transfer-encoded) of a part, and its length. */
const char	*mime_body(const struct mime *, const struct mime_part *,
		    size_t *);
/* A parameter of the part's Content-Type (case-insensitive name). */
const char	*mime_param(const struct mime_part *, const char *);
/* The attachment file name: disposition filename, else type name. */
const char	*mime_filename(const struct mime_part *);

#define MIME_DEC_UTF8		0x01	/* text/ *: charset to UTF-8 */
#define MIME_DEC_LF		0x02	/* text: CRLF to LF */
/*
 * The part's body transfer-decoded (and with MIME_DEC_UTF8, for text/ *,
 * converted from its charset, default US-ASCII, to UTF-8), appended
 * to out.  Returns the MIMEDEC_* repair flags.
 */
int		 mime_decode(const struct mime *, const struct mime_part *,
		    struct mimebuf *, int);

#endif /* MX_MIME_H */
