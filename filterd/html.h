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
 * HTML to text the way SpamAssassin's Mail::SpamAssassin::HTML (on
 * HTML::Parser 3) does it, for filterd's body rules.
 *
 * Input is UTF-8 (the part already converted from its charset).  Tags
 * are removed; <br> and <div> give "\n", <p> <hr> <blockquote> <pre>
 * <title> <xmp> <listing> <plaintext> give "\n\n", <li> <td> <th> <dt>
 * <dd> <h1>..<h6> <embed> a space (start and end tags alike), and the
 * trailing space of the text before them is dropped; runs of ASCII white
 * space in text become one space; entities (HTML 4 names, with or
 * without ';' as HTML::Parser takes them; &#N; &#xN;) are decoded;
 * comments, declarations, processing instructions, <script> and
 * <style> contents are dropped; title/textarea/xmp/iframe contents are
 * text.  Invisible text (colour equal or close to the background, font
 * size 1, display:none, visibility:hidden, invalid colours) is kept in
 * the rendered text as SpamAssassin keeps it for body rules, and counted
 * in invisible_len.  The result (struct html_result, which may be NULL)
 * starts empty (zeroed) and is freed with html_result_clear().
 *
 * URIs: <a|area|link href>, <img|frame|iframe|embed|script|bgsound
 * src>, <form action>, <body|table|tr|td background>, <base href>
 * (which also resolves relative ones), <meta http-equiv=refresh
 * content="...url=">, data-saferedirecturl: trimmed, deduplicated.
 */

#ifndef MX_FILTERD_HTML_H
#define MX_FILTERD_HTML_H

#include <stddef.h>

#include "mimedec.h"

struct html_uris {
	char	**v;
	size_t	  n;
};

struct html_strs {
	char	**v;
	size_t	  n;
};

struct html_tagcount {
	char	*name;
	int	 count;		/* start tags minus end tags, >= 0 */
};

/*
 * What HTML.pm's get_results() gives the HTMLEval rules (the names are
 * its keys): counts over every tag (start and end), "inside" per tag
 * name, texts of <title>, <a>, comments and scripts, and the flags.
 */
struct html_result {
	size_t			 invisible_len;	/* octets of invisible text */
	size_t			 length;	/* input characters */
	/* set by render.c (Message::Node::rendered): */
	size_t			 html_length;	/* rendered characters */
	size_t			 non_space_len;	/* ... not white space */
	double			 ratio;		/* 1 - html_length / input */
	int			 tags, elements;
	int			 tags_seen, elements_seen;
	int			 closed_extra, closed_html, closed_body;
	int			 obfuscation;
	size_t			 backhair_count;
	long			 image_area;
	int			 min_size, max_size;
	int			 font_low_contrast, font_invalid_color;
	int			 font_face_bad, form_action_mailto, embeds;
	struct html_tagcount	*inside;
	size_t			 ninside;
	struct html_strs	 title, anchor, comment, script;
	/* per anchor: canon_uri of its href ("" without), anchor's key */
	struct html_strs	 anchor_uri;
	int			 iframe_src;	/* an <iframe src> URI */
	int			 uri_truncated;	/* a URI cut at 8192 */
	struct html_strs	 backhair;	/* its distinct keys */
};

void	html_render(const char *, size_t, struct mimebuf *,
	    struct html_uris *, struct html_result *);
void	html_uris_add(struct html_uris *, const char *, size_t);
void	html_uris_clear(struct html_uris *);
void	html_result_clear(struct html_result *);
/* inside{tag}: -1 if the tag never came. */
int	html_inside(const struct html_result *, const char *);

#endif /* MX_FILTERD_HTML_H */
