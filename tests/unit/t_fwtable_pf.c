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
 * t_fwtable_pf: the pf back-end of common/fwtable, which is only built
 * on the BSDs, compiled here against a stand-in pfctl (a shell script
 * that keeps each table in a file), so that the Linux build checks
 * how it calls pfctl and reads its answers.  fwtable.c is included
 * with MX_FWTABLE_PF defined and FW_PFCTL pointing at the script.
 */

static const char	*t_pfctl;

#define MX_FWTABLE_PF	1
#define FW_PFCTL	t_pfctl
#include "../../common/fwtable.c"

#include "../tap.h"
#include "t_fwtable.h"

static const char fake[] =
    "#!/bin/sh\n"
    "# stand-in for pfctl -q -t NAME -T CMD [-f -]\n"
    "t= c=\n"
    "while [ $# -gt 0 ]; do\n"
    "	case $1 in\n"
    "	-q) ;;\n"
    "	-t) t=$2; shift ;;\n"
    "	-T) c=$2; shift ;;\n"
    "	-f) [ \"$2\" = - ] || exit 2; shift ;;\n"
    "	*) echo \"pfctl: bad argument $1\" >&2; exit 2 ;;\n"
    "	esac\n"
    "	shift\n"
    "done\n"
    "[ \"$t\" = silent ] && exit 3\n"
    "f=$T_PFDIR/$t\n"
    "echo \"$t $c\" >>\"$T_PFDIR/log\"\n"
    "case $c in\n"
    "add) cat >>\"$f\" ;;\n"
    "replace) cat >\"$f\" ;;\n"
    "flush) : >\"$f\" ;;\n"
    "show)\n"
    "	[ -f \"$f\" ] || { echo 'pfctl: Table does not exist.' >&2;"
    " exit 1; }\n"
    "	sed 's/^/   /' \"$f\" ;;\n"
    "*) echo \"pfctl: bad command $c\" >&2; exit 1 ;;\n"
    "esac\n";


int
main(void)
{
	struct fwtable		*fw;
	struct prefixset	*set;
	struct prefix		 p[3];
	const char		*tmp;
	static char		 pfctl[512];
	char			 path[512], err[256];
	FILE			*f;

	if ((tmp = getenv("TMPDIR")) == NULL || *tmp == '\0')
		tmp = "/tmp";
	snprintf(dir, sizeof(dir), "%s/t_fwtable_pf.XXXXXX", tmp);
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setenv("T_PFDIR", dir, 1);
	snprintf(pfctl, sizeof(pfctl), "%s/pfctl", dir);
	t_pfctl = pfctl;

	/* not there yet: open fails and says why */
	fw = fwtable_open("pf", 0, err, sizeof(err));
	ok(fw == NULL, "pf without pfctl");
	has_str(err, "pfctl: No such file or directory", "pfctl missing");

	if ((f = fopen(pfctl, "w")) == NULL || fputs(fake, f) == EOF ||
	    fclose(f) == EOF || chmod(pfctl, 0755) == -1) {
		perror(pfctl);
		return 1;
	}
	fw = fwtable_open("pf", 0, err, sizeof(err));
	ok(fw != NULL, "open pf");
	if (fw == NULL) {
		diag("%s", err);
		return done_testing();
	}
	is_str(fwtable_backend(fw), "pf", "backend name");

	set = prefixset_new();
	pfx(&p[0], "2001:db8::/32");
	prefixset_add(set, &p[0], NULL);
	pfx(&p[0], "192.0.2.0/24");
	prefixset_add(set, &p[0], NULL);
	pfx(&p[0], "10.0.0.1");
	prefixset_add(set, &p[0], NULL);
	is_int(fwtable_replace(fw, "spamd-white", set), 0, "replace");
	prefixset_free(set);
	is_str(slurp("spamd-white"),
	    "10.0.0.1/32\n192.0.2.0/24\n2001:db8::/32\n",
	    "pfctl -T replace got one prefix per line on stdin");
	is_str(slurp("log"), "spamd-white replace\n", "pfctl called once");

	pfx(&p[0], "198.51.100.0/24");
	pfx(&p[1], "10.0.0.0");
	is_int(fwtable_add(fw, "spamd-white", p, 2), 0, "add");
	is_str(list_str(fw, "spamd-white"),
	    "10.0.0.0/31 192.0.2.0/24 198.51.100.0/24 2001:db8::/32 ",
	    "-T add, then -T show read back");

	pfx(&p[0], "192.0.2.0/25");
	is_int(fwtable_delete(fw, "spamd-white", p, 1), 0, "delete");
	is_str(list_str(fw, "spamd-white"),
	    "10.0.0.0/31 192.0.2.128/25 198.51.100.0/24 2001:db8::/32 ",
	    "delete subtracts (show, then replace)");

	/* pfctl -T show marks negated entries with '!': not members */
	snprintf(path, sizeof(path), "%s/nospamd", dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("10.0.0.0/8\n!10.1.0.0/16\n", f);
		fclose(f);
	}
	is_str(list_str(fw, "nospamd"), "10.0.0.0/8 ",
	    "negated entries skipped");

	is_int(fwtable_flush(fw, "spamd-white"), 0, "flush");
	is_str(slurp("spamd-white"), "", "-T flush emptied it");
	is_str(list_str(fw, "spamd-white"), "", "empty after flush");

	has_str(list_str(fw, "nosuch"),
	    "ERR: pf: pfctl -t nosuch -T show: pfctl: Table does not exist.",
	    "pfctl's error text is the message");
	is_int(fwtable_add(fw, "silent", p, 1), -1, "pfctl fails silently");
	is_str(fwtable_error(fw), "pf: pfctl -t silent -T add: exit status 3",
	    "its exit status is the message");
	is_int(fwtable_add(fw, "bad name", p, 1), -1, "bad name refused");

	fwtable_close(fw);
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		diag("cannot remove %s", dir);
	return done_testing();
}
