#!/usr/bin/env python3
#
# Copyright (c) 2026 The mxsuite developers
#
# Permission to use, copy, modify, and distribute this software for any
# purpose with or without fee is hereby granted, provided that the above
# copyright notice and this permission notice appear in all copies.
#
# THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES
# WITH REGARD TO THIS SOFTWARE INCLUDING ALL IMPLIED WARRANTIES OF
# MERCHANTABILITY AND FITNESS. IN NO EVENT SHALL THE AUTHOR BE LIABLE FOR
# ANY SPECIAL, DIRECT, INDIRECT, OR CONSEQUENTIAL DAMAGES OR ANY DAMAGES
# WHATSOEVER RESULTING FROM LOSS OF USE, DATA OR PROFITS, WHETHER IN AN
# ACTION OF CONTRACT, NEGLIGENCE OR OTHER TORTIOUS ACTION, ARISING OUT OF
# OR IN CONNECTION WITH THE USE OR PERFORMANCE OF THIS SOFTWARE.
#
#
# tests/integration/greyd-black.t: greyd's blacklists, in a private
# network namespace: lists loaded through the config socket in spamd's
# line format (a privileged source port required unless -U; bad lines
# rejected and logged, the rest applied; a bare "tag;" deletes), the
# tarpit (one byte a second for blacklisted sources, the first -S
# seconds for greylisted ones, no stutter when clients + 5 >= maxcon),
# maxcon, the list messages after DATA (%A expanded, 550 with -5,
# several lists), STARTTLS offered to non-blacklisted EHLO clients only,
# a blacklisted source never whitelisted, and -b mode.

import os
import re
import signal
import smtplib
import socket
import ssl
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ.get("MX_TOP", "."), "tests/lib"))
import mxmail  # noqa: E402
import mxtap  # noqa: E402

t = mxtap.Tap()
GREYD = os.path.join(mxtap.BUILD, "greyd/greyd")
GREYDB = os.path.join(mxtap.BUILD, "greyd/greydb")
if not os.access(GREYD, os.X_OK):
    t.bail("%s not built" % GREYD)

os.chmod(t.tmp, 0o755)
cert, key = mxmail.selfsigned(t)


def start(name, extra):
    d = os.path.join(t.tmp, name)
    for sub in ("fw", "db", "jail"):
        os.makedirs(os.path.join(d, sub))
    os.chmod(os.path.join(d, "db"), 0o777)
    p = t.spawn([GREYD, "-d", "-v", "-h", "mx.test",
                 "-F", "file:" + os.path.join(d, "fw"),
                 "-D", os.path.join(d, "db"), "-u", "nobody",
                 "-j", os.path.join(d, "jail"), "-G", "1s:1h:1d",
                 "-I", "1h", "-p", "2525"] + extra, log=name)
    if not t.wait_port(2525) or not t.wait_port(8026):
        t.bail("greyd %s did not start: %s" % (name, t.log(name)))
    time.sleep(0.3)
    return p, d


def stop(p):
    p.send_signal(signal.SIGTERM)
    try:
        return p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        return None


def cfg_send(text, privileged=True):
    """Send config lines; True if greyd read them (closed after EOF)."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if privileged:
        for port in range(1023, 600, -1):
            try:
                s.bind(("127.0.0.1", port))
                break
            except OSError:
                continue
    s.settimeout(10)
    s.connect(("127.0.0.1", 8026))
    try:
        s.sendall(text.encode())
        s.shutdown(socket.SHUT_WR)
        while s.recv(4096):
            pass
    except OSError:
        pass
    s.close()
    time.sleep(0.3)


class Client(mxmail.SmtpConn):
    """greyd's replies as text, byte for byte; eof() for closed()."""

    def __init__(self, src="127.0.0.1", host="127.0.0.1", timeout=10):
        s = socket.socket(socket.AF_INET6 if ":" in host
                          else socket.AF_INET)
        s.bind((src, 0))
        s.settimeout(timeout)
        s.connect((host, 2525))
        super().__init__(s, timeout)

    def reply(self):
        return super().reply()[1]

    def eof(self, wait=5):
        return self.closed(wait)


LIST1 = ('testbl;"Your address %A is listed\\nsee http://x/%A\\n";'
         'inet;2;127.0.0.3/32;127.0.0.128/25\n')
LIST2 = 'ok2;"Second %A";inet;1;127.0.0.128/25;inet6;0\n'

# --- A: stutter 1 s, grey stutter 2 s, maxcon 10, TLS
# (maxcon 10 alone would make maxblack 10 - 100: no blacklisted stutter)
a, adir = start("A", ["-s", "1", "-S", "2", "-c", "10", "-B", "1",
                      "-C", cert, "-K", key])
cfg_send(LIST1, privileged=False)
t.ok(t.wait_log("A", r"config connection from 127\.0\.0\.1 port \d+ refused: "
                r"source port not privileged"),
     "config connection from an unprivileged port refused")
c = Client(src="127.0.0.3")
c.timed(1)
c.close()
time.sleep(0.3)
t.ok(t.wait_log("A", r"127\.0\.0\.3: connected \(\d+/0\)\n"),
     "its list was not loaded: 127.0.0.3 not blacklisted")

cfg_send(LIST1 + "this is not a config line\n" + LIST2)
log = t.log("A")
t.like(log, r"config line rejected \(list this is not a config line\)",
       "bad line logged")
t.like(log, r"blacklists loaded: 3 lines, 1 rejected, 2 lists",
       "the good lines around it applied")

t0 = time.time()
c = Client(src="127.0.0.3")
got = c.timed(4)
gaps = [round(got[i + 1][0] - got[i][0], 2) for i in range(len(got) - 1)]
t.is_(b"".join(x[1] for x in got), b"220 ", "blacklisted: the banner starts")
first = got[0][0] - t0 if got else 0
# upper bounds are loose (a loaded machine delays wake-ups); the lower
# ones and the banner's length (~75 bytes, 75 s stuttered) keep every
# check able to fail
t.ok(0.8 <= first <= 3.0,
     "as spamd, the first byte waits one stutter interval (%.2f s)" % first)
t.ok(len(gaps) == 3 and all(0.8 <= g <= 3.0 for g in gaps),
     "one byte a second (gaps %s)" % gaps)
c3 = Client(src="127.0.0.130")
t0 = time.time()
c3.line()
el = time.time() - t0
t.ok(el < 5.0, "beyond maxblack (-B 1): no stutter (%.2f s)" % el)
c3.close()
time.sleep(0.2)
t.ok(t.wait_log("A", r"127\.0\.0\.3: connected \(\d+/1\), lists: testbl\n"),
     "connected line counts the blacklisted client and names its list")

g = Client(src="127.0.0.1")
t0 = time.time()
g.line()
el = time.time() - t0
t.ok(1.5 <= el <= 8.0,
     "greylisted: banner stuttered for the first 2 s only (%.1f s)" % el)

# spamd drops the stutter while clients + 5 >= maxcon (10)
c.close()
hold = [Client(src="127.0.0.1") for _ in range(4)]
time.sleep(0.3)  # 5 clients now: crowded
c2 = Client(src="127.0.0.130")
t0 = time.time()
ln = c2.line()
el = time.time() - t0
t.ok(el < 5.0, "crowded: blacklisted banner at once (%.2f s)" % el)
t.like(ln.decode(), r"^220 mx\.test ESMTP spamd IP-based SPAM blocker; ",
       "spamd's banner")
for h in hold:
    h.close()
time.sleep(0.5)  # 3 clients: stutter again
c2.s.sendall(b"NOOP\r\n")
got = c2.timed(3)
el = got[-1][0] - got[0][0] if len(got) == 3 else 0
t.ok(el >= 1.6, "uncrowded again: one byte a second (%.1f s for 3)" % el)
c2.close()
g.close()
time.sleep(0.5)

# maxcon: as in spamd, the 11th connection is closed at once
conns = [Client(src="127.0.0.1") for _ in range(10)]
time.sleep(0.5)
extra = Client(src="127.0.0.1")
t.is_(extra.pending(1.5), b"<EOF>", "at maxcon, the next client is closed")
t.ok(t.wait_log("A", r"127\.0\.0\.1: connected \(10/0\)"),
     "10 connections counted")
t.ok("connected (11/" not in t.log("A"), "never an 11th")
conns[0].close()
time.sleep(0.3)
extra.close()
extra = Client(src="127.0.0.1")
t.ok(extra.pending(3).startswith(b"2"),
     "a slot frees: the next client gets its banner")
for x in conns + [extra]:
    x.close()
t.is_(stop(a), 0, "greyd A stops cleanly")

# --- B: no stutter, -5, -U, TLS
b, bdir = start("B", ["-5", "-s", "0", "-S", "0", "-U", "-C", cert,
                      "-K", key, "-l", "127.0.0.1", "-l", "::1"])
cfg_send(LIST1 + LIST2 + 'v6;"IPv6 %A";inet6;1;::1/128\n',
         privileged=False)
t.ok(t.wait_log("B", r"blacklists loaded: 3 lines, 0 rejected, 3 lists"),
     "-U: lists accepted from an unprivileged port")

c = Client(src="::1", host="::1")
c.reply()
c.cmd("HELO v6.example")
c.cmd("MAIL FROM:<a@v6.example>")
c.cmd("RCPT TO:<b@example.org>")
t.is_(c.cmd("DATA")[:3], "354", "IPv6 source on an inet6 list: DATA")
c.s.sendall(b"x\r\n.\r\n")
t.is_(c.reply(), "550 IPv6 ::1\r\n", "its list's message, %A = ::1")
c.close()

HELLO = "250 Hello, spam sender. Pleased to be wasting your time.\r\n"
c = Client(src="127.0.0.3")
c.reply()
t.is_(c.cmd("NOOP"), "250 2.0.0 OK I did nothing\r\n", "NOOP: spamd's reply")
t.is_(c.cmd("HELO"), "501 helo requires domain name.\r\n",
      "bare HELO: spamd's 501")
t.is_(c.cmd("EHLO"), "501 helo requires domain name.\r\n",
      "bare EHLO: the same")
t.is_(c.cmd("MAIL FROM:<spam@spammer.example>"),
      "250 You are about to try to deliver spam. Your time will be spent, "
      "for nothing.\r\n", "MAIL before HELO accepted, as spamd")
t.is_(c.cmd("RCPT TO:<victim@example.org>"),
      "250 This is hurting you more than it is hurting me.\r\n",
      "then RCPT")
t.is_(c.cmd("DATA"), '354 Enter spam, end with "." on a line by itself\r\n',
      "then DATA")
c.s.sendall(b"Subject: buy\r\nFrom: x\r\n\r\n" +
            b"".join(b"line %d\r\n" % i for i in range(1, 10)))
t.is_(c.pending(0.7), b"", "nine body lines: no reply yet")
c.s.sendall(b"line 10\r\nline 11\r\n")
t.is_(c.reply(), "550-Your address 127.0.0.3 is listed\r\n"
      "550 see http://x/127.0.0.3\r\n",
      "the 10th body line ends DATA: the list's message without a '.'")
t.ok(c.eof(), "then spamd closes")
c.close()

c = Client(src="127.0.0.3")
t.like(c.reply(), r"^220 mx\.test ESMTP ", "blacklisted: banner")
t.is_(c.cmd("HELO [not-a-domain"), HELLO, "any HELO word accepted")
t.is_(c.cmd("EHLO spammer.example"), HELLO,
      "blacklisted EHLO: spamd's one line, no STARTTLS, no SIZE or HELP")
t.is_(c.cmd("MAIL FROM:<spam@spammer.example>"),
      "250 You are about to try to deliver spam. Your time will be spent, "
      "for nothing.\r\n", "MAIL")
t.is_(c.cmd("RCPT TO:<victim@example.org>"),
      "250 This is hurting you more than it is hurting me.\r\n", "RCPT")
t.is_(c.cmd("RSET"), "250 Ok to start over.\r\n", "RSET")
c.cmd("MAIL FROM:<spam@spammer.example>")
c.cmd("RCPT TO:<victim@example.org>")
t.is_(c.cmd("DATA"), '354 Enter spam, end with "." on a line by itself\r\n',
      "DATA: 354")
c.s.sendall(b"Subject: buy\r\n\r\nnow\r\n.\r\n")
t.is_(c.reply(), "550-Your address 127.0.0.3 is listed\r\n"
      "550 see http://x/127.0.0.3\r\n",
      "the list's message, %A expanded, 550 with -5")
t.ok(c.eof(), "closed after the reply")
c.close()

c = Client(src="127.0.0.130")
c.reply()
c.cmd("HELO spammer.example")
c.cmd("MAIL FROM:<>")
c.cmd("RCPT TO:<victim@example.org>")
c.cmd("DATA")
c.s.sendall(b"x\r\n.\r\n")
t.is_(c.reply(), "550-Your address 127.0.0.130 is listed\r\n"
      "550-see http://x/127.0.0.130\r\n"
      "550 Second 127.0.0.130\r\n", "two lists: both messages, in order")
c.close()

c = Client(src="127.0.0.1")
c.reply()
t.is_(c.cmd("QUIT"), "221 mx.test\r\n", "QUIT: 221 hostname")
c.close()

c = Client(src="127.0.0.1")
c.reply()
t.is_(c.cmd("HELO client.example"), HELLO,
      "greylisted HELO with TLS configured: spamd's one line")
t.is_(c.cmd("EHLO client.example"),
      "250-mx.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 STARTTLS\r\n",
      "greylisted EHLO with TLS: spamd's capability list, exactly")
t.is_(c.cmd("STARTTLS"),
      "220 glad you want to burn more CPU cycles on your spam\r\n",
      "STARTTLS: spamd's 220")
c.close()

c = Client(src="127.0.0.1")
c.reply()
r = []
for i in range(20):
    r.append(c.cmd("XYZZY %d" % i))
    if i % 4 == 0:
        c.cmd("NOOP")
        c.cmd("HELO")
t.ok(all(x == "500 5.5.1 Command unrecognized\r\n" for x in r),
     "unknown commands: spamd's 500")
t.ok(not c.eof(0.3), "still connected after 20 (NOOP, bare HELO not counted)")
c.s.sendall(b"XYZZY 21\r\n")
t.is_(c.reply(), "451 Temporary failure, please try again later.\r\n",
      "the 21st unknown command: spamd's final reply instead, no 421")
t.ok(c.eof(), "closed")
c.close()

c = Client(src="127.0.0.3")
c.reply()
c.s.sendall(b"".join(b"XYZZY %d\r\n" % i for i in range(21)))
r = [c.reply() for _ in range(21)]
t.is_(r[-1], "550-Your address 127.0.0.3 is listed\r\n"
      "550 see http://x/127.0.0.3\r\n",
      "blacklisted: the 21st gets the list's message")
t.ok(c.eof(), "closed")
c.close()

s = smtplib.SMTP("127.0.0.1", 2525, timeout=10)
s.ehlo("client.example")
t.ok(s.has_extn("starttls"), "STARTTLS offered to a greylisted client")
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
code = s.starttls(context=ctx)[0]
t.is_(code, 220, "STARTTLS works")
s.ehlo("client.example")
t.is_(s.ehlo_resp, b"Hello, spam sender. Pleased to be wasting your time.",
      "EHLO under TLS: spamd's one line")
s.mail("<a@example.org>")
s.rcpt("<b@example.net>")
t.is_(s.docmd("DATA")[0], 451, "under TLS still greylisted")
s.close()

# a source on greyd-setup's lists is never whitelisted
for _ in range(2):
    s = smtplib.SMTP(timeout=10, source_address=("127.0.0.6", 0))
    s.connect("127.0.0.1", 2525)
    s.ehlo("mx6.example")
    s.mail("<a@example.org>")
    s.rcpt("<b@example.net>")
    s.docmd("DATA")
    s.close()
    time.sleep(2.2)
cfg_send('late;"Late %A";inet;1;127.0.0.6/32\n', privileged=False)
b.send_signal(signal.SIGHUP)
time.sleep(1)
log = t.log("B")
t.like(log, r"127\.0\.0\.6 blacklisted, removing from whitelist",
       "the scan refuses to whitelist a blacklisted source")
try:
    with open(os.path.join(bdir, "fw", "spamd-white")) as f:
        wl = f.read()
except OSError:
    wl = ""
t.ok("127.0.0.6" not in wl, "127.0.0.6 not in spamd-white (%r)" % wl)

cfg_send("testbl;\n", privileged=False)
c = Client(src="127.0.0.3")
c.reply()
c.close()
time.sleep(0.3)
t.ok(t.wait_log("B", r"127\.0\.0\.3: connected \(1/0\)\n"),
     "'testbl;' deleted the list: 127.0.0.3 no longer blacklisted")

# oversized line: dropped, greyd goes on
s = socket.create_connection(("127.0.0.1", 8026), timeout=10)
try:
    s.sendall(b"huge;\"" + b"x" * (17 * 1024 * 1024))
except OSError:
    pass
s.close()
# 17 MB to read: give a slow (sanitizer, loaded) greyd up to 20 s
for _ in range(200):
    if re.search(r"longer than \d+ bytes, dropped", t.log("B")):
        break
    time.sleep(0.1)
t.ok(t.wait_log("B", r"longer than \d+ bytes, dropped"),
     "an oversized config line drops the connection")
t.ok(b.poll() is None, "greyd still running")
t.is_(stop(b), 0, "greyd B stops cleanly")

# --- C: blacklist-only mode: no greylisting, 451 after the message
# (-Y: greysync is not on this PATH: logged, greyd runs on)
os.environ["PATH"] = "/nonexistent"
cc, cdir = start("C", ["-b", "-s", "0", "-Y", "127.0.0.1"])
t.ok(t.wait_log("C", r"greysync is not installed: running without sync"),
     "-Y without greysync installed: logged")
c = Client(src="127.0.0.1")
c.reply()
c.cmd("HELO x.example")
c.cmd("MAIL FROM:<a@example.org>")
c.cmd("RCPT TO:<b@example.net>")
t.is_(c.cmd("DATA")[:3], "354", "-b: an unlisted client gets DATA")
c.s.sendall(b"x\r\n.\r\n")
t.is_(c.reply(), "451 Temporary failure, please try again later.\r\n",
      "-b: 451 after the message")
c.close()
t.ok(not os.path.exists(os.path.join(cdir, "fw", "spamd-white")),
     "-b: no firewall table touched")
t.is_(stop(cc), 0, "greyd C stops cleanly")

log = t.log("A") + t.log("B") + t.log("C")
t.ok("ERROR: AddressSanitizer" not in log and "runtime error" not in log,
     "no sanitizer report")
t.done()
