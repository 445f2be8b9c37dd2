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
 * t_fwtable: the back-end spec parser, table names, and the file and
 * none back-ends (the nft back-end is driven by
 * tests/integration/fwtable-nft.t inside a network namespace).
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "fwtable.h"
#include "../tap.h"
#include "t_fwtable.h"
#include "t_rmtree.h"

static void	 test_spec(void);
static void	 test_names(void);
static void	 test_file(void);
static void	 test_file_errors(void);
static void	 test_none_pf(void);
static void	 put(const char *, const char *);
static int	 leftovers(void);

static void
put(const char *name, const char *text)
{
	char	 path[512];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

/* Files other than the tables (temporary files left behind). */
static int
leftovers(void)
{
	DIR		*d;
	struct dirent	*de;
	int		 n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] == '.' && strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_spec(void)
{
	struct fwtable_spec	 s;
	char			 err[256];

	is_int(fwtable_spec_parse(NULL, &s, err, sizeof(err)), 0, "NULL");
	is_int(s.kind, FWTABLE_NFT, "NULL is nft");
	is_str(s.family, "inet", "default family");
	is_str(s.table, "mxsuite", "default table");

	is_int(fwtable_spec_parse("nft", &s, err, sizeof(err)), 0, "nft");
	is_str(s.table, "mxsuite", "nft: table mxsuite");

	is_int(fwtable_spec_parse("nft:ip:filter", &s, err, sizeof(err)), 0,
	    "nft:ip:filter");
	is_int(s.kind, FWTABLE_NFT, "nft:ip:filter kind");
	is_str(s.family, "ip", "nft:ip:filter family");
	is_str(s.table, "filter", "nft:ip:filter table");

	is_int(fwtable_spec_parse("nft:ip6:my-table_2", &s, err,
	    sizeof(err)), 0, "nft:ip6:my-table_2");
	is_str(s.table, "my-table_2", "table with - and _");

	is_int(fwtable_spec_parse("nft:inet", &s, err, sizeof(err)), -1,
	    "nft:inet (no table)");
	has_str(err, "expected nft:FAMILY:TABLE", "nft:inet message");
	is_int(fwtable_spec_parse("nft:arp:x", &s, err, sizeof(err)), -1,
	    "family arp");
	has_str(err, "unknown nftables family \"arp\"", "family message");
	is_int(fwtable_spec_parse("nft:inet:", &s, err, sizeof(err)), -1,
	    "empty table");
	is_int(fwtable_spec_parse("nft:inet:a b", &s, err, sizeof(err)), -1,
	    "table with a blank");
	has_str(err, "bad nftables table name", "table message");
	is_int(fwtable_spec_parse("nft:inet:1x", &s, err, sizeof(err)), -1,
	    "table starting with a digit");

	is_int(fwtable_spec_parse("pf", &s, err, sizeof(err)), 0, "pf");
	is_int(s.kind, FWTABLE_PF, "pf kind");
	is_int(fwtable_spec_parse("none", &s, err, sizeof(err)), 0, "none");
	is_int(s.kind, FWTABLE_NONE, "none kind");
	is_int(fwtable_spec_parse("file:/var/db/fw", &s, err, sizeof(err)),
	    0, "file:DIR");
	is_int(s.kind, FWTABLE_FILE, "file kind");
	is_str(s.dir, "/var/db/fw", "file dir");
	is_int(fwtable_spec_parse("file:", &s, err, sizeof(err)), -1,
	    "file: without a directory");
	has_str(err, "needs a directory", "file: message");
	is_int(fwtable_spec_parse("iptables", &s, err, sizeof(err)), -1,
	    "unknown backend");
	has_str(err, "unknown firewall backend \"iptables\"",
	    "unknown message");
	is_int(fwtable_spec_parse("pfx", &s, err, sizeof(err)), -1, "pfx");
	is_int(fwtable_spec_parse("nonesuch", &s, err, sizeof(err)), -1,
	    "nonesuch");
}

static void
test_names(void)
{
	ok(fwtable_name_valid("spamd-white"), "spamd-white valid");
	ok(fwtable_name_valid("bgp_spamd_bypass"), "bgp_spamd_bypass valid");
	ok(fwtable_name_valid("a234567890123456789012345678901"),
	    "31 characters valid");
	ok(!fwtable_name_valid("a2345678901234567890123456789012"),
	    "32 characters invalid");
	ok(!fwtable_name_valid(""), "empty invalid");
	ok(!fwtable_name_valid(NULL), "NULL invalid");
	ok(!fwtable_name_valid("-x"), "leading - invalid");
	ok(!fwtable_name_valid("../etc"), "path invalid");
	ok(!fwtable_name_valid("a/b"), "slash invalid");
	ok(!fwtable_name_valid("a b"), "blank invalid");
}

static void
test_file(void)
{
	struct fwtable		*fw;
	struct prefixset	*set;
	struct prefix		 p[4];
	char			 spec[300], err[256];

	snprintf(spec, sizeof(spec), "file:%s", dir);
	fw = fwtable_open(spec, FWTABLE_CREATE, err, sizeof(err));
	ok(fw != NULL, "open %s", spec);
	if (fw == NULL) {
		diag("%s", err);
		exit(1);
	}
	is_str(fwtable_backend(fw), "file", "backend name");
	is_str(fwtable_spec(fw), spec, "spec kept");

	/* replace: mixed families, nested and adjacent prefixes merged */
	set = prefixset_new();
	pfx(&p[0], "2001:db8::/32");
	prefixset_add(set, &p[0], NULL);
	pfx(&p[0], "192.0.2.0/25");
	prefixset_add(set, &p[0], NULL);
	pfx(&p[0], "192.0.2.128/25");
	prefixset_add(set, &p[0], NULL);
	pfx(&p[0], "192.0.2.7");
	prefixset_add(set, &p[0], NULL);
	pfx(&p[0], "10.0.0.1");
	prefixset_add(set, &p[0], NULL);
	is_int(fwtable_replace(fw, "spamd-white", set), 0, "replace");
	is_str(fwtable_error(fw), "", "no error after success");
	is_str(slurp("spamd-white"),
	    "10.0.0.1/32\n192.0.2.0/24\n2001:db8::/32\n",
	    "file holds the minimal cover, one per line");
	is_str(list_str(fw, "spamd-white"),
	    "10.0.0.1/32 192.0.2.0/24 2001:db8::/32 ", "list");
	prefixset_free(set);

	/* add: union */
	pfx(&p[0], "10.0.0.0");
	pfx(&p[1], "198.51.100.0/24");
	pfx(&p[2], "192.0.2.99");		/* already covered */
	pfx(&p[3], "2001:db8:1::1");		/* already covered */
	is_int(fwtable_add(fw, "spamd-white", p, 4), 0, "add");
	is_str(list_str(fw, "spamd-white"),
	    "10.0.0.0/31 192.0.2.0/24 198.51.100.0/24 2001:db8::/32 ",
	    "add is a union (10.0.0.0 + 10.0.0.1 = /31)");

	/* delete: subtraction, splitting a prefix */
	pfx(&p[0], "192.0.2.0/26");
	pfx(&p[1], "198.51.100.0/24");
	pfx(&p[2], "203.0.113.1");		/* not there: no error */
	pfx(&p[3], "2001:db8:8000::/33");
	is_int(fwtable_delete(fw, "spamd-white", p, 4), 0, "delete");
	is_str(list_str(fw, "spamd-white"),
	    "10.0.0.0/31 192.0.2.64/26 192.0.2.128/25 2001:db8::/33 ",
	    "delete subtracts and splits");

	/* a second table is independent */
	pfx(&p[0], "203.0.113.0/24");
	is_int(fwtable_add(fw, "nospamd", p, 1), 0, "add to a new table");
	is_str(list_str(fw, "nospamd"), "203.0.113.0/24 ", "second table");
	is_str(list_str(fw, "spamd-white"),
	    "10.0.0.0/31 192.0.2.64/26 192.0.2.128/25 2001:db8::/33 ",
	    "first table unchanged");

	/* flush */
	is_int(fwtable_flush(fw, "nospamd"), 0, "flush");
	is_str(slurp("nospamd"), "", "flushed file is empty");
	is_str(list_str(fw, "nospamd"), "", "flushed table lists empty");
	is_int(leftovers(), 0, "no temporary files left in the directory");

	/* a hand-written file: comments, blanks, lenient forms, ranges */
	put("bgp_spamd", "# from a person\n\n  10/8  \n"
	    "172.16.0.1 # a host\n192.0.2.0 - 192.0.2.255\n"
	    "2001:db8::/48\n");
	is_str(list_str(fw, "bgp_spamd"),
	    "10.0.0.0/8 172.16.0.1/32 192.0.2.0/24 2001:db8::/48 ",
	    "hand-written file read leniently");

	/* bad table names are refused before touching anything */
	is_int(fwtable_add(fw, "../passwd", p, 1), -1, "bad name refused");
	has_str(fwtable_error(fw), "bad table name \"../passwd\"",
	    "bad name message");
	is_int(fwtable_replace(fw, "", NULL), -1, "empty name refused");

	/* bad prefixes are refused */
	memset(&p[0], 0, sizeof(p[0]));
	p[0].addr.af = AF_UNIX;
	is_int(fwtable_add(fw, "spamd", p, 1), -1, "bad family refused");
	has_str(fwtable_error(fw), "bad prefix", "bad prefix message");
	pfx(&p[0], "10.0.0.0/8");
	p[0].len = 33;
	is_int(fwtable_add(fw, "spamd", p, 1), -1, "bad length refused");
	pfx(&p[0], "10.0.0.0/8");
	p[0].addr.u.b[3] = 1;
	is_int(fwtable_add(fw, "spamd", p, 1), -1, "host bits refused");
	has_str(fwtable_error(fw), "host bits", "host bits message");
	is_int(fwtable_add(fw, "spamd", p, 0), 0, "adding nothing is fine");

	fwtable_close(fw);
}

static void
test_file_errors(void)
{
	struct fwtable	*fw;
	struct prefix	 p;
	char		 spec[300], err[256];

	/* without FWTABLE_CREATE, missing tables are errors */
	snprintf(spec, sizeof(spec), "file:%s", dir);
	fw = fwtable_open(spec, 0, err, sizeof(err));
	ok(fw != NULL, "open without create");
	if (fw == NULL)
		return;
	pfx(&p, "192.0.2.1");
	is_int(fwtable_add(fw, "missing", &p, 1), -1, "add to missing table");
	has_str(fwtable_error(fw), "table missing", "names the table");
	has_str(fwtable_error(fw), "No such file or directory",
	    "says why");
	has_str(list_str(fw, "missing"), "ERR: file: table missing",
	    "list of missing table");
	is_int(fwtable_replace(fw, "missing", NULL), -1,
	    "replace of missing table");
	is_int(fwtable_flush(fw, "missing"), -1, "flush of missing table");
	ok(slurp("missing") == NULL,
	    "no file created");

	put("broken", "192.0.2.1\nnot-an-address\n");
	has_str(list_str(fw, "broken"), "/broken:2: not an address",
	    "bad line reported with file:line");
	is_int(fwtable_add(fw, "broken", &p, 1), -1, "add to broken file");
	is_str(slurp("broken"), "192.0.2.1\nnot-an-address\n",
	    "broken file left alone");
	fwtable_close(fw);

	fw = fwtable_open("file:/nonexistent/fwtable", 0, err, sizeof(err));
	ok(fw == NULL, "missing directory");
	has_str(err, "/nonexistent/fwtable: No such file or directory",
	    "missing directory message");
	fw = fwtable_open("file:/dev/null", FWTABLE_CREATE, err, sizeof(err));
	ok(fw == NULL, "not a directory");
	has_str(err, "not a directory", "not a directory message");
	fw = fwtable_open("bogus", 0, err, sizeof(err));
	ok(fw == NULL, "bogus spec");
	has_str(err, "unknown firewall backend", "bogus spec message");
}

static void
test_none_pf(void)
{
	struct fwtable		*fw;
	struct prefixset	*set;
	struct prefix		 p;
	char			 err[256];

	fw = fwtable_open("none", 0, err, sizeof(err));
	ok(fw != NULL, "open none");
	if (fw != NULL) {
		is_str(fwtable_backend(fw), "none", "none backend name");
		pfx(&p, "192.0.2.1");
		is_int(fwtable_add(fw, "spamd-white", &p, 1), 0, "none add");
		set = prefixset_new();
		prefixset_add(set, &p, NULL);
		is_int(fwtable_replace(fw, "spamd-white", set), 0,
		    "none replace");
		prefixset_free(set);
		is_str(list_str(fw, "spamd-white"), "", "none holds nothing");
		is_int(fwtable_add(fw, "bad name", &p, 1), -1,
		    "none still checks names");
		fwtable_close(fw);
	}
	fwtable_close(NULL);

#if defined(__OpenBSD__) || defined(__FreeBSD__) || defined(__NetBSD__) || \
    defined(__DragonFly__)
	fw = fwtable_open("pf", 0, err, sizeof(err));
	ok(fw != NULL || strstr(err, "pfctl") != NULL, "pf opens");
	fwtable_close(fw);
	ok(1, "pf on a BSD");
#else
	fw = fwtable_open("pf", 0, err, sizeof(err));
	ok(fw == NULL, "pf is not available on this system");
	is_str(err, "pf backend not available on this system", "pf message");
#endif
#ifndef MX_HAVE_LIBNFTABLES
	fw = fwtable_open("nft", 0, err, sizeof(err));
	ok(fw == NULL, "nft not built");
	has_str(err, "nft backend not available", "nft message");
#else
	fw = fwtable_open("nft", 0, err, sizeof(err));
	ok(fw != NULL, "nft opens (no privilege needed to open)");
	if (fw != NULL)
		is_str(fwtable_backend(fw), "nft", "nft backend name");
	else
		ok(0, "nft backend name");
	fwtable_close(fw);
#endif
}

int
main(void)
{
	const char	*tmp;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/t_fwtable.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* FWTABLE_CREATE creates the directory itself */
	rmdir(dir);
	if (chdir(tmp) == -1)
		return 1;

	test_spec();
	test_names();
	test_file();
	test_file_errors();
	test_none_pf();
	rm_tree(dir);
	return done_testing();
}
