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
# tests/integration/smtp-python.t: the SMTP engine through smtpd-test,
# driven by smtplib and raw sockets in a private network namespace:
# smuggling vectors, limits, sequence errors, early talkers, timeouts,
# pipelining with asynchronous hooks, STARTTLS injection, byte-exact
# message storage.

import glob
import os
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
BIN = os.path.join(mxtap.BUILD, "tests/bin/smtpd-test")
if not os.access(BIN, os.X_OK):
    t.bail("%s not built" % BIN)

cert, key = mxmail.selfsigned(t)

spool = os.path.join(t.tmp, "spool")
spool2 = os.path.join(t.tmp, "spool2")
os.mkdir(spool)
os.mkdir(spool2)

# A: STARTTLS, spool, 3 recipients, 20 errors, 100000 octets, rejects,
#    AUTH (under TLS only), DSN
t.spawn([BIN, "-d", "-v", "-p", "2525", "-o", spool, "-r", "3", "-e", "20",
         "-z", "100000", "-C", cert, "-K", key, "-R", "*@reject.example",
         "-A", "joe:s3cret", "-D"],
        log="A")
# B: banner delay (early talker), a short idle timeout, 5 errors
t.spawn([BIN, "-d", "-p", "2526", "-b", "400", "-t", "1500", "-e", "5"],
        log="B")
# C: every hook answers 100 ms later
t.spawn([BIN, "-d", "-v", "-p", "2527", "-w", "100", "-o", spool2],
        log="C")
# D: tarpit, one octet every 40 ms; E: refused at connect with 554
t.spawn([BIN, "-d", "-p", "2528", "-x", "40"], log="D")
t.spawn([BIN, "-d", "-p", "2529", "-c", "554 5.7.1 Go away"], log="E")
# F: tarpit, 250 ms per octet, each reply delayed one interval first
t.spawn([BIN, "-d", "-p", "2530", "-x", "250", "-X"], log="F")
# G: greyd's needs: verbatim HELO reply, quiet error limit (3), DATA
#    ended by the app after 3 lines
t.spawn([BIN, "-d", "-p", "2531", "-H", "250 mx.test\nX-ONLY-THIS",
         "-e", "3", "-Q", "-E", "3"], log="G")
for port in (2525, 2526, 2527, 2528, 2529, 2530, 2531):
    if not t.wait_port(port):
        t.bail("smtpd-test on %d did not start" % port)
time.sleep(0.5)  # B: the probe connection of wait_port is gone


class Client(mxmail.SmtpConn):
    """A raw SMTP client that shows exactly what the server sent."""

    def __init__(self, port, banner=True, timeout=5):
        super().__init__(socket.create_connection(("127.0.0.1", port),
                                                  timeout=timeout), timeout)
        self.banner = self.reply() if banner else None


def spooled(d):
    return sorted(f for f in glob.glob(os.path.join(d, "msg.*"))
                  if not f.endswith(".env"))


def codes(c, n):
    return [c.reply()[0] for _ in range(n)]


# --- smuggling vectors: never the end of data, 550 at the real end ---
vectors = [b"\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\n", b"\r\n.\r",
           b"\r\n.\r\r\n", b"\n.\r\r\n"]
for v in vectors:
    before = spooled(spool)
    c = Client(2525)
    c.cmd(b"EHLO client.example")
    c.send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
           b"DATA\r\n")
    codes(c, 3)
    c.send(b"Subject: smuggle\r\n\r\nhello" + v +
           b"MAIL FROM:<evil@example.org>\r\nRCPT TO:<victim@example.org>"
           b"\r\nDATA\r\nsmuggled" + v + b"tail\r\n.\r\n" +
           b"NOOP\r\n")
    code, text = c.reply()
    t.is_(code, 550, "%r: rejected at the real end of data" % v)
    t.like(text, r"5\.6\.0 .*bare CR or LF", "%r: reply names bare CR/LF"
           % v)
    code2, _ = c.reply()
    t.is_(code2, 250, "%r: next command answered (session goes on)" % v)
    t.is_(c.pending(), b"", "%r: no extra reply (nothing smuggled)" % v)
    t.is_(spooled(spool), before, "%r: nothing stored" % v)
    c.close()

# --- a valid message, received byte-exact ---
want = (b"From: a@example.org\r\nSubject: exact\r\n\r\n"
        b"a line with a . dot\r\n.one leading dot\r\n. \r\n..\r\n"
        b"8bit: \xc3\xa9t\xc3\xa9\r\n" + b"x" * 998 + b"\r\n"
        b"end\r\n")
body = want.replace(b"\r\n.", b"\r\n..")  # dot-stuffed on the wire
c = Client(2525)
c.cmd(b"EHLO client.example")
c.send(b"MAIL FROM:<> BODY=8BITMIME\r\nRCPT TO:<Postmaster>\r\n"
       b"RCPT TO:<\"odd local\"@[192.0.2.1]>\r\nDATA\r\n")
t.is_(codes(c, 4), [250, 250, 250, 354], "pipelined envelope accepted")
c.send(body + b".\r\n")
code, text = c.reply()
t.is_(code, 250, "message accepted")
files = spooled(spool)
t.is_(len(files), 1, "one message stored")
if files:
    with open(files[-1], "rb") as f:
        got = f.read()
    t.is_(got, want, "stored byte-exact (dot-unstuffed)")
    with open(files[-1] + ".env") as f:
        env = f.read()
    t.is_(env, "from=<>\nrcpt=<Postmaster>\n"
          "rcpt=<\"odd local\"@[192.0.2.1]>\n", "envelope stored")
else:
    t.ok(False, "stored byte-exact")
    t.ok(False, "envelope stored")

# --- smtplib end to end ---
nbefore = len(spooled(spool))
with smtplib.SMTP("127.0.0.1", 2525, timeout=5) as s:
    s.ehlo("smtplib.example")
    t.ok(s.has_extn("pipelining") and s.has_extn("8bitmime") and
         s.has_extn("enhancedstatuscodes") and s.has_extn("starttls"),
         "EHLO lists PIPELINING 8BITMIME ENHANCEDSTATUSCODES STARTTLS")
    t.is_(s.esmtp_features.get("size"), "100000", "SIZE 100000 advertised")
    s.sendmail("x@example.org", ["y@example.org"],
               b"Subject: smtplib\r\n\r\n.leading dot\r\n")
t.is_(len(spooled(spool)), nbefore + 1, "smtplib message stored")
with open(spooled(spool)[-1], "rb") as f:
    t.is_(f.read(), b"Subject: smtplib\r\n\r\n.leading dot\r\n",
          "smtplib message byte-exact (stuffed by smtplib, unstuffed here)")

# --- limits ---
c = Client(2525)
code, text = c.cmd(b"NOOP " + b"x" * 600)
t.is_(code, 500, "command line over 512 octets: 500")
t.like(text, r"5\.5\.2", "line too long: 5.5.2")
t.is_(c.cmd(b"NOOP")[0], 250, "session goes on after a long command")
c.cmd(b"EHLO client.example")
c.send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
       b"DATA\r\n")
codes(c, 3)
c.send(b"Subject: long\r\n\r\n" + b"y" * 1001 + b"\r\nok\r\n.\r\n")
code, text = c.reply()
t.is_(code, 500, "text line over 1000 octets: 500 at end of data")
t.like(text, r"5\.5\.2 .*line longer than 1000", "names the line limit")
t.is_(c.cmd(b"NOOP")[0], 250, "session goes on after a long text line")
code, text = c.cmd(b"MAIL FROM:<a@example.org> SIZE=100001")
t.is_(code, 552, "SIZE= over the limit: 552 at MAIL")
t.like(text, r"5\.3\.4", "552 5.3.4")
c.send(b"MAIL FROM:<a@example.org> SIZE=100\r\nRCPT TO:<b@example.org>\r\n"
       b"DATA\r\n")
t.is_(codes(c, 3), [250, 250, 354], "SIZE=100 accepted")
c.send(b"Subject: big\r\n\r\n" + (b"z" * 998 + b"\r\n") * 101 + b".\r\n")
code, text = c.reply()
t.is_(code, 552, "actual data over the size: 552 at end of data")
c.send(b"MAIL FROM:<a@example.org>\r\n" +
       b"".join(b"RCPT TO:<r%d@example.org>\r\n" % i for i in range(4)))
got = codes(c, 5)
t.is_(got, [250, 250, 250, 250, 452], "4th recipient over -r 3: 452")
code, text = c.cmd(b"RCPT TO:<r9@example.org>")
t.like(text, r"^452 4\.5\.3", "452 4.5.3 too many recipients")
c.cmd(b"RSET")
c.close()

# --- DSN parameters (A offers DSN) ---
c = Client(2525)
c.cmd(b"EHLO client.example")
c.send(b"MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ+2B1\r\n"
       b"RCPT TO:<b@example.org> NOTIFY=SUCCESS,DELAY "
       b"ORCPT=rfc822;b@example.org\r\n"
       b"RCPT TO:<c@example.org> NOTIFY=NEVER,SUCCESS\r\n"
       b"RCPT TO:<c@example.org> ORCPT=nosemicolon\r\n"
       b"RSET\r\nMAIL FROM:<a@example.org> ENVID=bad+zz\r\n")
t.is_(codes(c, 6), [250, 250, 501, 501, 250, 501],
      "DSN parameters parsed and syntax-checked")
c.close()
c = Client(2525)
c.cmd(b"HELO client.example")
t.is_(c.cmd(b"MAIL FROM:<a@example.org> SIZE=10")[0], 555,
      "parameters after HELO (not EHLO): 555")
c.close()

# --- syntax and sequence errors ---
c = Client(2525)
t.is_(c.cmd(b"MAIL FROM:<a@example.org>")[0], 503, "MAIL before HELO: 503")
c.cmd(b"EHLO client.example")
t.is_(c.cmd(b"RCPT TO:<a@example.org>")[0], 503, "RCPT before MAIL: 503")
t.is_(c.cmd(b"DATA")[0], 503, "DATA before MAIL: 503")
c.cmd(b"MAIL FROM:<a@example.org>")
t.is_(c.cmd(b"DATA")[0], 503, "DATA before RCPT: 503")
t.is_(c.cmd(b"MAIL FROM:<a@example.org>")[0], 503, "nested MAIL: 503")
t.is_(c.cmd(b"RCPT TO:<x@reject.example>")[0], 550,
      "rejected recipient (hook)")
code, text = c.cmd(b"DATA")
t.is_(code, 554, "DATA with no valid recipients: 554")
t.is_(c.cmd(b"RCPT TO:<a@b@example.org>")[0], 501, "bad address: 501")
t.is_(c.cmd(b"RCPT TO:<>")[0], 501, "null recipient: 501")
t.is_(c.cmd(b"RSET")[0], 250, "RSET: 250")
t.is_(c.cmd(b"MAIL FROM:<a@example.org> FOO=BAR")[0], 555,
      "unknown MAIL parameter: 555")
t.is_(c.cmd(b"XYZZY")[0], 500, "unknown command: 500")
c.close()
c = Client(2525)
c.cmd(b"HELO client.example")
t.is_(c.cmd(b"RSET now")[0], 501, "RSET with an argument: 501")
t.is_(c.cmd(b"HELP")[0], 214, "HELP: 214")
t.is_(c.cmd(b"VRFY root")[0], 252, "VRFY: 252")
t.is_(c.cmd(b"EXPN staff")[0], 502, "EXPN: 502")
t.is_(c.cmd(b"ETRN example.org")[0], 502, "ETRN: 502 not implemented")
code, text = c.cmd(b"QUIT")
t.is_(code, 221, "QUIT: 221")
t.ok(c.closed(), "closed after QUIT")

# --- errors before disconnect (B: -e 5) ---
c = Client(2526)
got = [c.cmd(b"BOGUS%d" % i)[0] for i in range(4)]
t.is_(got, [500] * 4, "four bad commands: 500 each")
c.send(b"BOGUS5\r\n")
got = codes(c, 2)
t.is_(got, [500, 421], "the fifth: 500 then 421")
t.ok(c.closed(), "connection closed after too many errors")

# --- early talker (B: banner after 400 ms) ---
c = Client(2526, banner=False)
c.send(b"EHLO impatient.example\r\n")
code, text = c.reply()
t.is_(code, 554, "early talker: 554 instead of the banner")
t.like(text, r"talked before the banner", "early talker: says why")
t.ok(c.closed(), "early talker: connection closed")
start = time.time()
c = Client(2526)
t.ok(time.time() - start >= 0.35, "banner delayed by -b 400 (%.2fs)" %
     (time.time() - start))
t.is_(c.banner[0], 220, "patient client gets 220")
t.is_(c.cmd(b"EHLO patient.example")[0], 250, "and is served")
# --- idle timeout (B: 1.5 s) ---
start = time.time()
code, text = c.reply()
t.is_(code, 421, "idle timeout: 421")
t.like(text, r"4\.4\.2", "idle timeout: 4.4.2")
t.ok(1.0 <= time.time() - start <= 4.0, "after about 1.5 s (%.2fs)" %
     (time.time() - start))
t.ok(c.closed(), "closed after the timeout")

# --- pipelining with asynchronous hooks (C: 100 ms each) ---
c = Client(2527)
start = time.time()
c.send(b"EHLO pipe.example\r\nMAIL FROM:<a@example.org>\r\n"
       b"RCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n")
got = []
for i in range(5):
    code, text = c.reply()
    got.append(text.splitlines()[-1][:9])
el = time.time() - start
t.is_(got, ["250 HELP", "250 2.1.0", "250 2.1.5", "250 2.1.5", "354 Go ah"],
      "async replies in command order")
t.ok(el >= 0.45, "each hook answered in turn (%.2fs for 5 x 100 ms)" % el)
c.send(b"Subject: pipe\r\n\r\nbody\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n")
got = codes(c, 4)
t.is_(got, [250, 250, 250, 221], "end of data, RSET, NOOP, QUIT in order")
t.is_(len(spooled(spool2)), 1, "pipelined message stored")

# --- STARTTLS: injection discarded, state reset ---
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
c = Client(2525)
t.is_(c.cmd(b"AUTH PLAIN AGpvZQBzM2NyZXQ=")[0], 530,
      "AUTH in clear (not allowed on this listener): 530")
code, text = c.cmd(b"EHLO client.example")
t.ok("AUTH" not in text, "AUTH not advertised in clear")
c.send(b"STARTTLS\r\nMAIL FROM:<inject@example.org>\r\nNOOP\r\n")
code, text = c.reply()
t.is_(code, 220, "STARTTLS: 220")
t.is_(c.buf, b"", "no plaintext reply to the injected commands")
tls = ctx.wrap_socket(c.s, server_hostname="mx.test")
c.s = tls
t.ok(tls.version() is not None, "TLS handshake done (%s)" % tls.version())
code, text = c.cmd(b"MAIL FROM:<a@example.org>")
t.is_(code, 503, "after TLS the session is reset: MAIL needs EHLO again")
t.is_(c.cmd(b"AUTH PLAIN AGpvZQBzM2NyZXQ=")[0], 503,
      "AUTH before EHLO: 503")
code, text = c.cmd(b"EHLO client.example")
t.ok(code == 250 and "STARTTLS" not in text, "EHLO under TLS: no STARTTLS")
t.like(text, r"250-AUTH PLAIN LOGIN", "AUTH advertised under TLS")
t.is_(c.cmd(b"NOOP")[0], 250, "NOOP under TLS")
t.is_(c.pending(), b"", "nothing answered for the injected commands")
t.is_(c.cmd(b"STARTTLS")[0], 503, "STARTTLS twice: 503")
# AUTH rules and exchanges, under TLS
code, text = c.cmd(b"AUTH FOO")
t.is_(code, 504, "unknown AUTH mechanism: 504")
t.is_(c.cmd(b"AUTH LOGIN"), (334, "334 VXNlcm5hbWU6\r\n"),
      "AUTH LOGIN asks for the user name")
t.is_(c.cmd(b"*")[0], 501, "* cancels the exchange: 501")
t.is_(c.cmd(b"AUTH PLAIN"), (334, "334 \r\n"), "AUTH PLAIN: empty 334")
t.is_(c.cmd(b"AGpvZQB3cm9uZw==")[0], 535, "wrong password: 535")
t.is_(c.cmd(b"AUTH PLAIN not-base64!")[0], 501, "bad base64: 501")
t.is_(c.cmd(b"AUTH LOGIN am9l"), (334, "334 UGFzc3dvcmQ6\r\n"),
      "AUTH LOGIN with the user as initial response asks the password")
code, text = c.cmd(b"czNjcmV0")
t.is_(code, 235, "AUTH LOGIN: 235")
t.is_(c.cmd(b"AUTH PLAIN AGpvZQBzM2NyZXQ=")[0], 503, "AUTH twice: 503")
c.send(b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
t.is_(codes(c, 3), [250, 250, 354], "transaction under TLS")
c.send(b"Subject: tls\r\n\r\nsecret\r\n.\r\n")
t.is_(c.reply()[0], 250, "message under TLS accepted")
c.send(b"MAIL FROM:<a@example.org>\r\nAUTH PLAIN AGpvZQBzM2NyZXQ=\r\n")
t.is_(codes(c, 2), [250, 503], "AUTH inside a transaction: 503")
c.close()

# --- tarpit (D: 40 ms per octet): the banner trickles in ---
start = time.time()
s = socket.create_connection(("127.0.0.1", 2528), timeout=5)
first = s.recv(100)
t.is_(first, b"2", "tarpit: the first read gets a single octet")
got = first
while not got.endswith(b"\r\n"):
    d = s.recv(100)
    if not d:
        break
    got += d
el = time.time() - start
t.is_(got, b"220 mx.test ESMTP\r\n", "tarpit: the whole banner, paced")
t.ok(el >= 18 * 0.04 * 0.8, "tarpit: 19 octets took %.2fs" % el)
s.sendall(b"QUIT\r\n")
start = time.time()
got = b""
while True:
    d = s.recv(100)
    if not d:
        break
    got += d
t.is_(got, b"221 2.0.0 Bye\r\n", "tarpit: QUIT answered, paced, then closed")
s.close()

# --- paced with a delay first (F: 250 ms, -X) ---
start = time.time()
s = socket.create_connection(("127.0.0.1", 2530), timeout=5)
first = s.recv(100)
el = time.time() - start
t.is_(first, b"2", "delayed tarpit: one octet")
t.ok(0.2 <= el <= 0.6, "the first octet waited one interval (%.2fs)" % el)
t0 = time.time()
second = s.recv(100)
el2 = time.time() - t0
t.ok(second == b"2" and 0.15 <= el2 <= 0.6,
     "then one octet per interval (%r after %.2fs)" % (second, el2))
s.close()

# --- G: verbatim HELO, quiet error limit, DATA ended early ---
c = Client(2531)
ONLY = (250, "250-mx.test\r\n250 X-ONLY-THIS\r\n")
t.is_(c.cmd(b"EHLO client.example"), ONLY,
      "SMTP_F_HELO_VERBATIM: EHLO gets the hook's reply, nothing else")
t.is_(c.cmd(b"HELO client.example"), ONLY, "and HELO too")
c.send(b"XYZZY\r\nXYZZY\r\nXYZZY\r\nNOOP\r\n")
t.is_(codes(c, 3), [500, 500, 500], "three unknown commands")
t.is_(c.pending(1), b"<EOF>", "SMTP_F_ERRORS_QUIET: closed, no 421")
c.close()
c = Client(2531)
c.cmd(b"HELO client.example")
c.cmd(b"MAIL FROM:<a@example.org>")
c.cmd(b"RCPT TO:<b@example.org>")
t.is_(c.cmd(b"DATA")[0], 354, "DATA")
c.send(b"one\r\ntwo\r\n")
t.is_(c.pending(0.5), b"", "two lines: nothing yet")
c.send(b"three\r\nfour\r\n")
t.is_(c.reply(), (554, "554 5.7.1 Enough\r\n"),
      "smtp_data_reply: the reply after the 3rd line, no '.' needed")
t.ok(c.closed(), "then closed")
c.close()

# --- 554 at connect (E): only QUIT is served ---
c = Client(2529)
t.is_(c.banner, (554, "554 5.7.1 Go away\r\n"), "554 instead of a banner")
t.is_(c.cmd(b"EHLO client.example")[0], 503, "after 554: EHLO is 503")
t.is_(c.cmd(b"MAIL FROM:<a@example.org>")[0], 503, "after 554: MAIL is 503")
t.is_(c.cmd(b"QUIT")[0], 221, "after 554: QUIT is 221")
t.ok(c.closed(), "and the connection closes")

# --- a client that shuts down its side still gets its replies ---
got = mxmail.half_close(2525, b"EHLO half.example\r\nNOOP\r\n", 5)
t.like(got.decode("latin-1"), r"(?s)^220 .*250 HELP\r\n250 2\.0\.0 Ok\r\n$",
       "half-closed client gets every reply, then the server closes")

log = t.log("A")
t.like(log, r"event=tls address=127\.0\.0\.1 version=TLSv1\.[23]",
       "TLS logged")
t.like(log, r"event=message address=127\.0\.0\.1 from=<a@example.org> "
       r"nrcpt=1 size=\d+ result=\"550 5\.6\.0",
       "rejected message logged with size and nrcpt")
t.like(log, r"event=auth address=127\.0\.0\.1 user=joe result=fail",
       "failed AUTH logged")
t.like(log, r"event=auth address=127\.0\.0\.1 user=joe result=ok",
       "successful AUTH logged")
t.ok(not any(x in log for x in ("s3cret", "czNjcmV0", "AGpvZQBzM2NyZXQ",
                                "AGpvZQB3cm9uZw", "wrong")),
     "no password, plain or base64, in the (verbose) log")

# the servers exit cleanly on SIGTERM: sanitizer builds report here
for p in t.procs:
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
for name, p in zip("ABCDEFG", t.procs):
    lg = t.log(name)
    t.ok(p.returncode == 0 and "Sanitizer" not in lg and
         "smtpd-test exiting" in lg,
         "server %s exits cleanly on SIGTERM (rc %s)" % (name, p.returncode))
    if "Sanitizer" in lg:
        t.diag(lg[lg.find("Sanitizer") - 200:][:3000])
t.done()
