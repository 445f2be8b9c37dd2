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

#ifndef GREYD_SETUP_H
#define GREYD_SETUP_H

/*
 * greyd-setup (spamd-setup): the library part, linked by greyd-setup.c
 * and by tests/unit/t_setup.c.
 *
 * setup_conf.c	 spamd.conf, a getcap(3) database: records, fields,
 *		 string decoding, tc=, the lists named by "all".
 * setup_list.c	 list contents: gzip or plain text, one entry a line
 *		 (CIDR, range, single address, IPv4 or IPv6).
 * setup_line.c	 spamd's config line: tag;"message";inet;N;...
 * setup_send.c	 the config socket client (127.0.0.1:8026).
 * setup_fetch.c the methods: file, exec, http and https (our own small
 *		 HTTP/1.1 client on common/io and common/tls).
 * setup_run.c	 the whole run: lists in order, white minus black, sink.
 */

#include <sys/types.h>

#include <netinet/in.h>

#include <stddef.h>

struct prefix;
struct prefixset;

#define SETUP_CONF		"/etc/mail/spamd.conf"
#define SETUP_CFG_PORT		8026	/* spamd-cfg; never getservbyname */
#define SETUP_MAXSIZE		(256UL * 1024 * 1024)	/* one list */
#define SETUP_MSG_MAX		(64 * 1024)		/* a msg file */
#define SETUP_TIMEOUT		60000	/* msec without progress */
#define SETUP_MAXREDIRS		5
#define SETUP_TC_DEPTH		32	/* getcap's MAX_RECURSION */

/*
 * A parsed spamd.conf.  Errors go into errs[] as "file:line: message";
 * the parser never stops at the first one and never logs.
 */
struct setup_field {
	char		*text;		/* raw, between the colons */
	int		 line;
};

struct setup_rec {
	char			*names;	/* "name|alias|..." */
	struct setup_field	*fields;
	size_t			 nfields;
	int			 line;
};

struct setup_conf {
	char		*path;
	struct setup_rec *recs;
	size_t		 nrecs;
	char		**errs;
	size_t		 nerrs;
};

/* A list of the "all" record, checked and ready to fetch. */
enum setup_method {
	SETUP_FILE,
	SETUP_HTTP,
	SETUP_HTTPS,
	SETUP_EXEC
};

struct setup_list {
	char		*name;
	int		 black;		/* 1 :black:, 0 :white: */
	char		*msg;		/* black: the text itself */
	enum setup_method method;
	char		*file;		/* path, host/path or command */
	int		 line;		/* of the record */
};

struct setup_conf *setup_conf_parse(const char *, const char *, size_t);
struct setup_conf *setup_conf_load(const char *);	/* NULL: no file */
void		 setup_conf_free(struct setup_conf *);
void		 setup_conf_error(struct setup_conf *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
/* The record named name, tc= expanded: fields in *f (free it), or -1. */
int		 setup_conf_get(struct setup_conf *, const char *,
		    struct setup_rec **, struct setup_field ***, size_t *);
/*
 * getcap lookups on an expanded field list.  bool: 1 present, 0 not.
 * str: the decoded value (malloc'd) in *val and 1, 0 absent, -1 bad
 * (error added).
 */
int		 setup_cap_bool(struct setup_field **, size_t, const char *);
int		 setup_cap_str(struct setup_conf *, struct setup_field **,
		    size_t, const char *, char **);
/* cgetstr(3) decoding of a raw value; -1 on a NUL byte. */
int		 setup_cap_decode(const char *, size_t, char **);
/* The lists of "all", in order; -1 (errors added) if any is bad. */
int		 setup_conf_lists(struct setup_conf *, struct setup_list **,
		    size_t *);
void		 setup_lists_free(struct setup_list *, size_t);

/*
 * List contents.  setup_parse_line: one line (no newline) into at most
 * max prefixes: returns how many (>= 1), 0 for a blank or comment line,
 * -1 for a bad one.
 */
struct setup_stats {
	size_t		 lines;
	size_t		 entries;
	size_t		 bad;
	size_t		 firstbad[4];	/* line numbers of the first ones */
};

int		 setup_parse_line(const char *, size_t, struct prefix *,
		    size_t);
/* Every line of buf into set; stats in *st (added to). */
void		 setup_parse_buf(const char *, size_t, struct prefixset *,
		    struct setup_stats *);
/*
 * Plain text or gzip (one or more members; sniffed by its magic): the
 * text in *out (malloc'd, NUL-terminated), at most max bytes.
 * -1 with a reason in err.
 */
int		 setup_decode(const void *, size_t, size_t, char **, size_t *,
		    char *, size_t);

/*
 * spamd's config line.  setup_msg_escape: the message as spamd reads it
 * between the quotes (\" \n \\; % left alone for %A and %%; CR dropped).
 * setup_configline: "tag;\"msg\";inet;N;a/m;...[;inet6;N;...]\n", or
 * "tag;\n" (delete the list) when set is empty.  malloc'd, length in
 * *len.
 */
char		*setup_msg_escape(const char *);
char		*setup_configline(const char *, const char *,
		    const struct prefixset *, size_t *);
int		 setup_tag_ok(const char *);

/*
 * The config socket: connect to 127.0.0.1:port from a reserved port
 * (1023 down to 512) when allowed, else from any port; write the line,
 * close our side, wait (timeout msec) for greyd to close.  -1 with a
 * reason in err.  *lport gets the source port used.
 */
int		 setup_send(const char *, size_t, in_port_t, int, in_port_t *,
		    char *, size_t);

/* Fetching. */
struct setup_fetch_opts {
	const char	*cafile;	/* NULL: the system store */
	const char	*user;		/* http(s) in a child as this user */
	int		 timeout;	/* msec without progress */
	size_t		 maxsize;
	int		 maxredirs;
};

int		 setup_fetch(const struct setup_list *,
		    const struct setup_fetch_opts *, char **, size_t *,
		    char *, size_t);
int		 setup_http_get(const char *, const struct setup_fetch_opts *,
		    char **, size_t *, char *, size_t);
int		 setup_exec_read(const char *, const struct setup_fetch_opts *,
		    char **, size_t *, char *, size_t);
/* Split on blanks as spamd-setup does: argv (free it) over s, count. */
char		**setup_split_words(char *, size_t *);
/* Parse http[s]://host[:port]/path; -1 if bad.  Strings malloc'd. */
int		 setup_url_parse(const char *, int *, char **, char **,
		    char **);

/*
 * The run.  For each black list (with the white lists after it): fetch,
 * decode, parse, collapse, subtract; then sink(tag, line, len, arg).
 * table (if not NULL) gets the union of every black list read, for -b.
 * Returns 0; 1 if only the sink failed (table complete); -1 if the
 * config or a list failed (logged; the lists that failed, and a black
 * list whose white list failed, are not sent; table incomplete).
 */
struct setup_opts {
	const char		*conffile;
	struct setup_fetch_opts	 fetch;
	int			(*sink)(const char *, const char *, size_t,
				    void *);
	void			*sink_arg;
	struct prefixset	*table;
};

int		 setup_run(const struct setup_opts *);

#endif /* GREYD_SETUP_H */
