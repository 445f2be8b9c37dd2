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
 * The SpamAssassin configuration loader (see sa_conf.h).  The line loop
 * follows Mail::SpamAssassin::Conf::Parser::parse: comments, `lang`,
 * the conditionals and `file start|end` are handled even while a false
 * `if` skips lines; everything else is a command.  Rule commands
 * follow Conf.pm and Parser::add_test; finish follows finish_parsing.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"
#include "sa_conf.h"

#define SA_MAX_FILE	(64 * 1024 * 1024)
#define PLUGIN_PFX	"Mail::SpamAssassin::Plugin::"

/* rule attributes, kept by name whether the rule exists or not */
struct sa_attr {
	RB_ENTRY(sa_attr) entry;
	char		*name;
	int		 has_score;
	double		 score[4];
	char		*describe;
	char		*tflags;
	int		 has_prio;
	int		 prio;
};
RB_HEAD(sa_attr_tree, sa_attr);

struct ifent {
	int		 skip;		/* skip state before this if */
};

struct cond_cache {
	char		*key;
	int		 val;
};

/* a buffer of lines; includes push new ones (SA unshifts lines) */
struct lbuf {
	char		*text;
	size_t		 len, off;
};

struct linecount {
	char		*file;
	size_t		 n;
};

struct sa_pstate {
	struct sa_attr_tree	 attrs;
	struct lbuf		*bufs;
	size_t			  nbufs;
	char			**files;	/* currentfile stack */
	size_t			  nfiles;
	char			*cur;
	struct linecount	*lc;
	size_t			  nlc;
	struct ifent		*ifs;
	size_t			  nifs;
	int			  skip;
	struct cond_cache	*cache;
	size_t			  ncache;
	char			**read;		/* files read (read once) */
	size_t			  nread;
};

enum stype { S_NUM, S_BOOL, S_STR, S_LIST, S_LINE, S_CLR, S_ADDR, S_DEL,
	S_PAIR, S_TMPL, S_TMPLCLR, S_NET };

struct sdef {
	const char	*name;
	enum stype	 type;
	const char	*target;	/* alias or list cleared/removed from */
	const char	*target2;
};

/* the settings filterd keeps (sorted by name) */
static const struct sdef sdefs[] = {
	{ "all_spam_to", S_ADDR, NULL, NULL },
	{ "always_trust_envelope_sender", S_BOOL, NULL, NULL },
	{ "bayes_auto_learn", S_BOOL, NULL, NULL },
	{ "bayes_auto_learn_threshold_nonspam", S_NUM, NULL, NULL },
	{ "bayes_auto_learn_threshold_spam", S_NUM, NULL, NULL },
	{ "blacklist_from", S_ADDR, "blocklist_from", NULL },
	{ "blacklist_subject", S_LINE, "blocklist_subject", NULL },
	{ "blacklist_to", S_ADDR, "blocklist_to", NULL },
	{ "blocklist_from", S_ADDR, NULL, NULL },
	{ "blocklist_subject", S_LINE, NULL, NULL },
	{ "blocklist_to", S_ADDR, NULL, NULL },
	{ "body_part_scan_size", S_NUM, NULL, NULL },
	{ "clear_internal_networks", S_CLR, "internal_networks", NULL },
	{ "clear_msa_networks", S_CLR, "msa_networks", NULL },
	{ "clear_originating_ip_headers", S_CLR, "originating_ip_headers",
	    NULL },
	{ "clear_report_template", S_TMPLCLR, "report", NULL },
	{ "clear_trusted_networks", S_CLR, "trusted_networks", NULL },
	{ "clear_unsafe_report_template", S_TMPLCLR, "unsafe_report", NULL },
	{ "clear_util_rb", S_CLR, "util_rb_tld", "util_rb_2tld" },
	{ "def_welcomelist_auth", S_ADDR, NULL, NULL },
	{ "def_welcomelist_from_dkim", S_PAIR, NULL, NULL },
	{ "def_welcomelist_from_rcvd", S_PAIR, NULL, NULL },
	{ "def_welcomelist_from_spf", S_ADDR, NULL, NULL },
	{ "def_whitelist_auth", S_ADDR, "def_welcomelist_auth", NULL },
	{ "def_whitelist_from_dkim", S_PAIR, "def_welcomelist_from_dkim",
	    NULL },
	{ "def_whitelist_from_rcvd", S_PAIR, "def_welcomelist_from_rcvd",
	    NULL },
	{ "def_whitelist_from_spf", S_ADDR, "def_welcomelist_from_spf", NULL },
	{ "dns_available", S_STR, NULL, NULL },
	{ "envelope_sender_header", S_STR, NULL, NULL },
	{ "fold_headers", S_BOOL, NULL, NULL },
	{ "freemail_domains", S_LIST, NULL, NULL },
	{ "freemail_welcomelist", S_LIST, NULL, NULL },
	{ "freemail_whitelist", S_LIST, "freemail_welcomelist", NULL },
	{ "internal_networks", S_NET, NULL, NULL },
	{ "more_spam_to", S_ADDR, NULL, NULL },
	{ "msa_networks", S_NET, NULL, NULL },
	{ "normalize_charset", S_BOOL, NULL, NULL },
	{ "ok_locales", S_STR, NULL, NULL },
	{ "originating_ip_headers", S_LIST, NULL, NULL },
	{ "rawbody_part_scan_size", S_NUM, NULL, NULL },
	{ "redirector_pattern", S_LINE, NULL, NULL },
	{ "report", S_TMPL, NULL, NULL },
	{ "report_charset", S_STR, NULL, NULL },
	{ "report_contact", S_STR, NULL, NULL },
	{ "report_hostname", S_STR, NULL, NULL },
	{ "report_safe_copy_headers", S_LIST, NULL, NULL },
	{ "report_wrap_width", S_NUM, NULL, NULL },
	{ "required_hits", S_NUM, "required_score", NULL },
	{ "required_score", S_NUM, NULL, NULL },
	{ "skip_rbl_checks", S_BOOL, NULL, NULL },
	{ "trusted_networks", S_NET, NULL, NULL },
	{ "unblacklist_from", S_DEL, "blocklist_from", NULL },
	{ "unblocklist_from", S_DEL, "blocklist_from", NULL },
	{ "unsafe_report", S_TMPL, NULL, NULL },
	{ "unwelcomelist_auth", S_DEL, "welcomelist_auth",
	    "def_welcomelist_auth" },
	{ "unwelcomelist_from", S_DEL, "welcomelist_from", NULL },
	{ "unwelcomelist_from_rcvd", S_DEL, "welcomelist_from_rcvd",
	    "def_welcomelist_from_rcvd" },
	{ "unwhitelist_auth", S_DEL, "welcomelist_auth",
	    "def_welcomelist_auth" },
	{ "unwhitelist_from", S_DEL, "welcomelist_from", NULL },
	{ "unwhitelist_from_rcvd", S_DEL, "welcomelist_from_rcvd",
	    "def_welcomelist_from_rcvd" },
	{ "use_bayes", S_BOOL, NULL, NULL },
	{ "use_bayes_rules", S_BOOL, NULL, NULL },
	{ "use_learner", S_BOOL, NULL, NULL },
	{ "util_rb_2tld", S_LIST, NULL, NULL },
	{ "util_rb_3tld", S_LIST, NULL, NULL },
	{ "util_rb_tld", S_LIST, NULL, NULL },
	{ "welcomelist_allows_relays", S_ADDR, NULL, NULL },
	{ "welcomelist_auth", S_ADDR, NULL, NULL },
	{ "welcomelist_bounce_relays", S_ADDR, NULL, NULL },
	{ "welcomelist_from", S_ADDR, NULL, NULL },
	{ "welcomelist_from_dkim", S_PAIR, NULL, NULL },
	{ "welcomelist_from_rcvd", S_PAIR, NULL, NULL },
	{ "welcomelist_from_spf", S_ADDR, NULL, NULL },
	{ "welcomelist_subject", S_LINE, NULL, NULL },
	{ "welcomelist_to", S_ADDR, NULL, NULL },
	{ "whitelist_allows_relays", S_ADDR, "welcomelist_allows_relays",
	    NULL },
	{ "whitelist_auth", S_ADDR, "welcomelist_auth", NULL },
	{ "whitelist_bounce_relays", S_ADDR, "welcomelist_bounce_relays",
	    NULL },
	{ "whitelist_from", S_ADDR, "welcomelist_from", NULL },
	{ "whitelist_from_dkim", S_PAIR, "welcomelist_from_dkim", NULL },
	{ "whitelist_from_rcvd", S_PAIR, "welcomelist_from_rcvd", NULL },
	{ "whitelist_from_spf", S_ADDR, "welcomelist_from_spf", NULL },
	{ "whitelist_subject", S_LINE, "welcomelist_subject", NULL },
	{ "whitelist_to", S_ADDR, "welcomelist_to", NULL },
};

/* defaults of the numeric and string settings (Conf.pm) */
static const struct {
	const char	*name;
	double		 num;
	const char	*str;
} sdefaults[] = {
	{ "required_score", 5, NULL },
	{ "use_bayes", 1, NULL },
	{ "use_bayes_rules", 1, NULL },
	{ "use_learner", 1, NULL },
	{ "bayes_auto_learn", 1, NULL },
	{ "bayes_auto_learn_threshold_nonspam", 0.1, NULL },
	{ "bayes_auto_learn_threshold_spam", 12.0, NULL },
	{ "fold_headers", 1, NULL },
	{ "report_wrap_width", 70, NULL },
	{ "body_part_scan_size", 50000, NULL },
	{ "rawbody_part_scan_size", 500000, NULL },
	{ "report_charset", 0, "UTF-8" },
	{ "dns_available", 0, "yes" },
	{ "ok_locales", 0, "all" },
};

/* can(Module::method) answers: Conf's features and the plugins' has_* */
static const struct {
	const char	*module;	/* "Conf" or a plugin's short name */
	const char	*method;
} sa_can[] = {
	{ "Conf", "feature_originating_ip_headers" },
	{ "Conf", "feature_dns_local_ports_permit_avoid" },
	{ "Conf", "feature_bayes_auto_learn_on_error" },
	{ "Conf", "feature_uri_host_listed" },
	{ "Conf", "feature_yesno_takes_args" },
	{ "Conf", "feature_bug6558_free" },
	{ "Conf", "feature_edns" },
	{ "Conf", "feature_dns_query_restriction" },
	{ "Conf", "feature_registryboundaries" },
	{ "Conf", "feature_geodb" },
	{ "Conf", "feature_dns_block_rule" },
	{ "Conf", "feature_compile_regexp" },
	{ "Conf", "feature_meta_rules_matching" },
	{ "Conf", "feature_subjprefix" },
	{ "Conf", "feature_bayes_stopwords" },
	{ "Conf", "feature_get_host" },
	{ "Conf", "feature_blocklist_welcomelist" },
	{ "Conf", "feature_welcomelist_blocklist" },
	{ "Conf", "feature_header_address_parser" },
	{ "Conf", "feature_local_tests_only" },
	{ "Conf", "feature_header_first_last" },
	{ "Conf", "feature_header_match_many" },
	{ "Conf", "feature_capture_rules" },
	{ "Conf", "has_tflags_nosubject" },
	{ "Conf", "has_tflags_nolog" },
	{ "Conf", "perl_min_version_5010000" },
	{ "HashBL", "has_hashbl_bodyre" },
	{ "HashBL", "has_hashbl_bodyre_num" },
	{ "HashBL", "has_hashbl_emails" },
	{ "HashBL", "has_hashbl_uris" },
	{ "HashBL", "has_hashbl_ignore" },
	{ "HashBL", "has_hashbl_email_regex" },
	{ "HashBL", "has_hashbl_email_welcomelist" },
	{ "HashBL", "has_hashbl_email_whitelist" },
	{ "HashBL", "has_hashbl_tag" },
	{ "HashBL", "has_hashbl_sha256" },
	{ "HashBL", "has_hashbl_attachments" },
	{ "HashBL", "has_hashbl_email_domain" },
	{ "HashBL", "has_hashbl_email_domain_alias" },
	{ "URIDetail", "has_host_key" },
	{ "OLEVBMacro", "has_olemacro_redirect_uri" },
	{ "OLEVBMacro", "has_olemacro_mhtml_uri" },
	{ "OLEVBMacro", "has_olertfobject" },
	{ "Pyzor", "has_fork" },
	{ "Pyzor", "has_perl" },
	{ "DNSEval", "has_tflags_domains_only" },
	{ "DNSEval", "has_tflags_ips_only" },
	{ "DecodeShortURLs", "has_short_url" },
	{ "DecodeShortURLs", "has_autoclean" },
	{ "DecodeShortURLs", "has_short_url_code" },
	{ "DecodeShortURLs", "has_user_agent" },
	{ "DecodeShortURLs", "has_get" },
	{ "DecodeShortURLs", "has_clear" },
	{ "DecodeShortURLs", "has_timeout" },
	{ "DecodeShortURLs", "has_max_redirections" },
	{ "DecodeShortURLs", "has_short_url_redir" },
	{ "MIMEHeader", "has_all_header" },
	{ "MIMEHeader", "has_tflags_range" },
	{ "MIMEHeader", "has_tflags_concat" },
	{ "MIMEHeader", "has_tflags_multiple" },
	{ "MIMEHeader", "has_capture_rules" },
	{ "URIDNSBL", "has_tflags_domains_only" },
	{ "URIDNSBL", "has_subtest_for_ranges" },
	{ "URIDNSBL", "has_uridnsbl_for_a" },
	{ "URIDNSBL", "has_uridnsbl_a_ns" },
	{ "URIDNSBL", "has_tflags_notrim" },
	{ "URIDNSBL", "has_uridnsbl_skip_mailto" },
	{ "AskDNS", "has_tag_header" },
	{ "ASN", "has_asn_lookup_ipv6" },
	{ "ASN", "has_asn_geodb" },
	{ "ASN", "has_check_asn" },
	{ "ASN", "has_check_asn_tag" },
	{ "SPF", "has_check_for_spf_errors" },
	{ "SPF", "has_check_spf_skipped_noenvfrom" },
	{ "BodyEval", "has_check_body_length" },
	{ "BodyEval", "has_plaintext_body_sig_ratio" },
	{ "DKIM", "has_arc" },
	{ "MIMEEval", "has_check_for_ascii_text_illegal" },
	{ "MIMEEval", "has_check_abundant_unicode_ratio" },
	{ "MIMEEval", "has_check_qp_ratio" },
	{ "Razor2", "has_fork" },
};

static const struct {
	const char	*name;
	unsigned int	 bit;
} tflag_names[] = {
	{ "net", SA_TF_NET }, { "nice", SA_TF_NICE },
	{ "learn", SA_TF_LEARN }, { "userconf", SA_TF_USERCONF },
	{ "noautolearn", SA_TF_NOAUTOLEARN }, { "multiple", SA_TF_MULTIPLE },
	{ "publish", SA_TF_PUBLISH }, { "a", SA_TF_A },
	{ "nosubject", SA_TF_NOSUBJECT }, { "notrim", SA_TF_NOTRIM },
	{ "domains_only", SA_TF_DOMAINS_ONLY }, { "ips_only", SA_TF_IPS_ONLY },
	{ "autolearn_body", SA_TF_AUTOLEARN_BODY }, { "nolog", SA_TF_NOLOG },
};

/* eval functions that need the network (never run with -L) */
static const char *const net_evals[] = {
	"check_rbl", "check_rbl_sub", "check_rbl_txt", "check_rbl_from_host",
	"check_rbl_from_domain", "check_rbl_envfrom", "check_rbl_headers",
	"check_rbl_ns_from", "check_rbl_rcvd", "check_rbl_accreditor",
	"check_dns_sender", "check_uridnsbl",
	"check_razor2", "check_razor2_range", "check_pyzor", "check_dcc",
	"check_dcc_reputation_range", "check_hashbl_emails",
	"check_hashbl_uris", "check_hashbl_bodyre", "check_hashbl_tag",
	"check_hashbl_attachments", "askdns", "check_asn",
};

static int	 rule_cmp(struct sa_rule *, struct sa_rule *);
static int	 attr_cmp(struct sa_attr *, struct sa_attr *);
RB_PROTOTYPE(sa_rule_tree, sa_rule, entry, rule_cmp)
RB_PROTOTYPE(sa_attr_tree, sa_attr, entry, attr_cmp)

static void	 diag(struct sa_conf *, int, const char *, ...)
		    __attribute__((__format__ (printf, 3, 4)));
static size_t	 curline(struct sa_conf *);
static void	 push_buf(struct sa_pstate *, char *, size_t);
static char	*read_file(const char *, size_t *);
static char	*read_cf(struct sa_conf *, const char *);
static int	 parse_lines(struct sa_conf *);
static void	 handle_line(struct sa_conf *, char *);
static void	 handle_cond(struct sa_conf *, const char *, const char *);
static int	 cond_eval(struct sa_conf *, const char *);
static int	 command(struct sa_conf *, const char *, char *);
static int	 cmd_known(struct sa_conf *, const char *);
static struct sa_rule *add_test(struct sa_conf *, const char *,
		    const char *, enum sa_rtype, int);
static void	 rule_reset(struct sa_rule *);
static int	 escape_templates(char **);
static struct sa_attr *attr_get(struct sa_conf *, const char *);
static struct sa_setting *setting_get(struct sa_conf *, const char *);
static int	 setting_cmd(struct sa_conf *, const char *, const char *);
static int	 list_cmd(struct sa_conf *, const char *, const char *);
static void	 count_ignored(struct sa_conf *, const char *);
static void	 kv_set(struct sa_kv **, size_t *, const char *,
		    const char *);
static void	 list_add(char ***, size_t *, const char *);
static int	 split2(const char *, char **, char **);
static int	 is_rulename(const char *);
static void	 finish_meta(struct sa_conf *);
static void	 fix_priorities(struct sa_conf *);
static void	 finish_evals(struct sa_conf *);
static void	 finish_regex(struct sa_conf *);
static void	 set_unsupported(struct sa_rule *, const char *, ...)
		    __attribute__((__format__ (printf, 2, 3)));
static char	**pack_eval_args(const char *, size_t *, int *);
static char	*expand_rules_matching(struct sa_conf *, const char *,
		    const char *, int);

static int
rule_cmp(struct sa_rule *a, struct sa_rule *b)
{
	return strcmp(a->name, b->name);
}

static int
attr_cmp(struct sa_attr *a, struct sa_attr *b)
{
	return strcmp(a->name, b->name);
}

RB_GENERATE(sa_rule_tree, sa_rule, entry, rule_cmp)
RB_GENERATE(sa_attr_tree, sa_attr, entry, attr_cmp)

struct sa_conf *
sa_conf_new(void)
{
	struct sa_conf		*c = xcalloc(1, sizeof(*c));
	struct sa_pstate	*ps = xcalloc(1, sizeof(*ps));
	const char		*l;
	size_t			 n;

	RB_INIT(&c->tree);
	RB_INIT(&ps->attrs);
	c->ps = ps;
	ps->cur = xstrdup("(no file)");
	c->replace_start = xstrdup("<");
	c->replace_end = xstrdup(">");
	c->report = xstrdup("");
	c->unsafe_report = xstrdup("");
	/* Parser.pm: LANGUAGE (first of a list), LC_ALL, LC_MESSAGES, LANG */
	l = getenv("LANGUAGE");
	if (l == NULL || *l == '\0')
		l = getenv("LC_ALL");
	if (l == NULL || *l == '\0')
		l = getenv("LC_MESSAGES");
	if (l == NULL || *l == '\0')
		l = getenv("LANG");
	if (l == NULL || *l == '\0' || strcmp(l, "C") == 0 ||
	    strcmp(l, "POSIX") == 0)
		l = "en_US";
	n = strcspn(l, ":@.+,");
	if (n >= sizeof(c->lang))
		n = sizeof(c->lang) - 1;
	memcpy(c->lang, l, n);
	c->lang[n] = '\0';
	if (strcmp(c->lang, "C") == 0 || strcmp(c->lang, "POSIX") == 0)
		strlcpy(c->lang, "en_US", sizeof(c->lang));
	return c;
}

static void
free_kv(struct sa_kv *kv, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].val);
	}
	free(kv);
}

static void
free_list(char **l, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static void
free_pstate(struct sa_pstate *ps)
{
	struct sa_attr	*a, *na;
	size_t		 i;

	if (ps == NULL)
		return;
	RB_FOREACH_SAFE(a, sa_attr_tree, &ps->attrs, na) {
		RB_REMOVE(sa_attr_tree, &ps->attrs, a);
		free(a->name);
		free(a->describe);
		free(a->tflags);
		free(a);
	}
	for (i = 0; i < ps->nbufs; i++)
		free(ps->bufs[i].text);
	free(ps->bufs);
	free_list(ps->files, ps->nfiles);
	free(ps->cur);
	for (i = 0; i < ps->nlc; i++)
		free(ps->lc[i].file);
	free(ps->lc);
	free(ps->ifs);
	for (i = 0; i < ps->ncache; i++)
		free(ps->cache[i].key);
	free(ps->cache);
	free_list(ps->read, ps->nread);
	free(ps);
}

static void
rule_reset(struct sa_rule *r)
{
	size_t	i;

	free(r->text);
	free(r->file);
	free(r->hdr);
	free(r->if_unset);
	free(r->re_sa);
	free(r->re_pcre);
	sa_re_free(r->re);
	free(r->eval_func);
	for (i = 0; i < r->eval_nargs; i++)
		free(r->eval_args[i]);
	free(r->eval_args);
	sa_meta_free(r->meta);
	free(r->unsupported);
	r->text = r->file = r->hdr = r->if_unset = NULL;
	r->re_sa = r->re_pcre = r->eval_func = r->unsupported = NULL;
	r->re = NULL;
	r->eval_args = NULL;
	r->eval_nargs = 0;
	r->meta = NULL;
	r->is_eval = r->is_rbl = r->is_exists = r->is_mimeheader = 0;
	r->hdr_mods = 0;
	r->neg = r->replaced = r->captures = r->templates = 0;
	r->meta_unsolved = 0;
}

void
sa_conf_free(struct sa_conf *c)
{
	size_t	i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrules; i++) {
		rule_reset(c->rules[i]);
		free(c->rules[i]->name);
		free(c->rules[i]->describe);
		free(c->rules[i]->tflags);
		free(c->rules[i]);
	}
	free(c->rules);
	free(c->meta_order);
	free_list(c->plugins, c->nplugins);
	free(c->replace_start);
	free(c->replace_end);
	free_kv(c->rtag, c->nrtag);
	free_kv(c->rpre, c->nrpre);
	free_kv(c->rinter, c->nrinter);
	free_kv(c->rpost, c->nrpost);
	free_list(c->replace_rules, c->nreplace_rules);
	for (i = 0; i < c->nhdr_ham; i++) {
		free(c->hdr_ham[i].name);
		free(c->hdr_ham[i].tmpl);
	}
	free(c->hdr_ham);
	for (i = 0; i < c->nhdr_spam; i++) {
		free(c->hdr_spam[i].name);
		free(c->hdr_spam[i].tmpl);
	}
	free(c->hdr_spam);
	for (i = 0; i < nitems(c->rewrite); i++)
		free(c->rewrite[i]);
	free(c->report);
	free(c->unsafe_report);
	for (i = 0; i < c->nsettings; i++) {
		free(c->settings[i].name);
		free(c->settings[i].str);
		free_list(c->settings[i].list, c->settings[i].nlist);
	}
	free(c->settings);
	free_list(c->files, c->nfiles);
	for (i = 0; i < c->ndiags; i++) {
		free(c->diags[i].file);
		free(c->diags[i].msg);
	}
	free(c->diags);
	for (i = 0; i < c->nignored; i++)
		free(c->ignored[i].key);
	free(c->ignored);
	free_pstate(c->ps);
	free(c);
}

static size_t
curline(struct sa_conf *c)
{
	struct sa_pstate	*ps = c->ps;
	size_t			 i;

	for (i = 0; i < ps->nlc; i++)
		if (strcmp(ps->lc[i].file, ps->cur) == 0)
			return ps->lc[i].n;
	return 0;
}

static void
diag(struct sa_conf *c, int error, const char *fmt, ...)
{
	struct sa_diag	*d;
	va_list		 ap;

	c->diags = xreallocarray(c->diags, c->ndiags + 1, sizeof(*c->diags));
	d = &c->diags[c->ndiags++];
	d->file = xstrdup(c->ps != NULL ? ((struct sa_pstate *)c->ps)->cur :
	    "(finish)");
	d->line = c->ps != NULL ? curline(c) : 0;
	d->error = error;
	va_start(ap, fmt);
	if (vasprintf(&d->msg, fmt, ap) == -1)
		fatalx("%s: vasprintf", __func__);
	va_end(ap);
}

size_t
sa_conf_nerrors(const struct sa_conf *c)
{
	size_t	i, n = 0;

	for (i = 0; i < c->ndiags; i++)
		n += c->diags[i].error != 0;
	return n;
}

void
sa_conf_set_opts(struct sa_conf *c, const struct sa_load_opts *o)
{
	if (o == NULL)
		return;
	if (o->lang != NULL)
		strlcpy(c->lang, o->lang, sizeof(c->lang));
	c->local_tests_only = o->local_tests_only;
	c->evals = o->evals;
}

static int
is_rulename(const char *s)
{
	size_t	i;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; s[i] != '\0'; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return i <= 128;
}

static void
list_add(char ***l, size_t *n, const char *s)
{
	*l = xreallocarray(*l, *n + 1, sizeof(**l));
	(*l)[(*n)++] = xstrdup(s);
}

static void
kv_set(struct sa_kv **kv, size_t *n, const char *k, const char *v)
{
	size_t	i;

	for (i = 0; i < *n; i++)
		if (strcmp((*kv)[i].key, k) == 0) {
			free((*kv)[i].val);
			(*kv)[i].val = xstrdup(v);
			return;
		}
	*kv = xreallocarray(*kv, *n + 1, sizeof(**kv));
	(*kv)[*n].key = xstrdup(k);
	(*kv)[*n].val = xstrdup(v);
	(*n)++;
}

/* split(/\s+/, $value, 2): first word and the rest (may be empty) */
static int
split2(const char *v, char **a, char **b)
{
	size_t	n = strcspn(v, " \t\r\n\f\v");
	const char *r = v + n;

	*a = xstrndup(v, n);
	r += strspn(r, " \t\r\n\f\v");
	*b = xstrdup(r);
	return n > 0;
}

/* ---- reading ---- */

static char *
read_file(const char *path, size_t *lenp)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 off = 0;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > SA_MAX_FILE) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			free(buf);
			close(fd);
			return NULL;
		}
		if (n == 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*lenp = off;
	return buf;
}

static int
strp_cmp(const void *a, const void *b)
{
	const char	*x = *(const char *const *)a;
	const char	*y = *(const char *const *)b;

	/* SpamAssassin.pm _reorder_dir: the ASF channel first */
	if (strcmp(x, "updates_spamassassin_org.cf") == 0)
		return strcmp(y, x) == 0 ? 0 : -1;
	if (strcmp(y, "updates_spamassassin_org.cf") == 0)
		return 1;
	return strcmp(x, y);
}

/* the sorted *.<ext> regular files of dir (case-insensitive ext) */
static char **
dir_files(const char *dir, const char *ext, size_t *np)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		**v = NULL, *p;
	size_t		 n = 0, i, el = strlen(ext), nl;

	*np = 0;
	if ((d = opendir(dir)) == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		nl = strlen(de->d_name);
		if (nl <= el || de->d_name[nl - el - 1] != '.' ||
		    strcasecmp(de->d_name + nl - el, ext) != 0)
			continue;
		if (xasprintf(&p, "%s/%s", dir, de->d_name) == -1)
			fatalx("%s: asprintf", __func__);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
			list_add(&v, &n, de->d_name);
		free(p);
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), strp_cmp);
	for (i = 0; i < n; i++) {
		if (xasprintf(&p, "%s/%s", dir, v[i]) == -1)
			fatalx("%s: asprintf", __func__);
		free(v[i]);
		v[i] = p;
	}
	*np = n;
	return v;
}

/*
 * SpamAssassin's read_cf_file: "file start PATH\n" text "file end PATH\n",
 * each file once.  NULL if it was read before or cannot be read.
 */
static char *
read_cf_file(struct sa_conf *c, const char *path)
{
	struct sa_pstate	*ps = c->ps;
	char			*txt, *out;
	size_t			 len, i;
	int			 nl;

	for (i = 0; i < ps->nread; i++)
		if (strcmp(ps->read[i], path) == 0)
			return NULL;
	list_add(&ps->read, &ps->nread, path);
	if ((txt = read_file(path, &len)) == NULL) {
		diag(c, 1, "config: cannot open \"%s\": %s", path,
		    strerror(errno));
		return NULL;
	}
	list_add(&c->files, &c->nfiles, path);
	nl = len > 0 && txt[len - 1] == '\n';
	if (xasprintf(&out, "file start %s\n%s%sfile end %s\n", path, txt,
	    nl ? "" : "\n", path) == -1)
		fatalx("%s: asprintf", __func__);
	free(txt);
	return out;
}

/* SpamAssassin's read_cf on one path: a file, or a directory's *.cf */
static char *
read_cf(struct sa_conf *c, const char *path)
{
	struct stat	 st;
	char		**v, *t, *all = xstrdup(""), *n;
	size_t		 nv, i;

	if (stat(path, &st) == -1)
		return all;
	if (S_ISDIR(st.st_mode)) {
		v = dir_files(path, "cf", &nv);
		for (i = 0; i < nv; i++) {
			if ((t = read_cf_file(c, v[i])) != NULL) {
				if (xasprintf(&n, "%s%s", all, t) == -1)
					fatalx("%s: asprintf", __func__);
				free(all);
				free(t);
				all = n;
			}
		}
		free_list(v, nv);
	} else if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    access(path, R_OK) == 0) {
		if ((t = read_cf_file(c, path)) != NULL) {
			free(all);
			all = t;
		}
	}
	return all;
}

static void
push_buf(struct sa_pstate *ps, char *text, size_t len)
{
	ps->bufs = xreallocarray(ps->bufs, ps->nbufs + 1, sizeof(*ps->bufs));
	ps->bufs[ps->nbufs].text = text;
	ps->bufs[ps->nbufs].len = len;
	ps->bufs[ps->nbufs].off = 0;
	ps->nbufs++;
}

int
sa_conf_parse_text(struct sa_conf *c, const char *name, const char *text,
    size_t len)
{
	struct sa_pstate	*ps = c->ps;
	char			*t;
	int			 nl = len > 0 && text[len - 1] == '\n';

	if (ps == NULL)
		return -1;
	if (xasprintf(&t, "file start %s\n%.*s%sfile end %s\n", name,
	    (int)len, text, nl ? "" : "\n", name) == -1)
		fatalx("%s: asprintf", __func__);
	push_buf(ps, t, strlen(t));
	return parse_lines(c);
}

int
sa_conf_parse_file(struct sa_conf *c, const char *path)
{
	char	*t;

	if (c->ps == NULL)
		return -1;
	t = read_cf(c, path);
	push_buf(c->ps, t, strlen(t));
	return parse_lines(c);
}

static int
parse_lines(struct sa_conf *c)
{
	struct sa_pstate	*ps = c->ps;
	struct lbuf		*b;
	char			*line, *nl;
	size_t			 n;

	while (ps->nbufs > 0) {
		b = &ps->bufs[ps->nbufs - 1];
		if (b->off >= b->len) {
			free(b->text);
			ps->nbufs--;
			continue;
		}
		nl = memchr(b->text + b->off, '\n', b->len - b->off);
		n = nl != NULL ? (size_t)(nl - (b->text + b->off)) :
		    b->len - b->off;
		line = xstrndup(b->text + b->off, n);
		b->off += n + (nl != NULL);
		handle_line(c, line);
		free(line);
	}
	return sa_conf_nerrors(c) > 0 ? -1 : 0;
}

static void
count_line(struct sa_conf *c)
{
	struct sa_pstate	*ps = c->ps;
	size_t			 i;

	for (i = 0; i < ps->nlc; i++)
		if (strcmp(ps->lc[i].file, ps->cur) == 0) {
			ps->lc[i].n++;
			return;
		}
	ps->lc = xreallocarray(ps->lc, ps->nlc + 1, sizeof(*ps->lc));
	ps->lc[ps->nlc].file = xstrdup(ps->cur);
	ps->lc[ps->nlc].n = 1;
	ps->nlc++;
}

static int
lang_matches(const char *want, const char *lang)
{
	return strncasecmp(lang, want, strlen(want)) == 0;
}

static void
handle_line(struct sa_conf *c, char *line)
{
	struct sa_pstate	*ps = c->ps;
	char			*p, *key, *value, *e, *w;
	size_t			 i, n;

	if (strncmp(line, "file ", 5) != 0)
		count_line(c);
	/* comments: the first '#' without a backslash before it */
	for (p = line; (p = strchr(p, '#')) != NULL; p++)
		if (p == line || p[-1] != '\\') {
			*p = '\0';
			break;
		}
	for (p = w = line; *p != '\0'; p++) {
		if (p[0] == '\\' && p[1] == '#')
			p++;
		*w++ = *p;
	}
	*w = '\0';
	p = line + strspn(line, " \t\r\n\f\v");
	e = p + strlen(p);
	while (e > p && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (*p == '\0')
		return;
	if (strncmp(p, "lang", 4) == 0 && isspace((unsigned char)p[4])) {
		char	*l = p + 4 + strspn(p + 4, " \t\r\n\f\v");

		n = strcspn(l, " \t\r\n\f\v");
		if (n > 0 && l[n] != '\0') {
			char	want[64];

			snprintf(want, sizeof(want), "%.*s", (int)n, l);
			if (!lang_matches(want, c->lang))
				return;
			p = l + n + strspn(l + n, " \t\r\n\f\v");
		}
	}
	split2(p, &key, &value);
	for (i = 0; key[i] != '\0'; i++) {
		key[i] = tolower((unsigned char)key[i]);
		if (key[i] == '-')
			key[i] = '_';
	}

	if (strcmp(key, "endif") == 0) {
		if (*value != '\0')
			diag(c, 1, "config: '%s' must be standalone", key);
		else if (ps->nifs == 0)
			diag(c, 1, "config: missing starting 'if' for '%s'",
			    key);
		else
			ps->skip = ps->ifs[--ps->nifs].skip;
	} else if (strcmp(key, "ifplugin") == 0 || strcmp(key, "if") == 0) {
		if (*value == '\0')
			diag(c, 1, "config: missing '%s' condition", key);
		else if (strcmp(key, "ifplugin") == 0) {
			char *v;

			if (xasprintf(&v, "plugin (%s)", value) == -1)
				fatalx("%s: asprintf", __func__);
			handle_cond(c, key, v);
			free(v);
		} else
			handle_cond(c, key, value);
	} else if (strcmp(key, "file") == 0) {
		if (strncmp(value, "start", 5) == 0 &&
		    isspace((unsigned char)value[5])) {
			list_add(&ps->files, &ps->nfiles, ps->cur);
			free(ps->cur);
			ps->cur = xstrdup(value + 6 + strspn(value + 6,
			    " \t"));
		} else if (strncmp(value, "end", 3) == 0 &&
		    isspace((unsigned char)value[3])) {
			for (i = 0; i < ps->nifs; i++)
				diag(c, 1, "config: unclosed 'if' found in %s",
				    ps->cur);
			ps->nifs = 0;
			ps->skip = 0;
			if (ps->nfiles > 0) {
				free(ps->cur);
				ps->cur = ps->files[--ps->nfiles];
			}
		} else
			diag(c, 1, "config: missing '%s' value", key);
	} else if (strcmp(key, "include") == 0) {
		if (*value == '\0')
			diag(c, 1, "config: missing '%s' value", key);
#ifdef MX_FUZZ
		else
			diag(c, 0, "include not followed under the fuzzer");
#else
		else {
			char	*path, *t, *all, *slash;

			if (value[0] == '/')
				path = xstrdup(value);
			else {
				slash = strrchr(ps->cur, '/');
				if (xasprintf(&path, "%.*s%s", slash != NULL ?
				    (int)(slash - ps->cur + 1) : 0, ps->cur,
				    value) == -1)
					fatalx("%s: asprintf", __func__);
			}
			t = read_cf(c, path);
			if (xasprintf(&all, "file end %s\n%sfile start %s\n",
			    ps->cur, t, ps->cur) == -1)
				fatalx("%s: asprintf", __func__);
			free(t);
			free(path);
			push_buf(ps, all, strlen(all));
		}
#endif
	} else if (strcmp(key, "else") == 0) {
		if (*value != '\0')
			diag(c, 1, "config: '%s' must be standalone", key);
		else if (ps->nifs == 0)
			diag(c, 1, "config: '%s' missing starting if", key);
		else {
			int	outer = 0;

			for (i = 0; i < ps->nifs; i++)
				outer |= ps->ifs[i].skip;
			ps->skip = outer ? 1 : !ps->skip;
		}
	} else if (ps->skip) {
		/* a false conditional */
	} else if (strcmp(key, "require_version") == 0) {
		if (*value == '\0')
			diag(c, 1, "config: missing '%s' value", key);
		else if (strcmp(value, "@@VERSION@@") != 0 &&
		    strcmp(value, SA_VERSION_STR) != 0) {
			diag(c, 0, "config: configuration file '%s' requires "
			    "version %s of SpamAssassin, but this is code "
			    "version %s. Skipping this file.", ps->cur,
			    value, SA_VERSION_STR);
			ps->skip = 1;
		}
	} else {
		switch (command(c, key, value)) {
		case 0:
			break;
		case 1:
			diag(c, 1, "config: invalid '%s' value: %s", key, p);
			break;
		case 2:
			diag(c, 1, "config: missing '%s' value: %s", key, p);
			break;
		default:
			diag(c, 1, "config: failed to parse line: %s", p);
			break;
		}
	}
	free(key);
	free(value);
}

static void
handle_cond(struct sa_conf *c, const char *key, const char *value)
{
	struct sa_pstate	*ps = c->ps;
	char			*ck;
	size_t			 i;
	int			 v = -1;

	if (xasprintf(&ck, "%s %s", key, value) == -1)
		fatalx("%s: asprintf", __func__);
	for (i = 0; i < ps->ncache; i++)
		if (strcmp(ps->cache[i].key, ck) == 0) {
			v = ps->cache[i].val;
			break;
		}
	if (v == -1) {
		v = cond_eval(c, value);
		if (v == -2) {
			/* SA: an unparseable condition is not pushed */
			free(ck);
			return;
		}
		ps->cache = xreallocarray(ps->cache, ps->ncache + 1,
		    sizeof(*ps->cache));
		ps->cache[ps->ncache].key = ck;
		ps->cache[ps->ncache].val = v;
		ps->ncache++;
	} else
		free(ck);
	ps->ifs = xreallocarray(ps->ifs, ps->nifs + 1, sizeof(*ps->ifs));
	ps->ifs[ps->nifs++].skip = ps->skip;
	if (!v)
		ps->skip = 1;
}

static const char *
plugin_canon(const char *name)
{
	if (strcmp(name, PLUGIN_PFX "Dmarc") == 0)
		return PLUGIN_PFX "DMARC";
	if (strcmp(name, PLUGIN_PFX "WhiteListSubject") == 0)
		return PLUGIN_PFX "WelcomeListSubject";
	return name;
}

int
sa_conf_plugin_loaded(const struct sa_conf *c, const char *name)
{
	size_t	i;
	char	full[256];

	if (strchr(name, ':') == NULL) {
		snprintf(full, sizeof(full), PLUGIN_PFX "%s", name);
		name = full;
	}
	name = plugin_canon(name);
	if (strcmp(name, PLUGIN_PFX "RaciallyCharged") == 0)
		return 1;
	for (i = 0; i < c->nplugins; i++)
		if (strcmp(c->plugins[i], name) == 0)
			return 1;
	return 0;
}

static double
cond_val(void *arg, const struct sa_mnode *n)
{
	struct sa_conf	*c = arg;
	const char	*s, *meth;
	char		 mod[256];
	size_t		 i;

	if (n->op == SA_M_RULE)		/* local_tests_only */
		return c->local_tests_only;
	if (n->a == NULL)
		return 0;
	s = n->a->name;
	if (strcmp(n->name, "plugin") == 0)
		return sa_conf_plugin_loaded(c, s);
	/* can / has: Module::method */
	if ((meth = strrchr(s, ':')) == NULL || meth - s < 2 ||
	    meth[-1] != ':')
		return 0;
	snprintf(mod, sizeof(mod), "%.*s", (int)(meth - 1 - s), s);
	meth++;
	if (strcmp(mod, "Mail::SpamAssassin::Conf") == 0 &&
	    strncmp(meth, "compat_", 7) == 0) {
		const struct sa_setting *st = sa_conf_setting(c,
		    "enable_compat");

		for (i = 0; st != NULL && i < st->nlist; i++)
			if (strcmp(st->list[i], meth + 7) == 0)
				return 1;
		return 0;
	}
	for (i = 0; i < nitems(sa_can); i++) {
		if (strcmp(sa_can[i].method, meth) != 0)
			continue;
		if (strcmp(sa_can[i].module, "Conf") == 0) {
			if (strcmp(mod, "Mail::SpamAssassin::Conf") == 0)
				return 1;
		} else if (strncmp(mod, PLUGIN_PFX,
		    strlen(PLUGIN_PFX)) == 0 &&
		    strcmp(mod + strlen(PLUGIN_PFX),
		    sa_can[i].module) == 0 &&
		    sa_conf_plugin_loaded(c, mod))
			return 1;
	}
	return 0;
}

/*
 * Parser::handle_conditional's token check: a word must be a function,
 * version, perl_version, local_tests_only or a Perl class name.
 */
static int
cond_words_ok(const char *s)
{
	const char	*p = s, *w;
	size_t		 n, k, segs;

	while (*p != '\0') {
		if (!(isalnum((unsigned char)*p) || *p == '_')) {
			p++;
			continue;
		}
		if (isdigit((unsigned char)*p)) {
			/* a number; SA's lexer takes [-+\d.]+ */
			while (isdigit((unsigned char)*p) || *p == '.')
				p++;
			continue;
		}
		w = p;
		while (isalnum((unsigned char)*p) || *p == '_' || *p == ':')
			p++;
		n = (size_t)(p - w);
		if ((n == 6 && strncmp(w, "plugin", 6) == 0) ||
		    (n == 3 && (strncmp(w, "can", 3) == 0 ||
		    strncmp(w, "has", 3) == 0)) ||
		    (n == 7 && strncmp(w, "version", 7) == 0) ||
		    (n == 12 && strncmp(w, "perl_version", 12) == 0) ||
		    (n == 16 && strncmp(w, "local_tests_only", 16) == 0))
			continue;
		/* (?:\w+::){0,10}\w+, at least two characters */
		if (n < 2)
			return 0;
		for (k = 0, segs = 0; k < n; segs++) {
			size_t	 st = k;

			while (k < n && w[k] != ':')
				k++;
			if (k == st || segs > 10)
				return 0;
			if (k == n)
				break;
			if (k + 2 >= n || w[k + 1] != ':')
				return 0;
			k += 2;
		}
	}
	return 1;
}

/* 1 true, 0 false, -2 unparseable (SA warns and ignores the line) */
static int
cond_eval(struct sa_conf *c, const char *expr)
{
	struct sa_meta	*m;
	char		 err[256];
	double		 v;

	if (!cond_words_ok(expr)) {
		diag(c, 0, "config: unparseable value in '%s'", expr);
		return -2;
	}

	if ((m = sa_meta_parse(expr, SA_MP_IF, err, sizeof(err))) == NULL) {
		diag(c, 0, "config: error parsing conditional: %s (%s)", expr,
		    err);
		return 0;
	}
	v = sa_meta_eval(m->root, cond_val, c);
	sa_meta_free(m);
	return v != 0;
}

/* ---- commands ---- */

static struct sa_attr *
attr_get(struct sa_conf *c, const char *name)
{
	struct sa_pstate	*ps = c->ps;
	struct sa_attr		 key, *a;

	key.name = (char *)name;
	if ((a = RB_FIND(sa_attr_tree, &ps->attrs, &key)) != NULL)
		return a;
	a = xcalloc(1, sizeof(*a));
	a->name = xstrdup(name);
	RB_INSERT(sa_attr_tree, &ps->attrs, a);
	return a;
}

struct sa_rule *
sa_conf_rule(struct sa_conf *c, const char *name)
{
	struct sa_rule	key;

	key.name = (char *)name;
	return RB_FIND(sa_rule_tree, &c->tree, &key);
}

static void
set_unsupported(struct sa_rule *r, const char *fmt, ...)
{
	va_list	ap;

	if (r->unsupported != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&r->unsupported, fmt, ap) == -1)
		fatalx("%s: vasprintf", __func__);
	va_end(ap);
}

static int
header_mod(const char *m, size_t n, unsigned int *mods)
{
	static const struct {
		const char	*name;
		unsigned int	 bit;
	} hm[] = {
		{ "raw", SA_HM_RAW }, { "addr", SA_HM_ADDR },
		{ "name", SA_HM_NAME }, { "host", SA_HM_HOST },
		{ "domain", SA_HM_DOMAIN }, { "ip", SA_HM_IP },
		{ "revip", SA_HM_REVIP }, { "first", SA_HM_FIRST },
		{ "last", SA_HM_LAST },
	};
	size_t	i;

	for (i = 0; i < nitems(hm); i++)
		if (strlen(hm[i].name) == n && strncasecmp(m, hm[i].name,
		    n) == 0) {
			*mods |= hm[i].bit;
			return 0;
		}
	return -1;
}

/* a header test "Hdr:mods =~ /re/ [if-unset: x]" into r; -1: invalid */
static int
parse_header_test(struct sa_conf *c, struct sa_rule *r, const char *text,
    int mime)
{
	const char	*p = text, *h, *op, *m;
	char		*pat, *u, err[256];
	size_t		 n, len;

	h = p;
	if (mime) {
		/* MIMEHeader: [^:\s]+(?::(?:raw)?)? */
		while (*p != '\0' && *p != ':' && !isspace((unsigned char)*p))
			p++;
		if (p == h)
			return -1;
		len = (size_t)(p - h);
		if (*p == ':') {
			p++;
			if (strncmp(p, "raw", 3) == 0 &&
			    (isspace((unsigned char)p[3]) || p[3] == '=' ||
			    p[3] == '!')) {
				r->hdr_mods |= SA_HM_RAW;
				p += 3;
			}
		}
	} else {
		while (isalnum((unsigned char)*p) || *p == '_' || *p == '.' ||
		    *p == '-')
			p++;
		if (p == h)
			return -1;
		len = (size_t)(p - h);
		/* ":" alone, or one or two ":[a-z]+" */
		if (*p == ':' && !islower((unsigned char)p[1]))
			p++;
		else {
			for (n = 0; n < 2 && *p == ':' &&
			    islower((unsigned char)p[1]); n++) {
				m = ++p;
				while (islower((unsigned char)*p))
					p++;
				if (header_mod(m, (size_t)(p - m),
				    &r->hdr_mods) == -1) {
					diag(c, 1, "config: invalid header "
					    "modifier for %s: %.*s", r->name,
					    (int)(p - h), h);
					return -2;
				}
			}
		}
	}
	r->hdr = xstrndup(h, len);
	p += strspn(p, " \t");
	op = p;
	if ((op[0] != '=' && op[0] != '!') || op[1] != '~')
		return -1;
	r->neg = op[0] == '!';
	p += 2;
	p += strspn(p, " \t");
	if (*p == '\0')
		return -1;
	pat = xstrdup(p);
	/* \s+\[if-unset:\s+(.+)\]$ */
	n = strlen(pat);
	if (n > 0 && pat[n - 1] == ']' && (u = strstr(pat, "[if-unset:"))
	    != NULL && u > pat && isspace((unsigned char)u[-1]) &&
	    isspace((unsigned char)u[10])) {
		char	*v = u + 10 + strspn(u + 10, " \t");

		if (v < pat + n - 1) {
			r->if_unset = xstrndup(v, (size_t)(pat + n - 1 - v));
			while (u > pat && isspace((unsigned char)u[-1]))
				u--;
			*u = '\0';
		}
	}
	if ((r->re_sa = sa_re_strip(pat, 1, err, sizeof(err))) == NULL) {
		diag(c, 1, "config: invalid regexp for %s '%s': %s", r->name,
		    pat, err);
		free(pat);
		return -2;
	}
	free(pat);
	return 0;
}

/*
 * Parser::parse_captures: %{NAME} (a capture template) becomes %\{NAME\}
 * so that the regex compiles; 1 if there was one.
 */
static int
escape_templates(char **re)
{
	const char	*s = *re, *p, *q;
	char		*out, *o;
	int		 found = 0;

	out = o = xmalloc(strlen(s) * 2 + 1);
	for (p = s; *p != '\0';) {
		if (p[0] == '%' && p[1] == '{' && (p == s || p[-1] != '\\') &&
		    isupper((unsigned char)p[2])) {
			q = p + 2;
			while (isupper((unsigned char)*q) ||
			    isdigit((unsigned char)*q) || (*q == '_' &&
			    (isupper((unsigned char)q[1]) ||
			    isdigit((unsigned char)q[1]))))
				q++;
			if (*q == '(') {
				const char *r = q + strcspn(q, ")}");

				if (*r == ')')
					q = r + 1;
			}
			if (*q == '}') {
				*o++ = '%';
				*o++ = '\\';
				*o++ = '{';
				memcpy(o, p + 2, (size_t)(q - p - 2));
				o += q - p - 2;
				*o++ = '\\';
				*o++ = '}';
				p = q + 1;
				found = 1;
				continue;
			}
		}
		*o++ = *p++;
	}
	*o = '\0';
	free(*re);
	*re = out;
	return found;
}

/*
 * Parser::add_test.  NULL if SpamAssassin would not define the rule
 * (the reason is in the diagnostics).
 */
static struct sa_rule *
add_test(struct sa_conf *c, const char *name, const char *text,
    enum sa_rtype type, int eval)
{
	struct sa_rule	 key, *r, tmp;
	char		 err[256];
	int		 rc;

	if (!is_rulename(name)) {
		diag(c, 1, "config: error: rule '%s' has invalid characters "
		    "(not Alphanumeric + Underscore + starting with a "
		    "non-digit)", name);
		return NULL;
	}
	if (strlen(name) > 100) {
		diag(c, 1, "config: error: rule '%s' is too long", name);
		return NULL;
	}
	memset(&tmp, 0, sizeof(tmp));
	tmp.name = (char *)name;
	tmp.type = type;
	tmp.is_eval = eval;
	if (text != NULL)
		tmp.text = xstrdup(text);
	if (!eval && text != NULL && (type == SA_R_BODY ||
	    type == SA_R_RAWBODY || type == SA_R_FULL || type == SA_R_URI)) {
		if ((tmp.re_sa = sa_re_strip(text, 1, err, sizeof(err))) ==
		    NULL) {
			diag(c, 1, "config: invalid regexp for %s '%s': %s",
			    name, text, err);
			rule_reset(&tmp);
			return NULL;
		}
	} else if (!eval && type == SA_R_HEADER) {
		if (strncmp(text, "exists:", 7) == 0) {
			const char	*h = text + 7;
			size_t		 n;

			n = strspn(h, "abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");

			if (n == 0 || (h[n] != '\0' && !(h[n] == ':' &&
			    h[n + 1] == '\0'))) {
				diag(c, 1, "config: invalid head test %s "
				    "header: %s", name, h);
				rule_reset(&tmp);
				return NULL;
			}
			tmp.hdr = xstrndup(h, n);
			tmp.is_exists = 1;
		} else if ((rc = parse_header_test(c, &tmp, text, 0)) != 0) {
			if (rc == -1)
				diag(c, 1, "config: invalid head test %s: %s",
				    name, text);
			rule_reset(&tmp);
			return NULL;
		}
	} else if (type == SA_R_META) {
		char *mt = strstr(text, "rules_matching(") != NULL ?
		    expand_rules_matching(c, text, name, 1) : xstrdup(text);

		tmp.meta = sa_meta_parse(mt, SA_MP_META, err, sizeof(err));
		free(mt);
		if (tmp.meta == NULL) {
			diag(c, 1, "config: invalid expression for rule %s: "
			    "\"%s\": %s", name, text, err);
			rule_reset(&tmp);
			return NULL;
		}
	}
	if (tmp.re_sa != NULL) {
		/* Parser::parse_captures */
		if (strstr(tmp.re_sa, "%{") != NULL)
			tmp.templates = escape_templates(&tmp.re_sa);
		if (strstr(tmp.re_sa, "(?<") != NULL ||
		    strstr(tmp.re_sa, "(?P<") != NULL ||
		    strstr(tmp.re_sa, "(?'") != NULL) {
			const char *q = strstr(tmp.re_sa, "(?");

			for (; q != NULL; q = strstr(q + 2, "(?")) {
				const char *z = q + 2 + (q[2] == 'P');

				if ((*z == '<' || *z == '\'') &&
				    isupper((unsigned char)z[1]))
					tmp.captures = 1;
			}
		}
	}

	key.name = (char *)name;
	if ((r = RB_FIND(sa_rule_tree, &c->tree, &key)) == NULL) {
		r = xcalloc(1, sizeof(*r));
		r->name = xstrdup(name);
		r->index = c->nrules;
		RB_INSERT(sa_rule_tree, &c->tree, r);
		c->rules = xreallocarray(c->rules, c->nrules + 1,
		    sizeof(*c->rules));
		c->rules[c->nrules++] = r;
	} else
		rule_reset(r);
	r->type = tmp.type;
	r->is_eval = tmp.is_eval;
	r->is_exists = tmp.is_exists;
	r->text = tmp.text;
	r->hdr = tmp.hdr;
	r->hdr_mods = tmp.hdr_mods;
	r->neg = tmp.neg;
	r->if_unset = tmp.if_unset;
	r->re_sa = tmp.re_sa;
	r->meta = tmp.meta;
	r->captures = tmp.captures;
	r->templates = tmp.templates;
	r->file = xstrdup(((struct sa_pstate *)c->ps)->cur);
	r->line = curline(c);
	if (r->captures) {
		struct sa_attr *a = attr_get(c, name);

		a->has_prio = 1;
		a->prio = -10000;
	}
	return r;
}

/* rule definition commands; 0 ok, 1 invalid, 2 missing, -1 unknown */
static int
cmd_rule(struct sa_conf *c, const char *key, char *value)
{
	char		*name, *rest;
	enum sa_rtype	 type;
	struct sa_rule	*r;
	int		 rc = 0, eval = 0;

	if (strcmp(key, "header") == 0)
		type = SA_R_HEADER;
	else if (strcmp(key, "body") == 0)
		type = SA_R_BODY;
	else if (strcmp(key, "rawbody") == 0)
		type = SA_R_RAWBODY;
	else if (strcmp(key, "full") == 0)
		type = SA_R_FULL;
	else if (strcmp(key, "uri") == 0)
		type = SA_R_URI;
	else if (strcmp(key, "meta") == 0)
		type = SA_R_META;
	else
		return -1;
	/* s/^(\S+)\s+// */
	split2(value, &name, &rest);
	if (*name == '\0' || strlen(value) == strlen(name)) {
		free(name);
		free(rest);
		return 1;
	}
	if (*rest == '\0') {
		rc = 2;
		goto done;
	}
	if (type == SA_R_META) {
		const char *s = strchr(rest, '*');

		for (; s != NULL; s = strchr(s + 1, '*'))
			if (s[1 + strspn(s + 1, " \t")] == '*') {
				rc = 1;
				goto done;
			}
		add_test(c, name, rest, type, 0);
		goto done;
	}
	if (type != SA_R_URI) {
		const char *fn = NULL;
		int rbl = 0;

		if (strncmp(rest, "eval:", 5) == 0)
			fn = rest + 5;
		else if (type == SA_R_HEADER &&
		    strncmp(rest, "rbleval:", 8) == 0)
			fn = rest + 8;
		if (fn != NULL) {
			const char *q = fn;

			while (isalnum((unsigned char)*q) || *q == '_')
				q++;
			if (q == fn || *q != '(' ||
			    fn[strlen(fn) - 1] != ')') {
				rc = 1;
				goto done;
			}
			eval = 1;
			if (type == SA_R_HEADER &&
			    (strncmp(fn, "check_rbl", 9) == 0 ||
			    strncmp(fn, "check_dns", 9) == 0))
				rbl = 1;
			if ((r = add_test(c, name, fn, type, 1)) != NULL)
				r->is_rbl = rbl;
			goto done;
		}
	}
	add_test(c, name, rest, type, eval);
 done:
	free(name);
	free(rest);
	return rc;
}

static int
parse_score(const char *s, double *d, int *rel)
{
	char		 buf[64];
	const char	*p = s;
	size_t		 n = strlen(s), i;
	int		 dot = 0, digits = 0;

	*rel = 0;
	if (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
		*rel = 1;
		p = s + 1;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	/* -?\d+(?:\.\d+)? */
	i = buf[0] == '-';
	for (; i < n; i++) {
		if (isdigit((unsigned char)buf[i]))
			digits++;
		else if (buf[i] == '.' && !dot && digits > 0 && i + 1 < n)
			dot = 1;
		else
			return -1;
	}
	if (digits == 0)
		return -1;
	*d = strtod(buf, NULL);
	if (*d == 0)
		*d = 0;		/* "-0" is 0, as Perl's $score + 0.0 */
	return 0;
}

static int
cmd_score(struct sa_conf *c, const char *value)
{
	char		*w[6], *v = xstrdup(value), *p, *save = NULL;
	double		 s[4];
	int		 rel[4], anyrel = 0;
	size_t		 n = 0, i;
	struct sa_attr	*a;
	int		 rc = 0;

	for (p = strtok_r(v, " \t", &save); p != NULL && n < nitems(w);
	    p = strtok_r(NULL, " \t", &save))
		w[n++] = p;
	if (n != 2 && n != 5) {
		free(v);
		return 2;
	}
	for (i = 1; i < n; i++) {
		if (parse_score(w[i], &s[i - 1], &rel[i - 1]) == -1) {
			free(v);
			return 1;
		}
		anyrel |= rel[i - 1];
	}
	if (n == 2)
		for (i = 1; i < 4; i++)
			s[i] = s[0];
	a = attr_get(c, w[0]);
	if (anyrel && !a->has_score)
		rc = 1;
	else {
		for (i = 0; i < 4; i++)
			a->score[i] = anyrel ? a->score[i] + s[i] : s[i];
		a->has_score = 1;
	}
	free(v);
	return rc;
}

static void
hdr_remove(struct sa_hdr **v, size_t *n, const char *name)
{
	size_t	i, o = 0;

	for (i = 0; i < *n; i++) {
		if (strcasecmp((*v)[i].name, name) == 0) {
			free((*v)[i].name);
			free((*v)[i].tmpl);
			continue;
		}
		(*v)[o++] = (*v)[i];
	}
	*n = o;
}

static void
hdr_add(struct sa_hdr **v, size_t *n, const char *name, const char *t)
{
	hdr_remove(v, n, name);
	*v = xreallocarray(*v, *n + 1, sizeof(**v));
	(*v)[*n].name = xstrdup(name);
	(*v)[*n].tmpl = xstrdup(t);
	(*n)++;
}

static int
cmd_headers(struct sa_conf *c, const char *key, const char *value)
{
	char		*type, *rest, *name, *tmpl, *o, *e;
	const char	*p;
	size_t		 i, n;
	int		 ham, spam, rc = 0;

	if (strcmp(key, "clear_headers") == 0) {
		struct sa_hdr keep = { NULL, NULL };

		if (*value != '\0')
			return 1;
		for (i = 0; i < c->nhdr_ham; i++)
			if (strcasecmp(c->hdr_ham[i].name,
			    "Checker-Version") == 0 && keep.name == NULL) {
				keep.name = xstrdup(c->hdr_ham[i].name);
				keep.tmpl = xstrdup(c->hdr_ham[i].tmpl);
			}
		while (c->nhdr_ham > 0)
			hdr_remove(&c->hdr_ham, &c->nhdr_ham,
			    c->hdr_ham[0].name);
		while (c->nhdr_spam > 0)
			hdr_remove(&c->hdr_spam, &c->nhdr_spam,
			    c->hdr_spam[0].name);
		if (keep.name != NULL) {
			hdr_add(&c->hdr_ham, &c->nhdr_ham, keep.name,
			    keep.tmpl);
			hdr_add(&c->hdr_spam, &c->nhdr_spam, keep.name,
			    keep.tmpl);
		}
		free(keep.name);
		free(keep.tmpl);
		return 0;
	}
	split2(value, &type, &rest);
	ham = strcmp(type, "ham") == 0 || strcmp(type, "all") == 0;
	spam = strcmp(type, "spam") == 0 || strcmp(type, "all") == 0;
	split2(rest, &name, &tmpl);
	if ((!ham && !spam) || *name == '\0' ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789_-") != strlen(name)) {
		rc = 1;
		goto done;
	}
	if (strcmp(key, "remove_header") == 0) {
		if (*tmpl != '\0') {
			rc = 1;
			goto done;
		}
		if (strcmp(name, "Checker-Version") == 0)
			goto done;
		if (ham)
			hdr_remove(&c->hdr_ham, &c->nhdr_ham, name);
		if (spam)
			hdr_remove(&c->hdr_spam, &c->nhdr_spam, name);
		goto done;
	}
	/* add_header: strip quotes, then \\ \t \n and other escapes */
	n = strlen(tmpl);
	while (n > 0 && isspace((unsigned char)tmpl[n - 1]))
		tmpl[--n] = '\0';
	p = tmpl;
	if (n >= 2 && tmpl[0] == '"' && tmpl[n - 1] == '"') {
		tmpl[n - 1] = '\0';
		p = tmpl + 1;
	}
	o = e = xmalloc(strlen(p) + 1);
	for (; *p != '\0'; p++) {
		if (*p != '\\') {
			*e++ = *p;
			continue;
		}
		if (p[1] == '\\') {
			*e++ = '\\';
			p++;
		} else if (p[1] == 't') {
			*e++ = '\t';
			p++;
		} else if (p[1] == 'n') {
			*e++ = '\n';
			p++;
		} else if (p[1] != '\0')
			p++;		/* other escapes are purged */
	}
	*e = '\0';
	if (ham)
		hdr_add(&c->hdr_ham, &c->nhdr_ham, name, o);
	if (spam)
		hdr_add(&c->hdr_spam, &c->nhdr_spam, name, o);
	free(o);
 done:
	free(type);
	free(rest);
	free(name);
	free(tmpl);
	return rc;
}

static int
cmd_rewrite(struct sa_conf *c, const char *value)
{
	char	*h, *s;
	size_t	 i, idx;
	int	 rc = 0;

	split2(value, &h, &s);
	for (i = 0; h[i] != '\0'; i++)
		h[i] = i == 0 ? toupper((unsigned char)h[i]) :
		    tolower((unsigned char)h[i]);
	if (*h == '\0')
		rc = 2;
	else if (strcmp(h, "Subject") == 0 || strcmp(h, "From") == 0 ||
	    strcmp(h, "To") == 0) {
		idx = h[0] == 'S' ? 0 : h[0] == 'F' ? 1 : 2;
		free(c->rewrite[idx]);
		c->rewrite[idx] = NULL;
		if (s[strspn(s, " \t")] != '\0') {
			for (i = 0; idx != 0 && s[i] != '\0'; i++) {
				if (s[i] == '(')
					s[i] = '[';
				else if (s[i] == ')')
					s[i] = ']';
			}
			c->rewrite[idx] = xstrdup(s);
		}
	} else
		rc = 1;
	free(h);
	free(s);
	return rc;
}

static int
cmd_replace(struct sa_conf *c, const char *key, const char *value)
{
	char	*k, *v, *w, *save = NULL, *dup;

	if (strcmp(key, "replace_rules") == 0) {
		if (*value == '\0')
			return 2;
		dup = xstrdup(value);
		for (w = strtok_r(dup, " \t", &save); w != NULL;
		    w = strtok_r(NULL, " \t", &save)) {
			size_t i;

			for (i = 0; i < c->nreplace_rules; i++)
				if (strcmp(c->replace_rules[i], w) == 0)
					break;
			if (i == c->nreplace_rules)
				list_add(&c->replace_rules,
				    &c->nreplace_rules, w);
		}
		free(dup);
		return 0;
	}
	if (strcmp(key, "replace_start") == 0 ||
	    strcmp(key, "replace_end") == 0) {
		if (*value == '\0')
			return 2;
		if (key[8] == 's') {
			free(c->replace_start);
			c->replace_start = xstrdup(value);
		} else {
			free(c->replace_end);
			c->replace_end = xstrdup(value);
		}
		return 0;
	}
	split2(value, &k, &v);
	if (*v == '\0') {
		free(k);
		free(v);
		return 2;
	}
	if (strcmp(key, "replace_tag") == 0)
		kv_set(&c->rtag, &c->nrtag, k, v);
	else if (strcmp(key, "replace_pre") == 0)
		kv_set(&c->rpre, &c->nrpre, k, v);
	else if (strcmp(key, "replace_inter") == 0)
		kv_set(&c->rinter, &c->nrinter, k, v);
	else
		kv_set(&c->rpost, &c->nrpost, k, v);
	free(k);
	free(v);
	return 0;
}

static int
cmd_plugin(struct sa_conf *c, const char *key, const char *value)
{
	char		 name[256], *path = NULL;
	const char	*p = value, *canon;
	size_t		 n, i;
	int		 known = 0;
	struct stat	 st;

	if (*value == '\0')
		return 2;
	n = strcspn(value, " \t");
	if (n >= sizeof(name))
		return 1;
	memcpy(name, value, n);
	name[n] = '\0';
	for (i = 0; i < n; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_' ||
		    (name[i] == ':' && name[i + 1] == ':' && i + 2 < n &&
		    (i++, 1))))
			return 1;
	p = value + n + strspn(value + n, " \t");
	if (*p != '\0') {
		n = strlen(p);
		if (strcspn(p, " \t") != n || n < 4 ||
		    strcasecmp(p + n - 3, ".pm") != 0)
			return 1;
		path = xstrdup(p);
	}
	canon = plugin_canon(name);
	if (strcmp(canon, PLUGIN_PFX "HashCash") == 0) {
		diag(c, 0, "plugin: %s is deprecated", canon);
		free(path);
		return 0;
	}
	if (strncmp(canon, PLUGIN_PFX, strlen(PLUGIN_PFX)) == 0)
		for (i = 0; i < sa_nplugins; i++)
			if (strcmp(canon + strlen(PLUGIN_PFX),
			    sa_plugins[i]) == 0)
				known = 1;
	if (!known && path != NULL) {
		char *full = NULL;

		if (path[0] != '/') {
			const char *cur = ((struct sa_pstate *)c->ps)->cur;
			const char *slash = strrchr(cur, '/');

			if (xasprintf(&full, "%.*s%s", slash != NULL ?
			    (int)(slash - cur + 1) : 0, cur, path) == -1)
				fatalx("%s: asprintf", __func__);
		}
		known = stat(full != NULL ? full : path, &st) == 0;
		free(full);
	}
	free(path);
	if (!known) {
		if (strcmp(key, "loadplugin") == 0)
			diag(c, 0, "plugin: failed to load plugin %s", canon);
		return 0;
	}
	if (!sa_conf_plugin_loaded(c, canon))
		list_add(&c->plugins, &c->nplugins, canon);
	return 0;
}

/* a SpamAssassin command filterd does not act on: known or not? */
static int
cmd_known(struct sa_conf *c, const char *key)
{
	size_t	lo = 0, hi = sa_ncmds, mid, i;
	int	r;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		r = strcmp(key, sa_cmds[mid].name);
		if (r == 0) {
			while (mid > 0 && strcmp(sa_cmds[mid - 1].name,
			    key) == 0)
				mid--;
			for (i = mid; i < sa_ncmds &&
			    strcmp(sa_cmds[i].name, key) == 0; i++)
				if (sa_cmds[i].plugin == NULL ||
				    sa_conf_plugin_loaded(c,
				    sa_cmds[i].plugin))
					return 1;
			return 0;
		}
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (strncmp(key, "bayes_stopword_", 15) == 0)
		return sa_conf_plugin_loaded(c, "Bayes");
	if (strncmp(key, "hashbl_acl_", 11) == 0)
		return sa_conf_plugin_loaded(c, "HashBL");
	return 0;
}

static void
count_ignored(struct sa_conf *c, const char *key)
{
	size_t	i;

	for (i = 0; i < c->nignored; i++)
		if (strcmp(c->ignored[i].key, key) == 0) {
			c->ignored[i].n++;
			return;
		}
	c->ignored = xreallocarray(c->ignored, c->nignored + 1,
	    sizeof(*c->ignored));
	c->ignored[c->nignored].key = xstrdup(key);
	c->ignored[c->nignored].n = 1;
	c->nignored++;
}

static int
sdef_cmp(const void *k, const void *e)
{
	return strcmp(k, ((const struct sdef *)e)->name);
}

static struct sa_setting *
setting_get(struct sa_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nsettings; i++)
		if (strcmp(c->settings[i].name, name) == 0)
			return &c->settings[i];
	c->settings = xreallocarray(c->settings, c->nsettings + 1,
	    sizeof(*c->settings));
	memset(&c->settings[c->nsettings], 0, sizeof(*c->settings));
	c->settings[c->nsettings].name = xstrdup(name);
	for (i = 0; i < nitems(sdefaults); i++)
		if (strcmp(sdefaults[i].name, name) == 0) {
			c->settings[c->nsettings].num = sdefaults[i].num;
			if (sdefaults[i].str != NULL)
				c->settings[c->nsettings].str =
				    xstrdup(sdefaults[i].str);
		}
	return &c->settings[c->nsettings++];
}

static void
setting_clear(struct sa_setting *s)
{
	free_list(s->list, s->nlist);
	s->list = NULL;
	s->nlist = 0;
}

static void
setting_del(struct sa_setting *s, const char *w)
{
	size_t	i, o = 0;

	for (i = 0; i < s->nlist; i++) {
		if (strcasecmp(s->list[i], w) == 0 ||
		    (strncasecmp(s->list[i], w, strlen(w)) == 0 &&
		    s->list[i][strlen(w)] == ' ')) {
			free(s->list[i]);
			continue;
		}
		s->list[o++] = s->list[i];
	}
	s->nlist = o;
}

/* a stored setting: 0 ok, 1 invalid, 2 missing, -1 not one of ours */
static int
setting_cmd(struct sa_conf *c, const char *key, const char *value)
{
	const struct sdef	*d;
	struct sa_setting	*s;
	char			*dup, *w, *save = NULL, *end, *lw;
	const char		*target;
	size_t			 i;

	d = bsearch(key, sdefs, nitems(sdefs), sizeof(sdefs[0]), sdef_cmp);
	if (d == NULL)
		return -1;
	if (d->type != S_CLR && d->type != S_TMPL && d->type != S_TMPLCLR &&
	    *value == '\0')
		return 2;
	target = d->type == S_CLR || d->type == S_DEL || d->target == NULL ?
	    d->name : d->target;
	if (d->type == S_CLR || d->type == S_DEL || d->type == S_TMPLCLR)
		target = d->target;
	s = setting_get(c, target);
	switch (d->type) {
	case S_NUM:
		/* Parser::set_numeric_value: ^[+-]?\d+(?:\.\d*)?\z */
		{
			const char	*q = value + (*value == '+' ||
			    *value == '-');
			size_t		 nd = strspn(q, "0123456789");

			if (nd == 0 || (q[nd] != '\0' && (q[nd] != '.' ||
			    strspn(q + nd + 1, "0123456789") !=
			    strlen(q + nd + 1))))
				return 1;
			s->num = strtod(value, &end);
		}
		break;
	case S_BOOL:
		if (strcasecmp(value, "yes") == 0 || strcmp(value, "1") == 0)
			s->num = 1;
		else if (strcasecmp(value, "no") == 0 ||
		    strcmp(value, "0") == 0)
			s->num = 0;
		else
			return 1;
		break;
	case S_STR:
		free(s->str);
		s->str = xstrdup(value);
		break;
	case S_LINE:
		list_add(&s->list, &s->nlist, value);
		break;
	case S_CLR:
		if (*value != '\0')
			return 1;
		setting_clear(s);
		if (d->target2 != NULL) {
			setting_clear(setting_get(c, d->target2));
			setting_clear(setting_get(c, "util_rb_3tld"));
		}
		break;
	case S_TMPL:
		/* Parser set_template_append: "..." quotes stripped */
		{
			size_t	 n = strlen(value);
			char	*t, *line;

			if (n >= 2 && value[0] == '"' &&
			    value[n - 1] == '"' &&
			    memchr(value + 1, '"', n - 2) == NULL)
				line = xstrndup(value + 1, n - 2);
			else
				line = xstrdup(value);
			t = strcmp(target, "report") == 0 ? c->report :
			    c->unsafe_report;
			if (xasprintf(&w, "%s%s\n", t, line) == -1)
				fatalx("%s: asprintf", __func__);
			free(t);
			free(line);
			if (strcmp(target, "report") == 0)
				c->report = w;
			else
				c->unsafe_report = w;
		}
		break;
	case S_TMPLCLR:
		if (*value != '\0')
			return 1;
		if (strcmp(target, "report") == 0) {
			free(c->report);
			c->report = xstrdup("");
		} else {
			free(c->unsafe_report);
			c->unsafe_report = xstrdup("");
		}
		break;
	case S_PAIR:
		dup = xstrdup(value);
		for (i = 0; dup[i] != '\0'; i++)
			dup[i] = tolower((unsigned char)dup[i]);
		list_add(&s->list, &s->nlist, dup);
		free(dup);
		break;
	case S_LIST:
	case S_ADDR:
	case S_NET:
	case S_DEL:
		dup = xstrdup(value);
		for (w = strtok_r(dup, " \t", &save); w != NULL;
		    w = strtok_r(NULL, " \t", &save)) {
			lw = xstrdup(w);
			if (d->type != S_LIST && d->type != S_NET)
				for (i = 0; lw[i] != '\0'; i++)
					lw[i] = tolower((unsigned char)lw[i]);
			if (d->type == S_DEL) {
				setting_del(s, lw);
				if (d->target2 != NULL)
					setting_del(setting_get(c,
					    d->target2), lw);
			} else
				list_add(&s->list, &s->nlist, lw);
			free(lw);
			/* setting_get may have moved s */
			s = setting_get(c, target);
		}
		free(dup);
		break;
	}
	setting_get(c, target)->set = 1;	/* s may have moved */
	return 0;
}

/*
 * Named lists: enlist_addrlist (NAME) globs... adds to the setting NAME
 * itself (SpamAssassin's $conf->{NAME}, so "(welcomelist_from)" is
 * welcomelist_from); enlist_uri_host (NAME) [!]host... and its short
 * forms (BLOCK, WELCOME) keep "host" or "!host" in the setting
 * "uri_host_lists:NAME", the last entry of a host replacing the older
 * one; delist_uri_host [(NAME)] host... removes.  0 ok, 2 missing
 * value, -1 not one of these commands.
 */
static int
list_cmd(struct sa_conf *c, const char *key, const char *value)
{
	const char	*close, *rest, *list = NULL;
	char		*name = NULL, *dup, *w, *save = NULL, *h, *sn;
	struct sa_setting *s;
	size_t		 i, k, nl = 0;
	int		 uri, del;

	uri = strcmp(key, "enlist_uri_host") == 0;
	del = strcmp(key, "delist_uri_host") == 0;
	if (strcmp(key, "blocklist_uri_host") == 0 ||
	    strcmp(key, "blacklist_uri_host") == 0) {
		list = "BLOCK";
		uri = 1;
	} else if (strcmp(key, "welcomelist_uri_host") == 0 ||
	    strcmp(key, "whitelist_uri_host") == 0) {
		list = "WELCOME";
		uri = 1;
	} else if (!uri && !del && strcmp(key, "enlist_addrlist") != 0)
		return -1;
	rest = value;
	if (list == NULL) {
		/* ^ \( (.+?) \) \s+ (.+) \z, the name optional to delist */
		close = NULL;
		if (value[0] == '(' && value[1] != '\0')
			for (close = value + 2; *close != '\0'; close++)
				if (*close == ')' && (close[1] == ' ' ||
				    close[1] == '\t'))
					break;
		if (close != NULL && *close == ')') {
			name = xstrndup(value + 1, close - value - 1);
			rest = close + 1;
			while (*rest == ' ' || *rest == '\t')
				rest++;
		} else if (!del)
			return 2;
		if (*rest == '\0') {
			free(name);
			return 2;
		}
		list = name;
	}
	if (*rest == '\0')
		return 2;
	dup = xstrdup(rest);
	for (i = 0; dup[i] != '\0'; i++)
		dup[i] = tolower((unsigned char)dup[i]);
	for (w = strtok_r(dup, " \t", &save); w != NULL;
	    w = strtok_r(NULL, " \t", &save)) {
		if (!uri && !del) {
			s = setting_get(c, list);
			list_add(&s->list, &s->nlist, w);
			s->set = 1;
			continue;
		}
		h = w + (*w == '!');
		for (k = 0; k < c->nsettings; k++) {
			s = &c->settings[k];
			if (strncmp(s->name, "uri_host_lists:", 15) != 0 ||
			    (list != NULL && strcmp(s->name + 15, list) != 0))
				continue;
			for (i = nl = 0; i < s->nlist; i++) {
				sn = s->list[i] + (s->list[i][0] == '!');
				if (strcmp(sn, h) == 0)
					free(s->list[i]);
				else
					s->list[nl++] = s->list[i];
			}
			s->nlist = nl;
		}
		if (del)
			continue;
		if (xasprintf(&sn, "uri_host_lists:%s", list) == -1)
			fatalx("%s: asprintf", __func__);
		s = setting_get(c, sn);
		free(sn);
		list_add(&s->list, &s->nlist, w);
		s->set = 1;
	}
	free(dup);
	free(name);
	return 0;
}

static int
command(struct sa_conf *c, const char *key, char *value)
{
	struct sa_attr	*a;
	char		*k, *v;
	int		 rc;

	if ((rc = cmd_rule(c, key, value)) != -1)
		return rc;
	if (strcmp(key, "score") == 0)
		return cmd_score(c, value);
	if (strcmp(key, "describe") == 0 || strcmp(key, "tflags") == 0) {
		split2(value, &k, &v);
		if (*v == '\0') {
			free(k);
			free(v);
			return 2;
		}
		a = attr_get(c, k);
		if (key[0] == 'd') {
			free(a->describe);
			a->describe = v;
		} else {
			free(a->tflags);
			a->tflags = v;
		}
		free(k);
		return 0;
	}
	if (strcmp(key, "priority") == 0) {
		const char	*e;

		split2(value, &k, &v);
		rc = 0;
		if (*v == '\0')
			rc = 2;
		else if (!is_rulename(k))
			rc = 1;
		else {
			e = v + (v[0] == '-');
			if (*e == '\0' || strspn(e, "0123456789") !=
			    strlen(e) || strlen(e) > 9)
				rc = 1;
			else {
				a = attr_get(c, k);
				a->has_prio = 1;
				a->prio = (int)strtol(v, NULL, 10);
			}
		}
		free(k);
		free(v);
		return rc;
	}
	if (strcmp(key, "test") == 0)
		return 0;		/* lint-time self tests */
	if (strcmp(key, "loadplugin") == 0 || strcmp(key, "tryplugin") == 0)
		return cmd_plugin(c, key, value);
	if (strcmp(key, "reuse") == 0) {
		char *w = value + strspn(value, " \t");
		size_t n = strspn(w, "abcdefghijklmnopqrstuvwxyz"
		    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");

		if (n == 0)
			return 1;
		k = xstrndup(w, n);
		if (sa_conf_rule(c, k) == NULL)
			add_test(c, k, NULL, SA_R_EMPTY, 0);
		free(k);
		return 0;
	}
	if (strncmp(key, "replace_", 8) == 0 &&
	    sa_conf_plugin_loaded(c, "ReplaceTags") && cmd_known(c, key))
		return cmd_replace(c, key, value);
	if (strcmp(key, "mimeheader") == 0 &&
	    sa_conf_plugin_loaded(c, "MIMEHeader")) {
		struct sa_rule	 tmp, *r;

		split2(value, &k, &v);
		rc = 0;
		if (!is_rulename(k) || strlen(value) == strlen(k))
			rc = 1;
		else if (*v == '\0')
			rc = 2;
		else {
			memset(&tmp, 0, sizeof(tmp));
			tmp.name = k;
			if ((rc = parse_header_test(c, &tmp, v, 1)) != 0)
				rc = 1;
			else if (sa_conf_rule(c, k) == NULL ||
			    !sa_conf_rule(c, k)->is_mimeheader) {
				char *fn;

				if (xasprintf(&fn, "_mimeheader_eval_%s()",
				    k) == -1)
					fatalx("%s: asprintf", __func__);
				r = add_test(c, k, fn, SA_R_BODY, 1);
				free(fn);
				if (r != NULL) {
					r->is_mimeheader = 1;
					r->hdr = tmp.hdr;
					r->hdr_mods = tmp.hdr_mods;
					r->neg = tmp.neg;
					r->if_unset = tmp.if_unset;
					r->re_sa = tmp.re_sa;
					tmp.hdr = tmp.if_unset = NULL;
					tmp.re_sa = NULL;
				}
			} else {
				/* SA: a second definition keeps the eval */
				r = sa_conf_rule(c, k);
				free(r->hdr);
				free(r->if_unset);
				free(r->re_sa);
				r->hdr = tmp.hdr;
				r->hdr_mods = tmp.hdr_mods;
				r->neg = tmp.neg;
				r->if_unset = tmp.if_unset;
				r->re_sa = tmp.re_sa;
				tmp.hdr = tmp.if_unset = NULL;
				tmp.re_sa = NULL;
			}
			tmp.name = NULL;
			rule_reset(&tmp);
		}
		free(k);
		free(v);
		return rc;
	}
	if (strcmp(key, "askdns") == 0 && sa_conf_plugin_loaded(c, "AskDNS")) {
		split2(value, &k, &v);
		rc = 0;
		if (*v == '\0')
			rc = *k == '\0' ? 2 : 1;
		else if (add_test(c, k, NULL, SA_R_EMPTY, 0) == NULL)
			rc = 1;
		free(k);
		free(v);
		return rc;
	}
	if (strcmp(key, "enable_compat") == 0) {
		struct sa_setting *st;

		if (*value == '\0')
			return 2;
		if (strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
		    "QRSTUVWXYZ0123456789_") != strlen(value) ||
		    strlen(value) > 128)
			return 1;
		st = setting_get(c, "enable_compat");
		list_add(&st->list, &st->nlist, value);
		st->set = 1;
		return 0;
	}
	if (strcmp(key, "rewrite_header") == 0)
		return cmd_rewrite(c, value);
	if (strcmp(key, "add_header") == 0 ||
	    strcmp(key, "remove_header") == 0 ||
	    strcmp(key, "clear_headers") == 0)
		return cmd_headers(c, key, value);
	if (strcmp(key, "report_safe") == 0) {
		struct sa_setting *s;
		size_t i;
		int have = 0;

		if (*value == '\0')
			return 2;
		if (strlen(value) != 1 || value[0] < '0' || value[0] > '2')
			return 1;
		s = setting_get(c, "report_safe");
		s->num = value[0] - '0';
		s->set = 1;
		if (s->num == 0) {
			for (i = 0; i < c->nhdr_spam; i++)
				if (strcasecmp(c->hdr_spam[i].name,
				    "Report") == 0)
					have = 1;
			if (!have) {
				c->hdr_spam = xreallocarray(c->hdr_spam,
				    c->nhdr_spam + 1, sizeof(*c->hdr_spam));
				c->hdr_spam[c->nhdr_spam].name =
				    xstrdup("Report");
				c->hdr_spam[c->nhdr_spam].tmpl =
				    xstrdup("_REPORT_");
				c->nhdr_spam++;
			}
		}
		return 0;
	}
	if ((strcmp(key, "freemail_domains") == 0 ||
	    strcmp(key, "freemail_welcomelist") == 0 ||
	    strcmp(key, "freemail_whitelist") == 0) &&
	    !sa_conf_plugin_loaded(c, "FreeMail"))
		return -1;
	if ((strstr(key, "_subject") != NULL && (strncmp(key, "welcome", 7)
	    == 0 || strncmp(key, "white", 5) == 0 || strncmp(key, "block",
	    5) == 0 || strncmp(key, "black", 5) == 0)) &&
	    !sa_conf_plugin_loaded(c, "WelcomeListSubject"))
		return -1;
	if ((strstr(key, "_dkim") != NULL || strstr(key, "_spf") != NULL) &&
	    !cmd_known(c, key))
		return -1;
	if ((rc = list_cmd(c, key, value)) != -1)
		return rc;
	if ((rc = setting_cmd(c, key, value)) != -1)
		return rc;
	if (cmd_known(c, key)) {
		count_ignored(c, key);
		return 0;
	}
	return -1;
}

/* ---- loading ---- */

char *
sa_conf_find_dir(const char *const *cands)
{
	struct stat	st;

	for (; *cands != NULL; cands++)
		if (stat(*cands, &st) == 0)
			return xstrdup(*cands);
	return NULL;
}

static char *
read_pre(struct sa_conf *c, const char *dir)
{
	char	**v, *t, *all = xstrdup(""), *n;
	size_t	 nv, i;

	v = dir_files(dir, "pre", &nv);
	for (i = 0; i < nv; i++) {
		if ((t = read_cf_file(c, v[i])) == NULL)
			continue;
		if (xasprintf(&n, "%s%s", all, t) == -1)
			fatalx("%s: asprintf", __func__);
		free(all);
		free(t);
		all = n;
	}
	free_list(v, nv);
	return all;
}

/*
 * SpamAssassin's init(): site *.pre, rules *.pre, rules *.cf, site *.cf,
 * then post_config.  The rules dir is <state>/<version> when it exists
 * (sa-update's), else the first of SA's default paths that exists.
 */
int
sa_conf_load(struct sa_conf *c, const struct sa_load_opts *o)
{
	struct sa_load_opts	 none;
	char			*site, *sys, *state_ver, *t;
	const char		*sitec[] = { SA_SITE_RULES_DIR,
	    "/usr/local/etc/mail/spamassassin", "/usr/local/etc/spamassassin",
	    "/usr/pkg/etc/spamassassin", "/usr/etc/spamassassin",
	    "/etc/mail/spamassassin", NULL };
	const char		*sysc[] = { NULL, SA_DEF_RULES_DIR,
	    "/usr/local/share/spamassassin", NULL };

	if (o == NULL) {
		memset(&none, 0, sizeof(none));
		o = &none;
	}
	sa_conf_set_opts(c, o);
	if (xasprintf(&state_ver, "%s/%s", o->state_dir != NULL ?
	    o->state_dir : SA_STATE_DIR, SA_VERSION_STR) == -1)
		fatalx("%s: asprintf", __func__);
	sysc[0] = state_ver;
	site = o->site_dir != NULL ? xstrdup(o->site_dir) :
	    sa_conf_find_dir(sitec);
	sys = o->rules_dir != NULL ? xstrdup(o->rules_dir) :
	    sa_conf_find_dir(sysc);
	free(state_ver);
	if (site == NULL)
		diag(c, 0, "config: could not find site rules directory");
	if (sys == NULL)
		diag(c, 1, "config: could not find sys rules directory");

	if (site != NULL) {
		t = read_pre(c, site);
		push_buf(c->ps, t, strlen(t));
		parse_lines(c);
	}
	if (sys != NULL) {
		t = read_pre(c, sys);
		push_buf(c->ps, t, strlen(t));
		parse_lines(c);
		t = read_cf(c, sys);
		push_buf(c->ps, t, strlen(t));
		parse_lines(c);
	}
	if (site != NULL) {
		t = read_cf(c, site);
		push_buf(c->ps, t, strlen(t));
		parse_lines(c);
	}
	if (o->post_config != NULL)
		sa_conf_parse_text(c, "(post_config_text)", o->post_config,
		    strlen(o->post_config));
	free(site);
	free(sys);
	if (c->nrules == 0)
		diag(c, 1, "config: no rules were found");
	return sa_conf_finish(c);
}

/* ---- finish ---- */

static char **
pack_eval_args(const char *args, size_t *np, int *bad)
{
	char		**v = NULL;
	const char	*p = args, *q, *e;
	size_t		 n = 0;

	*bad = 0;
	*np = 0;
	if (*args != '\0' && strspn(args, " \t") == strlen(args))
		return NULL;
	while (*p != '\0') {
		const char	*s = p + strspn(p, " \t");
		const char	*val = NULL, *after = NULL;
		size_t		 vlen = 0;

		if (*s == '\'' || *s == '"') {
			/* (['"])(.*?)\1\s*(?:,\s*|$) */
			for (q = s + 1; (q = strchr(q, *s)) != NULL; q++) {
				e = q + 1 + strspn(q + 1, " \t");
				if (*e == ',' || *e == '\0') {
					val = s + 1;
					vlen = (size_t)(q - s - 1);
					after = *e == ',' ? e + 1 +
					    strspn(e + 1, " \t") : e;
					break;
				}
			}
		}
		if (val == NULL) {
			size_t	k = strspn(s, "0123456789.:abcdefghijklmnop"
			    "qrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-");

			e = s + k + strspn(s + k, " \t");
			if (k > 0 && (*e == ',' || *e == '\0')) {
				val = s;
				vlen = k;
				after = *e == ',' ? e + 1 +
				    strspn(e + 1, " \t") : e;
			}
		}
		if (val == NULL) {
			*bad = 1;
			break;
		}
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = xstrndup(val, vlen);
		p = after;
	}
	*np = n;
	return v;
}

static void
finish_evals(struct sa_conf *c)
{
	struct sa_rule	*r;
	const char	*t, *lp;
	size_t		 i, j;
	int		 bad, net, have;

	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (!r->is_eval)
			continue;
		t = r->text;
		lp = strchr(t, '(');
		if (lp == NULL || t[strlen(t) - 1] != ')') {
			set_unsupported(r, "syntax error for eval function");
			continue;
		}
		r->eval_func = xstrndup(t, (size_t)(lp - t));
		{
			char *args = xstrndup(lp + 1, strlen(lp + 1) - 1);

			r->eval_args = pack_eval_args(args, &r->eval_nargs,
			    &bad);
			free(args);
		}
		if (bad) {
			diag(c, 1, "syntax error for eval function %s: %s",
			    r->name, t);
			set_unsupported(r, "syntax error for eval function");
			continue;
		}
		if (r->is_mimeheader)
			continue;
		net = r->is_rbl;
		for (j = 0; j < nitems(net_evals); j++)
			if (strcmp(net_evals[j], r->eval_func) == 0)
				net = 1;
		if (strncmp(r->eval_func, "check_dkim", 10) == 0 ||
		    strncmp(r->eval_func, "check_arc", 9) == 0 ||
		    strncmp(r->eval_func, "check_for_spf", 13) == 0 ||
		    strncmp(r->eval_func, "check_for_def_spf", 17) == 0 ||
		    strncmp(r->eval_func, "check_dmarc", 11) == 0 ||
		    strncmp(r->eval_func, "check_uridnsbl", 14) == 0)
			net = 1;
		have = 0;
		for (j = 0; c->evals != NULL && c->evals[j] != NULL; j++)
			if (strcmp(c->evals[j], r->eval_func) == 0)
				have = 1;
		if (have)
			continue;
		if (net)
			set_unsupported(r, "network test %s", r->eval_func);
		else
			set_unsupported(r, "eval %s not implemented",
			    r->eval_func);
	}
}

/* the names SpamAssassin's scores hash holds: every rule, every score */
static char **
score_names(struct sa_conf *c, size_t *np)
{
	struct sa_pstate	*ps = c->ps;
	struct sa_attr		*a;
	char			**v = NULL;
	size_t			 n = 0, i, o;

	for (i = 0; i < c->nrules; i++)
		list_add(&v, &n, c->rules[i]->name);
	RB_FOREACH(a, sa_attr_tree, &ps->attrs)
		if (a->has_score)
			list_add(&v, &n, a->name);
	if (n > 0)
		qsort(v, n, sizeof(*v), strp_cmp);
	for (i = o = 0; i < n; i++) {
		if (o > 0 && strcmp(v[o - 1], v[i]) == 0) {
			free(v[i]);
			continue;
		}
		v[o++] = v[i];
	}
	*np = o;
	return v;
}

/*
 * rules_matching(GLOB) -> " (A+B+...) ", the sorted names with a score
 * less the rule itself, or " (0) "; with zero set, " 0 " (is_meta_valid).
 */
static char *
expand_rules_matching(struct sa_conf *c, const char *expr, const char *self,
    int zero)
{
	char		*out = xstrdup(""), *n, glob[130], **names = NULL;
	const char	*p, *g, *e;
	size_t		 k, nnames = 0, i;
	int		 first;

	while ((p = strstr(expr, "rules_matching(")) != NULL) {
		g = p + 15;
		if ((p > expr && (isalnum((unsigned char)p[-1]) ||
		    p[-1] == '_'))) {
			if (xasprintf(&n, "%s%.*s", out, (int)(g - expr),
			    expr) == -1)
				fatalx("%s: asprintf", __func__);
			free(out);
			out = n;
			expr = g;
			continue;
		}
		g += strspn(g, " \t");
		k = strspn(g, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUV"
		    "WXYZ0123456789_*?");
		e = g + k + strspn(g + k, " \t");
		if (k == 0 || k >= sizeof(glob) || *e != ')' ||
		    isdigit((unsigned char)*g)) {
			if (xasprintf(&n, "%s%.*s", out, (int)(g - expr),
			    expr) == -1)
				fatalx("%s: asprintf", __func__);
			free(out);
			out = n;
			expr = g;
			continue;
		}
		memcpy(glob, g, k);
		glob[k] = '\0';
		if (xasprintf(&n, "%s%.*s %s", out, (int)(p - expr), expr,
		    zero ? "0" : "(") == -1)
			fatalx("%s: asprintf", __func__);
		free(out);
		out = n;
		if (!zero) {
			if (names == NULL)
				names = score_names(c, &nnames);
			first = 1;
			for (i = 0; i < nnames; i++) {
				if (strcmp(names[i], self) == 0 ||
				    fnmatch(glob, names[i], 0) != 0)
					continue;
				if (xasprintf(&n, "%s%s%s", out, first ? "" :
				    "+", names[i]) == -1)
					fatalx("%s: asprintf", __func__);
				free(out);
				out = n;
				first = 0;
			}
			if (xasprintf(&n, "%s%s)", out, first ? "0" : "") ==
			    -1)
				fatalx("%s: asprintf", __func__);
			free(out);
			out = n;
		}
		if (xasprintf(&n, "%s ", out) == -1)
			fatalx("%s: asprintf", __func__);
		free(out);
		out = n;
		expr = e + 1;
	}
	if (xasprintf(&n, "%s%s", out, expr) == -1)
		fatalx("%s: asprintf", __func__);
	free(out);
	free_list(names, nnames);
	return n;
}

static void
resolve_nodes(struct sa_conf *c, struct sa_mnode *n)
{
	struct sa_rule	*r;

	if (n == NULL)
		return;
	if (n->op == SA_M_RULE && strcmp(n->name, "local_tests_only") == 0) {
		/* compile_meta_rules: main->{local_tests_only} */
		n->op = SA_M_NUM;
		n->num = c->local_tests_only;
	} else if (n->op == SA_M_RULE) {
		r = sa_conf_rule(c, n->name);
		n->idx = r != NULL ? r->index : SA_NOIDX;
	}
	resolve_nodes(c, n->a);
	resolve_nodes(c, n->b);
	resolve_nodes(c, n->c);
}

static int
prio_cmp(const void *a, const void *b)
{
	const struct sa_rule	*x = *(struct sa_rule *const *)a;
	const struct sa_rule	*y = *(struct sa_rule *const *)b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * Parser::fix_priorities: in order of priority, a meta's dependencies
 * that would run later are moved up to the meta's priority (net rules
 * no earlier than -100).
 */
static void
fix_priorities(struct sa_conf *c)
{
	struct sa_rule	**v, *r, *d;
	size_t		  i, j;

	if (c->nrules == 0)
		return;
	v = xreallocarray(NULL, c->nrules, sizeof(*v));
	memcpy(v, c->rules, c->nrules * sizeof(*v));
	qsort(v, c->nrules, sizeof(*v), prio_cmp);
	for (i = 0; i < c->nrules; i++) {
		r = v[i];
		if (r->type != SA_R_META || r->meta == NULL ||
		    r->meta_unsolved)
			continue;
		for (j = 0; j < r->meta->ndeps; j++) {
			d = sa_conf_rule(c, r->meta->deps[j]);
			if (d == NULL || d->priority <= r->priority)
				continue;
			if (r->priority < -100 && (d->tf & SA_TF_NET))
				d->priority = -100;
			else
				d->priority = r->priority;
		}
	}
	free(v);
}

/* Parser::compile_meta_rules and fix_tflags */
static void
finish_meta(struct sa_conf *c)
{
	struct sa_rule	*r, *d;
	size_t		 i, j, left, nleft;
	char		*t, err[256];
	int		*open, changed;

	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (r->type != SA_R_META || r->meta == NULL)
			continue;
		if (strstr(r->text, "rules_matching(") != NULL) {
			t = expand_rules_matching(c, r->text, r->name, 0);
			sa_meta_free(r->meta);
			r->meta = sa_meta_parse(t, SA_MP_META, err,
			    sizeof(err));
			free(t);
			if (r->meta == NULL) {
				set_unsupported(r, "meta: %s", err);
				continue;
			}
		}
		resolve_nodes(c, r->meta->root);
	}
	/* peel off metas whose meta dependencies are all solved */
	open = xcalloc(c->nrules + 1, sizeof(*open));
	nleft = 0;
	for (i = 0; i < c->nrules; i++)
		if (c->rules[i]->type == SA_R_META &&
		    c->rules[i]->meta != NULL) {
			open[i] = 1;
			nleft++;
		}
	c->meta_order = xreallocarray(NULL, nleft + 1,
	    sizeof(*c->meta_order));
	c->nmeta_order = 0;
	do {
		changed = 0;
		for (i = 0; i < c->nrules; i++) {
			if (!open[i])
				continue;
			r = c->rules[i];
			left = 0;
			for (j = 0; j < r->meta->ndeps; j++) {
				d = sa_conf_rule(c, r->meta->deps[j]);
				if (d != NULL && open[d->index])
					left++;
			}
			if (left == 0) {
				open[i] = 0;
				nleft--;
				changed = 1;
				c->meta_order[c->nmeta_order++] = i;
			}
		}
	} while (changed && nleft > 0);
	for (i = 0; i < c->nrules; i++) {
		if (!open[i])
			continue;
		r = c->rules[i];
		r->meta_unsolved = 1;
		diag(c, 0, "rules: excluding meta test %s, unsolved meta "
		    "dependencies", r->name);
		set_unsupported(r, "unsolved meta dependencies (a cycle): "
		    "SpamAssassin never hits it either");
	}
	free(open);
	fix_priorities(c);
	/*
	 * fix_tflags: a meta with a net dependency is net.  SpamAssassin
	 * makes one pass in hash order, so whether a meta two levels up
	 * inherits it varies from run to run; this makes it transitive.
	 */
	do {
		changed = 0;
		for (i = 0; i < c->nrules; i++) {
			r = c->rules[i];
			if (r->type != SA_R_META || r->meta == NULL ||
			    (r->tf & SA_TF_NET))
				continue;
			for (j = 0; j < r->meta->ndeps; j++) {
				d = sa_conf_rule(c, r->meta->deps[j]);
				if (d != NULL && (d->tf & SA_TF_NET)) {
					r->tf |= SA_TF_NET;
					if (xasprintf(&t, "%s%snet",
					    r->tflags != NULL ? r->tflags : "",
					    r->tflags != NULL ? " " : "") == -1)
						fatalx("%s: asprintf",
						    __func__);
					free(r->tflags);
					r->tflags = t;
					changed = 1;
					break;
				}
			}
		}
	} while (changed);
}

static void
finish_regex(struct sa_conf *c)
{
	struct sa_rule	*r;
	size_t		 i;
	char		*t, err[512];
	int		 tags = sa_conf_plugin_loaded(c, "ReplaceTags");

	if (tags)
		for (i = 0; i < c->nreplace_rules; i++) {
			r = sa_conf_rule(c, c->replace_rules[i]);
			if (r == NULL || r->re_sa == NULL ||
			    r->is_mimeheader)
				continue;
			t = sa_tags_expand(c, r->re_sa);
			if (strcmp(t, r->re_sa) != 0) {
				free(r->re_sa);
				r->re_sa = t;
				r->replaced = 1;
			} else
				free(t);
		}
	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		if (r->re_sa == NULL)
			continue;
		r->re_pcre = sa_re_to_pcre(r->re_sa, err, sizeof(err));
		r->re = sa_re_compile_split(r->re_pcre, err, sizeof(err));
		if (r->re == NULL)
			set_unsupported(r, "regex does not compile: %s", err);
		else if (r->templates)
			set_unsupported(r, "capture template %%{...} "
			    "(SpamAssassin 4 capture rules)");
	}
}

static void
apply_attrs(struct sa_conf *c)
{
	struct sa_pstate	*ps = c->ps;
	struct sa_attr		 key, *a;
	struct sa_rule		*r;
	char			*dup, *w, *save = NULL;
	size_t			 i, j;
	double			 d;

	for (i = 0; i < c->nrules; i++) {
		r = c->rules[i];
		key.name = r->name;
		a = RB_FIND(sa_attr_tree, &ps->attrs, &key);
		r->tf = 0;
		r->maxhits = 0;
		if (a != NULL && a->tflags != NULL) {
			free(r->tflags);
			r->tflags = xstrdup(a->tflags);
			dup = xstrdup(a->tflags);
			for (w = strtok_r(dup, " \t", &save); w != NULL;
			    w = strtok_r(NULL, " \t", &save)) {
				for (j = 0; j < nitems(tflag_names); j++)
					if (strcmp(w, tflag_names[j].name) == 0)
						r->tf |= tflag_names[j].bit;
				if (strncmp(w, "maxhits=", 8) == 0)
					r->maxhits = (int)strtol(w + 8, NULL,
					    10);
			}
			free(dup);
		}
		if (a != NULL && a->describe != NULL) {
			free(r->describe);
			r->describe = xstrdup(a->describe);
		}
		r->priority = a != NULL && a->has_prio ? a->prio : 0;
		if (a != NULL && a->has_score) {
			memcpy(r->score, a->score, sizeof(r->score));
			r->score_set = 1;
		} else {
			/* Parser::fix_tests */
			d = strncmp(r->name, "T_", 2) == 0 ? 0.01 : 1.0;
			if (r->tf & SA_TF_NICE)
				d = -d;
			for (j = 0; j < 4; j++)
				r->score[j] = d;
			r->score_set = 0;
		}
	}
}

int
sa_conf_finish(struct sa_conf *c)
{
	struct sa_pstate	*ps = c->ps;
	size_t			 i;

	if (ps == NULL)
		return sa_conf_nerrors(c) > 0 ? -1 : 0;
	for (i = 0; i < ps->nifs; i++)
		diag(c, 1, "config: unclosed 'if' at the end");
	apply_attrs(c);
	finish_meta(c);
	/* finish_parsing: a net rule without a priority runs at -100 */
	for (i = 0; i < c->nrules; i++)
		if (c->rules[i]->priority == 0 &&
		    (c->rules[i]->tf & SA_TF_NET))
			c->rules[i]->priority = -100;
	finish_evals(c);
	finish_regex(c);
	free_pstate(ps);
	c->ps = NULL;
	c->finished = 1;
	return sa_conf_nerrors(c) > 0 ? -1 : 0;
}

const struct sa_setting *
sa_conf_setting(const struct sa_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nsettings; i++)
		if (strcmp(c->settings[i].name, name) == 0)
			return &c->settings[i];
	return NULL;
}

double
sa_conf_num(const struct sa_conf *c, const char *name)
{
	const struct sa_setting	*s = sa_conf_setting(c, name);
	size_t			 i;

	if (s != NULL)
		return s->num;
	for (i = 0; i < nitems(sdefaults); i++)
		if (strcmp(sdefaults[i].name, name) == 0)
			return sdefaults[i].num;
	if (strcmp(name, "report_safe") == 0)
		return 1;
	return 0;
}

const char *
sa_conf_str(const struct sa_conf *c, const char *name)
{
	const struct sa_setting	*s = sa_conf_setting(c, name);
	size_t			 i;

	if (s != NULL && s->str != NULL)
		return s->str;
	for (i = 0; i < nitems(sdefaults); i++)
		if (strcmp(sdefaults[i].name, name) == 0)
			return sdefaults[i].str;
	return NULL;
}

/* the type as SpamAssassin's TYPE_AS_STRING names it, eval or not */
const char *
sa_rtype_name(const struct sa_rule *r)
{
	switch (r->type) {
	case SA_R_HEADER:
		if (r->is_rbl)
			return "rbl_eval";
		if (r->is_eval)
			return "header_eval";
		return r->is_exists ? "exists" : "header";
	case SA_R_BODY:
		return r->is_eval ? "body_eval" : "body";
	case SA_R_RAWBODY:
		return r->is_eval ? "rawbody_eval" : "rawbody";
	case SA_R_FULL:
		return r->is_eval ? "full_eval" : "full";
	case SA_R_URI:
		return "uri";
	case SA_R_META:
		return "meta";
	case SA_R_EMPTY:
		return "empty";
	}
	return "?";
}
