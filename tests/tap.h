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
 * TAP for the C unit tests: plan(), ok(), is_int(), is_str(), is_mem(),
 * diag(), skip(), done_testing().  A failed comparison prints both values
 * and where it was made.  Header-only: each test program includes it once.
 *
 *	int main(void) {
 *		plan(2);
 *		is_int(1 + 1, 2, "sum");
 *		is_str(s, "x", "name");
 *		return done_testing();
 *	}
 */

#ifndef MX_TAP_H
#define MX_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int	tap_planned = -1;
static int	tap_run;
static int	tap_failed;

static void	tap_plan(int) __attribute__((__unused__));
static void	tap_print_mem(const char *, const void *, size_t)
		    __attribute__((__unused__));
static int	tap_ok(int, const char *, int, const char *, ...)
		    __attribute__((__format__ (printf, 4, 5), __unused__));
static void	tap_diag(const char *, ...)
		    __attribute__((__format__ (printf, 1, 2), __unused__));
static void	tap_skip(int, const char *) __attribute__((__unused__));
static int	tap_done(void) __attribute__((__unused__));
static int	tap_real_root(void) __attribute__((__unused__));
static void	tap_vok_name(const char *, va_list)
		    __attribute__((__format__ (printf, 1, 0)));

static void
tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

static void
tap_vok_name(const char *fmt, va_list ap)
{
	if (fmt == NULL || *fmt == '\0')
		return;
	printf(" - ");
	vprintf(fmt, ap);
}

static int
tap_ok(int cond, const char *file, int line, const char *fmt, ...)
{
	va_list	ap;

	tap_run++;
	if (!cond) {
		tap_failed++;
		printf("not ");
	}
	printf("ok %d", tap_run);
	va_start(ap, fmt);
	tap_vok_name(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		printf("#   Failed test at %s line %d.\n", file, line);
	fflush(stdout);
	return cond;
}

static void
tap_diag(const char *fmt, ...)
{
	va_list	ap;

	fflush(stdout);
	fprintf(stderr, "# ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	fflush(stderr);
}

/* Under CI (CI set) nothing may be skipped: a skip is a failure there. */
static void
tap_skip(int n, const char *why)
{
	int	 ci = getenv("CI") != NULL && *getenv("CI") != '\0';

	while (n-- > 0) {
		if (ci) {
			tap_failed++;
			printf("not ok %d - cannot run under CI: %s\n",
			    ++tap_run, why);
		} else
			printf("ok %d # SKIP %s\n", ++tap_run, why);
	}
	fflush(stdout);
}

static int
tap_done(void)
{
	if (tap_planned < 0) {
		printf("1..%d\n", tap_run);
		tap_planned = tap_run;
	}
	if (tap_run != tap_planned) {
		tap_diag("planned %d tests but ran %d", tap_planned, tap_run);
		return 255;
	}
	return tap_failed > 254 ? 254 : tap_failed;
}

static void
tap_print_mem(const char *label, const void *p, size_t len)
{
	const unsigned char	*s = p;
	size_t			 i;

	fprintf(stderr, "#   %8s: \"", label);
	for (i = 0; i < len && i < 200; i++) {
		if (s[i] == '\r')
			fprintf(stderr, "\\r");
		else if (s[i] == '\n')
			fprintf(stderr, "\\n");
		else if (s[i] < 0x20 || s[i] > 0x7e)
			fprintf(stderr, "\\x%02x", s[i]);
		else
			fputc(s[i], stderr);
	}
	fprintf(stderr, "\"%s (%zu bytes)\n", i < len ? "..." : "", len);
}

/*
 * Root with every uid at hand: euid 0 and not inside a user namespace
 * that maps only a few ids (unshare -r), where a drop to another user
 * cannot work.
 */
static int
tap_real_root(void)
{
	FILE		*fp;
	unsigned long	 in, out, count;
	int		 full = 0;

	if (geteuid() != 0)
		return 0;
	if ((fp = fopen("/proc/self/uid_map", "r")) == NULL)
		return 1;
	while (fscanf(fp, "%lu %lu %lu", &in, &out, &count) == 3)
		if (in == 0 && count >= 65535)
			full = 1;
	fclose(fp);
	return full;
}

#define plan(n)		tap_plan(n)
#define done_testing()	tap_done()
#define diag(...)	tap_diag(__VA_ARGS__)
#define skip(n, why)	tap_skip((n), (why))
#define ok(cond, ...)	tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...) do {					\
	long long tap_g_ = (long long)(got);				\
	long long tap_w_ = (long long)(want);				\
	if (!tap_ok(tap_g_ == tap_w_, __FILE__, __LINE__,		\
	    __VA_ARGS__)) {						\
		fflush(stdout);						\
		fprintf(stderr, "#          got: %lld\n" \
		    "#     expected: %lld\n", tap_g_, tap_w_);	\
	}								\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *tap_g_ = (got), *tap_w_ = (want);			\
	int tap_c_ = (tap_g_ == NULL || tap_w_ == NULL) ?		\
	    tap_g_ == tap_w_ : strcmp(tap_g_, tap_w_) == 0;		\
	if (!tap_ok(tap_c_, __FILE__, __LINE__, __VA_ARGS__)) {		\
		fflush(stdout);						\
		fprintf(stderr, "#          got: %s%s%s\n"		\
		    "#     expected: %s%s%s\n",				\
		    tap_g_ ? "'" : "", tap_g_ ? tap_g_ : "NULL",	\
		    tap_g_ ? "'" : "", tap_w_ ? "'" : "",		\
		    tap_w_ ? tap_w_ : "NULL", tap_w_ ? "'" : "");	\
	}								\
} while (0)

#define is_mem(got, glen, want, wlen, ...) do {				\
	const void *tap_g_ = (got), *tap_w_ = (want);			\
	size_t tap_gl_ = (glen), tap_wl_ = (wlen);			\
	int tap_c_ = tap_gl_ == tap_wl_ &&				\
	    (tap_gl_ == 0 || memcmp(tap_g_, tap_w_, tap_gl_) == 0);	\
	if (!tap_ok(tap_c_, __FILE__, __LINE__, __VA_ARGS__)) {		\
		fflush(stdout);						\
		tap_print_mem("got", tap_g_, tap_gl_);			\
		tap_print_mem("expected", tap_w_, tap_wl_);		\
	}								\
} while (0)

#endif /* MX_TAP_H */
