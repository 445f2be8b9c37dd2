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
# tests/integration/proxy.t: client (smtplib, raw sockets) -> proxy-test
# (common/proxy) -> smtpd-test -o DIR (common/smtp), plus scripted next
# hops for what a real server will not do on demand (offer CHUNKING, die
# in the middle of a message, never answer the end of data).

import hashlib
import os
import smtplib
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxmail  # noqa: E402
import mxtap  # noqa: E402

t = mxtap.Tap()
B = mxtap.BUILD + "/tests/bin"
OUT = mxmail.outdir(t)

MSG = (b"From: a@example.org\r\nTo: b@example.org\r\nSubject: proxy\r\n"
       b"\r\n.leading dot\r\n.\r\n..two\r\nbody line\r\n")


def smtpd(port, *args, out=OUT):
    p = t.spawn([B + "/smtpd-test", "-d", "-p", str(port), "-o", out,
                 "-z", "100000000"] + list(args), log="smtpd-%d" % port)
    if not t.wait_port(port):
        t.bail("smtpd-test on %d did not start" % port)
    return p


def proxy(port, nexthop, *args):
    p = t.spawn([B + "/proxy-test", "-v", "-l", "127.0.0.1:%d" % port,
                 "-n", nexthop] + list(args), log="proxy-%d" % port)
    if not t.wait_port(port):
        t.bail("proxy-test on %d did not start" % port)
    return p


def stored(out=OUT):
    return mxmail.stored(out)


def clear(out=OUT):
    for f in os.listdir(out):
        os.unlink(os.path.join(out, f))


def send(port, msg=MSG, rcpts=("b@example.org",), timeout=30):
    """Send one message; return (code, text) of the end of data."""
    return mxmail.send(port, msg, "a@example.org", rcpts, timeout)


class FakeHop(threading.Thread):
    """A scripted next hop: EHLO lines, then what to do at DATA."""

    def __init__(self, port, ehlo, at_data, slow_mail=False):
        super().__init__(daemon=True)
        self.slow_mail = slow_mail
        self.port = port
        self.ehlo = ehlo
        self.at_data = at_data      # "close" or "silent"
        self.got = b""
        self.sock = mxmail.listener(port)
        self.start()

    def run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.session, args=(c,),
                             daemon=True).start()

    def session(self, c):
        f = c.makefile("rwb")
        try:
            f.write(b"220 fake ESMTP\r\n")
            f.flush()
            for line in f:
                self.got += line
                cmd = line[:4].upper()
                if cmd in (b"EHLO", b"LHLO"):
                    lines = [b"fake"] + self.ehlo
                    for i, e in enumerate(lines):
                        sep = b" " if i == len(lines) - 1 else b"-"
                        f.write(b"250" + sep + e + b"\r\n")
                elif cmd == b"DATA":
                    f.write(b"354 go\r\n")
                    f.flush()
                    n = 0
                    for d in f:
                        self.got += d
                        n += len(d)
                        if self.at_data == "close" and n > 100000:
                            c.shutdown(socket.SHUT_RDWR)
                            c.close()
                            return
                        if d == b".\r\n":
                            break
                    time.sleep(60)   # silent: never answer
                    return
                elif cmd == b"MAIL" and self.slow_mail:
                    time.sleep(60)
                    return
                elif cmd == b"QUIT":
                    f.write(b"221 bye\r\n")
                    f.flush()
                    break
                else:
                    f.write(b"250 ok\r\n")
                f.flush()
        except OSError:
            pass
        finally:
            c.close()


# 1. the message arrives transformed, byte for byte
smtpd(2526)
proxy(10025, "127.0.0.1:2526")
code, text = send(10025)
t.is_(code, 250, "relayed: 250 from the next hop")
t.like(text.decode(), "queued", "relayed: the next hop's own text")
files = stored()
t.is_(len(files), 1, "relayed: one message stored")
data = open(os.path.join(OUT, files[0]), "rb").read() if files else b""
t.is_(data, b"X-Proxy-Test: seen\r\n" + MSG, "relayed: header + original")
env = open(os.path.join(OUT, files[0] + ".env")).read() if files else ""
t.is_(env, "from=<a@example.org>\nrcpt=<b@example.org>\n",
      "relayed: envelope as the client gave it")

# 2. several messages, one rejected recipient relayed with its reply
clear()
smtpd(2527, "-R", "bad*")
proxy(10026, "127.0.0.1:2527")
s = smtplib.SMTP("127.0.0.1", 10026, timeout=30)
s.ehlo("client.example")
res = []
for i in range(3):
    s.mail("a@example.org")
    res.append(s.rcpt("good@example.org")[0])
    c, txt = s.rcpt("bad@example.org")
    res.append(c)
    res.append(s.data(MSG)[0])
s.quit()
t.is_(res, [250, 550, 250] * 3, "3 messages over one session, RCPT 550 relayed")
t.is_(len(stored()), 3, "3 messages stored")

# 3. EHLO: no CHUNKING even if the next hop offers it; SIZE the smaller
FakeHop(2530, [b"PIPELINING", b"CHUNKING", b"BINARYMIME", b"SIZE 5000",
               b"8BITMIME"], "silent")
proxy(10030, "127.0.0.1:2530", "--size", "100000")
s = smtplib.SMTP("127.0.0.1", 10030, timeout=30)
s.ehlo("client.example")
t.ok(not s.has_extn("chunking"), "EHLO: no CHUNKING")
t.ok(not s.has_extn("binarymime"), "EHLO: no BINARYMIME")
t.is_(s.esmtp_features.get("size"), "5000", "EHLO: SIZE is the next hop's")
s.quit()
proxy(10031, "127.0.0.1:2526", "--size", "20000")
s = smtplib.SMTP("127.0.0.1", 10031, timeout=30)
s.ehlo("client.example")
t.is_(s.esmtp_features.get("size"), "20000", "EHLO: SIZE is ours when smaller")
s.quit()

# 4. next hop down: 421 at the greeting
proxy(10032, "127.0.0.1:2599")
try:
    smtplib.SMTP("127.0.0.1", 10032, timeout=30)
    t.ok(False, "next hop down: 421 greeting")
    t.ok(False, "next hop down: reply text")
except smtplib.SMTPConnectError as e:
    t.is_(e.smtp_code, 421, "next hop down: 421 greeting")
    t.like(e.smtp_error.decode(), "next hop unavailable",
           "next hop down: reply text")

# 5. next hop dies in the middle of the message: 4xx, nothing claimed
hop = FakeHop(2531, [b"PIPELINING"], "close")
proxy(10033, "127.0.0.1:2531", "--mem", "50000")
big = b"Subject: big\r\n\r\n" + b"x" * 76 + b"\r\n"
big = big * 20000
code, text = send(10033, big)
t.ok(400 <= code < 500, "next hop dies mid-message: 4xx (%d %s)" %
     (code, text))
t.ok(b"RCPT TO:<b@example.org>" in hop.got, "the next hop saw the envelope")

# 6. next hop never answers the end of data: 4xx after the timeout
FakeHop(2532, [b"PIPELINING"], "silent")
proxy(10034, "127.0.0.1:2532", "--timeout", "1000")
start = time.time()
code, text = send(10034)
took = time.time() - start
t.ok(400 <= code < 500, "slow next hop: 4xx (%d %s)" % (code, text))
t.ok(took < 10, "slow next hop: answered after the timeout (%.1fs)" % took)

# 7. slow real next hop (every reply 3 s late), proxy timeout 1 s
clear()
smtpd(2533, "-w", "3000")
proxy(10035, "127.0.0.1:2533", "--timeout", "1000")
time.sleep(3.5)         # the greeting is late too: let it pass
try:
    code, text = send(10035)
except smtplib.SMTPConnectError as e:
    code, text = e.smtp_code, e.smtp_error
t.ok(400 <= code < 500, "next hop greets later than the timeout: 4xx (%d %s)" %
     (code, text))
t.is_(stored(), [], "slow next hop: nothing stored")

# 7b. next hop silent at MAIL: the client's MAIL gets 421
FakeHop(2535, [b"PIPELINING"], "silent", slow_mail=True)
proxy(10042, "127.0.0.1:2535", "--timeout", "1000")
s = smtplib.SMTP("127.0.0.1", 10042, timeout=30)
s.ehlo("client.example")
code, text = s.mail("a@example.org")
t.is_(code, 421, "next hop silent at MAIL: 421 (%s)" % text)
s.close()

# 7c. a real next hop killed while the proxy relays the message
kout = os.path.join(t.tmp, "killed")
os.mkdir(kout)
victim = smtpd(2536, "-w", "1500", out=kout)
proxy(10043, "127.0.0.1:2536")
result = []
th = threading.Thread(target=lambda: result.append(send(10043)))
th.start()
end = time.time() + 30
while time.time() < end and "message from=" not in t.log("proxy-10043"):
    time.sleep(0.05)
time.sleep(0.5)
victim.kill()
th.join(60)
code = result[0][0] if result else -1
t.ok(400 <= code < 500, "next hop killed mid-relay: 4xx (%r)" %
     ((result[0] if result else None),))
t.is_(stored(kout), [], "next hop killed: nothing stored")

# 8. the transform fails: relayed unchanged
clear()
proxy(10036, "127.0.0.1:2526", "--fail")
code, text = send(10036)
t.is_(code, 250, "transform fails: relayed")
files = stored()
data = open(os.path.join(OUT, files[0]), "rb").read() if files else b""
t.is_(data, MSG, "transform fails: message unchanged")

# 9. the transform rejects: the client gets its reply, nothing relayed
clear()
proxy(10037, "127.0.0.1:2526", "--reject", "550 5.7.1 Rejected by filter")
code, text = send(10037)
t.is_((code, text), (550, b"5.7.1 Rejected by filter"),
      "transform rejects: its reply")
t.is_(stored(), [], "transform rejects: nothing stored")
s = smtplib.SMTP("127.0.0.1", 10037, timeout=30)
s.ehlo("x")
t.is_(s.mail("a@example.org")[0], 250, "after a reject: next MAIL works")
s.quit()

# 10. asynchronous transform, and a new body
clear()
proxy(10038, "127.0.0.1:2526", "--delay", "300", "--replace")
code, text = send(10038)
t.is_(code, 250, "delayed transform: relayed")
files = stored()
data = open(os.path.join(OUT, files[0]), "rb").read() if files else b""
t.is_(data, b"X-Proxy-Test: seen\r\n" + MSG.replace(b"a", b"b"),
      "delayed transform: replaced body")

# 11. 20 MB message, spooled to a file
clear()
proxy(10039, "127.0.0.1:2526", "--mem", "1000000")
line = b"".join(b"%07d abcdefghijklmnopqrstuvwxyz.0123456789\r\n" % i
                for i in range(1000))
huge = b"Subject: huge\r\n\r\n" + b"." + line * 420
code, text = send(10039, huge, timeout=120)
t.is_(code, 250, "20 MB message: relayed (%d bytes)" % len(huge))
files = stored()
data = open(os.path.join(OUT, files[0]), "rb").read() if files else b""
t.is_(hashlib.sha256(data).hexdigest(),
      hashlib.sha256(b"X-Proxy-Test: seen\r\n" + huge).hexdigest(),
      "20 MB message: byte for byte")
t.ok(t.wait_log("proxy-10039", "spooled"), "20 MB message: spooled to disk")

# 12. LMTP next hop: per-recipient answers, SMTP client gets the failure
lout = os.path.join(t.tmp, "lmtp")
os.mkdir(lout)
smtpd(2534, "-L", "-F", "fail*", out=lout)
proxy(10040, "127.0.0.1:2534", "--next-lmtp")
code, text = send(10040, rcpts=("ok@example.org",))
t.is_(code, 250, "LMTP next hop: delivered")
code, text = send(10040, rcpts=("ok@example.org", "fail@example.org"))
t.is_(code, 550, "LMTP next hop: a failed recipient is the answer")
proxy(10041, "127.0.0.1:2534", "--next-lmtp", "--lmtp")
c = socket.create_connection(("127.0.0.1", 10041), timeout=30)
f = c.makefile("rwb")
f.readline()
f.write(b"LHLO x\r\nMAIL FROM:<a@example.org>\r\n"
        b"RCPT TO:<ok@example.org>\r\nRCPT TO:<fail@example.org>\r\n"
        b"DATA\r\n")
f.flush()
replies = []
while len(replies) < 5:
    ln = f.readline()
    if not ln:
        break
    if ln[3:4] != b"-":
        replies.append(ln[:3])
f.write(MSG + b".\r\nQUIT\r\n")
f.flush()
final = [f.readline()[:3], f.readline()[:3]]
c.close()
t.is_(replies, [b"250", b"250", b"250", b"250", b"354"], "LMTP: envelope")
t.is_(final, [b"250", b"550"], "LMTP both sides: one reply per recipient")

# 13. LMTP client, next hop dies in the message: 4xx per recipient
proxy(10044, "127.0.0.1:2531", "--lmtp", "--mem", "50000")
c = socket.create_connection(("127.0.0.1", 10044), timeout=30)
f = c.makefile("rwb")
f.readline()
f.write(b"LHLO x\r\nMAIL FROM:<a@example.org>\r\n"
        b"RCPT TO:<r1@example.org>\r\nRCPT TO:<r2@example.org>\r\n"
        b"DATA\r\n")
f.flush()
n = 0
while n < 5:
    ln = f.readline()
    if not ln:
        break
    if ln[3:4] != b"-":
        n += 1
f.write(big + b".\r\n")
f.flush()
final = [f.readline()[:3], f.readline()[:3]]
f.write(b"MAIL FROM:<a@example.org>\r\n")
f.flush()
after = f.readline()[:3]
c.close()
t.is_(final, [b"451", b"451"], "LMTP, next hop dies: 451 per recipient")
t.is_(after, b"421", "LMTP, next hop gone: next MAIL 421")

# every program ends cleanly (under SANITIZE=1: no leak, no error)
for p in t.procs:
    p.terminate()
for p in t.procs:
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
bad = [f for f in os.listdir(t.tmp) if f.endswith(".log")
       and "Sanitizer" in t.log(f[:-4])]
t.is_(bad, [], "no sanitizer report from any program")

t.done()
