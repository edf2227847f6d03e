"""Python's smtplib sends to a local user; Python's poplib reads the same bytes back."""
import os
import poplib
import smtplib
import socket
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import load_shared  # noqa: E402
from mail_clients import pop3_fetch_all, send, strip_server_headers, wait_for_messages  # noqa: E402

INFO = load_shared(os.environ["DIRMAILD_STATE"])
SMTP, POP3 = INFO["smtp_port"], INFO["pop3_port"]
ALICE, ALICE_PW = "alice@example.test", INFO["users"]["alice@example.test"]
BOB, BOB_PW = "bob@example.test", INFO["users"]["bob@example.test"]


def message(subject, body):
    return (f"From: Friend <friend@example.org>\r\nTo: {ALICE}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.org>\r\n\r\n").encode() + body


class RoundTrip(unittest.TestCase):
    def test_bytes_survive_the_round_trip(self):
        tag = uuid.uuid4().hex
        # Leading dots (stuffing both ways), an 8-bit line, a long line, an empty last line.
        body = (b"first line\r\n.leading dot\r\n..two dots\r\n.\xe3\x81\x82 utf-8 text\r\n" + b"x" * 5000 +
                b"\r\n\r\nlast " + tag.encode() + b"\r\n")
        original = message(tag, body)
        self.assertEqual(send(SMTP, "friend@example.org", [ALICE], original), {})
        got = wait_for_messages(POP3, ALICE, ALICE_PW, tag)
        self.assertEqual(len(got), 1)
        self.assertEqual(strip_server_headers(got[0]), original)
        self.assertIn(b"Return-Path: <friend@example.org>\r\n", got[0])
        self.assertIn(b"Delivered-To: alice@example.test\r\n", got[0])

    def test_two_recipients_each_get_a_copy(self):
        tag = uuid.uuid4().hex
        original = message(tag, b"to both\r\n")
        self.assertEqual(send(SMTP, "friend@example.org", [ALICE, BOB], original), {})
        for user, pw in ((ALICE, ALICE_PW), (BOB, BOB_PW)):
            got = wait_for_messages(POP3, user, pw, tag)
            self.assertEqual(len(got), 1, user)
            self.assertEqual(strip_server_headers(got[0]), original)

    def test_unknown_local_user_is_550_5_1_1(self):
        with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
            s.ehlo("client.example.org")
            s.mail("friend@example.org")
            code, text = s.rcpt("nobody@example.test")
            self.assertEqual(code, 550)
            self.assertIn(b"5.1.1", text)

    def test_other_domains_are_not_relayed(self):
        with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
            s.ehlo("client.example.org")
            s.mail("friend@example.org")
            code, text = s.rcpt("someone@elsewhere.example")
            self.assertEqual(code, 554)
            self.assertIn(b"5.7.1", text)

    def test_protocol_errors(self):
        with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
            self.assertEqual(s.docmd("MAIL FROM:<a@example.org>")[0], 503)  # before EHLO
            s.ehlo("client.example.org")
            self.assertEqual(s.docmd("RCPT TO:<alice@example.test>")[0], 503)  # before MAIL
            self.assertEqual(s.docmd("DATA")[0], 503)
            self.assertEqual(s.docmd("MAIL FROM:<no-at-sign>")[0], 501)
            self.assertEqual(s.docmd("MAIL FROM:<a@example.org>")[0], 250)
            self.assertEqual(s.docmd("MAIL FROM:<a@example.org>")[0], 503)  # nested
            self.assertEqual(s.docmd("DATA")[0], 554)  # no valid recipients
            self.assertEqual(s.docmd("RSET")[0], 250)
            self.assertEqual(s.docmd("NOOP")[0], 250)
            self.assertEqual(s.docmd("FROB")[0], 500)
            self.assertEqual(s.docmd("X" * 3000)[0], 500)  # line too long
            code, text = s.docmd("MAIL FROM:<a@example.org> SIZE=999999999999")
            self.assertEqual(code, 552)
            # 20 digits past 2^64: once wrapped to a small number; it must stay too big.
            self.assertEqual(s.docmd("MAIL FROM:<a@example.org> SIZE=99999999999999999999")[0], 552)
            self.assertIn(b"SIZE", s.ehlo("client.example.org")[1])

    def test_null_sender_is_accepted(self):
        tag = uuid.uuid4().hex
        self.assertEqual(send(SMTP, "<>", [ALICE], message(tag, b"bounce-like\r\n")), {})
        got = wait_for_messages(POP3, ALICE, ALICE_PW, tag)
        self.assertEqual(len(got), 1)
        self.assertIn(b"Return-Path: <>\r\n", got[0])


class Smuggling(unittest.TestCase):
    def test_bare_lf_dot_does_not_end_the_message(self):
        tag = uuid.uuid4().hex
        s = socket.create_connection(("127.0.0.1", SMTP), timeout=20)
        f = s.makefile("rb")
        f.readline()
        s.sendall(b"EHLO c.example.org\r\n")
        while f.readline()[3:4] == b"-":
            pass
        for cmd in (b"MAIL FROM:<a@example.org>", f"RCPT TO:<{ALICE}>".encode(), b"DATA"):
            s.sendall(cmd + b"\r\n")
            self.assertIn(f.readline()[:1], (b"2", b"3"))
        smuggled = (f"Subject: {tag}\r\n\r\nfirst\n.\nMAIL FROM:<evil@example.org>\r\n"
                    f"RCPT TO:<{BOB}>\r\nDATA\r\nSubject: smuggled {tag}\r\n\r\nevil\r\n.\r\n").encode()
        s.sendall(smuggled + b"QUIT\r\n")
        replies = f.read().decode()
        s.close()
        self.assertEqual(replies.count("250 2.0.0 Ok: queued"), 1, replies)
        self.assertTrue(replies.rstrip().splitlines()[-1].startswith("221"), replies)
        got = wait_for_messages(POP3, ALICE, ALICE_PW, tag)
        self.assertEqual(len(got), 1)
        self.assertIn(b"MAIL FROM:<evil@example.org>", got[0])  # text inside the one message
        self.assertEqual([r for _, r in pop3_fetch_all(POP3, BOB, BOB_PW) if tag.encode() in r], [])


class Pop3Behaviour(unittest.TestCase):
    def test_wrong_password_is_refused(self):
        p = poplib.POP3("127.0.0.1", POP3, timeout=30)
        p.user(ALICE)
        with self.assertRaises(poplib.error_proto) as cm:
            p.pass_("wrong")
        self.assertIn(b"[AUTH]", cm.exception.args[0])
        p.quit()

    def test_dele_then_quit_removes_only_that_message(self):
        tags = [uuid.uuid4().hex for _ in range(2)]
        for t in tags:
            send(SMTP, "friend@example.org", [BOB], message(t, b"dele test\r\n"))
            self.assertEqual(len(wait_for_messages(POP3, BOB, BOB_PW, t)), 1)
        p = poplib.POP3("127.0.0.1", POP3, timeout=30)
        p.user(BOB)
        p.pass_(BOB_PW)
        n = None
        for entry in p.list()[1]:
            num = int(entry.split()[0])
            if tags[0].encode() in b"\r\n".join(p.retr(num)[1]):
                n = num
        self.assertIsNotNone(n)
        self.assertTrue(p.dele(n).startswith(b"+OK"))
        with self.assertRaises(poplib.error_proto):
            p.retr(n)  # deleted in this session
        p.quit()
        left = b"".join(raw for _, raw in pop3_fetch_all(POP3, BOB, BOB_PW))
        self.assertNotIn(tags[0].encode(), left)
        self.assertIn(tags[1].encode(), left)

    def test_second_session_on_same_mailbox_is_in_use(self):
        p = poplib.POP3("127.0.0.1", POP3, timeout=30)
        p.user(ALICE)
        p.pass_(ALICE_PW)
        q = poplib.POP3("127.0.0.1", POP3, timeout=30)
        q.user(ALICE)
        with self.assertRaises(poplib.error_proto) as cm:
            q.pass_(ALICE_PW)
        self.assertIn(b"[IN-USE]", cm.exception.args[0])
        q.quit()
        p.quit()

    def test_capa_top_and_uidl(self):
        tag = uuid.uuid4().hex
        send(SMTP, "friend@example.org", [ALICE], message(tag, b"line1\r\nline2\r\nline3\r\n"))
        self.assertEqual(len(wait_for_messages(POP3, ALICE, ALICE_PW, tag)), 1)
        p = poplib.POP3("127.0.0.1", POP3, timeout=30)
        caps = p.capa()
        self.assertIn("UIDL", caps)
        self.assertIn("TOP", caps)
        p.user(ALICE)
        p.pass_(ALICE_PW)
        count = p.stat()[0]
        for num in range(1, count + 1):
            head = b"\r\n".join(p.top(num, 1)[1])
            if tag.encode() in head:
                self.assertTrue(head.endswith(b"\r\n\r\nline1"), head[-40:])
                uidl = p.uidl(num).split()[2]
                self.assertTrue(0 < len(uidl) <= 70)
                break
        else:
            self.fail("message not found")
        p.quit()


class Logs(unittest.TestCase):
    def test_receive_record_names_the_queue_id(self):
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
            s.ehlo("client.example.org")
            s.mail("friend@example.org")
            s.rcpt(ALICE)
            code, text = s.data(message(tag, b"log test\r\n"))
        self.assertEqual(code, 250)
        queue_id = text.decode().split()[-1]
        log = (Path(INFO["folder"]) / "log" / "smtp" / "node1.log").read_text()
        lines = [ln for ln in log.splitlines() if "type=receive" in ln and f"queue_id={queue_id}" in ln]
        self.assertEqual(len(lines), 1, log[-2000:])
        self.assertIn("client=127.0.0.1", lines[0])
        self.assertIn("from=friend@example.org", lines[0])


if __name__ == "__main__":
    unittest.main(verbosity=2)
