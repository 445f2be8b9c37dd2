#!/usr/bin/python3
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
# tests/integration/dkimsignd-daemon.t: dkimsignd's daemon life and the
# configuration's less common paths, end to end: it detaches, writes its
# pidfile, logs to log_file, becomes the configured user (as root),
# listens on IPv6; the command line alone (positional LISTEN RELAY, no
# file); sender_map and listid_map choosing d= and s=, with macros;
# errors as file:line and exit 1; SIGTERM through the pidfile.

import base64
import os
import pwd
import re
import signal
import smtplib
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.environ["MX_TOP"], "tests/lib"))
import mxtap  # noqa: E402
import dkim  # noqa: E402

t = mxtap.Tap()
B = mxtap.BUILD
DKIMSIGND = B + "/dkimsignd/dkimsignd"
T = t.tmp
os.chmod(T, 0o755)
OUT = os.path.join(T, "out")
os.mkdir(OUT)


def run(argv, **kw):
    return subprocess.run(argv, capture_output=True, timeout=60, **kw)


def genkey(name):
    path = os.path.join(T, name + ".pem")
    run(["openssl", "genrsa", "-out", path, "2048"])
    os.chmod(path, 0o644)
    der = run(["openssl", "pkey", "-in", path, "-pubout", "-outform",
               "DER"]).stdout
    return path, "v=DKIM1; k=rsa; p=" + base64.b64encode(der).decode()


KEYS = {}
DEF, KEYS["default._domainkey.example.com"] = genkey("default")
ORG, rec = genkey("org")
KEYS["org._domainkey.example.org"] = rec
KEYS["org._domainkey.sub.example.org"] = rec
LST, KEYS["list._domainkey.lists.example.net"] = genkey("list")


def dns(name, timeout=5):
    v = KEYS.get(name.decode().rstrip("."))
    return v.encode() if v else None


def sigs(msg):
    head = msg.split(b"\r\n\r\n", 1)[0]
    out = []
    for f in re.split(rb"\r\n(?![ \t])", head):
        if f.lower().startswith(b"dkim-signature:"):
            tags = dict((k.strip().decode(), re.sub(rb"\s+", b"",
                         v).decode()) for k, v in
                        (x.split(b"=", 1) for x in
                         f.split(b":", 1)[1].split(b";") if b"=" in x))
            out.append(tags)
    return out


def newest():
    files = sorted((f for f in os.listdir(OUT) if not f.endswith(".env")),
                   key=lambda f: int(f.split(".")[1]))
    return open(os.path.join(OUT, files[-1]), "rb").read() if files else b""


def send(msg, host="127.0.0.1", port=10027):
    s = smtplib.SMTP(host, port, timeout=60)
    try:
        s.ehlo("client.example")
        s.mail("x@example.com")
        s.rcpt("bob@example.org")
        return s.data(msg)[0]
    finally:
        s.quit()


def signed_by(msg):
    """[(d, s, verified)] of the message's signatures."""
    d = dkim.DKIM(msg)
    return [(g.get("d"), g.get("s"), d.verify(idx=i, dnsfunc=dns))
            for i, g in enumerate(sigs(msg))]


sink = t.spawn([B + "/tests/bin/smtpd-test", "-d", "-p", "10028", "-o",
                OUT], log="sink")
if not t.wait_port(10028):
    t.bail("sink did not start")

# 1. errors: file:line, every one, exit 1
bad = os.path.join(T, "bad.conf")
with open(bad, "w") as f:
    f.write("listen 127.0.0.1:10027\nrelay 127.0.0.1:10028\n"
            "domain example.com\nkeyfile %s\nselector default\n"
            "method wobbly\nsignature dkim(a=rsa-md5)\n" % DEF)
r = run([DKIMSIGND, "-n", "-f", bad])
err = r.stderr.decode()
t.is_(r.returncode, 1, "bad configuration: exit 1")
t.like(err, re.escape(bad) + r":6: method: invalid method wobbly",
       "bad configuration: file:line of the method")
t.like(err, re.escape(bad) + r":7: signature dkim\(a=rsa-md5\): unknown "
       r"algorithm rsa-md5", "bad configuration: and of the signature")
r = run([DKIMSIGND, "-n", "-f", os.path.join(T, "missing.conf")])
t.like(r.stderr.decode(), r"missing\.conf: No such file",
       "missing file: said so")
t.is_(r.returncode, 1, "missing file: exit 1")
wrongkey = os.path.join(T, "wrongalg.conf")
with open(wrongkey, "w") as f:
    f.write("listen 127.0.0.1:1\nrelay r:2\ndomain example.com\n"
            "selector s\nsignature dkim(a=ed25519-sha256,key=%s)\n" % DEF)
r = run([DKIMSIGND, "-n", "-f", wrongkey])
t.like(r.stderr.decode(), r"a=ed25519-sha256 but \S+ is not an Ed25519 key",
       "a=ed25519-sha256 with an RSA key: refused")

# 2. the command line alone, positional LISTEN RELAY, IPv6
p = t.spawn([DKIMSIGND, "-d", "--keyfile=" + DEF, "--selector", "default",
             "--domain=example.com", "[::1]:10029", "127.0.0.1:10028"],
            log="cli")
if not t.wait_port(10029, host="::1"):
    t.diag(t.log("cli"))
code = send(b"From: a@example.com\r\nSubject: cli\r\n\r\nx\r\n", host="::1",
            port=10029)
t.is_(code, 250, "command line only, over IPv6: 250")
t.is_(signed_by(newest()), [("example.com", "default", True)],
      "command line only: signed and verified")
p.terminate()
p.wait(10)

# 3. maps, daemon life: detach, pidfile, log_file, user, relative names
SMAP = os.path.join(T, "sender_map")
with open(SMAP, "w") as f:
    f.write("# senders\n"
            "example.org   dkim(s=org,key=%s,c=relaxed/relaxed)\n"
            "boss@example.com  dkim(s=default), dkim(s=org,key=%s,"
            "d=example.org,i=boss@example.org)\n" % (ORG, ORG))
LMAP = os.path.join(T, "listid_map")
with open(LMAP, "w") as f:
    f.write("lists.example.net  dkim(s=list,key=%s)\n" % LST)
PID = os.path.join(T, "dkimsignd.pid")
LOG = os.path.join(T, "dkimsignd.log")
CONF = os.path.join(T, "d.conf")
root = os.getuid() == 0
with open(CONF, "w") as f:
    f.write("listen 127.0.0.1:10027\nrelay 127.0.0.1:10028\n"
            "domain example.com\nkeyfile %s\nselector default\n"
            "sender_map %s\nlistid_map %s\npidfile %s\nlog_file %s\n"
            "%s" % (DEF, "sender_map", "listid_map", PID, LOG,
                    "user nobody\n" if root else ""))
# relative names (the file, the maps), from where it started: they
# must still work on SIGHUP, after it went to "/"
r = run([DKIMSIGND, "-f", "d.conf"], cwd=T)
t.is_(r.returncode, 0, "detached: the parent exits 0 (%s)" %
      r.stderr.decode().strip())
# the pidfile exists (empty, locked) before the detach writes the pid
end = time.time() + 30
pid = 0
while time.time() < end and pid <= 0:
    try:
        pid = int(open(PID).read().strip() or 0)
    except (OSError, ValueError):
        pid = 0
    if pid <= 0:
        time.sleep(0.1)
t.ok(pid > 0, "pidfile written (%d)" % pid)
if pid <= 0:
    t.bail("no pid: cannot go on (and must not signal pid 0)")
t.wait_port(10027)
end = time.time() + 10
while time.time() < end and "listening on" not in open(LOG).read():
    time.sleep(0.1)
status = open("/proc/%d/status" % pid).read() if pid else ""
if root:
    uid = pwd.getpwnam("nobody").pw_uid
    t.like(status, r"Uid:\s+%d\s+%d\s+%d" % (uid, uid, uid),
           "runs as nobody")
else:
    t.like(open(LOG).read(), "not root: user and group not changed",
           "not root: no user change, said so")
t.like(status, r"PPid:\s+1\b|PPid:\s+0\b", "detached from its parent")
t.like(open(LOG).read(), r"listening on 127\.0\.0\.1:10027, relaying to "
       r"127\.0\.0\.1:10028, 3 keys", "log_file: the start line")

send(b"From: Someone <someone@mail.example.org>\r\nSubject: m\r\n\r\nx\r\n")
t.is_(signed_by(newest()), [("example.org", "org", True)],
      "sender_map: parent domain key, its own key and selector")
send(b"From: boss+news@example.com\r\nSubject: m\r\n\r\nx\r\n")
got = signed_by(newest())
t.is_(got, [("example.com", "default", True), ("example.org", "org", True)],
      "sender_map: +extension, two signatures, d= override")
t.is_(sigs(newest())[1].get("i"), "boss@example.org", "sender_map: i=")
send(b"From: boss@example.com\r\nList-Id: News <news.lists.example.net>\r\n"
     b"Subject: m\r\n\r\nx\r\n")
t.is_(signed_by(newest()), [("lists.example.net", "list", True)],
      "listid_map first: the list's key")
send(b"From: other@example.net\r\nSubject: m\r\n\r\nx\r\n")
t.is_(signed_by(newest()), [],
      "no map line and no signature line: unsigned (as dkimproxy)")

# SIGHUP reads the maps again (as the user: the files are readable)
with open(SMAP, "a") as f:
    f.write("example.net  dkim(s=org,key=%s,d=example.org)\n" % ORG)
os.kill(pid, signal.SIGHUP)
end = time.time() + 10
while time.time() < end and "reloaded" not in open(LOG).read():
    time.sleep(0.1)
send(b"From: other@example.net\r\nSubject: m\r\n\r\nx\r\n")
t.is_(signed_by(newest()), [("example.org", "org", True)],
      "SIGHUP: the new map line is used (relative names)")

os.kill(pid, signal.SIGTERM)
end = time.time() + 10
while time.time() < end and os.path.exists("/proc/%d" % pid):
    time.sleep(0.1)
t.ok(not os.path.exists("/proc/%d" % pid), "SIGTERM: gone")
t.like(open(LOG).read(), r"exiting signed=4 skipped=1 failed=0",
       "SIGTERM: counters in log_file")
# the pidfile in root's directory: as nobody it cannot be removed; it is
# emptied instead, and no error is logged
t.ok("Permission denied" not in open(LOG).read() and
     "pidfile" not in open(LOG).read(), "SIGTERM: no pidfile error logged")
if root:
    t.is_(open(PID).read() if os.path.exists(PID) else None, "",
          "SIGTERM: the pidfile in root's directory left empty")
else:
    t.ok(not os.path.exists(PID), "SIGTERM: the pidfile removed")
t.done()
