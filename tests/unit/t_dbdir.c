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
 * common/dbdir: a database directory made the user's, as root: created
 * (with its parents), taken over when it holds only the LMDB files,
 * refused when it holds others; LMDB files of root's given to the user.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dbdir.h"
#include "log.h"
#include "tap.h"
#include "t_rmtree.h"

static char	 tmpdir[] = "/tmp/t_dbdir.XXXXXX";
static uid_t	 nuid;

static char	*path_in(const char *);
static void	 touch(const char *);
static long	 owner(const char *);
static long	 mode(const char *);

static char *
path_in(const char *name)
{
	static char	 p[4][512];
	static int	 i;
	char		*s = p[i++ % 4];

	(void)snprintf(s, sizeof(p[0]), "%s/%s", tmpdir, name);
	return s;
}

static void
touch(const char *path)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_CREAT, 0600)) == -1) {
		perror(path);
		exit(1);
	}
	close(fd);
}

static long
owner(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == -1 ? -1 : (long)st.st_uid;
}

static long
mode(const char *path)
{
	struct stat	 st;

	return lstat(path, &st) == -1 ? -1 : (long)(st.st_mode & 07777);
}

int
main(void)
{
	struct passwd	*pw;
	char		 ebuf[512], *d;

	log_init(1, 0);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	(void)chmod(tmpdir, 0755);

	ebuf[0] = '\0';
	is_int(dbdir_take(path_in("x"), "no-such-user-mx", ebuf,
	    sizeof(ebuf)), -1, "unknown user: -1");
	is_str(ebuf, "unknown user no-such-user-mx", "unknown user: said");

	if (!tap_real_root() || (pw = getpwnam("nobody")) == NULL) {
		skip(22, "not root with every uid, or no user nobody");
		rm_tree(tmpdir);
		return done_testing();
	}
	nuid = pw->pw_uid;

	/* root: nothing to do */
	is_int(dbdir_take(path_in("root"), "root", ebuf, sizeof(ebuf)), 0,
	    "user root: 0");
	is_int(owner(path_in("root")), -1, "user root: nothing created");

	/* missing, with missing parents */
	d = path_in("var/db/greyd");
	is_int(dbdir_take(d, "nobody", ebuf, sizeof(ebuf)), 0,
	    "missing directory and parents: 0");
	is_int(owner(d), (long)nuid, "created for the user");
	is_int(mode(d), 0700, "created 0700");
	is_int(owner(path_in("var/db")), 0, "parents root's");
	is_int(mode(path_in("var/db")), 0755, "parents 0755");

	/* root's, holding the LMDB files only: taken over */
	d = path_in("rootdb");
	(void)mkdir(d, 0755);
	touch(path_in("rootdb/data.mdb"));
	touch(path_in("rootdb/lock.mdb"));
	is_int(dbdir_take(d, "nobody", ebuf, sizeof(ebuf)), 0,
	    "root's directory of LMDB files: 0");
	is_int(owner(d), (long)nuid, "taken over");
	is_int(mode(d), 0700, "taken over, 0700");
	is_int(owner(path_in("rootdb/data.mdb")), (long)nuid,
	    "data.mdb given to the user");
	is_int(owner(path_in("rootdb/lock.mdb")), (long)nuid,
	    "lock.mdb given to the user");

	/* root's, holding something else: refused, left alone */
	d = path_in("notdb");
	(void)mkdir(d, 0755);
	touch(path_in("notdb/data.mdb"));
	touch(path_in("notdb/passwd"));
	ebuf[0] = '\0';
	is_int(dbdir_take(d, "nobody", ebuf, sizeof(ebuf)), -1,
	    "root's directory with other files: -1");
	ok(strstr(ebuf, "owned by uid 0 and holds other files than the "
	    "database; give it to nobody") != NULL, "and says why");
	if (strstr(ebuf, "holds other files") == NULL)
		diag("got '%s'", ebuf);
	is_int(owner(d), 0, "left root's");
	is_int(owner(path_in("notdb/data.mdb")), 0, "its files left root's");

	/* the user's, with root's LMDB files (greydb run as root first) */
	d = path_in("userdb");
	(void)mkdir(d, 0700);
	(void)chown(d, nuid, pw->pw_gid);
	touch(path_in("userdb/data.mdb"));
	is_int(dbdir_take(d, "nobody", ebuf, sizeof(ebuf)), 0,
	    "the user's directory, root's data.mdb: 0");
	is_int(owner(path_in("userdb/data.mdb")), (long)nuid,
	    "data.mdb given to the user");

	/* a data.mdb that is a symbolic link: refused */
	d = path_in("linkdb");
	(void)mkdir(d, 0700);
	if (symlink("/etc/passwd", path_in("linkdb/data.mdb")) == -1)
		perror("symlink");
	ebuf[0] = '\0';
	is_int(dbdir_take(d, "nobody", ebuf, sizeof(ebuf)), -1,
	    "data.mdb a symbolic link: -1");
	ok(strstr(ebuf, "linkdb/data.mdb: not a file") != NULL,
	    "not a file: said (%s)", ebuf);
	is_int(owner("/etc/passwd"), 0, "its target left alone");

	/* the directory itself a symbolic link: refused */
	if (symlink(path_in("rootdb"), path_in("dirlink")) == -1)
		perror("symlink");
	is_int(dbdir_take(path_in("dirlink"), "nobody", ebuf, sizeof(ebuf)),
	    -1, "directory a symbolic link: -1 (%s)", ebuf);

	rm_tree(tmpdir);
	return done_testing();
}
