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
 * MIME decoders, tolerant the way mail readers are (shared by filterd,
 * dkimsignd and maild):
 *
 *	struct mimebuf	b;
 *	int		flags = 0;
 *
 *	mimebuf_init(&b);
 *	mime_b64_decode(&b, in, inlen, &flags);	appends to b
 *	mime_charset_to_utf8(&out, "iso-8859-1", b.buf, b.len);
 *	mimebuf_free(&b);
 *
 * Every decoder appends to a growable buffer (always NUL-terminated, the
 * NUL not counted in len) and never fails on bad input: what it had to
 * repair it reports in *flags (MIMEDEC_*; flags may be NULL).
 *
 * - base64: characters outside the alphabet are skipped (BADCHAR), '='
 *   ends a quantum wherever it is, a partial last quantum gives the
 *   bytes it holds (TRUNC: missing padding, or a lone sixth of a byte).
 * - quoted-printable (RFC 2045 6.7): trailing blanks before a line end
 *   are deleted, "=" at a line end is a soft break, =XX (either case) is
 *   a byte, any other "=" is kept as it is (BADESC).  With MIMEDEC_QHDR
 *   it is RFC 2047's Q: '_' is a space.
 * - mime_charset_to_utf8: iconv to UTF-8; UTF-8 and US-ASCII are only
 *   checked.  Invalid sequences become U+FFFD (BADSEQ); an unknown
 *   charset keeps the bytes as they are and returns -1.
 *   mime_cp1252_to_utf8 reads Windows-1252 (what readers take
 *   ISO-8859-1 to mean), which cannot fail.
 * - mime_hdr_decode: an unfolded header value with RFC 2047 encoded-words
 *   (B and Q, any charset, RFC 2231 "*lang" suffix ignored) decoded to
 *   UTF-8; white space between two encoded-words is dropped; words of
 *   the same charset next to each other are decoded together (a
 *   character split across two words survives, as in SpamAssassin).
 *   Raw 8-bit text that is not UTF-8 is read as Windows-1252.
 * - mime_ctype_parse: a Content-Type or Content-Disposition value:
 *   type/subtype (lower-cased) and parameters; quoted strings, (comments),
 *   RFC 2231 name*=charset'lang'value and name*0*=..., name*1=...
 *   continuations (joined, %XX decoded, converted to UTF-8).  A missing
 *   or unparsable type leaves type NULL; parameters are still read.
 */

#ifndef MX_MIMEDEC_H
#define MX_MIMEDEC_H

#include <stddef.h>

struct mimebuf {
	char	*buf;
	size_t	 len;
	size_t	 size;
};

#define MIMEDEC_BADCHAR		0x01	/* base64: junk skipped */
#define MIMEDEC_TRUNC		0x02	/* base64: partial quantum */
#define MIMEDEC_BADESC		0x04	/* qp: "=" not followed by hex */
#define MIMEDEC_BADSEQ		0x08	/* charset: invalid input bytes */
#define MIMEDEC_UNKCHARSET	0x10	/* charset: unknown, bytes kept */
#define MIMEDEC_BADWORD		0x20	/* 2047: malformed word kept */
#define MIMEDEC_QHDR		0x100	/* qp input flag: RFC 2047 Q */

struct mime_param {
	char	*name;		/* lower-cased, without RFC 2231 "*N*" */
	char	*value;		/* unquoted; RFC 2231 decoded to UTF-8 */
	char	*charset;	/* RFC 2231 charset or NULL */
	char	*lang;		/* RFC 2231 language or NULL */
};

struct mime_ctype {
	char			*type;		/* "text", NULL if none */
	char			*subtype;	/* "plain", NULL if none */
	struct mime_param	*params;
	size_t			 nparams;
};

void	 mimebuf_init(struct mimebuf *);
void	 mimebuf_free(struct mimebuf *);
void	 mimebuf_reset(struct mimebuf *);
void	 mimebuf_add(struct mimebuf *, const void *, size_t);
void	 mimebuf_addc(struct mimebuf *, int);
void	 mimebuf_adds(struct mimebuf *, const char *);
void	 mimebuf_add_utf8(struct mimebuf *, unsigned int);
char	*mimebuf_steal(struct mimebuf *);

void	 mime_b64_decode(struct mimebuf *, const char *, size_t, int *);
void	 mime_qp_decode(struct mimebuf *, const char *, size_t, int *);
int	 mime_charset_to_utf8(struct mimebuf *, const char *, const char *,
	    size_t, int *);
int	 mime_charset_known(const char *);
void	 mime_cp1252_to_utf8(struct mimebuf *, const char *, size_t);
size_t	 mime_utf8_valid(const char *, size_t);
int	 mime_utf8_decode(const char *, size_t, unsigned int *);
int	 mime_uspace(unsigned int);
void	 mime_hdr_decode(struct mimebuf *, const char *, size_t, int *);

int	 mime_ctype_parse(const char *, size_t, struct mime_ctype *);
void	 mime_ctype_clear(struct mime_ctype *);
const char *mime_ctype_param(const struct mime_ctype *, const char *);

#endif /* MX_MIMEDEC_H */
