"""Python's smtplib sends to local users; Python's imaplib and curl read, flag and
expunge the same messages over IMAP."""
import base64
import email.policy
import imaplib
import os
import re
import subprocess
import sys
import time
import unittest
import uuid
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import load_shared  # noqa: E402
from mail_clients import pop3_fetch_all, send, strip_server_headers  # noqa: E402

INFO = load_shared(os.environ["DIRMAILD_STATE"])
SMTP, IMAP, POP3 = INFO["smtp_port"], INFO["imap_port"], INFO["pop3_port"]
FRANK, FRANK_PW = "frank@example.test", INFO["users"]["frank@example.test"]
GRACE, GRACE_PW = "grace@example.test", INFO["users"]["grace@example.test"]


def message(to, subject, body):
    return (f"From: Friend <friend@example.org>\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.org>\r\n\r\n").encode() + body


def login(user, password):
    m = imaplib.IMAP4("127.0.0.1", IMAP, timeout=30)
    m.login(user, password)
    return m


def uid_of(m, tag, timeout=20.0):
    """The UID of the message whose Subject holds `tag`, waiting for local delivery
    (the queue hands messages to the store just after 250)."""
    deadline = time.time() + timeout
    while True:
        typ, data = m.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK", data
        for item in data:
            if isinstance(item, tuple) and tag.encode() in item[1]:
                return int(re.search(rb"UID (\d+)", item[0]).group(1))
        if time.time() > deadline:
            raise AssertionError(f"message {tag} did not arrive")
        time.sleep(0.2)
        m.noop()


def flags_of(m, uid):
    typ, data = m.uid("FETCH", str(uid), "(FLAGS)")
    assert typ == "OK", data
    return re.search(rb"FLAGS \(([^)]*)\)", data[0]).group(1).split()


class IdlePush(unittest.TestCase):
    def test_delivery_during_idle_is_pushed_before_the_poll_interval(self):
        """IDLE reads the folder again every 30 s to find other nodes' changes; a local
        delivery is pushed at once (within a second, through the store's change count)."""
        m = login(GRACE, GRACE_PW)
        try:
            typ, data = m.select("INBOX")
            self.assertEqual(typ, "OK", data)
            before = int(data[0])
            tag = m._new_tag().decode()
            m.send(f"{tag} IDLE\r\n".encode())
            self.assertTrue(m.readline().startswith(b"+"))
            send(SMTP, "friend@example.org", [GRACE], message(GRACE, "pushed " + uuid.uuid4().hex, b"hello\r\n"))
            sent = time.time()
            m.sock.settimeout(15)  # half the poll interval: only a push can be this quick
            line = m.readline()
            waited = time.time() - sent
            pushed = re.fullmatch(rb"\* (\d+) EXISTS", line.strip())
            self.assertTrue(pushed and int(pushed.group(1)) > before, f"{line!r} after {waited:.1f} s")
            # The new message is \Recent here, with those this SELECT claimed.
            self.assertRegex(m.readline().strip(), rb"^\* \d+ RECENT$")
            m.send(b"DONE\r\n")
            self.assertTrue(m.readline().startswith(f"{tag} OK".encode()))
        finally:
            m.logout()


class ImaplibRoundTrip(unittest.TestCase):
    def test_bytes_survive_the_round_trip(self):
        tag = uuid.uuid4().hex
        body = (b"first line\r\n.leading dot\r\n..two dots\r\n.\xe3\x81\x82 utf-8 text\r\n" + b"x" * 5000 +
                b"\r\n\r\nlast " + tag.encode() + b"\r\n")
        original = message(FRANK, tag, body)
        self.assertEqual(send(SMTP, "friend@example.org", [FRANK], original), {})
        m = login(FRANK, FRANK_PW)
        typ, data = m.select("INBOX")
        self.assertEqual(typ, "OK")
        uid = uid_of(m, tag)
        typ, data = m.uid("FETCH", str(uid), "(RFC822.SIZE INTERNALDATE BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        raw = data[0][1]
        self.assertEqual(strip_server_headers(raw), original)
        self.assertIn(b"Delivered-To: frank@example.test\r\n", raw)
        self.assertIn(f"RFC822.SIZE {len(raw)}".encode(), data[0][0])
        self.assertIsNotNone(imaplib.Internaldate2tuple(data[0][0]))
        self.assertNotIn(b"\\Seen", flags_of(m, uid))  # PEEK leaves it unread
        typ, data = m.uid("FETCH", str(uid), "(BODY[TEXT])")
        self.assertEqual(data[0][1], body)
        self.assertIn(b"\\Seen", flags_of(m, uid))  # reading the text marks it read
        m.close()
        m.logout()

    def test_envelope_and_header_fields(self):
        tag = uuid.uuid4().hex
        send(SMTP, "friend@example.org", [FRANK], message(FRANK, tag, b"envelope\r\n"))
        m = login(FRANK, FRANK_PW)
        m.select("INBOX", readonly=True)
        uid = uid_of(m, tag)
        typ, data = m.uid("FETCH", str(uid), "(ENVELOPE BODYSTRUCTURE)")
        self.assertEqual(typ, "OK")
        text = data[0] if isinstance(data[0], bytes) else data[0][0]
        self.assertIn(f'"{tag}" (("Friend" NIL "friend" "example.org"))'.encode(), text)
        self.assertIn(b'(("Friend" NIL "friend" "example.org")) ((NIL NIL "frank" "example.test"))', text)
        self.assertIn(b'BODYSTRUCTURE ("TEXT" "PLAIN"', text)
        typ, data = m.uid("FETCH", str(uid), "(BODY.PEEK[HEADER.FIELDS (To Subject)])")
        self.assertEqual(data[0][1], f"To: {FRANK}\r\nSubject: {tag}\r\n\r\n".encode())
        m.logout()


def mime_message(to, tag, attachment):
    """text + binary attachment + an attached message whose body is multipart/alternative."""
    inner = EmailMessage()
    inner["From"] = "Inner <inner@example.org>"
    inner["Subject"] = "inner " + tag
    inner.set_content("inner plain\n")
    inner.add_alternative("<p>inner html</p>\n", subtype="html")
    outer = EmailMessage()
    outer["From"] = "Friend <friend@example.org>"
    outer["To"] = to
    outer["Subject"] = tag
    outer.set_content("see the attachments\n")
    outer.add_attachment(attachment, maintype="application", subtype="octet-stream", filename="data.bin")
    outer.add_attachment(inner)
    return outer.as_bytes(policy=email.policy.SMTP)


class ImaplibMimeParts(unittest.TestCase):
    def test_bodystructure_and_part_sections_of_a_multipart_message(self):
        """What a mail client does with an attachment: BODYSTRUCTURE to draw the parts,
        then BODY.PEEK[n] for the one the user opens, and [n.HEADER] of a forwarded mail."""
        tag = uuid.uuid4().hex
        attachment = bytes(range(256)) * 40
        send(SMTP, "friend@example.org", [FRANK], mime_message(FRANK, tag, attachment))
        m = login(FRANK, FRANK_PW)
        m.select("INBOX", readonly=True)
        uid = uid_of(m, tag)
        typ, data = m.uid("FETCH", str(uid), "(BODYSTRUCTURE)")
        self.assertEqual(typ, "OK")
        text = b"".join(x if isinstance(x, bytes) else x[0] + x[1] for x in data)
        self.assertIn(b'("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "7BIT" 21 1 NIL NIL NIL NIL)', text)
        self.assertIn(b'"APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64"', text)
        self.assertIn(b'("ATTACHMENT" ("FILENAME" "data.bin"))', text)
        self.assertIn(b'("MESSAGE" "RFC822" NIL NIL NIL "8BIT"', text)
        self.assertIn(f'"inner {tag}" (("Inner" NIL "inner" "example.org"))'.encode(), text)
        self.assertIn(b'"ALTERNATIVE" ("BOUNDARY"', text)
        self.assertIn(b'"MIXED" ("BOUNDARY"', text)

        def section(name):
            typ, data = m.uid("FETCH", str(uid), f"(BODY.PEEK[{name}])")
            self.assertEqual(typ, "OK", data)
            return data[0][1] if isinstance(data[0], tuple) else None

        self.assertEqual(section("1"), b"see the attachments\r\n")
        self.assertEqual(base64.b64decode(section("2")), attachment)
        self.assertEqual(section("2.MIME").split(b"\r\n")[0], b"Content-Type: application/octet-stream")
        self.assertEqual(section("3.HEADER.FIELDS (SUBJECT)"), f"Subject: inner {tag}\r\n\r\n".encode())
        self.assertTrue(section("3.HEADER").startswith(b"From: Inner <inner@example.org>\r\n"))
        self.assertEqual(section("3.1"), b"inner plain\r\n")
        self.assertEqual(section("3.2"), b"<p>inner html</p>\r\n")
        self.assertIn(b"text/html", section("3.2.MIME"))
        self.assertTrue(section("3").startswith(b"From: Inner"))
        self.assertIsNone(section("4"))  # no such part: NIL
        typ, data = m.uid("FETCH", str(uid), "(BODY.PEEK[2]<0.8>)")
        self.assertEqual(data[0][1], base64.b64encode(attachment)[:8])
        m.logout()


class ImaplibSearchContent(unittest.TestCase):
    def test_search_header_fields_body_and_text(self):
        """SEARCH on what a user reads: decoded subjects and senders (RFC 2047, ISO-2022-JP),
        base64 bodies in UTF-8, any header field, the Date field."""
        tag = uuid.uuid4().hex
        japanese = EmailMessage()
        japanese["From"] = "=?UTF-8?B?5bGx55Sw?= <yamada@example.jp>"
        japanese["To"] = FRANK
        japanese["Subject"] = "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?= report"
        japanese["Date"] = "Fri, 01 Mar 2024 10:00:00 +0000"
        japanese["X-Tag"] = tag
        japanese.set_content("四半期の数字です。\n", charset="utf-8", cte="base64")
        send(SMTP, "yamada@example.jp", [FRANK], japanese.as_bytes(policy=email.policy.SMTP))
        plain = message(FRANK, "plain " + tag, b"nothing to see\r\n").replace(b"\r\n\r\n", f"\r\nX-Tag: {tag}\r\n\r\n".encode(), 1)
        send(SMTP, "friend@example.org", [FRANK], plain)
        m = login(FRANK, FRANK_PW)
        m.select("INBOX", readonly=True)
        plain_uid = uid_of(m, "plain " + tag)

        def search(*criteria, literal=None):
            if literal is not None:
                m.literal = literal.encode()
            typ, data = m.uid("SEARCH", *criteria)
            self.assertEqual(typ, "OK", data)
            return [int(x) for x in data[0].split()]

        deadline = time.time() + 20  # the other message may still be on its way to the store
        while len(both := search("HEADER", "X-Tag", tag)) < 2 and time.time() < deadline:
            time.sleep(0.1)
            m.noop()
        self.assertEqual(len(both), 2)
        # Delivery workers run side by side: the plain message may be stored first.
        second = plain_uid
        first = next(uid for uid in both if uid != plain_uid)
        self.assertEqual(search("HEADER", "X-Tag", tag, "FROM", "yamada@EXAMPLE.jp"), [first])
        self.assertEqual(search("CHARSET", "UTF-8", "HEADER", "X-Tag", tag, "SUBJECT", literal="日本語"), [first])
        self.assertEqual(search("CHARSET", "UTF-8", "HEADER", "X-Tag", tag, "FROM", literal="山田"), [first])
        self.assertEqual(search("CHARSET", "UTF-8", "HEADER", "X-Tag", tag, "BODY", literal="四半期"), [first])
        self.assertEqual(search("HEADER", "X-Tag", tag, "BODY", "nothing"), [second])
        self.assertEqual(search("HEADER", "X-Tag", tag, "TEXT", "yamada"), [first])
        self.assertEqual(search("HEADER", "X-Tag", tag, "SENTON", "1-Mar-2024"), [first])
        self.assertEqual(search("HEADER", "X-Tag", tag, "NOT", "SUBJECT", "report"), [second])
        self.assertEqual(search("HEADER", "X-Tag", tag, "OR", "SUBJECT", "plain", "BODY", "zzz"), [second])
        m.logout()


class ImaplibFlagsAndExpunge(unittest.TestCase):
    def test_store_and_fetch_flags(self):
        tag = uuid.uuid4().hex
        send(SMTP, "friend@example.org", [GRACE], message(GRACE, tag, b"flags\r\n"))
        m = login(GRACE, GRACE_PW)
        m.select("INBOX")
        uid = uid_of(m, tag)
        typ, data = m.uid("STORE", str(uid), "+FLAGS", "(\\Flagged \\Answered)")
        self.assertEqual(typ, "OK")
        self.assertEqual(sorted(flags_of(m, uid)), [b"\\Answered", b"\\Flagged", b"\\Recent"])
        m.uid("STORE", str(uid), "-FLAGS", "(\\Answered)")
        m.logout()
        # The flags are stored: a new session sees them.
        m = login(GRACE, GRACE_PW)
        m.select("INBOX", readonly=True)
        self.assertEqual(flags_of(m, uid), [b"\\Flagged"])
        typ, data = m.uid("SEARCH", None, "FLAGGED")
        self.assertIn(str(uid).encode(), data[0].split())
        m.logout()

    def test_expunge_removes_only_deleted_messages(self):
        tags = [uuid.uuid4().hex for _ in range(2)]
        for t in tags:
            send(SMTP, "friend@example.org", [GRACE], message(GRACE, t, b"expunge test\r\n"))
        m = login(GRACE, GRACE_PW)
        m.select("INBOX")
        doomed, kept = uid_of(m, tags[0]), uid_of(m, tags[1])
        m.uid("STORE", str(doomed), "+FLAGS.SILENT", "(\\Deleted)")
        typ, data = m.expunge()
        self.assertEqual(typ, "OK")
        self.assertEqual(len([d for d in data if d]), 1, data)  # one "* n EXPUNGE"
        typ, data = m.uid("FETCH", f"{doomed},{kept}", "(UID)")
        self.assertEqual([re.search(rb"UID (\d+)", d).group(1) for d in data if d], [str(kept).encode()])
        m.logout()
        left = b"".join(raw for _, raw in pop3_fetch_all(POP3, GRACE, GRACE_PW))  # POP3 sees the same mailbox
        self.assertNotIn(tags[0].encode(), left)
        self.assertIn(tags[1].encode(), left)


class ImapProtocol(unittest.TestCase):
    def test_capabilities_and_wrong_password(self):
        m = imaplib.IMAP4("127.0.0.1", IMAP, timeout=30)
        self.assertIn("IMAP4REV1", m.capabilities)
        self.assertIn("LITERAL+", m.capabilities)
        self.assertNotIn("LOGINDISABLED", m.capabilities)  # loopback client, plaintext_auth = loopback
        with self.assertRaises(imaplib.IMAP4.error) as cm:
            m.login(FRANK, "wrong")
        self.assertIn("AUTHENTICATIONFAILED", str(cm.exception))
        m.logout()

    def test_inbox_and_special_use_folders_exist(self):
        m = login(FRANK, FRANK_PW)
        typ, data = m.list()
        self.assertEqual(typ, "OK")
        self.assertEqual(data[0], b'(\\HasNoChildren) "/" INBOX')  # INBOX first; more in test_imap_mailboxes
        self.assertIn(b'(\\HasNoChildren \\Sent) "/" Sent', data)
        typ, data = m.select("Archive")
        self.assertEqual(typ, "NO")
        self.assertIn(b"NONEXISTENT", data[0])
        typ, data = m.status("INBOX", "(MESSAGES UIDNEXT)")
        self.assertEqual(typ, "OK")
        m.logout()

    def test_login_is_logged(self):
        m = login(FRANK, FRANK_PW)
        m.logout()
        log = (Path(INFO["folder"]) / "log" / "imap" / "node1.log").read_text()
        self.assertRegex(log, r"type=auth .*user=frank@example.test .*msg=\"?login")


class Curl(unittest.TestCase):
    def test_curl_reads_a_message_by_uid(self):
        tag = uuid.uuid4().hex
        original = message(GRACE, tag, b"read by curl\r\n.dot line\r\n")
        send(SMTP, "friend@example.org", [GRACE], original)
        m = login(GRACE, GRACE_PW)
        m.select("INBOX", readonly=True)
        uid = uid_of(m, tag)
        m.logout()
        r = subprocess.run(["curl", "-sS", "--max-time", "30", f"imap://127.0.0.1:{IMAP}/INBOX;UID={uid}",
                            "-u", f"{GRACE}:{GRACE_PW}"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(strip_server_headers(r.stdout), original)

    def test_curl_lists_and_searches(self):
        r = subprocess.run(["curl", "-sS", "--max-time", "30", f"imap://127.0.0.1:{IMAP}/", "-u", f"{FRANK}:{FRANK_PW}"],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertIn(b"INBOX", r.stdout)
        r = subprocess.run(["curl", "-sS", "--max-time", "30", f"imap://127.0.0.1:{IMAP}/INBOX?ALL",
                            "-u", f"{FRANK}:{FRANK_PW}"], capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertTrue(r.stdout.startswith(b"* SEARCH"), r.stdout[:200])


if __name__ == "__main__":
    unittest.main(verbosity=2)
