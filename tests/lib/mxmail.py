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
"""SMTP helpers shared by the Python tests (tests/lib/mxmail.py).

    import mxmail
    code, text = mxmail.send(10025, msg)     # (code, bytes) of end of data
    mxmail.stored(OUT); mxmail.newest(OUT)   # what smtpd-test -o stored
    mxmail.DyingHop(10026)                   # a next hop that dies at DATA
    c = mxmail.SmtpConn(sock)                # raw replies, byte for byte

For the OpenSMTPD interop tests: opensmtpd_netns() first (root, private
network and mount namespaces), then opensmtpd_setup(t).
"""

import os
import smtplib
import socket
import subprocess
import sys
import threading
import time

import mxtap

GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
SMTPD = "/usr/sbin/smtpd"
FILTERD = mxtap.BUILD + "/filterd/filterd"
SMTPD_TEST = mxtap.BUILD + "/tests/bin/smtpd-test"


def run(argv, **kw):
    """subprocess.run with the output captured and a 120 s bound."""
    return subprocess.run(argv, capture_output=True, timeout=120, **kw)


def stored(out):
    """The messages smtpd-test -o stored in out, oldest first."""
    return sorted((f for f in os.listdir(out) if f.startswith("msg.") and
                   not f.endswith(".env")),
                  key=lambda f: int(f.split(".")[1]))


def newest(out):
    """Path of the message stored last in out, or None."""
    files = stored(out)
    return os.path.join(out, files[-1]) if files else None


def newest_bytes(out):
    """The message stored last in out (b"" if none)."""
    path = newest(out)
    if path is None:
        return b""
    with open(path, "rb") as f:
        return f.read()


def wait_msg(out, n, timeout=30):
    """Path of out/msg.n once its envelope is written, or None."""
    path = os.path.join(out, "msg.%d" % n)
    end = time.time() + timeout
    while time.time() < end and not os.path.exists(path + ".env"):
        time.sleep(0.2)
    return path if os.path.exists(path + ".env") else None


def send(port, msg, frm="alice@example.com", rcpts=("bob@example.org",),
         timeout=60, helo="client.example"):
    """Send one message to 127.0.0.1:port: (code, text) of the end of
    data, or of whatever failed first (the greeting, MAIL, DATA); code 0
    if the server closed the connection."""
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=timeout)
    except smtplib.SMTPConnectError as e:
        return e.smtp_code, e.smtp_error
    try:
        s.ehlo(helo)
        code, text = s.mail(frm)
        if code != 250:
            return code, text
        for r in rcpts:
            s.rcpt(r)
        return s.data(msg)
    except smtplib.SMTPDataError as e:
        return e.smtp_code, e.smtp_error
    except smtplib.SMTPServerDisconnected as e:
        return 0, str(e).encode()
    finally:
        try:
            s.quit()
        except Exception:
            pass


def listener(port):
    """A TCP socket listening on 127.0.0.1:port."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(5)
    return sock


class DyingHop(threading.Thread):
    """A next hop on 127.0.0.1:port that takes one message and closes
    the connection at its end of data, without a reply."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.sock = listener(port)
        self.start()

    def run(self):
        c, _ = self.sock.accept()
        f = c.makefile("rwb")
        f.write(b"220 dying ESMTP\r\n")
        f.flush()
        for line in f:
            cmd = line[:4].upper()
            if cmd == b"EHLO":
                f.write(b"250-dying\r\n250 PIPELINING\r\n")
            elif cmd == b"DATA":
                f.write(b"354 go\r\n")
                f.flush()
                for d in f:
                    if d == b".\r\n":
                        break
                c.shutdown(socket.SHUT_RDWR)
                c.close()
                return
            else:
                f.write(b"250 ok\r\n")
            f.flush()


class SmtpConn:
    """A raw SMTP client on a connected socket that shows exactly what
    the server sent: reply() is (code, text of all its lines)."""

    def __init__(self, sock, timeout=5):
        self.s = sock
        self.timeout = timeout
        self.s.settimeout(timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def line(self):
        while b"\n" not in self.buf:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        return line + b"\n"

    def reply(self):
        """One complete reply: (code, text of all lines)."""
        text = b""
        while True:
            line = self.line()
            text += line
            if line[3:4] != b"-":
                code = int(line[:3]) if line[:3].isdigit() else 0
                return code, text.decode("latin-1")

    def cmd(self, line):
        """Send one command line (str or bytes) and read the reply."""
        if isinstance(line, str):
            line = line.encode()
        self.send(line + b"\r\n")
        return self.reply()

    def timed(self, n):
        """Read n bytes one at a time: [(time, byte)]."""
        out = []
        while len(out) < n:
            b = self.s.recv(1)
            if not b:
                break
            out.append((time.time(), b))
        return out

    def pending(self, wait=0.3):
        """What is left unread after wait seconds (b"" if nothing,
        ending in b"<EOF>" if the server closed)."""
        self.s.settimeout(wait)
        try:
            d = self.s.recv(65536)
            if d == b"":
                d = b"<EOF>"
        except socket.timeout:
            d = b""
        except OSError:
            d = b"<EOF>"
        self.s.settimeout(self.timeout)
        return self.buf + d

    def closed(self, wait=3):
        """True if the server closes the connection within wait s."""
        self.s.settimeout(wait)
        try:
            while True:
                if not self.s.recv(65536):
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True

    def close(self):
        self.s.close()


def opensmtpd_netns():
    """Re-exec this script as root in private network and mount
    namespaces (OpenSMTPD must start as root and its queue is compiled
    in); without root: SKIP, or fail under CI."""
    if os.environ.get("MX_IN_NETNS") == "1":
        return
    if os.getuid() != 0:
        if os.environ.get("CI"):
            print("1..1\nnot ok 1 - cannot run under CI: OpenSMTPD must "
                  "start as root")
            sys.exit(1)
        print("1..0 # SKIP OpenSMTPD must start as root")
        sys.exit(0)
    os.execvpe("unshare", ["unshare", "-n", "-m", "--propagation",
               "private", "--", sys.executable] + sys.argv,
               dict(os.environ, MX_IN_NETNS="1"))


def opensmtpd_setup(t):
    """OpenSMTPD installed, a tmpfs on /var/spool for its queue."""
    if not os.access(SMTPD, os.X_OK):
        t.bail("OpenSMTPD not installed: ./configure --install-deps")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=755", "mxspool",
                       "/var/spool"]).returncode != 0:
        t.bail("cannot mount a tmpfs on /var/spool")


def opensmtpd_conf(t, path, text):
    """Write smtpd.conf; one test: OpenSMTPD -n accepts it."""
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o644)
    r = run([SMTPD, "-n", "-f", path])
    t.is_(r.returncode, 0, "OpenSMTPD accepts its configuration (%s)" %
          r.stderr.decode().strip().replace("\n", " "))


def opensmtpd_start(t, conf, ports):
    """Start OpenSMTPD in the foreground; wait for each of its ports."""
    p = t.spawn([SMTPD, "-d", "-f", conf], log="smtpd")
    for port in ports:
        t.wait_port(port) or t.bail("OpenSMTPD did not listen on %d: %s" %
                                    (port, t.log("smtpd")))
    return p


def swaks_submit(subject, body, port=2525):
    """swaks alice@example.com -> bob@example.org on 127.0.0.1:port."""
    return run(["swaks", "-s", "127.0.0.1", "-p", str(port), "-f",
                "alice@example.com", "-t", "bob@example.org",
                "--h-Subject", subject, "--body", body])


def tap_outdir():
    """A new mxtap.Tap and its directory t.tmp/out: (t, out)."""
    t = mxtap.Tap()
    return t, outdir(t)


def outdir(t, name="out"):
    """A new directory t.tmp/name for smtpd-test -o."""
    path = os.path.join(t.tmp, name)
    os.mkdir(path)
    return path


def greyd_bins(t):
    """(greyd, greydb) of the build; bail out if either is not built."""
    bins = tuple(os.path.join(mxtap.BUILD, "greyd", n)
                 for n in ("greyd", "greydb"))
    for b in bins:
        if not os.access(b, os.X_OK):
            t.bail("%s not built" % b)
    return bins


def greyd_dirs(t):
    """t.tmp/fw, db (mode 0777: greyd drops to nobody) and jail, with
    t.tmp walkable by nobody: {"fw": path, "db": path, "jail": path}."""
    os.chmod(t.tmp, 0o755)
    dirs = {}
    for d in ("fw", "db", "jail"):
        dirs[d] = os.path.join(t.tmp, d)
        os.mkdir(dirs[d])
    os.chmod(dirs["db"], 0o777)
    return dirs


def selfsigned(t, cn="mx.test"):
    """A self-signed EC certificate and its key in t.tmp: (cert, key)."""
    cert = os.path.join(t.tmp, "cert.pem")
    key = os.path.join(t.tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=" + cn],
                   check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return cert, key


def half_close(port, data, timeout=60):
    """Send data to 127.0.0.1:port, shut our side down, and return all
    the server sent until it closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    s.close()
    return out


def submit_delivered(t, out, subject, body, what, route, daemon,
                     timeout=30):
    """swaks to OpenSMTPD (swaks_submit), which must accept (one test)
    and deliver to out as its first message (one test, route the path
    it took); bail out, with the logs of smtpd and daemon, if it does
    not.  The path of the message."""
    r = swaks_submit(subject, body)
    t.like(r.stdout.decode(), r"<-  250 2\.0\.0 \w+ Message accepted",
           "swaks: OpenSMTPD accepts " + what)
    path = wait_msg(out, 1, timeout)
    t.ok(path is not None, route + ": delivered")
    if path is None:
        t.diag(t.log("smtpd")[-3000:], t.log(daemon)[-2000:])
        t.bail("nothing delivered")
    return path
