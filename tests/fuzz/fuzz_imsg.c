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
 * libFuzzer target for the imsg reader: the input is the wire, cut into
 * reads.  Each read is one control byte and up to 63 data bytes:
 *	ctl & 0x3f	data bytes in this read (0x3f: all that is left)
 *	ctl & 0x40	an fd arrives with this read (a dup of /dev/null)
 *	ctl & 0x80	the receiver takes the fds of the messages it gets
 * After each read every complete message is taken with imsg_get() and
 * picked at with the size-checked accessors; a protocol error ends the
 * channel, as imsgev does.  At the end every fd the reader was given
 * must have been closed (or taken and closed here): no fd leaks.
 */

#include <sys/types.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imsg.h"
#include "log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_MAX_FDS	64

static int	devnull = -1;

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct imsgbuf	*ib;
	struct imsg	 msg;
	unsigned char	 buf[64];
	char		 s[32];
	int		 made[FUZZ_MAX_FDS], nmade = 0;
	size_t		 off = 0, len;
	int		 ctl, fd, r, i, dead = 0;

	if (devnull == -1) {
		log_init(1, LOG_MAIL);
		log_setverbose(0);
		if ((devnull = open("/dev/null", O_RDONLY)) == -1)
			abort();
	}
	ib = imsgbuf_new(-1);
	while (off < size && !dead) {
		ctl = data[off++];
		len = (ctl & 0x3f) == 0x3f ? size - off : (size_t)(ctl & 0x3f);
		if (len > size - off)
			len = size - off;
		fd = -1;
		if ((ctl & 0x40) && nmade < FUZZ_MAX_FDS) {
			if ((fd = dup(devnull)) == -1)
				abort();
			made[nmade++] = fd;
		}
		if (imsgbuf_input(ib, data + off, len, &fd,
		    fd == -1 ? 0 : 1) == -1)
			break;
		off += len;
		while ((r = imsg_get(ib, &msg)) == 1) {
			if (msg.datalen > IMSG_MAX_DATA)
				abort();
			(void)imsg_get_data(&msg, buf, msg.datalen % 9);
			(void)imsg_check_minlen(&msg, msg.hdr.type % 17);
			(void)imsg_get_string(&msg, s, sizeof(s));
			if (msg.datalen <= sizeof(buf))
				(void)imsg_get_data(&msg, buf, msg.datalen);
			if ((msg.hdr.flags & IMSG_F_FD) && msg.fd == -1)
				abort();
			if (!(msg.hdr.flags & IMSG_F_FD) && msg.fd != -1)
				abort();
			if ((ctl & 0x80) && (fd = imsg_get_fd(&msg)) != -1)
				close(fd);
			imsg_free(&msg);
		}
		if (r == -1)
			dead = 1;
	}
	imsgbuf_free(ib);
	for (i = 0; i < nmade; i++)
		if (fcntl(made[i], F_GETFD) != -1)
			abort();	/* an fd leaked */
	return 0;
}
