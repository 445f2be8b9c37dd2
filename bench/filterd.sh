#!/bin/sh
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
# bench/filterd.sh: the same generated corpus (deterministic: ham and
# spam, plain, HTML, multipart, base64/QP, GTUBE, 3 messages over 256 KB)
# through filterd, through SpamAssassin's spamd + spamc and through
# spampd 2.53 (+ SpamAssassin), in the same run, in a private network
# namespace on loopback:
#	filterd SMTP	client -> filterd (the article's flags, -L,
#			--children=4) -> sink; one SMTP connection a message
#	spampd SMTP	the same through spampd (--children=4, -L)
#	filterd spamc	a spamd protocol client -> filterd's spamd port
#			(--spamd-port), one connection a message
#	spamd spamc	spamc -> spamd -L (4 children)
# at 1, 2 and 4 clients: messages per second and the daemon's CPU time
# per message (its whole process tree), then the ratios.  The clients:
#	C	tests/bin/smtp-load (SMTP, or -s: the spamd protocol), one
#		process a client, messages read and encoded beforehand:
#		cheap enough to measure filterd, not its client; it sends
#		the corpus BENCH_ROUNDS times; C-r20: 20 messages a
#		connection (the SMTP connection's cost, and the relay's,
#		shared by 20)
#	py	Python smtplib (SMTP) or one spamc process a message
#		(spamc), the corpus once: the 100x slower anchors
# Goal (issue 6): 100x SpamAssassin's rate, 1,700 msg/s on 2 cores.
# spamd and spampd must start as root (they drop to debian-spamd and
# spampd); without root they are skipped.
#
# Environment: MX_BUILD, BENCH_MSGS (corpus size, default 200),
# BENCH_ROUNDS (C client: the corpus this many times, default 5),
# BENCH_ANCHORS=0 (skip spamd and spampd).

set -u

. "$(dirname "$0")/lib.sh"
bench_netns filterd.sh "$@"
MSGS=${BENCH_MSGS:-200}
ROUNDS=${BENCH_ROUNDS:-5}
ANCHORS=${BENCH_ANCHORS:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mxbench.XXXXXX") || exit 1
chmod 755 "$tmp"
exec python3 - "$MX_BUILD" "$tmp" "$MSGS" "$ROUNDS" "$ANCHORS" <<'EOT'
import concurrent.futures
import os
import random
import shutil
import signal
import smtplib
import socket
import subprocess
import sys
import time

sys.path.insert(0, os.environ["BENCH_DIR"])
from lib import tree_cpu, wait_port  # noqa: E402

BUILD, TMP, NMSGS = sys.argv[1], sys.argv[2], int(sys.argv[3])
ROUNDS, ANCHORS = int(sys.argv[4]), sys.argv[5] != "0"
ROOT = os.getuid() == 0 and open("/proc/self/uid_map").read().split()[:3] \
    == ["0", "0", "4294967295"]
LOAD = os.path.join(BUILD, "tests/bin/smtp-load")
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
procs = []


def cleanup():
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
    shutil.rmtree(TMP, ignore_errors=True)


def spawn(argv, name):
    f = open(os.path.join(TMP, name + ".log"), "ab")
    p = subprocess.Popen(argv, stdout=f, stderr=subprocess.STDOUT)
    procs.append(p)
    return p



# ---- the corpus ----
R = random.Random(20261125)
WORDS = ("the meeting report budget project review team schedule lunch "
         "friday office update draft notes client quarter plan").split()
SPAMW = ("free money viagra cheap pills winner prize click here now "
         "limited offer million dollars guaranteed casino loan").split()


def text(words, n):
    return " ".join(R.choice(words) for _ in range(n))


def message(i):
    kind = R.choice(["ham"] * 5 + ["spam"] * 3 + ["html", "multi"])
    if i % 40 == 7:
        kind = "gtube"
    if i in (50, 120, 180):
        kind = "large"
    spam = kind in ("spam", "gtube") or (kind == "html" and R.random() < .5)
    words = SPAMW if spam else WORDS
    hdr = ("Received: from mail%d.example.net (mail%d.example.net "
           "[192.0.2.%d])\r\n\tby mx.example.org with ESMTP id %d;\r\n"
           "\tWed, 25 Nov 2026 10:%02d:00 +0000\r\n"
           "From: %s <sender%d@example.net>\r\nTo: bob@example.org\r\n"
           "Subject: %s\r\nDate: Wed, 25 Nov 2026 10:%02d:00 +0000\r\n"
           "Message-ID: <bench-%d@example.net>\r\nMIME-Version: 1.0\r\n"
           % (i, i, i % 250 + 1, i, i % 60, R.choice(["Ann", "Bo", "Cy"]),
              i, text(words, 5), i % 60, i))
    lines = [text(words, 12) for _ in range(R.randint(5, 40))]
    body = "\r\n".join(lines) + "\r\n"
    if kind == "gtube":
        body += GTUBE + "\r\n"
    if kind == "large":
        body += ("z" * 76 + "\r\n") * 4000
    if kind == "html":
        return hdr + "Content-Type: text/html; charset=utf-8\r\n\r\n" + \
            "<html><body>\r\n<p>" + "</p>\r\n<p>".join(lines) + \
            "</p><a href=\"http://example.com/x\">click</a></body></html>\r\n"
    if kind == "multi":
        import base64
        att = base64.encodebytes(os.urandom(3000)).decode().replace(
            "\n", "\r\n")
        return hdr + ("Content-Type: multipart/mixed; boundary=\"b1\"\r\n"
                      "\r\n--b1\r\nContent-Type: text/plain\r\n\r\n" + body +
                      "--b1\r\nContent-Type: application/octet-stream\r\n"
                      "Content-Transfer-Encoding: base64\r\n\r\n" + att +
                      "--b1--\r\n")
    return hdr + "Content-Type: text/plain; charset=us-ascii\r\n\r\n" + body


CORPUS = []
for i in range(NMSGS):
    R.seed(20261125 + i)
    CORPUS.append(message(i).encode())
size = sum(len(m) for m in CORPUS)
FILES = []
os.mkdir(os.path.join(TMP, "corpus"))
for i, m in enumerate(CORPUS):
    FILES.append(os.path.join(TMP, "corpus", "%03d.eml" % i))
    with open(FILES[-1], "wb") as f:
        f.write(m)


def smtp_one(port, msg):
    s = smtplib.SMTP("127.0.0.1", port, timeout=300)
    s.ehlo("bench.example")
    s.sendmail("sender@example.net", ["bob@example.org"], msg)
    s.quit()


def spamc_one(port, msg):
    subprocess.run(["spamc", "-d", "127.0.0.1", "-p", str(port), "-s",
                    "1000000", "-x"], input=msg, stdout=subprocess.DEVNULL,
                   check=True, timeout=300)


def run(fn, port, pid, clients):
    c0 = tree_cpu(pid)
    t0 = time.time()
    errs = 0
    with concurrent.futures.ThreadPoolExecutor(clients) as ex:
        for f in [ex.submit(fn, port, m) for m in CORPUS]:
            try:
                f.result()
            except Exception:
                errs += 1
    t1 = time.time()
    c1 = tree_cpu(pid)
    return "py", NMSGS / (t1 - t0), (c1 - c0) * 1000 / NMSGS, errs


def run_c(port, pid, clients, spamd=False, reuse=1):
    n = NMSGS * ROUNDS
    argv = [LOAD, "-p", str(port), "-c", str(clients), "-n", str(n),
            "-r", str(reuse)]
    c0 = tree_cpu(pid)
    r = subprocess.run(argv + (["-s"] if spamd else []) + FILES,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=3600)
    c1 = tree_cpu(pid)
    # "sent N messages in S s: R msg/s (C clients, E errors)"
    w = r.stdout.split()
    if len(w) < 9 or w[0] != "sent":
        sys.exit("filterd.sh: smtp-load: " + r.stdout + r.stderr)
    sent, rate, errs = int(w[1]), float(w[6]), int(w[10])
    return ("C" if reuse == 1 else "C-r%d" % reuse, rate,
            (c1 - c0) * 1000 / max(sent, 1), errs + n - sent)


try:
    sink = spawn([BUILD + "/tests/bin/smtpd-test", "-d", "-s", "-p",
                  "20026"], "sink")
    fd = spawn([BUILD + "/filterd/filterd", "--port=20025",
                "--relayhost=127.0.0.1:20026", "--tagall", "--aw", "--rh",
                "--maxsize=256", "-L", "--children=4", "--nodetach",
                "--pid=", "--spamd-port=20783"], "filterd")
    if not wait_port(20026, 120) or not wait_port(20025, 120) or \
            not wait_port(20783, 120):
        sys.exit("filterd.sh: filterd did not start")
    rows = []
    for clients in (1, 2, 4):
        rows.append(("filterd SMTP", clients) +
                    run_c(20025, fd.pid, clients))
    rows.append(("filterd SMTP", 4) + run_c(20025, fd.pid, 4, reuse=20))
    for clients in (1, 4):
        rows.append(("filterd spamc", clients) +
                    run_c(20783, fd.pid, clients, spamd=True))
    rows.append(("filterd SMTP", 4) + run(smtp_one, 20025, fd.pid, 4))
    if not ANCHORS:
        print("BENCH_ANCHORS=0: spamd and spampd skipped")
    elif ROOT:
        home = os.path.join(TMP, "sahome")
        os.mkdir(home)
        os.chmod(home, 0o777)
        sd = spawn(["/usr/sbin/spamd", "-L", "-x", "-i", "127.0.0.1:21783",
                    "-A", "127.0.0.1", "-u", "debian-spamd", "-m", "4",
                    "--min-children=4", "--min-spare=1", "--max-spare=4",
                    "-r", os.path.join(home, "spamd.pid"),
                    "--syslog=" + os.path.join(home, "spamd.log"), "-H",
                    home], "spamd")
        # spampd dies without a syslog socket: a UDP catcher on 514
        catcher = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        catcher.bind(("127.0.0.1", 514))
        catcher.setblocking(False)
        sp = spawn(["/usr/sbin/spampd", "--host=127.0.0.1", "--port=22025",
                    "--relayhost=127.0.0.1:20026", "--tagall", "--aw",
                    "--rh", "--maxsize=256", "--local-only",
                    "--children=4", "--user=spampd", "--group=spampd",
                    "--pid=" + os.path.join(TMP, "spampd.pid"),
                    "--nodetach", "--logsock=inet"], "spampd")
        if wait_port(21783, 120):
            time.sleep(3)
            for clients in (1, 4):
                rows.append(("spamd spamc", clients) +
                            run(spamc_one, 21783, sd.pid, clients))
        else:
            print("spamd did not start")
        if wait_port(22025, 120):
            for clients in (1, 4):
                rows.append(("spampd SMTP", clients) +
                            run(smtp_one, 22025, sp.pid, clients))
                try:
                    while catcher.recv(65536):
                        pass
                except BlockingIOError:
                    pass
        else:
            print("spampd did not start")
    else:
        print("not root: spamd and spampd skipped (they must drop to "
              "their users)")
    print("filterd bench: %d messages, %.1f MB (3 over 256 KB, not "
          "scanned by the proxies)" % (NMSGS, size / 1e6))
    print("%-16s %8s %6s %10s %12s %7s" % ("", "clients", "client",
                                            "msg/s", "CPU ms/msg", "errors"))
    for name, c, cl, rate, cpu, errs in rows:
        print("%-16s %8d %6s %10.1f %12.2f %7d" % (name, c, cl, rate, cpu,
                                                  errs))
    best = {}
    for name, c, cl, rate, cpu, errs in rows:
        if cl.startswith("C-r"):
            continue	# the anchors: one connection a message
        best[name] = max(best.get(name, (0, 0)), (rate, -cpu))
    for a, b in (("filterd spamc", "spamd spamc"),
                 ("filterd SMTP", "spampd SMTP")):
        if a in best and b in best and best[b][0] > 0:
            print("ratio: %s %.1fx the messages/s of %s, %.1fx less CPU "
                  "per message" % (a, best[a][0] / best[b][0], b,
                                   best[b][1] / best[a][1]
                                   if best[a][1] else 0))
    fdbest = max(best.get("filterd SMTP", (0, 0))[0],
                 best.get("filterd spamc", (0, 0))[0])
    fdcpu = min(-best[n][1] for n in ("filterd SMTP", "filterd spamc"))
    print("the ratios and the goal take the best rows with one connection "
          "a message (msg/s: C client for filterd, py for spamd/spampd; "
          "CPU: the daemon's, whatever the client)")
    print("filterd: %.0f msg/s measured at best (client and sink share "
          "the cores); %.0f msg/s per core from its CPU time" %
          (fdbest, 1000 / fdcpu if fdcpu else 0))
    print("goal: 1700 msg/s measured (100x SpamAssassin's ~17 on 2 "
          "cores): %s" % ("met" if fdbest >= 1700 else "NOT met"))
finally:
    cleanup()
EOT
