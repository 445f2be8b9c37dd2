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
 * The database directory of a daemon started as root that opens its
 * LMDB environment after dropping to its user (greyd, greylogd,
 * greysync), as spamd's database belongs to _spamd:
 *
 *	char	 ebuf[256];
 *
 *	if (geteuid() == 0 &&
 *	    dbdir_take("/var/db/greyd", "_spamd", ebuf, sizeof(ebuf)) == -1)
 *		errx(1, "%s", ebuf);
 *
 * A missing directory is created for the user, mode 0700 (missing
 * parents as root's, 0755, as /var/db is).  One that belongs to someone
 * else is taken over (given to the user, mode 0700, logged) only when it
 * holds nothing but the LMDB files data.mdb and lock.mdb (greydb run as
 * root first leaves it so), never one with other files in it.  LMDB
 * files of someone else's are given to the user too.  Nothing is done
 * for root, nor for a user that the user namespace does not map (see
 * daemon_id_unmapped()).  0 on success; -1 with the reason in ebuf.
 */

#ifndef MX_DBDIR_H
#define MX_DBDIR_H

#include <stddef.h>

int	dbdir_take(const char *, const char *, char *, size_t);

#endif /* MX_DBDIR_H */
