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
 * dkim-genkey: opendkim-genkey's interface and output.  Makes a key
 * pair, writes SEL.private (PKCS#8 PEM) and SEL.txt (a zone-file stub
 * with the TXT record), both mode 0600.  --type ed25519 makes an
 * RFC 8463 key instead of RSA.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dkim.h"
#include "xmalloc.h"

#define GENKEY_VERSION	"2.11.0"

enum {
	OPT_HELP = 256,
	OPT_TYPE,
	OPT_SUBDOMAINS,
	OPT_NOSUBDOMAINS,
	OPT_NOAPPEND,
	OPT_NORESTRICT,
	OPT_NOTEST
};

static const struct option longopts[] = {
	{ "append-domain",	no_argument,		NULL, 'a' },
	{ "noappend-domain",	no_argument,		NULL, OPT_NOAPPEND },
	{ "bits",		required_argument,	NULL, 'b' },
	{ "directory",		required_argument,	NULL, 'D' },
	{ "domain",		required_argument,	NULL, 'd' },
	{ "hash-algorithms",	required_argument,	NULL, 'h' },
	{ "help",		no_argument,		NULL, OPT_HELP },
	{ "note",		required_argument,	NULL, 'n' },
	{ "restrict",		no_argument,		NULL, 'r' },
	{ "norestrict",		no_argument,		NULL, OPT_NORESTRICT },
	{ "selector",		required_argument,	NULL, 's' },
	{ "subdomains",		no_argument,		NULL, OPT_SUBDOMAINS },
	{ "nosubdomains",	no_argument,	NULL, OPT_NOSUBDOMAINS },
	{ "testmode",		no_argument,		NULL, 't' },
	{ "notestmode",		no_argument,		NULL, OPT_NOTEST },
	{ "type",		required_argument,	NULL, OPT_TYPE },
	{ "verbose",		no_argument,		NULL, 'v' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static void	usage(int) __attribute__((__noreturn__));
static void	write_file(const char *, const char *, size_t);
static int	name_ok(const char *);

static void
usage(int status)
{
	fprintf(stderr,
	    "usage: dkim-genkey [-artSv] [-b bits] [-D directory] "
	    "[-d domain]\n"
	    "\t[-h hash-algorithms] [-n note] [-s selector] "
	    "[--type rsa | ed25519]\n"
	    "\t--append-domain        include domain name in zone file "
	    "stub\n"
	    "\t--bits=n               use n bits to generate the key "
	    "[2048]\n"
	    "\t--directory=path       leave output in the named directory\n"
	    "\t--domain=name          generate data for the named domain "
	    "[localhost]\n"
	    "\t--hash-algorithms=list limit to use of the named "
	    "algorithm(s) [sha256]\n"
	    "\t--help                 print help and exit\n"
	    "\t--note=string          include specified note in zone data\n"
	    "\t--restrict             restrict key to email use only\n"
	    "\t--selector=name        selector name [default]\n"
	    "\t--subdomains           allow signing of subdomains\n"
	    "\t--testmode             indicate key is in test mode\n"
	    "\t--type=rsa|ed25519     key type [rsa]\n"
	    "\t--verbose              increased output\n"
	    "\t--version              print version and exit\n");
	exit(status);
}

/* A selector: DNS labels, nothing a file name or zone file minds. */
static int
name_ok(const char *s)
{
	size_t	i;

	if (*s == '\0' || *s == '.' || strlen(s) > 200)
		return 0;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_' || s[i] == '.'))
			return 0;
	return 1;
}

static void
write_file(const char *path, const char *data, size_t len)
{
	ssize_t	n;
	size_t	off = 0;
	int	fd;

	(void)unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC | O_CLOEXEC,
	    0600);
	if (fd == -1)
		err(1, "%s", path);
	while (off < len) {
		n = write(fd, data + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			err(1, "%s", path);
		off += n;
	}
	if (close(fd) == -1)
		err(1, "%s", path);
}

int
main(int argc, char *argv[])
{
	struct dkim_key	*key;
	const char	*domain = "localhost", *dir = ".", *hashes = "sha256";
	const char	*note = NULL, *selector = "default", *errstr;
	const char	*ktype = "rsa", *chunk;
	char		 errbuf[256], path[1024], flags[32], *pem, *pub, *txt;
	char		*q, *comment, *label;
	size_t		 len, plen;
	int		 ch, append = 0, bits = 2048, restrict_ = 0;
	int		 subdomains = 1, nosub = 0, test = 0, verbose = 0;
	int		 type;

	while ((ch = getopt_long(argc, argv, "ab:D:d:h:n:rs:StvV", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'a':
			append = 1;
			break;
		case OPT_NOAPPEND:
			append = 0;
			break;
		case 'b':
			bits = strtonum(optarg, 1, 16384, &errstr);
			if (errstr != NULL)
				errx(1, "bits %s: %s", optarg, errstr);
			break;
		case 'D':
			dir = optarg;
			break;
		case 'd':
			domain = optarg;
			break;
		case 'h':
			hashes = optarg;
			break;
		case 'n':
			note = optarg;
			break;
		case 'r':
			restrict_ = 1;
			break;
		case OPT_NORESTRICT:
			restrict_ = 0;
			break;
		case 's':
			selector = optarg;
			break;
		case 'S':
			nosub = 1;	/* wins, as in opendkim-genkey */
			break;
		case OPT_NOSUBDOMAINS:
			subdomains = 0;
			break;
		case OPT_SUBDOMAINS:
			subdomains = 1;
			break;
		case 't':
			test = 1;
			break;
		case OPT_NOTEST:
			test = 0;
			break;
		case OPT_TYPE:
			ktype = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("dkim-genkey v%s (mxsuite)\n", GENKEY_VERSION);
			exit(0);
		case OPT_HELP:
			usage(0);
		default:
			usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	if (nosub)
		subdomains = 0;
	if (strcasecmp(ktype, "rsa") == 0)
		type = DKIM_KEY_RSA;
	else if (strcasecmp(ktype, "ed25519") == 0)
		type = DKIM_KEY_ED25519;
	else
		errx(1, "--type %s: rsa or ed25519", ktype);
	if (!name_ok(selector))
		errx(1, "selector %s: letters, digits, '-', '_', '.'",
		    selector);
	if (strpbrk(domain, " \t\r\n\";") != NULL ||
	    (note != NULL && strpbrk(note, "\r\n\";") != NULL) ||
	    strpbrk(hashes, " \t\r\n\";") != NULL)
		errx(1, "domain, note and hash algorithms may not hold "
		    "quotes, ';' or line ends");
	if (type == DKIM_KEY_RSA && bits < DKIM_RSA_MIN_BITS)
		errx(1, "%d bits: RFC 8301 requires at least %d", bits,
		    DKIM_RSA_MIN_BITS);

	if (chdir(dir) == -1)
		err(1, "%s: chdir()", dir);
	umask(077);

	if (verbose >= 1)
		fprintf(stderr, "dkim-genkey: generating private key\n");
	key = dkim_key_generate(type, type == DKIM_KEY_RSA ? bits : 0,
	    errbuf, sizeof(errbuf));
	if (key == NULL)
		errx(1, "%s", errbuf);
	if ((pem = dkim_key_private_pem(key)) == NULL)
		errx(1, "cannot write the private key");
	if ((size_t)snprintf(path, sizeof(path), "%s.private", selector) >=
	    sizeof(path))
		errx(1, "selector too long");
	write_file(path, pem, strlen(pem));
	freezero(pem, strlen(pem));
	if (verbose)
		fprintf(stderr, "dkim-genkey: private key written to %s\n",
		    path);
	if (verbose)
		fprintf(stderr, "dkim-genkey: extracting public key\n");
	if ((pub = dkim_key_public_b64(key)) == NULL)
		errx(1, "cannot make the public key");
	dkim_key_free(key);

	/* opendkim-genkey's flags: t=y, t=s or t=y:s, then s=email */
	flags[0] = '\0';
	if (test)
		(void)strlcpy(flags, subdomains ? "t=y;" : "t=y:s;",
		    sizeof(flags));
	else if (!subdomains)
		(void)strlcpy(flags, "t=s;", sizeof(flags));
	if (restrict_) {
		if (flags[0] != '\0')
			(void)strlcat(flags, " ", sizeof(flags));
		(void)strlcat(flags, "s=email;", sizeof(flags));
	}
	if (flags[0] != '\0')
		(void)strlcat(flags, " ", sizeof(flags));

	if (xasprintf(&label, "%s._domainkey%s%s%s", selector,
	    append ? "." : "", append ? domain : "", append ? "." : "") == -1)
		errx(1, "out of memory");
	if (*domain != '\0') {
		if (xasprintf(&comment, " ; ----- DKIM key %s for %s",
		    selector, domain) == -1)
			errx(1, "out of memory");
	} else
		comment = xstrdup("");

	/* the p= value in strings of 250 characters */
	plen = strlen(pub);
	len = strlen(label) + strlen(comment) + plen + 3 * (plen / 250 + 1) *
	    8 + (note ? strlen(note) : 0) + strlen(hashes) + 256;
	txt = xmalloc(len);
	q = txt;
	q += snprintf(q, len, "%s\tIN\tTXT\t( \"v=DKIM1;", label);
	if (note != NULL)
		q += snprintf(q, len - (q - txt), " n=\\\"%s\\\";", note);
	q += snprintf(q, len - (q - txt), " h=%s;", hashes);
	q += snprintf(q, len - (q - txt), " k=%s; %s\"\n\t  \"p=",
	    type == DKIM_KEY_RSA ? "rsa" : "ed25519", flags);
	for (chunk = pub; strlen(chunk) > 250; chunk += 250) {
		memcpy(q, chunk, 250);
		q += 250;
		q += snprintf(q, len - (q - txt), "\"\n\t  \"");
	}
	q += snprintf(q, len - (q - txt), "%s\" ) %s\n", chunk, comment);
	if ((size_t)snprintf(path, sizeof(path), "%s.txt", selector) >=
	    sizeof(path))
		errx(1, "selector too long");
	write_file(path, txt, q - txt);
	if (verbose)
		fprintf(stderr, "dkim-genkey: DNS TXT record written to %s\n",
		    path);
	free(txt);
	free(label);
	free(comment);
	free(pub);
	return 0;
}
