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
 * common/log: what reaches standard error in debug mode, the verbosity
 * levels, errno appended by log_warn, the process name of a privsep
 * child, and fatal/fatalx exiting 1 with their message.  Each case runs
 * in a child whose stderr is a pipe.
 */

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "tap.h"

static int	capture(void (*)(void), char *, size_t);
static void	c_levels(void);
static void	c_verbose(void);
static void	c_warn(void);
static void	c_proc(void);
static void	c_fatal(void);
static void	c_fatalx(void);
static void	c_long(void);

/* Run fn in a child; its stderr into buf; returns its exit status. */
static int
capture(void (*fn)(void), char *buf, size_t len)
{
	int	 p[2], st;
	size_t	 off = 0;
	ssize_t	 n;
	pid_t	 pid;

	if (pipe(p) == -1 || (pid = fork()) == -1)
		abort();
	if (pid == 0) {
		close(p[0]);
		dup2(p[1], STDERR_FILENO);
		fn();
		_exit(0);
	}
	close(p[1]);
	while (off < len - 1 && (n = read(p[0], buf + off,
	    len - 1 - off)) > 0)
		off += n;
	buf[off] = '\0';
	close(p[0]);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
c_levels(void)
{
	log_init(1, LOG_MAIL);
	log_setverbose(0);
	log_info("info %d", 1);
	log_warnx("warnx key=%s", "value");
	log_debug("debug hidden");
}

static void
c_verbose(void)
{
	log_init(1, LOG_MAIL);
	log_setverbose(1);
	log_debug("debug shown %s", "now");
}

static void
c_warn(void)
{
	log_init(1, LOG_MAIL);
	errno = ENOENT;
	log_warn("open %s", "/nonexistent");
	errno = EACCES;
	log_warn(NULL);
}

static void
c_proc(void)
{
	log_init(1, LOG_MAIL);
	log_procinit("greylister");
	log_info("from the child");
}

static void
c_fatal(void)
{
	log_init(1, LOG_MAIL);
	log_procinit("smtp");
	errno = EPERM;
	fatal("chroot %s", "/var/empty");
}

static void
c_fatalx(void)
{
	log_init(1, LOG_MAIL);
	fatalx("broken invariant %d", 7);
}

static void
c_long(void)
{
	char	 big[20000];

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_init(1, LOG_MAIL);
	log_info("%s", big);
	log_info("after");
}

int
main(void)
{
	char	 out[32768];
	int	 rc;

	plan(13);

	rc = capture(c_levels, out, sizeof(out));
	is_int(rc, 0, "levels: exit 0");
	is_str(out, "t_log: info 1\nt_log: warnx key=value\n",
	    "info and warnx reach stderr, prefixed; debug hidden at 0");

	capture(c_verbose, out, sizeof(out));
	is_str(out, "t_log: debug shown now\n", "debug shown with -v");

	capture(c_warn, out, sizeof(out));
	is_str(out, "t_log: open /nonexistent: No such file or directory\n"
	    "t_log: Permission denied\n", "log_warn appends strerror(errno)");

	capture(c_proc, out, sizeof(out));
	is_str(out, "greylister: from the child\n",
	    "a privsep child speaks under its process name");

	rc = capture(c_fatal, out, sizeof(out));
	is_int(rc, 1, "fatal exits 1");
	is_str(out, "smtp: fatal in smtp: chroot /var/empty: "
	    "Operation not permitted\n", "fatal names the process and errno");

	rc = capture(c_fatalx, out, sizeof(out));
	is_int(rc, 1, "fatalx exits 1");
	is_str(out, "t_log: fatal in t_log: broken invariant 7\n",
	    "fatalx without errno");

	rc = capture(c_long, out, sizeof(out));
	is_int(rc, 0, "an over-long message does not crash");
	ok(strlen(out) > 4000 && strlen(out) < 9000,
	    "it is truncated to the line buffer (%zu bytes)", strlen(out));
	ok(strstr(out, "\nt_log: after\n") != NULL,
	    "and logging goes on after it");
	ok(strncmp(out, "t_log: xxx", 10) == 0, "its start is kept");
	return done_testing();
}
