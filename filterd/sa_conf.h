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
 * filterd's SpamAssassin rule loader: SpamAssassin 4.0.1's configuration
 * language read as SpamAssassin reads it.
 *
 *	struct sa_conf *c = sa_conf_new();
 *	sa_conf_load(c, &opts);		rules dir, site dir, as SA finds them
 *	  or sa_conf_parse_text(c, "name", text, len) ... sa_conf_finish(c);
 *	for (i = 0; i < c->nrules; i++) c->rules[i] ...
 *	sa_conf_free(c);
 *
 * Loading: *.pre of the site dir, *.pre of the rules dir, *.cf of the
 * rules dir, *.cf of the site dir (each sorted bytewise), user prefs off.
 * `include`, `loadplugin`/`tryplugin`, `ifplugin`/`if`/`else`/`endif`,
 * `require_version`, `lang xx`, `#` comments (`\#` for a literal),
 * `file start|end` markers: all with SpamAssassin's semantics.
 * Every rule SpamAssassin would define is in c->rules (definition order,
 * redefinition keeps the first position); a rule filterd cannot run has
 * r->unsupported set to the reason.  Problems SpamAssassin's --lint
 * would report go to c->diags as `file:line: message`.
 *
 * sa_conf_finish() does what SpamAssassin's finish_parsing does: default
 * scores, tflags, ReplaceTags expansion, meta compilation (dependencies,
 * cycles), eval argument parsing, regex conversion to PCRE2 (+ JIT).
 */

#ifndef FILTERD_SA_CONF_H
#define FILTERD_SA_CONF_H

#include <sys/types.h>
#include <sys/tree.h>

#include <stddef.h>
#include <stdint.h>

#define SA_VERSION_STR		"4.000001"
#define SA_VERSION_NUM		4.000001
#define SA_DEF_RULES_DIR	"/usr/share/spamassassin"
#define SA_SITE_RULES_DIR	"/etc/spamassassin"
#define SA_STATE_DIR		"/var/lib/spamassassin"

/* SpamAssassin's rule types (Conf.pm TYPE_*), by what they look at */
enum sa_rtype {
	SA_R_HEADER,		/* header (regex or exists:) */
	SA_R_BODY,
	SA_R_RAWBODY,
	SA_R_FULL,
	SA_R_URI,
	SA_R_META,
	SA_R_EMPTY		/* reuse/askdns placeholder */
};

/* header modifiers (header NAME From:addr =~ ...) */
#define SA_HM_RAW	0x001
#define SA_HM_ADDR	0x002
#define SA_HM_NAME	0x004
#define SA_HM_HOST	0x008
#define SA_HM_DOMAIN	0x010
#define SA_HM_IP	0x020
#define SA_HM_REVIP	0x040
#define SA_HM_FIRST	0x080
#define SA_HM_LAST	0x100

/* tflags */
#define SA_TF_NET	0x0001
#define SA_TF_NICE	0x0002
#define SA_TF_LEARN	0x0004
#define SA_TF_USERCONF	0x0008
#define SA_TF_NOAUTOLEARN 0x0010
#define SA_TF_MULTIPLE	0x0020
#define SA_TF_PUBLISH	0x0040
#define SA_TF_A		0x0080
#define SA_TF_NOSUBJECT	0x0100
#define SA_TF_NOTRIM	0x0200
#define SA_TF_DOMAINS_ONLY 0x0400
#define SA_TF_IPS_ONLY	0x0800
#define SA_TF_AUTOLEARN_BODY 0x1000
#define SA_TF_NOLOG	0x2000

/* a compiled regex: one PCRE2 code, or several ORed (a split pattern) */
struct sa_re {
	void		**codes;	/* pcre2_code * */
	size_t		  ncodes;
	int		  jit;		/* all JIT-compiled */
};

/* meta expression tree (also used for `if` conditions) */
enum sa_mop {
	SA_M_NUM, SA_M_RULE, SA_M_STR, SA_M_CALL,
	SA_M_NOT, SA_M_NEG, SA_M_POS,
	SA_M_MUL, SA_M_DIV, SA_M_ADD, SA_M_SUB,
	SA_M_LT, SA_M_LE, SA_M_GT, SA_M_GE, SA_M_EQ, SA_M_NE,
	SA_M_XOR, SA_M_AND, SA_M_OR, SA_M_COND
};

struct sa_mnode {
	enum sa_mop	 op;
	double		 num;
	char		*name;		/* RULE, STR, CALL (function) */
	size_t		 idx;		/* RULE: index in conf->rules */
	struct sa_mnode	*a, *b, *c;
};

#define SA_NOIDX	((size_t)-1)

struct sa_meta {
	struct sa_mnode	*root;		/* NULL: the empty meta "()" */
	char		**deps;		/* rule names, as written, once */
	size_t		  ndeps;
};

struct sa_rule {
	RB_ENTRY(sa_rule) entry;
	char		*name;
	size_t		 index;		/* position in conf->rules */
	enum sa_rtype	 type;
	int		 is_eval;	/* eval:func(args) */
	int		 is_rbl;	/* check_rbl...: a network test */
	int		 is_exists;	/* header NAME exists:Hdr */
	int		 is_mimeheader;	/* MIMEHeader rule (a body eval) */
	char		*text;		/* definition after the rule name */
	char		*file;
	size_t		 line;

	/* header / mimeheader */
	char		*hdr;		/* without modifiers: From, ALL, ... */
	unsigned int	 hdr_mods;	/* SA_HM_* */
	int		 neg;		/* !~ */
	char		*if_unset;

	/* regex rules */
	char		*re_sa;		/* "(?flags)pattern" as SA holds it */
	char		*re_pcre;	/* what went to PCRE2 (after tags) */
	struct sa_re	*re;		/* NULL if it did not compile */
	int		 replaced;	/* ReplaceTags expanded it */
	int		 captures;	/* defines (?<NAME>...) */
	int		 templates;	/* uses %{NAME} */

	/* eval */
	char		*eval_func;
	char		**eval_args;
	size_t		  eval_nargs;

	/* meta */
	struct sa_meta	*meta;
	int		 meta_unsolved;	/* cycle: SA makes it never hit */

	/* attributes (score/describe/tflags/priority lines) */
	double		 score[4];
	int		 score_set;	/* a score line named it */
	char		*describe;
	char		*tflags;	/* raw */
	unsigned int	 tf;		/* SA_TF_* */
	int		 maxhits;	/* 0: unlimited */
	int		 priority;

	char		*unsupported;	/* NULL: filterd can run it */
};

RB_HEAD(sa_rule_tree, sa_rule);

/* a stored setting (required_score, welcomelist_from, ...) */
struct sa_setting {
	char		*name;
	int		 set;		/* a line named it */
	double		 num;
	char		*str;
	char		**list;
	size_t		  nlist;
};

/* add_header: where it goes */
#define SA_HDR_HAM	1
#define SA_HDR_SPAM	2

struct sa_hdr {
	char		*name;		/* without X-Spam- */
	char		*tmpl;
};

struct sa_diag {
	char		*file;
	size_t		 line;
	char		*msg;
	int		 error;		/* SA --lint would fail */
};

struct sa_kv {
	char		*key;
	char		*val;
};

struct sa_count {
	char		*key;
	size_t		 n;
};

struct sa_load_opts {
	const char	*rules_dir;	/* NULL: SA's search */
	const char	*site_dir;	/* NULL: SA's search */
	const char	*state_dir;	/* NULL: /var/lib/spamassassin */
	const char	*lang;		/* NULL: from LANGUAGE/LC_ALL/... */
	const char	*post_config;	/* text parsed last */
	int		 local_tests_only;
	const char *const *evals;	/* eval functions the engine has */
};

struct sa_conf {
	struct sa_rule_tree	 tree;
	struct sa_rule		**rules;
	size_t			  nrules;
	size_t			 *meta_order;	/* solved metas, deps first */
	size_t			  nmeta_order;

	char			**plugins;	/* loaded, short names */
	size_t			  nplugins;

	/* ReplaceTags */
	char			*replace_start, *replace_end;
	struct sa_kv		 *rtag, *rpre, *rinter, *rpost;
	size_t			  nrtag, nrpre, nrinter, nrpost;
	char			**replace_rules;
	size_t			  nreplace_rules;

	/* output settings */
	struct sa_hdr		 *hdr_ham, *hdr_spam;
	size_t			  nhdr_ham, nhdr_spam;
	char			*rewrite[3];	/* Subject From To */
	char			*report;	/* template, lines with \n */
	char			*unsafe_report;
	struct sa_setting	 *settings;
	size_t			  nsettings;

	/* what was read and what was not understood */
	char			**files;
	size_t			  nfiles;
	struct sa_diag		 *diags;
	size_t			  ndiags;
	struct sa_count		 *ignored;	/* known settings not used */
	size_t			  nignored;

	/* parse state */
	char			 lang[32];
	int			 local_tests_only;
	const char *const	*evals;
	void			*ps;		/* private parser state */
	int			  finished;
};

/* known SpamAssassin commands (sa_cmds.c) */
struct sa_cmd {
	const char	*name;
	const char	*plugin;	/* NULL: core */
};
extern const struct sa_cmd	sa_cmds[];
extern const size_t		sa_ncmds;
extern const char *const	sa_plugins[];
extern const size_t		sa_nplugins;

/* sa_conf.c */
struct sa_conf	*sa_conf_new(void);
void		 sa_conf_free(struct sa_conf *);
int		 sa_conf_load(struct sa_conf *, const struct sa_load_opts *);
void		 sa_conf_set_opts(struct sa_conf *,
		    const struct sa_load_opts *);
int		 sa_conf_parse_file(struct sa_conf *, const char *);
int		 sa_conf_parse_text(struct sa_conf *, const char *,
		    const char *, size_t);
int		 sa_conf_finish(struct sa_conf *);
struct sa_rule	*sa_conf_rule(struct sa_conf *, const char *);
int		 sa_conf_plugin_loaded(const struct sa_conf *, const char *);
const struct sa_setting *sa_conf_setting(const struct sa_conf *,
		    const char *);
double		 sa_conf_num(const struct sa_conf *, const char *);
const char	*sa_conf_str(const struct sa_conf *, const char *);
size_t		 sa_conf_nerrors(const struct sa_conf *);
const char	*sa_rtype_name(const struct sa_rule *);
char		*sa_conf_find_dir(const char *const *);

/* sa_tags.c: ReplaceTags */
char		*sa_tags_expand(const struct sa_conf *, const char *);

/* sa_meta.c */
#define SA_MP_META	0	/* meta rule: rule names */
#define SA_MP_IF	1	/* `if` line: plugin()/can()/version */
struct sa_meta	*sa_meta_parse(const char *, int, char *, size_t);
void		 sa_meta_free(struct sa_meta *);
void		 sa_mnode_free(struct sa_mnode *);
double		 sa_meta_eval(const struct sa_mnode *,
		    double (*)(void *, const struct sa_mnode *), void *);

/* sa_re.c */
char		*sa_re_strip(const char *, int, char *, size_t);
char		*sa_re_to_pcre(const char *, char *, size_t);
struct sa_re	*sa_re_compile(const char *, char *, size_t);
struct sa_re	*sa_re_compile_split(const char *, char *, size_t);
void		 sa_re_free(struct sa_re *);
int		 sa_re_match(const struct sa_re *, const char *, size_t);

#endif /* FILTERD_SA_CONF_H */
