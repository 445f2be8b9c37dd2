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
 * common/spamsync: the key derivation, the byte-exact packets of the
 * reference vectors (greyd.md section 3), every receiver rule, the
 * IPv6 extension and the sender on loopback.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "log.h"
#include "spamsync.h"
#include "tap.h"
#include "t_spamsync.h"

struct got {
	size_t			 n;
	struct spamsync_entry	 e[4];
	char			 helo[4][256];
	char			 from[4][256];
	char			 to[4][256];
	size_t			 tolen[4];
};

static char	tmpdir[] = "/tmp/t_spamsync.XXXXXX";

static void	collect(const struct spamsync_entry *, void *);
static void	resign(const char *, unsigned char *, size_t);
static enum spamsync_err parse(const struct spamsync_key *,
		    const unsigned char *, size_t, struct got *);
static size_t	mkpkt(unsigned char *, const unsigned char *, size_t);
static void	test_key(void);
static void	test_vectors(const struct spamsync_key *);
static void	test_rules(const struct spamsync_key *);
static void	test_ipv6(const struct spamsync_key *);
static void	test_build_limits(const struct spamsync_key *);
static void	test_sender(const struct spamsync_key *);

static void
collect(const struct spamsync_entry *e, void *arg)
{
	struct got	*g = arg;
	size_t		 i = g->n;

	if (i >= 4)
		return;
	g->e[i] = *e;
	if (e->kind == SPAMSYNC_GREY) {
		snprintf(g->helo[i], sizeof(g->helo[i]), "%s", e->helo);
		snprintf(g->from[i], sizeof(g->from[i]), "%s", e->from);
		snprintf(g->to[i], sizeof(g->to[i]), "%s", e->to);
		g->tolen[i] = strlen(e->to);
		g->e[i].helo = g->helo[i];
		g->e[i].from = g->from[i];
		g->e[i].to = g->to[i];
	}
	g->n++;
}

/* HMAC the packet as it is, independently of spamsync.c. */
static void
resign(const char *key, unsigned char *p, size_t len)
{
	unsigned char	 mac[20];
	unsigned int	 mlen = 0;

	memset(p + 8, 0, 20);
	HMAC(EVP_sha1(), key, strlen(key), p, len, mac, &mlen);
	memcpy(p + 8, mac, 20);
}

static enum spamsync_err
parse(const struct spamsync_key *key, const unsigned char *p, size_t len,
    struct got *g)
{
	memset(g, 0, sizeof(*g));
	return (spamsync_parse(key, p, len, collect, g, NULL));
}

/* A packet: header for the TLVs given (sh_length = 32 + tlvlen), signed. */
static size_t
mkpkt(unsigned char *p, const unsigned char *tlvs, size_t tlvlen)
{
	size_t	 len = 32 + tlvlen;

	memset(p, 0, 32);
	p[0] = 2;
	p[1] = 2;
	p[2] = len >> 8;
	p[3] = len & 0xff;
	memcpy(p + 32, tlvs, tlvlen);
	resign(TESTKEY, p, len);
	return (len);
}

static void
test_key(void)
{
	struct spamsync_key	 k;
	char			 path[256], dir[256];
	int			 fd;

	snprintf(path, sizeof(path), "%s/spamd.key", tmpdir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ok(fd != -1 && write(fd, "greyd-test-key\n", 15) == 15,
	    "key file written");
	close(fd);
	is_int(spamsync_key_load(&k, path), 0, "key file loads");
	is_str(k.text, TESTKEY, "key = hex SHA-1 of the file");

	snprintf(path, sizeof(path), "%s/missing.key", tmpdir);
	memset(&k, 'x', sizeof(k));
	is_int(spamsync_key_load(&k, path), 0, "missing key file: ok");
	is_str(k.text, "", "missing key file: empty key, as spamd");

	snprintf(dir, sizeof(dir), "%s/adir", tmpdir);
	ok(mkdir(dir, 0700) == 0, "mkdir");
	is_int(spamsync_key_load(&k, dir), -1, "a directory: error");
	snprintf(path, sizeof(path), "%s/adir/x/y", tmpdir);
	is_int(spamsync_key_load(&k, path), 0,
	    "ENOENT below a directory: empty key");
	if (geteuid() != 0) {
		snprintf(path, sizeof(path), "%s/noperm.key", tmpdir);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0000);
		close(fd);
		is_int(spamsync_key_load(&k, path), -1,
		    "unreadable key file: error");
	} else {
		snprintf(path, sizeof(path), "%s/spamd.key/x", tmpdir);
		is_int(spamsync_key_load(&k, path), -1,
		    "ENOTDIR: error, not the empty key");
	}
	is_int(spamsync_key_set(&k, TESTKEY), 0, "key_set 40 digits");
	is_str(k.text, TESTKEY, "key_set text");
	is_int(spamsync_key_set(&k, TESTKEY "0"), -1, "key_set 41: error");
	spamsync_key_clear(&k);
	is_str(k.text, "", "key_clear wipes");
}

static void
test_vectors(const struct spamsync_key *key)
{
	struct spamsync_entry	 e;
	struct got		 g;
	unsigned char		 want[2048], pkt[SPAMSYNC_MAXSIZE];
	size_t			 wlen;
	ssize_t			 len;

	memset(&e, 0, sizeof(e));
	e.kind = SPAMSYNC_GREY;
	e.time = TS;
	snprintf(e.ip, sizeof(e.ip), "192.0.2.1");
	e.helo = "mx.example.org";
	e.from = "<a@example.org>";
	e.to = "<b@example.net>";
	wlen = unhex(grey_hex, want, sizeof(want));
	is_int(wlen, 116, "GREY vector is 116 bytes");
	len = spamsync_build(key, 0, &e, pkt, sizeof(pkt));
	is_mem(pkt, (size_t)len, want, wlen, "GREY packet byte-exact");
	is_int(parse(key, want, wlen, &g), SPAMSYNC_OK, "GREY vector parses");
	is_int(g.n, 1, "one entry");
	is_int(g.e[0].kind, SPAMSYNC_GREY, "kind GREY");
	is_str(g.e[0].ip, "192.0.2.1", "GREY ip");
	is_int(g.e[0].time, TS, "GREY time");
	is_str(g.e[0].helo, "mx.example.org", "GREY helo");
	is_str(g.e[0].from, "<a@example.org>", "GREY from");
	is_str(g.e[0].to, "<b@example.net>", "GREY to");

	memset(&e, 0, sizeof(e));
	e.kind = SPAMSYNC_WHITE;
	e.time = TS;
	e.expire = TS + 3110400;
	snprintf(e.ip, sizeof(e.ip), "192.0.2.1");
	wlen = unhex(white_hex, want, sizeof(want));
	len = spamsync_build(key, 1, &e, pkt, sizeof(pkt));
	is_mem(pkt, (size_t)len, want, wlen, "WHITE packet byte-exact");
	is_int(parse(key, want, wlen, &g), SPAMSYNC_OK, "WHITE parses");
	is_int(g.n, 1, "one entry");
	is_int(g.e[0].kind, SPAMSYNC_WHITE, "kind WHITE");
	is_str(g.e[0].ip, "192.0.2.1", "WHITE ip");
	is_int(g.e[0].expire, TS + 3110400, "WHITE expire");
	is_int(g.e[0].time, TS, "WHITE time");

	memset(&e, 0, sizeof(e));
	e.kind = SPAMSYNC_TRAPPED;
	e.time = TS;
	e.expire = TS + 86400;
	snprintf(e.ip, sizeof(e.ip), "198.51.100.9");
	wlen = unhex(trap_hex, want, sizeof(want));
	len = spamsync_build(key, 2, &e, pkt, sizeof(pkt));
	is_mem(pkt, (size_t)len, want, wlen, "TRAPPED packet byte-exact");
	is_int(parse(key, want, wlen, &g), SPAMSYNC_OK, "TRAPPED parses");
	is_int(g.e[0].kind, SPAMSYNC_TRAPPED, "kind TRAPPED");
	is_str(g.e[0].ip, "198.51.100.9", "TRAPPED ip");
	is_int(g.e[0].expire, TS + 86400, "TRAPPED expire");
}

static void
test_rules(const struct spamsync_key *key)
{
	struct spamsync_key	 other, empty;
	struct got		 g;
	unsigned char		 v[2048], p[2048], tl[256];
	size_t			 vlen, len, n;

	vlen = unhex(white_hex, v, sizeof(v));

	/* oversize: spamd's buffer is 1408 bytes */
	memset(p, 0, sizeof(p));
	memcpy(p, v, vlen);
	is_int(parse(key, p, SPAMSYNC_MAXSIZE + 1, &g), SPAMSYNC_EOVERSIZE,
	    "1409-byte datagram dropped");
	is_int(parse(key, p, SPAMSYNC_MAXSIZE, &g), SPAMSYNC_OK,
	    "1408-byte datagram (trailing zeros past sh_length) accepted");
	is_int(g.n, 1, "its entry");

	/* short */
	is_int(parse(key, v, 31, &g), SPAMSYNC_ESHORT, "31 bytes: short");
	is_int(parse(key, v, 0, &g), SPAMSYNC_ESHORT, "0 bytes: short");

	/* version, af */
	memcpy(p, v, vlen);
	p[0] = 1;
	resign(TESTKEY, p, vlen);
	is_int(parse(key, p, vlen, &g), SPAMSYNC_EVERSION, "version 1");
	memcpy(p, v, vlen);
	p[1] = 10;
	resign(TESTKEY, p, vlen);
	is_int(parse(key, p, vlen, &g), SPAMSYNC_EAF, "af 10");
	is_int(g.n, 0, "nothing handed over");

	/* sh_length */
	is_int(parse(key, v, vlen - 1, &g), SPAMSYNC_ELENGTH,
	    "sh_length > datagram");
	memcpy(p, v, vlen);
	p[2] = 0;
	p[3] = 20;
	is_int(parse(key, p, vlen, &g), SPAMSYNC_ELENGTH, "sh_length < 32");

	/* HMAC */
	memcpy(p, v, vlen);
	p[45] ^= 1;	/* the expire */
	is_int(parse(key, p, vlen, &g), SPAMSYNC_EHMAC, "altered: bad HMAC");
	is_int(g.n, 0, "nothing handed over");
	spamsync_key_set(&other, "0123456789abcdef0123456789abcdef01234567");
	is_int(parse(&other, v, vlen, &g), SPAMSYNC_EHMAC,
	    "other key: bad HMAC");
	spamsync_key_set(&empty, "");
	is_int(parse(&empty, v, vlen, &g), SPAMSYNC_EHMAC,
	    "empty key: bad HMAC");
	memcpy(p, v, vlen);
	p[8] ^= 0x80;
	is_int(parse(key, p, vlen, &g), SPAMSYNC_EHMAC, "HMAC byte flipped");

	/* TLV length overflow: WHITE claims 200 bytes */
	memcpy(tl, v + 32, vlen - 32);
	tl[3] = 200;
	len = mkpkt(p, tl, vlen - 32);
	is_int(parse(key, p, len, &g), SPAMSYNC_ETLV, "st_length > rest");
	/* a TLV header cut short */
	memcpy(tl, v + 32, 16);
	tl[16] = 0;
	tl[17] = 0;
	len = mkpkt(p, tl, 18);
	is_int(parse(key, p, len, &g), SPAMSYNC_ETLV,
	    "2 bytes left: truncated TLV header");
	is_int(g.n, 1, "the entry before it was handed over (as spamd)");
	/* st_length 0 would loop in spamd */
	memset(tl, 0, 8);
	tl[1] = 2;
	len = mkpkt(p, tl, 8);
	is_int(parse(key, p, len, &g), SPAMSYNC_ETLV, "st_length 0");

	/* WHITE / TRAPPED length != 16 */
	memset(tl, 0, sizeof(tl));
	memcpy(tl, v + 32, 16);
	tl[3] = 20;
	tl[20 + 3] = 4;
	len = mkpkt(p, tl, 24);
	is_int(parse(key, p, len, &g), SPAMSYNC_EADDR, "WHITE length 20");
	tl[1] = 3;
	len = mkpkt(p, tl, 24);
	is_int(parse(key, p, len, &g), SPAMSYNC_EADDR, "TRAPPED length 20");
	memcpy(tl, v + 32, 16);
	tl[3] = 12;
	tl[12] = 0;
	tl[13] = 0;
	tl[14] = 0;
	tl[15] = 4;
	len = mkpkt(p, tl, 16);
	is_int(parse(key, p, len, &g), SPAMSYNC_EADDR, "WHITE length 12");

	/* GREY lengths */
	n = unhex(grey_hex, v, sizeof(v));
	memcpy(tl, v + 32, n - 32);
	tl[12] = 0;
	tl[13] = 60;	/* from_len 60: 18 + 60 + 16 + 15 > 80 */
	len = mkpkt(p, tl, n - 32);
	is_int(parse(key, p, len, &g), SPAMSYNC_EGREY,
	    "GREY from_len past the TLV");
	memcpy(tl, v + 32, n - 32);
	tl[2] = 0;
	tl[3] = 10;	/* st_length 10 < 18 */
	len = mkpkt(p, tl, n - 32);
	is_int(parse(key, p, len, &g), SPAMSYNC_EGREY, "GREY st_length 10");
	/* strings without their NUL are cut at their length */
	memcpy(tl, v + 32, n - 32);
	tl[18 + 15] = 'X';	/* from's NUL */
	len = mkpkt(p, tl, n - 32);
	is_int(parse(key, p, len, &g), SPAMSYNC_OK, "from without NUL");
	is_str(g.e[0].from, "<a@example.org>X", "from cut at its length");
	is_str(g.e[0].to, "<b@example.net>", "to unchanged");
	/* zero lengths: empty strings */
	memset(tl, 0, sizeof(tl));
	tl[1] = 1;
	tl[3] = 32;
	memcpy(tl + 8, v + 32 + 8, 4);
	tl[32 + 3] = 4;
	len = mkpkt(p, tl, 36);
	is_int(parse(key, p, len, &g), SPAMSYNC_OK, "GREY with empty fields");
	is_str(g.e[0].helo, "", "empty helo");

	/* unknown type drops the rest; END stops */
	memset(tl, 0, sizeof(tl));
	n = unhex(white_hex, v, sizeof(v));
	memcpy(tl, v + 32, 16);			/* WHITE */
	tl[16 + 1] = 4;				/* type 4 (greyd DEL_WHITE) */
	tl[16 + 3] = 16;
	memcpy(tl + 32, v + 32, 16);		/* WHITE again */
	tl[32 + 1] = 3;
	tl[48 + 3] = 4;				/* END */
	len = mkpkt(p, tl, 52);
	is_int(parse(key, p, len, &g), SPAMSYNC_ETYPE,
	    "unknown type 4: error");
	is_int(g.n, 1, "only the entry before it");
	memcpy(tl + 16, tl + 48, 4);		/* END in the middle */
	memcpy(tl + 20, v + 32, 16);
	len = mkpkt(p, tl, 36);
	is_int(parse(key, p, len, &g), SPAMSYNC_OK, "END stops");
	is_int(g.n, 1, "nothing after END");
	/* no END at all: the TLVs end with sh_length */
	len = mkpkt(p, v + 32, 16);
	is_int(parse(key, p, len, &g), SPAMSYNC_OK, "no END: fine");
	is_int(g.n, 1, "its entry");
	/* two entries, spamd would take both */
	memcpy(tl, v + 32, 16);
	memcpy(tl + 16, v + 32, 16);
	tl[16 + 1] = 3;
	memset(tl + 32, 0, 4);
	tl[35] = 4;
	len = mkpkt(p, tl, 36);
	is_int(parse(key, p, len, &g), SPAMSYNC_OK, "two entries");
	is_int(g.n, 2, "both handed over");
	is_int(g.e[1].kind, SPAMSYNC_TRAPPED, "second is TRAPPED");
}

static void
test_ipv6(const struct spamsync_key *key)
{
	struct spamsync_entry	 e;
	struct got		 g;
	unsigned char		 pkt[SPAMSYNC_MAXSIZE];
	ssize_t			 len;

	memset(&e, 0, sizeof(e));
	e.kind = SPAMSYNC_GREY;
	e.time = TS;
	snprintf(e.ip, sizeof(e.ip), "2001:db8::1");
	e.helo = "mx.example.org";
	e.from = "<a@example.org>";
	e.to = "<b@example.net>";
	len = spamsync_build(key, 5, &e, pkt, sizeof(pkt));
	/* 30 + 16 + 16 + 15 = 77 -> 80 */
	is_int(len, 32 + 80 + 4, "GREY6 length");
	is_int(pkt[1], 2, "af stays 2 (spamd checks it)");
	is_int(pkt[32] << 8 | pkt[33], SPAMSYNC_T_GREY6, "type 0x0101");
	is_int(pkt[34] << 8 | pkt[35], 80, "GREY6 st_length");
	is_int(parse(key, pkt, len, &g), SPAMSYNC_OK, "GREY6 parses");
	is_str(g.e[0].ip, "2001:db8::1", "GREY6 ip");
	is_str(g.e[0].to, "<b@example.net>", "GREY6 to");

	memset(&e, 0, sizeof(e));
	e.kind = SPAMSYNC_WHITE;
	e.time = TS;
	e.expire = TS + 100;
	snprintf(e.ip, sizeof(e.ip), "fd00::7");
	len = spamsync_build(key, 6, &e, pkt, sizeof(pkt));
	is_int(len, 32 + 28 + 4, "WHITE6 length");
	is_int(pkt[32] << 8 | pkt[33], SPAMSYNC_T_WHITE6, "type 0x0102");
	is_int(parse(key, pkt, len, &g), SPAMSYNC_OK, "WHITE6 parses");
	is_int(g.e[0].kind, SPAMSYNC_WHITE, "WHITE6 kind");
	is_str(g.e[0].ip, "fd00::7", "WHITE6 ip");
	is_int(g.e[0].expire, TS + 100, "WHITE6 expire");
	e.kind = SPAMSYNC_TRAPPED;
	len = spamsync_build(key, 7, &e, pkt, sizeof(pkt));
	is_int(pkt[32] << 8 | pkt[33], SPAMSYNC_T_TRAPPED6, "type 0x0103");
	is_int(parse(key, pkt, len, &g), SPAMSYNC_OK, "TRAPPED6 parses");
	is_int(g.e[0].kind, SPAMSYNC_TRAPPED, "TRAPPED6 kind");
	pkt[35] = 16;
	pkt[32 + 16 + 3] = 4;
	resign(TESTKEY, pkt, len);
	is_int(parse(key, pkt, len, &g), SPAMSYNC_EADDR,
	    "TRAPPED6 with length 16");
}

static void
test_build_limits(const struct spamsync_key *key)
{
	struct spamsync_entry	 e;
	unsigned char		 pkt[SPAMSYNC_MAXSIZE];
	char			 big[1400];
	struct got		 g;
	ssize_t			 len;

	memset(&e, 0, sizeof(e));
	e.kind = SPAMSYNC_GREY;
	e.time = TS;
	snprintf(e.ip, sizeof(e.ip), "192.0.2.1");
	e.helo = "h";
	e.from = "";
	memset(big, 'a', sizeof(big));
	/* 32 + ALIGN16(18 + 1 + n + 1 + 2) + 4 <= 1408: n <= 1338 */
	big[1338] = '\0';
	e.to = big;
	len = spamsync_build(key, 0, &e, pkt, sizeof(pkt));
	is_int(len, SPAMSYNC_MAXSIZE - 12, "largest GREY fits (1396)");
	is_int(parse(key, pkt, len, &g), SPAMSYNC_OK, "and parses");
	is_int(g.tolen[0], 1338, "to intact");
	big[1338] = 'a';
	big[1339] = '\0';
	ok(spamsync_build(key, 0, &e, pkt, sizeof(pkt)) == -1,
	    "GREY over 1408 bytes refused");
	big[10] = '\0';
	ok(spamsync_build(key, 0, &e, pkt, 40) == -1, "small buffer refused");
	snprintf(e.ip, sizeof(e.ip), "not-an-ip");
	ok(spamsync_build(key, 0, &e, pkt, sizeof(pkt)) == -1,
	    "bad ip refused");
	snprintf(e.ip, sizeof(e.ip), "192.0.2.1");
	e.helo = NULL;
	ok(spamsync_build(key, 0, &e, pkt, sizeof(pkt)) == -1,
	    "GREY without helo refused");
}

static void
test_sender(const struct spamsync_key *key)
{
	struct spamsync_sender	*ss;
	struct spamsync_entry	 e;
	struct sockaddr_in	 sin;
	struct pollfd		 pfd;
	socklen_t		 slen = sizeof(sin);
	unsigned char		 buf[2048];
	struct got		 g;
	char			 path[256], buf2[512];
	FILE			*fp;
	ssize_t			 n;
	int			 rfd, efd, lfd, r1, r2, r3, lines;

	rfd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok(bind(rfd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(rfd, (struct sockaddr *)&sin, &slen) == 0,
	    "receiver bound");

	ss = spamsync_sender_new(ntohs(sin.sin_port));
	is_int(spamsync_sender_add(ss, "127.0.0.1"), 0, "unicast target");
	is_int(spamsync_sender_add(ss, "lo:0"), -1, "ttl 0 refused");
	is_int(spamsync_sender_add(ss, "lo:256"), -1, "ttl 256 refused");
	is_int(spamsync_sender_add(ss, "no-such-host.invalid"), -1,
	    "neither host nor interface");
	is_int(spamsync_sender_ntargets(ss), 1, "one target");
	is_int(spamsync_sender_send(ss, "x", 1), -1, "send before open");
	ok(spamsync_sender_open(ss, NULL) >= 0, "open, send only");
	ok(spamsync_sender_fd(ss) >= 0, "fd");

	memset(&e, 0, sizeof(e));
	e.kind = SPAMSYNC_TRAPPED;
	e.time = TS;
	e.expire = TS + 86400;
	snprintf(e.ip, sizeof(e.ip), "198.51.100.9");
	is_int(spamsync_sender_send_entry(ss, key, &e), 0, "sent");
	is_int(spamsync_sender_send_entry(ss, key, &e), 0, "sent again");
	pfd.fd = rfd;
	pfd.events = POLLIN;
	ok(poll(&pfd, 1, 2000) == 1, "datagram arrives");
	n = recv(rfd, buf, sizeof(buf), 0);
	is_int(n, 52, "52 bytes");
	is_int(buf[7], 0, "first counter 0");
	is_int(parse(key, buf, n, &g), SPAMSYNC_OK, "parses");
	is_str(g.e[0].ip, "198.51.100.9", "the entry");
	ok(poll(&pfd, 1, 2000) == 1, "second datagram arrives");
	n = recv(rfd, buf, sizeof(buf), 0);
	is_int(buf[7], 1, "counter 1");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	is_int(spamsync_sender_is_self(ss, (struct sockaddr *)&sin), 0,
	    "no multicast: nothing is self");
	spamsync_sender_free(ss);
	spamsync_sender_free(NULL);
	close(rfd);

	ss = spamsync_sender_new(0);
	is_int(spamsync_sender_open(ss, "nosuchif0"), -1,
	    "-y unknown interface: error");
	spamsync_sender_free(ss);

	/* sends that fail (broadcast without SO_BROADCAST): one line */
	ss = spamsync_sender_new(9);
	is_int(spamsync_sender_add(ss, "255.255.255.255"), 0, "a target");
	ok(spamsync_sender_open(ss, NULL) >= 0, "open");
	fflush(stderr);
	efd = dup(2);
	snprintf(path, sizeof(path), "%s/stderr", tmpdir);
	lfd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(lfd, 2);
	r1 = spamsync_sender_send_entry(ss, key, &e);
	r2 = spamsync_sender_send_entry(ss, key, &e);
	r3 = spamsync_sender_send_entry(ss, key, &e);
	fflush(stderr);
	dup2(efd, 2);
	close(efd);
	close(lfd);
	is_int(r1, 1, "first send: 1 failed");
	is_int(r3, 1, "third send: 1 failed");
	ok(r2 == 1, "second too");
	lines = 0;
	if ((fp = fopen(path, "r")) != NULL) {
		while (fgets(buf2, sizeof(buf2), fp) != NULL)
			if (strstr((char *)buf2, "send to 255.255.255.255") !=
			    NULL)
				lines++;
		fclose(fp);
	}
	is_int(lines, 1, "three failures, one log line");
	spamsync_sender_free(ss);
}

int
main(void)
{
	struct spamsync_key	 key;
	char			 cmd[512];

	log_init(1, LOG_MAIL);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp\n");
		return (1);
	}
	test_key();
	spamsync_key_set(&key, TESTKEY);
	test_vectors(&key);
	test_rules(&key);
	test_ipv6(&key);
	test_build_limits(&key);
	test_sender(&key);
	is_str(spamsync_strerror(SPAMSYNC_EHMAC), "bad HMAC", "strerror");
	is_str(spamsync_kind_name(SPAMSYNC_TRAPPED), "TRAPPED", "kind name");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		diag("rm %s failed", tmpdir);
	return (done_testing());
}
