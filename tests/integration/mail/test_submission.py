"""Submission (RFC 6409): mail only after SMTP AUTH (PLAIN or LOGIN); the smtp
service does not offer password AUTH without TLS; wrong passwords get 535."""
import base64
import os
import smtplib
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import load_shared  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402

INFO = load_shared(os.environ["DIRMAILD_STATE"])
SUB, SMTP, POP3 = INFO["submission_port"], INFO["smtp_port"], INFO["pop3_port"]
DAVE, DAVE_PW = "dave@example.test", INFO["users"]["dave@example.test"]
ERIN, ERIN_PW = "erin@example.test", INFO["users"]["erin@example.test"]


def fetch(user, pw, tag):
    return wait_for_messages(POP3, user, pw, tag)


class Submission(unittest.TestCase):
    def test_mail_needs_auth(self):
        with smtplib.SMTP("127.0.0.1", SUB, timeout=30) as s:
            s.ehlo("client.example.org")
            self.assertIn("PLAIN", s.esmtp_features.get("auth", ""))
            self.assertIn("LOGIN", s.esmtp_features.get("auth", ""))
            code, text = s.docmd("MAIL FROM:<dave@example.test>")
            self.assertEqual(code, 530)
            self.assertIn(b"5.7.0", text)

    def test_login_mechanism_then_send(self):
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", SUB, timeout=30) as s:
            s.ehlo("client.example.org")
            s.login(DAVE, DAVE_PW)  # smtplib prefers CRAM-MD5, then PLAIN, then LOGIN
            s.sendmail(DAVE, [ERIN], f"Subject: {tag}\r\n\r\nfrom dave\r\n")
        got = fetch(ERIN, ERIN_PW, tag)
        self.assertEqual(len(got), 1)
        self.assertIn(b"with ESMTPA", got[0])

    def test_each_mechanism_by_hand(self):
        with smtplib.SMTP("127.0.0.1", SUB, timeout=30) as s:
            s.ehlo("client.example.org")
            code, _ = s.docmd("AUTH LOGIN")
            self.assertEqual(code, 334)
            self.assertEqual(s.docmd(base64.b64encode(ERIN.encode()).decode())[0], 334)
            self.assertEqual(s.docmd(base64.b64encode(ERIN_PW.encode()).decode())[0], 235)
            self.assertEqual(s.docmd("AUTH PLAIN")[0], 503)  # only once per session
        with smtplib.SMTP("127.0.0.1", SUB, timeout=30) as s:
            s.ehlo("client.example.org")
            blob = base64.b64encode(f"\0{DAVE}\0{DAVE_PW}".encode()).decode()
            self.assertEqual(s.docmd("AUTH PLAIN " + blob)[0], 235)

    def test_bad_credentials_and_syntax(self):
        with smtplib.SMTP("127.0.0.1", SUB, timeout=30) as s:
            s.ehlo("client.example.org")
            wrong = base64.b64encode(f"\0{DAVE}\0not-the-password".encode()).decode()
            code, text = s.docmd("AUTH PLAIN " + wrong)
            self.assertEqual(code, 535)
            self.assertIn(b"5.7.8", text)
            self.assertEqual(s.docmd("AUTH PLAIN !!!notbase64")[0], 501)
            self.assertEqual(s.docmd("AUTH CRAM-MD5")[0], 504)
            self.assertEqual(s.docmd("AUTH LOGIN")[0], 334)
            self.assertEqual(s.docmd("*")[0], 501)  # client cancels
            other = base64.b64encode(f"{ERIN}\0{DAVE}\0{DAVE_PW}".encode()).decode()
            self.assertEqual(s.docmd("AUTH PLAIN " + other)[0], 535)  # may not act as someone else
            self.assertEqual(s.docmd("MAIL FROM:<dave@example.test>")[0], 530)

    def test_smtp_port_does_not_offer_plaintext_auth(self):
        with smtplib.SMTP("127.0.0.1", SMTP, timeout=30) as s:
            s.ehlo("client.example.org")
            self.assertNotIn("auth", s.esmtp_features)
            blob = base64.b64encode(f"\0{DAVE}\0{DAVE_PW}".encode()).decode()
            self.assertEqual(s.docmd("AUTH PLAIN " + blob)[0], 538)

    def test_swaks_auth(self):
        tag = uuid.uuid4().hex
        r = subprocess.run(["swaks", "--server", f"127.0.0.1:{SUB}", "--auth", "LOGIN", "--auth-user", DAVE,
                            "--auth-password", DAVE_PW, "--from", DAVE, "--to", ERIN, "--header",
                            f"Subject: {tag}"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("235 2.7.0", r.stdout)
        self.assertEqual(len(fetch(ERIN, ERIN_PW, tag)), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
