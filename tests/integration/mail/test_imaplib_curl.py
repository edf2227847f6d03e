"""Python's smtplib sends to local users; Python's imaplib and curl read, flag and
expunge the same messages over IMAP."""
import imaplib
import os
import re
import subprocess
import sys
import time
import unittest
import uuid
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


class ImaplibFlagsAndExpunge(unittest.TestCase):
    def test_store_and_fetch_flags(self):
        tag = uuid.uuid4().hex
        send(SMTP, "friend@example.org", [GRACE], message(GRACE, tag, b"flags\r\n"))
        m = login(GRACE, GRACE_PW)
        m.select("INBOX")
        uid = uid_of(m, tag)
        typ, data = m.uid("STORE", str(uid), "+FLAGS", "(\\Flagged \\Answered)")
        self.assertEqual(typ, "OK")
        self.assertEqual(sorted(flags_of(m, uid)), [b"\\Answered", b"\\Flagged"])
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
