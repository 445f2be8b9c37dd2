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
 * What the BSDs have and Linux lacks, in one place.  On Linux the
 * libbsd overlay (pkg-config libbsd-overlay) supplies strlcpy, strtonum,
 * <sys/queue.h>, <sys/tree.h>, setproctitle and the FreeBSD pidfile API;
 * this file adds the few remaining spellings.
 */

#ifndef MX_COMPAT_H
#define MX_COMPAT_H

#include <sys/types.h>
#include <sys/cdefs.h>

#ifndef __dead
#define __dead		__attribute__((__noreturn__))
#endif

#ifndef __packed
#define __packed	__attribute__((__packed__))
#endif

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#ifndef MINIMUM
#define MINIMUM(a, b)	(((a) < (b)) ? (a) : (b))
#endif
#ifndef MAXIMUM
#define MAXIMUM(a, b)	(((a) > (b)) ? (a) : (b))
#endif

#ifndef SA_LEN
#define SA_LEN(sa)	((sa)->sa_family == AF_INET6 ? \
    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in))
#endif

#if defined(__linux__)
#define MX_HAVE_PRCTL	1
#endif

#endif /* MX_COMPAT_H */
