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
 * What SpamAssassin's rules match, made from a parsed message
 * (common/mime):
 *
 *	struct render	*r = render_message(m, NULL);
 *	for (i = 0; i < r->body.n; i++)
 *		line = render_line(&r->body, i, &len);	body rules
 *	r->rawbody: rawbody rules;  r->uris.v[0 .. n-1]: uri rules
 *	render_free(r);
 *
 * body (Message.pm get_rendered_body_text_array): the last Subject
 * (unfolded, RFC 2047 decoded) and "\n" as the first line; then every
 * leaf part whose type is text/plain or text/html (any text/ * but
 * x-vcard, calendar and html counts as plain; a file name ending in
 * .htm, .html, .shtml makes it HTML) transfer-decoded, converted to
 * UTF-8 as SpamAssassin's _normalize does (valid UTF-8 stays, then the
 * declared charset, ISO-8859-1 read as Windows-1252, then Windows-1252),
 * HTML rendered by html_render(), each part cut at body_part_scan_size
 * (at a line end or space within 1 KB past it), the parts joined with
 * "\n"; white space runs holding two or more line ends become one line
 * end (a paragraph break), other white space runs (Unicode white space
 * included) one space; lines longer than 2048 octets are split at their
 * last space before 2048.  Each line keeps its "\n" (the last may have
 * none).
 *
 * rawbody (get_decoded_body_text_array): every text/ * and message/ *
 * leaf but text/calendar, transfer-decoded only (no charset, no HTML),
 * CRLF as LF for QP and base64 text, cut at rawbody_part_scan_size;
 * each part one element, or pieces of 2 to 4 KB cut at "\n", ">" or a
 * space when longer than 2048.
 *
 * uris (PerMsgStatus get_uri_list, roughly): the HTML parts' URIs and
 * the URIs found in the body lines (http, https, ftp schemes, www. and
 * ftp. hosts, mailto: and bare addresses), trimmed as Thunderbird
 * does, then canonicalised as Util::uri_list_canonicalize does for the
 * common cases (scheme added, "\" to "/", %XX decoded, "/" after the
 * host, :80/:443 dropped, http://word as www.word.com), each distinct
 * form once; a URI from text is dropped unless one of its forms has a
 * host that is an IPv4 address or a name under a valid TLD
 * (render_opts.tld_valid).
 */

#ifndef MX_FILTERD_RENDER_H
#define MX_FILTERD_RENDER_H

#include <stddef.h>

#include "html.h"
#include "mime.h"
#include "mimedec.h"

#define RENDER_BODY_SCAN	50000	/* body_part_scan_size */
#define RENDER_RAWBODY_SCAN	500000	/* rawbody_part_scan_size */
#define RENDER_LINE_MAX		2048	/* MAX_BODY_LINE_LENGTH */

struct render_lines {
	struct mimebuf	 buf;		/* the lines, back to back */
	size_t		*off;
	size_t		*len;
	size_t		 n;
};

struct render_opts {
	size_t		 body_scan;	/* 0: RENDER_BODY_SCAN */
	size_t		 rawbody_scan;	/* 0: RENDER_RAWBODY_SCAN */
	/*
	 * Is this (lower-case) TLD valid?  SpamAssassin's util_rb_tld
	 * list; NULL: any TLD of 2 to 63 letters, or xn--.
	 */
	int		(*tld_valid)(const char *, void *);
	void		*tld_arg;
};

/* an <a> of an HTML part: its key in HTML.pm's uri_detail, its text */
struct render_anchor {
	char		*uri;
	char		*text;
	int		 part;		/* which HTML part (0, 1, ...) */
};

struct render {
	struct render_lines	 body;
	struct render_lines	 rawbody;
	struct html_uris	 uris;
	struct html_result	 html;
	int			 has_html;	/* a text/html part */
	/* over every HTML part (html is the last part's) */
	struct render_anchor	*anchors;
	size_t			 nanchors;
	int			 nhtml;		/* HTML parts */
	int			 iframe_src;	/* an <iframe src> URI */
	int			 uri_truncated;	/* a URI over 8192 octets */
};

struct render	*render_message(const struct mime *,
		    const struct render_opts *);
void		 render_free(struct render *);
const char	*render_line(const struct render_lines *, size_t, size_t *);
struct msghdr;
/*
 * Header field i as SpamAssassin's get_header has it (unfolded, trimmed;
 * with decode, RFC 2047 and raw 8-bit text to UTF-8), appended to out.
 */
void		 render_hdr_value(const struct msghdr *, size_t, int,
		    struct mimebuf *);
/* SpamAssassin's _normalize: bytes in a declared charset to UTF-8. */
void		 render_to_utf8(struct mimebuf *, const char *, const char *,
		    size_t);
/*
 * The host of a URI (lower case) when RegistryBoundaries::uri_to_domain
 * takes it (see above), else NULL; free() it.
 */
char		*render_uri_host(const char *, const struct render_opts *);
/* Appends the URIs found in a text (one body line) to u. */
void		 render_text_uris(struct html_uris *, const char *, size_t,
		    const struct render_opts *);

#endif /* MX_FILTERD_RENDER_H */
