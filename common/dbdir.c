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

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "dbdir.h"
#include "log.h"

static const char *const dbdir_files[] = { "data.mdb", "lock.mdb" };

static int	dbdir_foreign(int);
static int	dbdir_mkdirs(const char *);
static int	dbdir_files_take(int, const char *, const struct passwd *,
		    char *, size_t);

/* 1 if the directory holds anything but the LMDB files, -1 on error. */
static int
dbdir_foreign(int dfd)
{
	DIR		*dp;
	struct dirent	*de;
	size_t		 i;
	int		 fd, foreign = 0;

	if ((fd = dup(dfd)) == -1)
		return -1;
	if ((dp = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	while (!foreign && (de = readdir(dp)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		foreign = 1;
		for (i = 0; i < sizeof(dbdir_files) /
		    sizeof(dbdir_files[0]); i++)
			if (strcmp(de->d_name, dbdir_files[i]) == 0)
				foreign = 0;
	}
	closedir(dp);
	return foreign;
}

/* mkdir -p of the directories above path, 0755: -1 with errno. */
static int
dbdir_mkdirs(const char *path)
{
	char	 buf[PATH_MAX], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* The LMDB files in the directory, given to pw. */
static int
dbdir_files_take(int dfd, const char *path, const struct passwd *pw,
    char *ebuf, size_t elen)
{
	struct stat	 st;
	size_t		 i;

	for (i = 0; i < sizeof(dbdir_files) / sizeof(dbdir_files[0]); i++) {
		if (fstatat(dfd, dbdir_files[i], &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			if (errno == ENOENT)
				continue;
			(void)snprintf(ebuf, elen, "%s/%s: %s", path,
			    dbdir_files[i], strerror(errno));
			return -1;
		}
		if (!S_ISREG(st.st_mode)) {
			(void)snprintf(ebuf, elen, "%s/%s: not a file", path,
			    dbdir_files[i]);
			return -1;
		}
		if (st.st_uid != pw->pw_uid && fchownat(dfd, dbdir_files[i],
		    pw->pw_uid, pw->pw_gid, AT_SYMLINK_NOFOLLOW) == -1) {
			(void)snprintf(ebuf, elen, "chown %s/%s: %s", path,
			    dbdir_files[i], strerror(errno));
			return -1;
		}
	}
	return 0;
}

int
dbdir_take(const char *path, const char *user, char *ebuf, size_t elen)
{
	struct passwd	*pw;
	struct stat	 st;
	int		 dfd, created = 0, r;

	if ((pw = getpwnam(user)) == NULL) {
		(void)snprintf(ebuf, elen, "unknown user %s", user);
		return -1;
	}
	if (pw->pw_uid == 0 || daemon_id_unmapped("uid_map", pw->pw_uid))
		return 0;
	if ((r = mkdir(path, 0700)) == -1 && errno == ENOENT) {
		if (dbdir_mkdirs(path) == -1)
			goto fail;
		r = mkdir(path, 0700);
	}
	if (r == 0)
		created = 1;
	else if (errno != EEXIST)
		goto fail;
	if ((dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		goto fail;
	if (fstat(dfd, &st) == -1) {
		close(dfd);
		goto fail;
	}
	if (st.st_uid != pw->pw_uid) {
		if (!created && (r = dbdir_foreign(dfd)) != 0) {
			close(dfd);
			if (r == -1)
				goto fail;
			(void)snprintf(ebuf, elen, "database directory %s: "
			    "owned by uid %ld and holds other files than the "
			    "database; give it to %s", path, (long)st.st_uid,
			    user);
			return -1;
		}
		if (fchown(dfd, pw->pw_uid, pw->pw_gid) == -1 ||
		    fchmod(dfd, 0700) == -1) {
			(void)snprintf(ebuf, elen, "database directory %s: "
			    "cannot give it to %s: %s", path, user,
			    strerror(errno));
			close(dfd);
			return -1;
		}
		log_info("database directory %s %s for %s", path,
		    created ? "created" : "taken over", user);
	}
	r = dbdir_files_take(dfd, path, pw, ebuf, elen);
	close(dfd);
	return r;

 fail:
	(void)snprintf(ebuf, elen, "database directory %s: %s", path,
	    strerror(errno));
	return -1;
}
