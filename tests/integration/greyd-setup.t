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
# tests/integration/greyd-setup.t: greyd-setup end to end in a private
# network namespace.  Lists come from a file, a command (exec), plain
# http (python3 -m http.server, gzip'd list) and https (a small python
# TLS server with a certificate from a test CA, a redirect and a chunked
# body).  A recorder on 127.0.0.1:8026 (a plain TCP listener: it only
# writes down what arrives) checks the config lines, one connection per
# black list, from a reserved port.  -n prints instead; -b with
# -F file:DIR replaces the "spamd" table in the file back-end.

import gzip
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.environ.get("MX_TOP", "."), "tests/lib"))
import mxtap  # noqa: E402

t = mxtap.Tap()
BIN = os.path.join(mxtap.BUILD, "greyd", "greyd-setup")
tmp = t.tmp
os.chmod(tmp, 0o755)	# http and https are fetched as nobody
www = os.path.join(tmp, "www")
os.mkdir(www)
HTTP_PORT = 8080
HTTPS_PORT = 8443


def write(path, data, mode="w"):
    with open(path, mode) as f:
        f.write(data)


# The lists.
write(os.path.join(tmp, "black.txt"),
      "# a file list\n"
      "192.0.2.0/24\n"
      "garbage here\n"
      "198.51.100.10 - 198.51.100.13\n"
      "2001:db8:1::/48   listed since 2024\n")
write(os.path.join(tmp, "white.txt"), "192.0.2.64/26\n")
with gzip.open(os.path.join(www, "http.gz"), "wt") as f:
    f.write("203.0.113.0/25\n")
write(os.path.join(www, "tls.txt"), "100.64.0.1\n100.64.0.2\n")


def conf(path, tlspath="/redir", extra=""):
    write(path,
          "# greyd-setup.t\n"
          "all:\\\n"
          "\t:filelist:wl:httplist:tlslist:\n"
          "\n"
          "filelist:\\\n"
          "\t:black:\\\n"
          "\t:msg=\"Your address %%A is listed\\n\\\"file\\\" list\":\\\n"
          "\t:file=%s/black.txt:\n"
          "wl:\\\n"
          "\t:white:\\\n"
          "\t:method=exec:\\\n"
          "\t:file=/bin/cat %s/white.txt:\n"
          "httplist:\\\n"
          "\t:black:\\\n"
          "\t:msg=\"HTTP list: %%A\":\\\n"
          "\t:method=http:\\\n"
          "\t:file=\"127.0.0.1:%d/http.gz\":\n"
          "tlslist:\\\n"
          "\t:black:\\\n"
          "\t:msg=\"TLS: %%A\":\\\n"
          "\t:method=https:\\\n"
          "\t:file=localhost\\c%d%s:\n%s"
          % (tmp, tmp, HTTP_PORT, HTTPS_PORT, tlspath, extra))


CONF = os.path.join(tmp, "spamd.conf")
conf(CONF)
WANT = [
    "filelist;\"Your address %A is listed\\n\\\"file\\\" list\";inet;4;"
    "192.0.2.0/26;192.0.2.128/25;198.51.100.10/31;198.51.100.12/31;"
    "inet6;1;2001:db8:1::/48\n",
    "httplist;\"HTTP list: %A\";inet;1;203.0.113.0/25\n",
    "tlslist;\"TLS: %A\";inet;2;100.64.0.1/32;100.64.0.2/32\n",
]

# A test CA and a server certificate for localhost.
ca_key = os.path.join(tmp, "ca.key")
ca = os.path.join(tmp, "ca.pem")
srv_key = os.path.join(tmp, "srv.key")
srv_csr = os.path.join(tmp, "srv.csr")
srv = os.path.join(tmp, "srv.pem")
ext = os.path.join(tmp, "ext.cnf")
write(ext, "subjectAltName=DNS:localhost,IP:127.0.0.1\n")
for cmd in (
    ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
     "-keyout", ca_key, "-out", ca, "-days", "2", "-subj",
     "/CN=greyd-setup test CA"],
    ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout",
     srv_key, "-out", srv_csr, "-subj", "/CN=localhost"],
    ["openssl", "x509", "-req", "-in", srv_csr, "-CA", ca, "-CAkey",
     ca_key, "-CAcreateserial", "-out", srv, "-days", "2", "-extfile",
     ext],
):
    if subprocess.run(cmd, stdout=subprocess.DEVNULL,
                      stderr=subprocess.DEVNULL).returncode != 0:
        t.bail("openssl: %s failed" % " ".join(cmd[:2]))

# The https server: /redir answers 302 to /tls.txt, which goes out
# chunked; anything else is 404.
HTTPS_SRV = os.path.join(tmp, "https_server.py")
write(HTTPS_SRV, r'''
import http.server, os, ssl, sys
port, cert, key, root = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        sys.stderr.write("%s %s\n" % (self.command, self.path))
    def do_GET(self):
        if self.path == "/redir":
            self.send_response(302)
            self.send_header("Location", "/tls.txt")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/tls.txt":
            data = open(os.path.join(root, "tls.txt"), "rb").read()
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            half = len(data) // 2
            for part in (data[:half], data[half:]):
                self.wfile.write(b"%x;ext=1\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\nX-Trailer: yes\r\n\r\n")
            return
        if self.path == "/close":
            self.protocol_version = "HTTP/1.0"
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"100.64.0.9\n")
            self.close_connection = True
            return
        if self.path.startswith("/loop"):
            self.send_response(301)
            self.send_header("Location", "/loop%d" % (len(self.path) + 1))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path == "/down":
            self.send_response(307)
            self.send_header("Location", "http://127.0.0.1:%d/http.gz"
                             % int(sys.argv[5]))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
httpd = http.server.HTTPServer(("0.0.0.0", port), H)
httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True)
httpd.serve_forever()
''')
t.spawn([sys.executable, "-m", "http.server", str(HTTP_PORT), "--bind",
         "127.0.0.1", "--directory", www], log="http")
t.spawn([sys.executable, HTTPS_SRV, str(HTTPS_PORT), srv, srv_key, www,
         str(HTTP_PORT)], log="https")
if not t.wait_port(HTTP_PORT) or not t.wait_port(HTTPS_PORT):
    t.bail("the http servers did not start")


class Recorder:
    """A TCP listener on 127.0.0.1:8026 that writes down what arrives."""

    def __init__(self, port=8026):
        self.got = []
        self.lock = threading.Lock()
        self.s = socket.socket()
        self.s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.s.bind(("127.0.0.1", port))
        self.s.listen(16)
        self.s.settimeout(0.2)
        self.stop = False
        self.th = threading.Thread(target=self.loop, daemon=True)
        self.th.start()

    def loop(self):
        while not self.stop:
            try:
                c, peer = self.s.accept()
            except socket.timeout:
                continue
            c.settimeout(10)
            data = b""
            try:
                while True:
                    b = c.recv(65536)
                    if not b:
                        break
                    data += b
            except OSError:
                pass
            # Written down before the close that greyd-setup waits for.
            with self.lock:
                self.got.append((peer[1], data.decode(errors="replace")))
            c.close()

    def take(self):
        with self.lock:
            got, self.got = self.got, []
        return got

    def close(self):
        self.stop = True
        self.th.join(5)
        self.s.close()


rec = Recorder()


def setup(*args, env=None, user="nobody"):
    e = dict(os.environ)
    if env:
        e.update(env)
    u = ["-u", user] if user else []
    p = subprocess.run([BIN] + u + list(args), capture_output=True,
                       text=True, timeout=120, env=e)
    return p.returncode, p.stdout, p.stderr


# 1. -n: what would be sent, on stdout; nothing sent.
rc, out, err = setup("-n", "-C", ca, "-f", CONF)
t.is_(rc, 0, "-n: exit 0")
t.is_(out, "".join(WANT), "-n: the three config lines on stdout")
t.like(err, r"filelist: 1 bad line skipped \(line 3\)",
       "-n: the bad line is reported with its line number")
time.sleep(0.3)
t.is_(rec.take(), [], "-n: nothing reaches the config socket")

# 2. For real: one connection per black list, from a reserved port.
rc, out, err = setup("-d", "-C", ca, "-f", CONF)
t.is_(rc, 0, "send: exit 0")
if rc != 0:
    t.diag(err)
time.sleep(0.3)
got = rec.take()
t.is_([g[1] for g in got], WANT, "send: greyd gets one line per black "
      "list, in order, white list subtracted")
t.ok(got and all(g[0] < 1024 for g in got),
     "send: from reserved source ports (%s)" % [g[0] for g in got])
t.like(err, r"Getting https://localhost:%d/redir" % HTTPS_PORT,
       "-d: debug output names the URL")
t.like(err, r"whitelist wl 1 entries", "-d: the white list's entries")
t.ok(t.wait_log("https", r"GET /redir\nGET /tls.txt"),
     "https: the redirect was followed")

# 3. -b: the union goes to the spamd table (file back-end).
fwdir = os.path.join(tmp, "fw")
os.mkdir(fwdir)
rc, out, err = setup("-b", "-F", "file:" + fwdir, "-C", ca, "-f", CONF)
t.is_(rc, 0, "-b: exit 0")
if rc != 0:
    t.diag(err)
try:
    table = open(os.path.join(fwdir, "spamd")).read()
except OSError as e:
    table = str(e)
t.is_(table, "100.64.0.1/32\n100.64.0.2/32\n192.0.2.0/26\n"
      "192.0.2.128/25\n198.51.100.10/31\n198.51.100.12/31\n"
      "203.0.113.0/25\n2001:db8:1::/48\n",
      "-b: the spamd table holds the union of the black lists")
time.sleep(0.3)
t.is_(len(rec.take()), 3, "-b: greyd is loaded too, as spamd-setup -b does")

# The default back-end: nftables, sets spamd and spamd-v6 in table
# inet mxsuite (this namespace's own ruleset).
rc, out, err = setup("-b", "-C", ca, "-f", CONF)
t.is_(rc, 0, "-b nft: exit 0")
if rc != 0:
    t.diag(err)


def nft_set(name):
    p = subprocess.run(["nft", "-j", "list", "set", "inet", "mxsuite", name],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return [p.stderr.strip()]
    out = []
    for item in json.loads(p.stdout)["nftables"]:
        for e in item.get("set", {}).get("elem", []):
            if isinstance(e, str):
                out.append(e + ("/128" if ":" in e else "/32"))
            elif "prefix" in e:
                out.append("%s/%d" % (e["prefix"]["addr"], e["prefix"]["len"]))
            else:
                out.append(repr(e))
    return out


t.is_(nft_set("spamd") + nft_set("spamd-v6"), table.splitlines(),
      "-b nft: the sets hold what the file back-end holds")
time.sleep(0.3)
rec.take()

rc, out, err = setup("-b", "-n", "-F", "file:" + fwdir, "-C", ca, "-f", CONF)
t.like(out, r"\ntable spamd 100.64.0.1/32\n(.*\n)*table spamd "
       r"2001:db8:1::/48\n$", "-b -n: the table content is printed")

# 4. The system store does not know the test CA: https fails, the
# other lists still go; SSL_CERT_FILE (OpenSSL's variable) works.
rc, out, err = setup("-f", CONF, env={"SSL_CERT_FILE": "/dev/null",
                                      "SSL_CERT_DIR": "/nonexistent"})
t.is_(rc, 1, "https: unknown CA: exit 1")
t.like(err, r"tlslist: https://localhost:%d/redir: TLS: certificate: "
       r"(unable to get local issuer certificate|self.signed)" % HTTPS_PORT,
       "https: the certificate error is reported")
time.sleep(0.3)
t.is_([g[1] for g in rec.take()], WANT[:2],
      "https: the failed list is not sent, the others are")
rc, out, err = setup("-f", CONF, env={"SSL_CERT_FILE": ca})
t.is_(rc, 0, "https: SSL_CERT_FILE names the CA")
time.sleep(0.3)
t.is_(len(rec.take()), 3, "https: SSL_CERT_FILE: three lines")

# 5. An address that the certificate does not name.
conf(os.path.join(tmp, "name.conf"))
with open(os.path.join(tmp, "name.conf")) as f:
    txt = f.read().replace("file=localhost", "file=127.0.0.2")
write(os.path.join(tmp, "name.conf"), txt)
subprocess.run(["ip", "addr", "add", "127.0.0.2/8", "dev", "lo"],
               stderr=subprocess.DEVNULL)
rc, out, err = setup("-n", "-C", ca, "-f", os.path.join(tmp, "name.conf"))
t.is_(rc, 1, "https: wrong name: exit 1")
t.like(err, r"tlslist: https://127.0.0.2:%d/redir: TLS: certificate: "
       r"IP address mismatch" % HTTPS_PORT,
       "https: an address the certificate does not name is refused")

# 6. HTTP errors: a 404 is an error, the list is not sent.
conf(os.path.join(tmp, "404.conf"), tlspath="/missing")
rc, out, err = setup("-n", "-C", ca, "-f", os.path.join(tmp, "404.conf"))
t.is_(rc, 1, "http 404: exit 1")
t.like(err, r"tlslist: https://localhost:%d/missing: HTTP status 404"
       % HTTPS_PORT, "http 404: reported")
t.is_(out, "".join(WANT[:2]), "http 404: the other lists are printed")

# A body ended by the close of the connection; a redirect loop; a
# redirect from https down to http.
conf(os.path.join(tmp, "close.conf"), tlspath="/close")
rc, out, err = setup("-n", "-C", ca, "-f", os.path.join(tmp, "close.conf"))
t.is_(rc, 0, "http: a close-delimited body is read")
t.like(out, r"\ntlslist;\"TLS: %A\";inet;1;100\.64\.0\.9/32\n$",
       "http: close-delimited body content")
conf(os.path.join(tmp, "loop.conf"), tlspath="/loop")
rc, out, err = setup("-n", "-C", ca, "-f", os.path.join(tmp, "loop.conf"))
t.like(err, r"tlslist: https://localhost:%d/loop\d+: too many redirects"
       % HTTPS_PORT, "http: redirects followed 5 times at most")
t.is_(len(re.findall(r"GET /loop", t.log("https"))), 6,
      "http: the first request and 5 redirects")
conf(os.path.join(tmp, "down.conf"), tlspath="/down")
rc, out, err = setup("-n", "-C", ca, "-f", os.path.join(tmp, "down.conf"))
t.like(err, r"tlslist: https://localhost:%d/down: refusing a redirect "
       r"from https to http://127" % HTTPS_PORT,
       "http: no redirect from https down to http")

# As root, http and https run as the -u user (spamd-setup: _spamd): a
# CA file only root can read cannot be used; an unknown user fails.
ca_root = os.path.join(tmp, "ca-root.pem")
write(ca_root, open(ca).read())
os.chmod(ca_root, 0o600)
rc, out, err = setup("-n", "-C", ca_root, "-f", CONF)
t.like(err, r"tlslist: https://localhost:%d/redir: TLS: .*ca-root.pem"
       % HTTPS_PORT, "priv: the fetch runs without root's rights")
rc, out, err = setup("-n", "-C", ca, "-f", CONF, user="no-such-user-x")
t.is_(rc, 1, "priv: unknown user: exit 1")
t.like(err, r"httplist: cannot fetch as user no-such-user-x \(see -u\)",
       "priv: unknown user reported")
t.is_(out, WANT[0], "priv: unknown user: the file list is still sent")

# 7. Config errors: file:line, nothing fetched or sent.
write(os.path.join(tmp, "bad.conf"),
      "all:\\\n\t:one:two:\n"
      "one:\\\n\t:black:\\\n\t:method=ftp:\\\n\t:file=h/x:\n"
      "two:\\\n\t:black:\n\t:msg=\"x\":file=/y:\n")
rc, out, err = setup("-f", os.path.join(tmp, "bad.conf"))
t.is_(rc, 1, "config error: exit 1")
t.like(err, r"bad.conf:9: line starts with a blank but the line before "
       r"it does not end in", "config error: file:line")
rc, out, err = setup("-f", os.path.join(tmp, "nothere.conf"))
t.is_(rc, 1, "missing config: exit 1")
write(os.path.join(tmp, "bad2.conf"),
      "all:one:\none:black:method=ftp:file=h/x:msg=\"m\":\n")
rc, out, err = setup("-f", os.path.join(tmp, "bad2.conf"))
t.like(err, r"bad2.conf:2: one: method ftp is not supported: use http or "
       r"https", "config error: ftp refused with a clear message")
time.sleep(0.3)
t.is_(rec.take(), [], "config errors: nothing sent")

# 8. Usage, a bad -F.
rc, out, err = setup("-b", "-F", "bogus:x", "-f", CONF)
t.is_(rc, 1, "-F bogus: exit 1")
t.like(err, r"firewall table spamd: .*bogus", "-F bogus: reported")
rc, out, err = setup("-x")
t.is_(rc, 1, "usage: exit 1")
t.like(err, r"usage: greyd-setup \[-bDdn\]", "usage: printed")

# 9. The example conf/spamd.conf works, its files moved to tmp.
ex = os.path.join(tmp, "ex")
os.mkdir(ex)
with open(os.path.join(mxtap.TOP, "conf", "spamd.conf")) as f:
    write(os.path.join(ex, "spamd.conf"),
          f.read().replace("/etc/mail/", ex + "/"))
write(os.path.join(ex, "spamd.black"), "192.0.2.0/24\n")
write(os.path.join(ex, "spamd.white"), "192.0.2.0/25\n")
rc, out, err = setup("-n", "-f", os.path.join(ex, "spamd.conf"))
t.is_((rc, err), (0, ""), "conf/spamd.conf: reads cleanly")
t.like(out, r'^local;"Your address %A is on this site\'s blacklist\.\\n'
       r'Mail the postmaster .*";inet;1;192\.0\.2\.128/25\n$',
       "conf/spamd.conf: the local list minus override")

# 10. -D: detached, and still loads greyd.
rc, out, err = setup("-D", "-C", ca, "-f", CONF)
t.is_((rc, out, err), (0, "", ""), "-D: returns at once, silently")
deadline = time.time() + 20
got = []
while time.time() < deadline and len(got) < 3:
    time.sleep(0.2)
    got += rec.take()
t.is_([g[1] for g in got], WANT, "-D: the detached process sends the lines")

# 11. No greyd listening: the error names the socket.
rec.close()
rc, out, err = setup("-C", ca, "-f", CONF)
t.is_(rc, 1, "no greyd: exit 1")
t.like(err, r"filelist: connect to 127.0.0.1:8026: Connection refused",
       "no greyd: reported")
fwdir2 = os.path.join(tmp, "fw2")
os.mkdir(fwdir2)
rc, out, err = setup("-b", "-F", "file:" + fwdir2, "-C", ca, "-f", CONF)
t.is_(rc, 1, "no greyd, -b: exit 1")
try:
    table2 = open(os.path.join(fwdir2, "spamd")).read()
except OSError as e:
    table2 = str(e)
t.is_(table2, table, "no greyd, -b: the lists were read: the table is "
      "still replaced")

t.done()
