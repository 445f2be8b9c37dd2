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

# filterd's scan engine against SpamAssassin 4.0.1 itself: a corpus of
# generated messages (deterministic seed: ham and spam, plain, HTML,
# multipart, encoded, GTUBE, odd headers and dates, CRLF and LF) goes
# through filterd's engine (t_sa_engine --scan) and through
# Mail::SpamAssassin in one perl process (local tests only, Bayes off,
# the same configuration).  For every message: the rules hit agree
# (restricted to the rules filterd can run: t_sa_engine --unsupported
# lists the others, with the metas that depend on them), the subtests
# agree, the verdict agrees, and where the hit sets agree the
# X-Spam-Status field is the same byte for byte.  Every disagreement
# is printed.

import os
import random
import re
import subprocess
import sys
import tempfile

top = os.environ.get("MX_TOP", os.getcwd())
build = os.environ.get("MX_BUILD", os.path.join(top, "build"))
scanner = os.path.join(build, "tests", "unit", "t_sa_engine")

ntest = 0
failed = 0


def ok(cond, name, todo=None):
    global ntest, failed
    ntest += 1
    if not cond and todo is None:
        failed += 1
    print("%s %d - %s%s" % ("ok" if cond else "not ok", ntest, name,
                            "" if todo is None else " # TODO " + todo))
    sys.stdout.flush()


def diag(s):
    for line in s.splitlines():
        print("# " + line)


R = random.Random(20261125)
NEVAL = 54

FIRST = ["John", "Mary", "Peter", "Anna", "Li", "Carlos", "Fatima", "Olga",
         "Hans", "Sarah", "Kenji", "Amit"]
LAST = ["Smith", "Jones", "Mueller", "Garcia", "Chen", "Kowalski",
        "Dubois", "Rossi", "Tanaka", "Patel"]
DOMS = ["example.com", "example.org", "example.net", "mail.example.com",
        "lists.example.org", "corp.example.net"]
HAM_SUBJ = ["Meeting tomorrow", "Re: project status", "Lunch?",
            "Fwd: the report you asked for", "Minutes of the last call",
            "Invoice 2023-114", "Re: Re: weekend plans",
            "Quarterly numbers", "Build failed on main", "Your order"]
SPAM_SUBJ = ["FREE MONEY NOW!!!", "You have WON $1,000,000",
             "Cheap meds online", "Lose 30 pounds in 30 days",
             "Act now: limited time offer", "URGENT BUSINESS PROPOSAL",
             "Re: your account has been suspended", "Hot singles near you",
             "Make $5000 a week from home", "Viagra 80% off"]
HAM_TEXT = [
    "Hi,\n\nCan we move the meeting to 3pm tomorrow? I have a conflict "
    "in the morning.\n\nThanks,\n{name}\n",
    "Hello {to},\n\nattached are the minutes from today's call. Please "
    "review the action items and let me know if I missed anything.\n\n"
    "Best regards\n{name}\n",
    "The build on main failed after the last merge. The error is in the "
    "parser tests; I am looking into it now.\n\n-- \n{name}\n",
    "Thanks for your order. It will ship within two business days. You "
    "can track it on our web site at https://www.example.com/orders/123\n",
    "> did you see the game?\n\nYes! What a finish. Let's watch the next "
    "one together.\n\nCheers, {name}\n",
]
SPAM_TEXT = [
    "Dear Friend,\n\nI am Mr. {name}, a banker with the Central Bank. I "
    "have a business proposal involving the transfer of $25,000,000 "
    "(TWENTY FIVE MILLION US DOLLARS) to your account. You will receive "
    "30% of the total sum. Please reply with your full name, address and "
    "telephone number.\n\nYours faithfully,\n{name}\n",
    "CLICK HERE to claim your FREE prize!!! This is a limited time offer. "
    "Act now! 100% satisfaction guaranteed. No credit card required.\n\n"
    "http://www.example.net/claim?id=12345\n\nTo unsubscribe from this "
    "list click here: http://www.example.net/unsub\n",
    "Buy cheap viagra, cialis and other meds online. No prescription "
    "needed! Lowest prices guaranteed. Order today and save 80%.\n"
    "http://pharmacy.example.com/\n",
    "Make money fast working from home! Earn $5000 per week with no "
    "experience. This is not a scam. Thousands of people are already "
    "earning. Sign up now at http://www.example.org/earn\n",
    "Your account has been suspended due to unusual activity. Please "
    "verify your account information immediately by clicking the link "
    "below or your account will be closed.\n\nhttp://192.0.2.7/login\n",
]
GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
        "Oct", "Nov", "Dec"]
MAILERS = ["Microsoft Outlook 16.0", "Mozilla Thunderbird 115.0",
           "Apple Mail (2.3445)", "The Bat! (v9.1)", "PHPMailer 6.0",
           "Foxmail 7.2"]


def person():
    f = R.choice(FIRST)
    l = R.choice(LAST)
    return f + " " + l, "%s.%s@%s" % (f.lower(), l.lower(), R.choice(DOMS))


def date():
    kind = R.random()
    d = R.randint(1, 28)
    h, m, s = R.randint(0, 23), R.randint(0, 59), R.randint(0, 59)
    y = R.choice([2023, 2023, 2023, 2019, 2030])
    tz = R.choice(["+0000", "-0500", "+0100", "+0900", "-0000"])
    if kind < 0.8:
        return "%s, %02d %s %d %02d:%02d:%02d %s" % (
            R.choice(DAYS), d, R.choice(MONS), y, h, m, s, tz)
    if kind < 0.9:
        return "%d %s %d %02d:%02d:%02d %s" % (d, R.choice(MONS), y, h,
                                               m, s, tz)
    return "%s %s %d %02d:%02d:%02d %d" % (R.choice(DAYS), R.choice(MONS),
                                           d, h, m, s, y)


def received():
    hops = []
    for i in range(R.randint(0, 3)):
        ip = "%d.%d.%d.%d" % R.choice([(192, 0, 2, R.randint(1, 254)),
                                       (198, 51, 100, R.randint(1, 254)),
                                       (203, 0, 113, R.randint(1, 254)),
                                       (10, 1, 2, R.randint(1, 254))])
        host = "mx%d.%s" % (R.randint(1, 9), R.choice(DOMS))
        hops.append("Received: from %s (%s [%s])\n\tby mail.example.com "
                    "(Postfix) with ESMTP id %X\n\tfor <user@example.com>; "
                    "%s" % (host, host, ip, R.randint(0x100000, 0xffffff),
                            date()))
    return hops


def qp(s):
    out = []
    for ch in s.encode("utf-8"):
        if ch == 10:
            out.append("\n")
        elif ch == 61 or ch > 126:
            out.append("=%02X" % ch)
        else:
            out.append(chr(ch))
    return "".join(out)


def b64(s):
    import base64
    e = base64.b64encode(s if isinstance(s, bytes) else s.encode("utf-8"))
    e = e.decode()
    return "\n".join(e[i:i + 76] for i in range(0, len(e), 76)) + "\n"


def html_of(text, spammy):
    paras = "".join("<p>%s</p>\n" % p.replace("\n", "<br>\n")
                    for p in text.split("\n\n"))
    extra = ""
    if spammy:
        extra = ('<font color="#ff0000" size="5"><b>CLICK HERE NOW</b></font>'
                 '<br><a href="http://www.example.net/x">http://www.example'
                 '.net/x</a>\n<img src="http://www.example.net/i.gif" '
                 'width="400" height="300">\n'
                 '<font color="#ffffff">hidden words random text</font>\n')
    return ("<html><head><title>%s</title></head><body>\n%s%s</body>"
            "</html>\n" % ("News" if not spammy else "Offer", paras, extra))


def message(i):
    spam = R.random() < 0.45
    name, addr = person()
    tname, taddr = person()
    subj = R.choice(SPAM_SUBJ if spam else HAM_SUBJ)
    text = R.choice(SPAM_TEXT if spam else HAM_TEXT).format(name=name,
                                                          to=tname)
    kind = R.choice(["plain", "plain", "html", "alt", "attach", "qp",
                     "b64", "utf8subj", "gtube", "odd", "list", "nested",
                     "weirdhdr"])
    if kind == "gtube":
        text = "This is the GTUBE, the\n\tGeneric\n\tTest for\n\tUnsolicited"
        text += "\n\tBulk\n\tEmail\n\n" + GTUBE + "\n"
    hdrs = received()
    fromline = R.choice(['"%s" <%s>' % (name, addr), "%s <%s>" % (name, addr),
                         addr, "<%s>" % addr, "%s (%s)" % (addr, name)])
    if R.random() < 0.1:
        hdrs.append("Return-Path: <%s>" % addr)
        R.shuffle(hdrs)
    hdrs.append("From: " + fromline)
    if R.random() < 0.93:
        hdrs.append("To: " + R.choice(['%s <%s>' % (tname, taddr), taddr,
                                       "undisclosed-recipients:;"]))
    if R.random() < 0.2:
        hdrs.append("Cc: %s, %s" % person())
    if kind == "utf8subj":
        subj = "=?UTF-8?B?%s?=" % b64(subj + " \u00e9t\u00e9").strip()
    elif kind == "odd" and R.random() < 0.5:
        subj = subj.upper()
    if R.random() < 0.97:
        hdrs.append("Subject: " + subj)
    if R.random() < 0.9:
        hdrs.append("Date: " + date())
    if R.random() < 0.9:
        hdrs.append("Message-ID: <%s@%s>" % (
            R.choice(["%08x.%04x" % (R.getrandbits(32), R.getrandbits(16)),
                      "%d" % R.randint(1, 99999),
                      "CAF%022d" % R.getrandbits(64)]),
            R.choice(DOMS + ["localhost"])))
    if R.random() < 0.4:
        hdrs.append("X-Mailer: " + R.choice(MAILERS))
    if kind == "list":
        hdrs.append("List-Id: <dev.lists.example.org>")
        hdrs.append("List-Unsubscribe: <mailto:leave@lists.example.org>")
        hdrs.append("Precedence: list")
    if spam and R.random() < 0.3:
        hdrs.append("X-Priority: 1 (Highest)")
    if R.random() < 0.1:
        hdrs.append("X-Spam-Status: No, score=0.0 old=header")
    mbox = False
    if kind == "weirdhdr":
        # header forms the header rules must see as SpamAssassin does
        w = R.randint(0, 7)
        if w == 0:
            hdrs = [h for h in hdrs if not h.startswith("Subject:")]
            hdrs.append("Subject: a folded\n\tsubject line that goes on\n"
                        "  and on")
        elif w == 1:
            hdrs.append("From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <%s>" %
                        addr)
        elif w == 2:
            hdrs.append("Subject: second subject")
            hdrs.append("To: a@example.net, \"B, C\" <bc@example.org>,\n"
                        "\td@example.com (Dee)")
        elif w == 3:
            mbox = True
        elif w == 4:
            hdrs.append("X-Envelope-From: <env@%s>" % R.choice(DOMS))
            hdrs.append("Resent-Message-Id: <r%d@example.com>" % i)
        elif w == 5:
            hdrs.append("X-Long: " + " ".join("w%d" % k for k in range(300)))
            hdrs.append("Reply-To: %s <%s>" % person())
        elif w == 6:
            hdrs.append("Subject : obsolete space before the colon")
            hdrs.append("X-Empty:")
        else:
            hdrs.append("Message-Id: <dup%d@example.com>" % i)
            hdrs.append("X-Spam-Flag: YES")
            hdrs.append("X-Spam-Level: ****")
    body = ""
    if kind in ("plain", "gtube", "odd", "list", "weirdhdr"):
        if R.random() < 0.7:
            hdrs.append("MIME-Version: 1.0")
            hdrs.append("Content-Type: text/plain; charset=%s" %
                        R.choice(["us-ascii", "utf-8", "iso-8859-1"]))
        body = text
    elif kind == "qp":
        hdrs += ["MIME-Version: 1.0",
                 "Content-Type: text/plain; charset=utf-8",
                 "Content-Transfer-Encoding: quoted-printable"]
        body = qp(text + "\nCaf\u00e9 cr\u00e8me \u00fcber na\u00efve\n")
    elif kind == "b64":
        hdrs += ["MIME-Version: 1.0",
                 "Content-Type: text/plain; charset=utf-8",
                 "Content-Transfer-Encoding: base64"]
        body = b64(text)
    elif kind == "utf8subj":
        hdrs += ["MIME-Version: 1.0",
                 "Content-Type: text/plain; charset=utf-8",
                 "Content-Transfer-Encoding: 8bit"]
        body = text + "\u00a1Hola! \u00bfQu\u00e9 tal?\n"
    elif kind == "html":
        hdrs += ["MIME-Version: 1.0", "Content-Type: text/html; "
                 "charset=utf-8"]
        body = html_of(text, spam)
    elif kind in ("alt", "attach", "nested"):
        bnd = "----=_Part_%d_%d" % (i, R.randint(1000, 9999))
        hdrs += ["MIME-Version: 1.0",
                 'Content-Type: multipart/%s; boundary="%s"' % (
                     "alternative" if kind == "alt" else "mixed", bnd)]
        parts = []
        if kind == "alt":
            parts.append("Content-Type: text/plain; charset=utf-8\n\n" +
                         text)
            parts.append("Content-Type: text/html; charset=utf-8\n"
                         "Content-Transfer-Encoding: quoted-printable\n\n" +
                         qp(html_of(text, spam)))
        elif kind == "attach":
            parts.append("Content-Type: text/plain; charset=utf-8\n\n" +
                         text)
            parts.append('Content-Type: application/pdf; name="doc.pdf"\n'
                         "Content-Transfer-Encoding: base64\n"
                         'Content-Disposition: attachment; filename="doc'
                         '.pdf"\n\n' + b64(bytes(R.getrandbits(8)
                                                 for _ in range(600))))
        else:
            b2 = bnd + "_alt"
            parts.append('Content-Type: multipart/alternative; boundary="'
                         + b2 + '"\n\n--' + b2 + "\nContent-Type: text/plain;"
                         " charset=us-ascii\n\n" + text + "\n--" + b2 +
                         "\nContent-Type: text/html\n\n" + html_of(text, spam)
                         + "\n--" + b2 + "--\n")
            parts.append('Content-Type: image/gif; name="a.gif"\n'
                         "Content-Transfer-Encoding: base64\n\n" +
                         b64(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
        body = "This is a multi-part message in MIME format.\n\n"
        for p in parts:
            body += "--" + bnd + "\n" + p + "\n"
        body += "--" + bnd + "--\n"
    msg = "\n".join(hdrs) + "\n\n" + body
    if mbox:
        msg = "From %s Wed Nov 22 10:00:00 2023\n" % addr + msg
    if R.random() < 0.35:
        msg = msg.replace("\n", "\r\n")
    return msg.encode("utf-8")


# Messages for the eval functions that need particular senders, lists
# and HTML (FreeMail's replyto, WLBLEval's address and URI host lists,
# check_mailfrom_matches_rcvd, check_ratware_envelope_from,
# HTTPSMismatch, URIEval, HTMLEval's iframe): their own random stream,
# so the messages above stay as they were.
R2 = random.Random(20261126)
FREEM = ["gmail.com", "yahoo.com", "hotmail.com", "outlook.com", "aol.com"]
NTLD = ["cheap.icu", "shop.top", "best.online", "deals.work", "win.bid"]
LISTED = ["service@paypal.com", "info@hsbc.co.uk", "tax@irs.gov",
          "x@cheap.icu", "", "news@citibank.com", "office@parliament.uk",
          "alerts@mail.paypal.co.uk", "y@shop.top"]
URIS = ["http://cutpaid.com/x1", "https://sub.caat.site/r?u=1",
        "http://www.winner.top/claim", "http://promo.best.pro/",
        "http://www.example.org/page", "https://www.example.com/",
        "http://198.51.100.7/login"]


def eval_message(i):
    R = R2
    name, addr = person()
    tname, taddr = person()
    user = R.choice(["john.doe", "mary77", "pat.k", "li.chen"])
    kind = ["freemail", "freemail", "addrlist", "urihost", "envfrom",
            "envfrom", "https", "https", "addrlist", "freemail"][i % 10]
    if i >= 408:
        return locale_message(i)
    if i >= 400:
        return bounce_message(i)
    hdrs = []
    body = "Hello,\n\nplease see below.\n\n"
    html = None
    rdom = R.choice(DOMS)
    if kind == "envfrom":
        # Return-Path against the first untrusted relay, and ratware's
        # <to-domain>.<to-user>@ envelope sender
        tu, td = taddr.split("@")
        rp = R.choice(["bounce@%s" % rdom, "b@mx.%s" % R.choice(DOMS),
                       "%s.%s@spam.example.net" % (td, tu),
                       "SRS0=ab=cd=%s.%s@fw.example.net" % (td, tu),
                       "b-%d@%s" % (i, rdom)])
        hdrs.append("Return-Path: <%s>" % rp)
    hdrs.append("Received: from mx%d.%s (mx%d.%s [203.0.113.%d])\n\tby "
                "mail.example.com (Postfix) with ESMTP id %X\n\tfor "
                "<user@example.com>; Mon, 20 Nov 2023 10:%02d:00 +0000" % (
                    i % 9, rdom, i % 9, rdom, i % 250 + 1, i + 0x1000,
                    i % 60))
    frm = "%s <%s>" % (name, addr)
    if kind == "freemail":
        frm = "%s <%s@%s>" % (name, user, R.choice(FREEM + DOMS[:2]))
        if R.random() < 0.6:
            hdrs.append("Reply-To: %s" % R.choice([
                "%s@%s" % (user, R.choice(FREEM)), "r.%s@%s" % (
                    user, R.choice(FREEM)), "help@%s" % R.choice(DOMS),
                frm]))
        body += R.choice([
            "Write to me at %s.%d@%s today.\n" % (user, i, R.choice(FREEM)),
            "Write to <%s.x@%s> today.\n" % (user, R.choice(FREEM)),
            "%s %s@%s wrote: hello\n" % (name, user, R.choice(FREEM)),
            "a1@gmail.com b2@yahoo.com c3@hotmail.com d4@aol.com\n",
            "No address here.\n",
            "See http://www.example.com/u?m=%s%%40gmail.com\n" % user])
        if R.random() < 0.3:
            html = ('<html><body><p>Mail <a href="mailto:%s.m@%s">me'
                    '</a> now</p></body></html>\n' % (user, R.choice(FREEM)))
    elif kind == "addrlist":
        # each list in turn
        k = (i - 360) // 10 * 2 + (i % 10 == 8)
        frm = LISTED[k % len(LISTED)] or addr
        if k % 2 == 0:
            hdrs.append("Reply-To: <r%d@%s>" % (i, ["shop.top",
                        "gmail.com", "example.org"][k // 2 % 3]))
    elif kind == "urihost":
        for u in R.sample(URIS, R.randint(1, 3)):
            body += "Visit %s now\n" % u
    elif kind == "https":
        href = R.choice(["http://evil.example.net/login",
                         "http://192.0.2.9/login", "https://192.0.2.9/",
                         "http://www.bankofamerica.com/login",
                         "http://secure.example.org/"])
        text = R.choice(["https://www.bankofamerica.com/",
                         "https://192.0.2.9/", "Log in here",
                         "https://secure.example.org/"])
        html = ('<html><body><p>Log in at <a href="%s">%s</a></p>\n' % (
            href, text))
        for k in range(R.choice([0, 1, 10])):
            html += '<a href="http://h%d.example.com/">link %d</a>\n' % (k, k)
        if R.random() < 0.3:
            html += '<iframe src="http://www.example.net/f.html"></iframe>\n'
        if R.random() < 0.2:
            html += '<a href="http://www.example.org/%s">long</a>\n' % (
                "a" * 8200)
        html += "</body></html>\n"
    hdrs.append("From: " + frm)
    hdrs.append("To: %s <%s>" % (tname, taddr))
    hdrs.append("Subject: " + R.choice(HAM_SUBJ + SPAM_SUBJ))
    hdrs.append("Date: Mon, 20 Nov 2023 10:%02d:00 +0000" % (i % 60))
    hdrs.append("Message-ID: <ev%d.%08x@%s>" % (i, R.getrandbits(32), rdom))
    if html is not None:
        hdrs += ["MIME-Version: 1.0",
                 "Content-Type: text/html; charset=utf-8"]
        body = html
    return ("\n".join(hdrs) + "\n\n" + body).encode("utf-8")


def bounce_message(i):
    # VBounce: the relays named in the bounced message's Received fields
    # (plain text, or a message/rfc822 part with folded fields)
    R = R2
    relay = R.choice(["relay1.example.com", "relay7.example.com",
                      "mx.out.example.org", "mail.example.net"])
    rcvd = ("Received: from %s (%s [192.0.2.3])\n\tby mx.example.net "
            "(Postfix) with ESMTP id %X" % (relay, relay, i))
    hdrs = ["Received: from mx.example.net (mx.example.net [198.51.100.%d])"
            "\n\tby mail.example.com (Postfix) with ESMTP id %X\n\tfor "
            "<user@example.com>; Mon, 20 Nov 2023 11:00:00 +0000" % (
                i % 250 + 1, i),
            "Return-Path: <>",
            "From: MAILER-DAEMON@mx.example.net (Mail Delivery System)",
            "To: user@example.com",
            "Subject: Undelivered Mail Returned to Sender",
            "Date: Mon, 20 Nov 2023 11:00:00 +0000",
            "Message-ID: <bounce%d@mx.example.net>" % i]
    text = ("This is the mail system at host mx.example.net.\n\nI'm sorry "
            "to have to inform you that your message could not\nbe "
            "delivered to one or more recipients.\n\n")
    if i % 2 == 0:
        hdrs += ["MIME-Version: 1.0", "Content-Type: text/plain"]
        body = text + "> " + rcvd.replace("\n\t", " ") + "\n"
    else:
        bnd = "bnd%d" % i
        hdrs += ["MIME-Version: 1.0", 'Content-Type: multipart/report; '
                 'report-type=delivery-status; boundary="%s"' % bnd]
        body = ("--%s\nContent-Type: text/plain\n\n%s\n--%s\n"
                "Content-Type: message/rfc822\n\n%s\nFrom: user@example."
                "com\nSubject: hi\n\nhello\n--%s--\n" % (
                    bnd, text, bnd, rcvd, bnd))
    return ("\n".join(hdrs) + "\n\n" + body).encode("utf-8")


def locale_message(i):
    # charsets for ok_locales other than "all": encoded words in From and
    # Subject, a part's charset
    import base64
    k = i - 408
    if k >= 4:
        # 8-bit text in a faraway charset: SpamAssassin's body lines are
        # UTF-8 octets (tvd_vertical_words counts bytes)
        cs = ["koi8-r", "iso-8859-1"][k - 4]
        text = ["\u041f\u0440\u0438\u0432\u0435\u0442\u0441\u0442\u0432"
                "\u0443\u044e \u0432\u0441\u0435\u0445 \u0434\u0440\u0443"
                "\u0437\u0435\u0439\n",
                "caf\u00e9 cr\u00e8me br\u00fbl\u00e9e na\u00efve\n"][k - 4]
        return (("From: e@example.org\nTo: x@example.com\nSubject: hi\n"
                 "Date: Mon, 20 Nov 2023 10:00:00 +0000\nMessage-ID: <loc%d"
                 "@example.org>\nMIME-Version: 1.0\nContent-Type: text/"
                 "plain; charset=%s\nContent-Transfer-Encoding: 8bit\n\n"
                 % (i, cs)).encode() + (text * 3).encode(cs))
    subj = ["=?koi8-r?B?%s?=" % base64.b64encode(
        "\u041f\u0440\u0438\u0432\u0435\u0442".encode("koi8-r")).decode(),
            "hello", "hi", "=?utf-8?Q?caf=C3=A9?="][k]
    frm = ["a@example.org", "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?= "
           "<b@example.org>", "c@example.org", "d@example.org"][k]
    cs = ["us-ascii", "us-ascii", "koi8-r", "\"gb2312\""][k]
    return ("From: %s\nTo: x@example.com\nSubject: %s\nDate: Mon, 20 Nov "
            "2023 10:00:00 +0000\nMessage-ID: <loc%d@example.org>\n"
            "MIME-Version: 1.0\nContent-Type: text/plain; charset=%s\n\n"
            "plain text here\n" % (frm, subj, i, cs)).encode("utf-8")


# settings that make the evals of zero-scored or list-less rules run
EVAL_CONF = (
    "score HTML_IFRAME_SRC 0.1\nscore HTTPS_IP_MISMATCH 0.1\n"
    "score URI_TRUNCATED 0.1\n"
    "blocklist_uri_host winner.top example.org\n"
    "welcomelist_uri_host !www.example.org example.com\n"
    "enlist_uri_host (MYHOSTS) 198.51.100.7 caat.site\n"
    "delist_uri_host (MYHOSTS) caat.site\n"
    "enlist_addrlist (MYADDRS) *@gmail.com john.*@example.org\n"
    "header MY_FROM_LIST eval:check_from_in_list('MYADDRS')\n"
    "score MY_FROM_LIST 0.1\n"
    "header MY_RT_LIST eval:check_replyto_in_list('MYADDRS')\n"
    "score MY_RT_LIST 0.1\n"
    "header MY_URI_LIST eval:check_uri_host_listed('MYHOSTS')\n"
    "body MY_URI_BODY eval:check_uri_host_listed('MYHOSTS')\n"
    "score MY_URI_BODY 0.1\n"
    "score MY_URI_LIST 0.1\n"
    "welcomelist_subject Lunch?\nwelcomelist_subject *project status\n"
    "blocklist_subject free MONEY*\nblocklist_subject viagra ?0%\n"
    "welcomelist_bounce_relays relay?.example.com *.out.example.org\n"
    "ok_locales en ja\n")


def main():
    # SpamAssassin names one of several candidates (FreeMail addresses,
    # URI hosts) in Perl's hash order: fixed here, so that each run
    # compares the same thing
    os.environ["PERL_HASH_SEED"] = "0"
    os.environ["PERL_PERTURB_KEYS"] = "0"
    tmp = tempfile.mkdtemp(prefix="filterd-agree.")
    files = []
    for i in range(360 + NEVAL):
        p = os.path.join(tmp, "%03d.eml" % i)
        with open(p, "wb") as f:
            f.write(message(i) if i < 360 else eval_message(i))
        files.append(p)

    uns = subprocess.run([scanner, "--unsupported"], capture_output=True,
                         text=True, timeout=120)
    ok(uns.returncode == 0, "filterd lists the rules it cannot run")
    unsupported = set()
    evalrules = set()
    for line in uns.stdout.splitlines():
        name, kind = line.split("\t")
        (unsupported if kind == "unsupported" else evalrules).add(name)

    fd = subprocess.run([scanner, "--scan", "tests"] + files,
                        capture_output=True, text=True, timeout=600)
    ok(fd.returncode == 0, "filterd scanned %d messages" % len(files))
    diag(fd.stderr.strip())
    nopf = subprocess.run([scanner, "--scan", "tests"] + files,
                          capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, FILTERD_NO_PREFILTER="1"))
    diag(nopf.stderr.strip())
    ok(nopf.returncode == 0 and nopf.stdout == fd.stdout,
       "the same results without the literal prefilter")
    fdm = subprocess.run([scanner, "--scan", "message-files"] + files,
                         capture_output=True, text=True, timeout=600)
    ok(fdm.returncode == 0, "filterd rewrote the messages")
    ok("runtime error" not in fd.stderr + nopf.stderr + fdm.stderr.decode()
       if isinstance(fdm.stderr, bytes) else "runtime error" not in
       fd.stderr + nopf.stderr + fdm.stderr,
       "no sanitizer report from the scanner")
    sa_pl = os.path.join(tmp, "sa.pl")
    with open(sa_pl, "w") as f:
        f.write(SA_PL)
    sa = subprocess.run(["perl", sa_pl, tmp] + files, capture_output=True,
                        text=True, timeout=1200,
                        env=dict(os.environ, HOME=tmp))
    ok(sa.returncode == 0, "SpamAssassin scanned them (%s)" %
       sa.stderr.strip()[-200:])

    def parse(out):
        res = {}
        for line in out.splitlines():
            f = line.split("\t")
            res[f[0]] = f
        return res
    a = parse(fd.stdout)
    b = parse(sa.stdout)

    def cut(names, kind):
        # kind 0: the engine's own rules; 1: eval rules and their metas
        return [n for n in names.split(",") if n != "none" and
                n not in unsupported and (n in evalrules) == kind]
    same_hits = same_sub = same_verdict = same_status = status_cmp = 0
    nclean = clean_same = same_eval = 0
    nspam = 0
    for p in files:
        fa, fb = a.get(p), b.get(p)
        if fa is None or fb is None:
            diag("%s: no result (filterd %s, SA %s)" % (
                p, fa is not None, fb is not None))
            continue
        # filterd: file verdict score shown tests subtests status
        # SA:      file verdict score tests subtests status
        ta, tb = cut(fa[4], 0), cut(fb[3], 0)
        sa_, sb = sorted(set(cut(fa[5], 0))), sorted(set(cut(fb[4], 0)))
        ea = sorted(set(cut(fa[4], 1) + cut(fa[5], 1)))
        eb = sorted(set(cut(fb[3], 1) + cut(fb[4], 1)))
        if ea == eb:
            same_eval += 1
        else:
            diag("%s: eval rules differ: filterd only %s; SA only %s" % (
                os.path.basename(p), sorted(set(ea) - set(eb)),
                sorted(set(eb) - set(ea))))
        if fb[1] == "spam":
            nspam += 1
        if ta == tb:
            same_hits += 1
        else:
            diag("%s: tests differ: filterd only %s; SA only %s" % (
                os.path.basename(p), sorted(set(ta) - set(tb)),
                sorted(set(tb) - set(ta))))
        if sa_ == sb:
            same_sub += 1
        else:
            diag("%s: subtests differ: filterd only %s; SA only %s" % (
                os.path.basename(p), sorted(set(sa_) - set(sb)),
                sorted(set(sb) - set(sa_))))
        # only rules filterd runs hit in SA: same score, same verdict
        # (an unsupported __ rule only counts through metas, which are
        # then unsupported too)
        clean = not set(fb[3].split(",")) & unsupported and \
            fa[4] == fb[3]
        if clean:
            nclean += 1
        if fa[1] == fb[1]:
            same_verdict += 1
            if clean and fa[2] == fb[2]:
                clean_same += 1
        else:
            diag("%s: verdict filterd %s %s, SA %s %s%s" % (
                os.path.basename(p), fa[1], fa[2], fb[1], fb[2],
                "" if clean else " (SA: " + ",".join(sorted(
                    set(fb[3].split(",")) & unsupported)) + ")"))
        if clean and (fa[1] != fb[1] or fa[2] != fb[2]):
            diag("%s: score filterd %s, SA %s though only supported "
                 "rules hit" % (os.path.basename(p), fa[2], fb[2]))
        if fa[4] == fb[3]:
            status_cmp += 1
            if fa[6] == fb[5]:
                same_status += 1
            else:
                diag("%s: X-Spam-Status differs:\n filterd %r\n SA      %r"
                     % (os.path.basename(p), fa[6], fb[5]))
    # rewrite_mail, byte for byte (the Received date and the boundary of
    # report_safe set aside), where the rules hit agree
    msg_cmp = msg_same = 0

    def norm(x):
        x = re.sub(rb"(with SpamAssassin \(version [^)]*\);\r?\n\t)"
                   rb"[^\r\n]*", rb"\1DATE", x)
        x = re.sub(rb"----------=_[0-9A-F]{8}\.[0-9A-F]{8}",
                   b"BOUNDARY", x)
        # SA lists the rules of the report in the order it ran them,
        # which follows Perl's randomised hash order: sorted here
        lines = x.split(b"\n")
        out = []
        k = 0
        while k < len(lines):
            out.append(lines[k])
            if lines[k].startswith(b"X-Spam-Report: "):
                # report_safe 0's report field: the same, "\t* " entries
                k += 1
                ents = []
                while k < len(lines) and lines[k].startswith(b"\t"):
                    if lines[k].startswith(b"\t*      ") and ents:
                        ents[-1].append(lines[k])
                    else:
                        ents.append([lines[k]])
                    k += 1
                for e in sorted(ents, key=lambda e: e[0][8:]):
                    out.extend(e)
                continue
            if not lines[k].startswith(b"---- -----"):
                k += 1
                continue
            k += 1
            ents = []
            while k < len(lines) and lines[k].strip(b"\r") != b"":
                if lines[k].startswith(b" " * 28) and ents:
                    ents[-1].append(lines[k])
                else:
                    ents.append([lines[k]])
                k += 1
            for e in sorted(ents, key=lambda e: e[0][5:]):
                out.extend(e)
        return b"\n".join(out)

    def preview(x):
        # the report's "Content preview:" block as words, and x without it
        lines = x.split(b"\n")
        for k, line in enumerate(lines):
            if line.startswith(b"Content preview:"):
                e = k + 1
                while e < len(lines) and lines[e].startswith(b" "):
                    e += 1
                words = b" ".join(lines[k:e]).split()[2:]
                return ([w for w in words if w != b"[...]"],
                        b"\n".join(lines[:k] + [b"PREVIEW"] + lines[e:]))
        return None, x

    def same_msg(xa, xb):
        # byte for byte but for the preview of a body SA's FreeMail
        # rewrote (its addresses in <>, before "wrote:" and in URLs
        # become spaces in SA's cached body): filterd's words with such
        # addresses left out, SA's cut later
        na, nb = norm(xa), norm(xb)
        if na == nb:
            return True
        wa, ra = preview(na)
        wb, rb_ = preview(nb)
        if wa is None or wb is None or ra != rb_:
            return False
        j = 0
        for w in wb:
            while j < len(wa) and wa[j] != w and (b"@" in wa[j] or
                                                  wa[j].endswith(b":")):
                j += 1
            if j == len(wa):
                return True
            if wa[j] != w:
                return False
            j += 1
        return True

    for p in files:
        fa, fb = a.get(p), b.get(p)
        if fa is None or fb is None or fa[4] != fb[3] or fa[5] != fb[4]:
            continue
        try:
            with open(p + ".filterd", "rb") as f:
                xa = f.read()
            with open(p + ".sa", "rb") as f:
                xb = f.read()
        except OSError as e:
            diag("%s: %s" % (os.path.basename(p), e))
            continue
        msg_cmp += 1
        if same_msg(xa, xb):
            msg_same += 1
        else:
            la, lb = norm(xa).split(b"\n"), norm(xb).split(b"\n")
            k = 0
            while k < min(len(la), len(lb)) and la[k] == lb[k]:
                k += 1
            diag("%s (%s): rewritten message differs at line %d:\n"
                 " filterd %r\n SA      %r" % (
                     os.path.basename(p), fb[1], k + 1,
                     la[k] if k < len(la) else b"(end)",
                     lb[k] if k < len(lb) else b"(end)"))
    # other output settings, on a part of the corpus
    for conf in OUTPUT_CONFS:
        part = files[::8]
        env = dict(os.environ, FILTERD_POST_CONFIG=conf, HOME=tmp)
        r1 = subprocess.run([scanner, "--scan", "message-files"] + part,
                            capture_output=True, timeout=600, env=env)
        r2 = subprocess.run(["perl", sa_pl, tmp] + part,
                            capture_output=True, text=True, timeout=1200,
                            env=env)
        cmp_ = same = 0
        for p in part:
            if b.get(p) is None or a.get(p) is None or \
                    a[p][4] != b[p][3] or a[p][5] != b[p][4]:
                continue
            cmp_ += 1
            with open(p + ".filterd", "rb") as f:
                xa = f.read()
            with open(p + ".sa", "rb") as f:
                xb = f.read()
            if same_msg(xa, xb):
                same += 1
            else:
                diag("%s with %r: rewritten message differs:\n"
                     " filterd %r\n SA      %r" % (
                         os.path.basename(p), conf, xa[:600], xb[:600]))
        ok(r1.returncode == 0 and r2.returncode == 0 and cmp_ > 0 and
           same == cmp_, "with %r: rewritten messages agree %d/%d" %
           (conf.replace("\n", "; "), same, cmp_))
    # the eval rules that need settings (zero scores, lists): the eval
    # messages under EVAL_CONF, every rule filterd runs compared
    evfiles = files[360:]
    env = dict(os.environ, FILTERD_POST_CONFIG=EVAL_CONF, HOME=tmp)
    u2 = subprocess.run([scanner, "--unsupported"], capture_output=True,
                        text=True, timeout=120, env=env)
    unsup2 = set(line.split("\t")[0] for line in u2.stdout.splitlines()
                 if line.endswith("\tunsupported"))
    r1 = subprocess.run([scanner, "--scan", "tests"] + evfiles,
                        capture_output=True, text=True, timeout=600, env=env)
    r2 = subprocess.run(["perl", sa_pl, tmp] + evfiles, capture_output=True,
                        text=True, timeout=1200, env=env)
    e1, e2 = parse(r1.stdout), parse(r2.stdout)
    watch = ["__freemail_replyto", "__freemail_reply",
             "__FROM_ADDRLIST_PAYPAL", "__FROM_ADDRLIST_BANKS",
             "__FROM_ADDRLIST_GOV", "__FROM_ADDRLIST_SUSPNTLD",
             "__REPLYTO_ADDRLIST_SUSPNTLD", "__PDS_CASHSHORTENER",
             "PDS_OTHER_BAD_TLD", "T_PDS_PRO_TLD", "__RP_MATCHES_RCVD",
             "RATWARE_EFROM", "HTTPS_HTTP_MISMATCH", "HTTPS_IP_MISMATCH",
             "HTML_IFRAME_SRC", "URI_TRUNCATED", "URI_HOST_IN_BLOCKLIST",
             "URI_HOST_IN_WELCOMELIST", "MY_FROM_LIST", "MY_RT_LIST",
             "MY_URI_LIST", "SUBJECT_IN_WELCOMELIST",
             "SUBJECT_IN_BLOCKLIST", "__MY_SERVERS_FOUND",
             "CHARSET_FARAWAY_HEADER", "__MIME_CHARSET_FARAWAY"]
    hits = dict((w, 0) for w in watch)
    ev_same = 0
    for p in evfiles:
        fa, fb = e1.get(p), e2.get(p)
        if fa is None or fb is None:
            diag("%s: no result with EVAL_CONF" % os.path.basename(p))
            continue
        ta = set(fa[4].split(",") + fa[5].split(",")) - unsup2 - {"none"}
        tb = set(fb[3].split(",") + fb[4].split(",")) - unsup2 - {"none"}
        for w in watch:
            hits[w] += w in tb
        if ta == tb:
            ev_same += 1
        else:
            diag("%s with EVAL_CONF: filterd only %s; SA only %s" % (
                os.path.basename(p), sorted(ta - tb), sorted(tb - ta)))
    diag("with EVAL_CONF, messages SA hits each on: %s" % ", ".join(
        "%s %d" % (w, hits[w]) for w in watch))
    ok(r1.returncode == 0 and r2.returncode == 0 and
       ev_same == len(evfiles) and not set(watch) & unsup2 and
       all(0 < hits[w] < len(evfiles) for w in watch),
       "with list and score settings, the rules agree on %d/%d messages, "
       "each of %d list/URI/freemail evals hitting some and missing some"
       % (ev_same, len(evfiles), len(watch)))
    n = len(files)
    diag("%d messages (%d spam by SA); %d rules out of the comparison" %
         (n, nspam, len(unsupported)))
    diag("agree: tests %d/%d, subtests %d/%d, verdict %d/%d, "
         "X-Spam-Status %d/%d" % (same_hits, n, same_sub, n, same_verdict,
                                  n, same_status, status_cmp))
    diag("verdicts agree on %d/%d messages (the others: rules filterd "
         "cannot run yet)" % (same_verdict, n))
    ok(same_hits == n, "the engine's rules hit agree on %d/%d messages" %
       (same_hits, n))
    ok(same_sub == n, "the engine's subtests agree on %d/%d messages" %
       (same_sub, n))
    # the eval functions (filterd/sa_eval.c): disagreements listed above
    ok(same_eval == n, "the eval rules (%d, and metas over them) agree "
       "on %d/%d messages" % (len(evalrules), same_eval, n))
    ok(nclean >= n // 8 and clean_same == nclean,
       "score and verdict agree on %d/%d messages where the same rules "
       "hit and SA hit no rule filterd cannot run" % (clean_same, nclean))
    ok(msg_cmp > 0 and msg_same == msg_cmp,
       "rewritten messages (report_safe 1 for spam) agree byte for byte "
       "where the rules agree: %d/%d" % (msg_same, msg_cmp))
    ok(status_cmp > 0 and same_status == status_cmp,
       "X-Spam-Status byte for byte where the tests agree: %d/%d" %
       (same_status, status_cmp))
    if os.environ.get("FILTERD_AGREE_KEEP"):
        diag("corpus kept in " + tmp)
    else:
        subprocess.run(["rm", "-rf", tmp])
    print("1..%d" % ntest)
    return 1 if failed else 0


OUTPUT_CONFS = [
    "report_safe 0\nrewrite_header Subject *****SPAM*****\n"
    "required_score 3\n",
    "report_safe 2\nrequired_score 2.5\n",
    "report_safe 0\nrewrite_header From [spam]\nrewrite_header To "
    "[spam _SCORE_]\nadd_header all Report _TESTSSCORES(,)_\n"
    "fold_headers 0\n",
    "add_header all Note Gr\u00fc\u00dfe f\u00fcr _YESNO_ \u00e4\u00f6\u00fc, ok\n"
    "add_header all Euro \u20ac\u20ac\u20ac\u20ac\u20ac=?_\n",
]

SA_PL = r'''
use strict; use warnings;
use Mail::SpamAssassin;
my $tmp = shift @ARGV;
my $sa = Mail::SpamAssassin->new({
  local_tests_only => 1, dont_copy_prefs => 1,
  userprefs_filename => "$tmp/none.cf", userstate_dir => $tmp,
  home_dir_for_helpers => $tmp,
  post_config_text => "use_bayes 0\nbayes_auto_learn 0\n" .
      "report_hostname filterd.test\n" .
      ($ENV{FILTERD_POST_CONFIG} // ""),
});
$sa->init(1);
for my $f (@ARGV) {
  open(my $fh, '<', $f) or die "$f: $!";
  # $/ undef only while reading: SA's own chomp() calls need "\n"
  my $text = do { local $/; <$fh> };
  close $fh;
  my $msg = $sa->parse($text);
  my $pms = $sa->check($msg);
  my $out = $pms->rewrite_mail();
  my ($st) = $out =~ /^X-Spam-Status: (.*?\n)(?![ \t])/ms;
  $st = '' unless defined $st;
  $st =~ s/\r?\n\z//;
  $st =~ s/\r?\n/\001/g;
  print join("\t", $f, $pms->is_spam ? 'spam' : 'ham',
    sprintf("%.3f", $pms->get_score),
    $pms->get_names_of_tests_hit || 'none',
    $pms->get_names_of_subtests_hit || 'none', $st), "\n";
  open(my $oh, '>', "$f.sa") or die "$f.sa: $!";
  print $oh $out;
  close $oh;
  $pms->finish;
  $msg->finish;
}
'''

sys.exit(main())
