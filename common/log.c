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

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

/*
 * The logging state is process-wide by nature (syslog itself is); these
 * are the only globals of this file.
 */
static int	 log_debug_mode = 1;	/* stderr until log_init() says */
static int	 log_verbose;
static const char *log_procname;

void
log_init(int n_debug, int facility)
{
	log_debug_mode = n_debug;
	log_verbose = n_debug;
	log_procinit(getprogname());
	if (!log_debug_mode)
		openlog(getprogname(), LOG_PID | LOG_NDELAY, facility);
	tzset();
}

void
log_procinit(const char *procname)
{
	if (procname != NULL)
		log_procname = procname;
}

void
log_setverbose(int v)
{
	log_verbose = v;
}

int
log_getverbose(void)
{
	return log_verbose;
}

void
logit(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 buf[8192];
	int	 saved_errno = errno;

	if (log_debug_mode) {
		(void)vsnprintf(buf, sizeof(buf), fmt, ap);
		(void)fprintf(stderr, "%s: %s\n",
		    log_procname ? log_procname : getprogname(), buf);
		(void)fflush(stderr);
	} else if (log_procname != NULL &&
	    strcmp(log_procname, getprogname()) != 0) {
		/* a privsep child: say which process speaks */
		(void)vsnprintf(buf, sizeof(buf), fmt, ap);
		syslog(pri, "%s: %s", log_procname, buf);
	} else
		vsyslog(pri, fmt, ap);
	errno = saved_errno;
}

static void
vlog_errno(int pri, int code, const char *emsg, va_list ap)
{
	char	 buf[8192];

	if (emsg == NULL) {
		logit(pri, "%s", strerror(code));
		return;
	}
	(void)vsnprintf(buf, sizeof(buf), emsg, ap);
	logit(pri, "%s: %s", buf, strerror(code));
}

void
log_warn(const char *emsg, ...)
{
	va_list	 ap;
	int	 saved_errno = errno;

	va_start(ap, emsg);
	vlog_errno(LOG_ERR, saved_errno, emsg, ap);
	va_end(ap);
	errno = saved_errno;
}

void
log_warnx(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_ERR, emsg, ap);
	va_end(ap);
}

void
log_info(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vlog(LOG_INFO, emsg, ap);
	va_end(ap);
}

void
log_debug(const char *emsg, ...)
{
	va_list	 ap;

	if (log_verbose > 1 || (log_verbose && log_debug_mode)) {
		va_start(ap, emsg);
		vlog(LOG_DEBUG, emsg, ap);
		va_end(ap);
	}
}

static __dead void
vfatalc(int code, const char *emsg, va_list ap)
{
	char	 buf[8192];

	if (emsg != NULL)
		(void)vsnprintf(buf, sizeof(buf), emsg, ap);
	else
		buf[0] = '\0';
	if (code)
		logit(LOG_CRIT, "fatal in %s: %s%s%s",
		    log_procname ? log_procname : getprogname(), buf,
		    buf[0] ? ": " : "", strerror(code));
	else
		logit(LOG_CRIT, "fatal in %s: %s",
		    log_procname ? log_procname : getprogname(), buf);
	exit(1);
}

void
fatal(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vfatalc(errno, emsg, ap);
	va_end(ap);
}

void
fatalx(const char *emsg, ...)
{
	va_list	 ap;

	va_start(ap, emsg);
	vfatalc(0, emsg, ap);
	va_end(ap);
}
