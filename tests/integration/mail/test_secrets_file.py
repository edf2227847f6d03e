"""The SMTP-AUTH/APOP secrets file (auth.secrets_file) with real clients: passwords
kept apart from the directory's, set with `dirmailctl secret`, sealed with a key file.
CRAM-MD5 on SMTP, POP3 and IMAP and APOP on POP3 prove them; the separate SMTP-AUTH
password mode (smtp.auth_password_source = secrets_file) refuses the directory
password; the original's security levels auth_file and auth_only; a master user for
migrations; and a secrets file readable by others, or malformed, stops dirmaild with
the file, the line and the fix."""
import base64
import hashlib
import hmac
import imaplib
import os
import poplib
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILD, DirmailInstance  # noqa: E402
import mail_clients  # noqa: E402,F401  (raises poplib's line limit)

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "secrets_file"
ALICE, ALICE_DIRECTORY_PW = "alice@example.test", "alice-secret"
ALICE_SECRET = "alice smtp-auth pw"
BOB, BOB_DIRECTORY_PW = "bob@example.test", "bob secret with spaces"
CAROL, CAROL_SECRET = "carol@example.test", "carol-apop"
MASTER, MASTER_PW = "migrator", "migration master pw"

SERVER = None


def set_secret(server, login, password, *flags):
    return server.ctl("secret", "set", login, "--password-stdin", *flags, input=password + "\n")


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    SERVER = DirmailInstance(
        STATE / "server",
        plaintext_auth="loopback",
        smtp_settings='auth_security_level = "auth_file"',
        extra_config='''
[auth]
secrets_file = "secrets"
secrets_key_file = "secrets.key"
master_users = ["migrator"]
''')
    SERVER.provision()
    set_secret(SERVER, "alice", ALICE_SECRET)
    set_secret(SERVER, "carol", CAROL_SECRET)
    set_secret(SERVER, "ghost", "ghost pw")  # not a mail user
    set_secret(SERVER, MASTER, MASTER_PW, "--hash")
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()


def smtp_cram(port, user, password):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.org")
        s.user, s.password = user, password
        try:
            code, _ = s.auth("CRAM-MD5", s.auth_cram_md5)
        except smtplib.SMTPAuthenticationError as e:
            code = e.smtp_code
        return code


def pop3_dialogue(port):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    return sock, sock.makefile("rb")


def pop3_cram(port, user, password):
    sock, f = pop3_dialogue(port)
    with sock:
        f.readline()
        sock.sendall(b"AUTH CRAM-MD5\r\n")
        challenge = f.readline().decode().strip()
        assert challenge.startswith("+ "), challenge
        token = base64.b64decode(challenge[2:])
        digest = hmac.new(password.encode(), token, hashlib.md5).hexdigest()
        sock.sendall(base64.b64encode(f"{user} {digest}".encode()) + b"\r\n")
        answer = f.readline().decode().strip()
        sock.sendall(b"QUIT\r\n")
        return answer


class CramMd5(unittest.TestCase):
    def test_offered_without_tls_because_no_password_is_sent(self):
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            self.assertIn("CRAM-MD5", s.esmtp_features.get("auth", ""))
            # smtp.plaintext_auth is "never" on port 25: the password mechanisms wait for TLS.
            self.assertNotIn("PLAIN", s.esmtp_features.get("auth", ""))
        imap = imaplib.IMAP4("127.0.0.1", SERVER.imap_port)
        self.assertIn("AUTH=CRAM-MD5", imap.capabilities)
        imap.logout()
        pop = poplib.POP3("127.0.0.1", SERVER.pop3_port, timeout=30)
        self.assertIn("CRAM-MD5", pop.capa().get("SASL", []))
        pop.quit()

    def test_smtp_with_the_secrets_file_password(self):
        self.assertEqual(smtp_cram(SERVER.smtp_port, ALICE, ALICE_SECRET), 235)
        self.assertEqual(smtp_cram(SERVER.smtp_port, "alice", ALICE_SECRET), 235)

    def test_smtp_refuses_the_directory_password_and_wrong_ones(self):
        self.assertEqual(smtp_cram(SERVER.smtp_port, ALICE, ALICE_DIRECTORY_PW), 535)
        self.assertEqual(smtp_cram(SERVER.smtp_port, BOB, BOB_DIRECTORY_PW), 535)  # no entry

    def test_an_entry_without_a_mail_account_logs_nobody_in(self):
        self.assertEqual(smtp_cram(SERVER.smtp_port, "ghost", "ghost pw"), 535)

    def test_imap(self):
        imap = imaplib.IMAP4("127.0.0.1", SERVER.imap_port)
        typ, _ = imap.login_cram_md5(ALICE, ALICE_SECRET)
        self.assertEqual(typ, "OK")
        self.assertEqual(imap.select("INBOX")[0], "OK")
        imap.logout()
        imap = imaplib.IMAP4("127.0.0.1", SERVER.imap_port)
        with self.assertRaises(imaplib.IMAP4.error) as refused:
            imap.login_cram_md5(ALICE, "not it")
        self.assertIn("AUTHENTICATIONFAILED", str(refused.exception))
        imap.logout()

    def test_pop3(self):
        self.assertTrue(pop3_cram(SERVER.pop3_port, CAROL, CAROL_SECRET).startswith("+OK"))
        self.assertTrue(pop3_cram(SERVER.pop3_port, CAROL, "wrong").startswith("-ERR [AUTH]"))


class Apop(unittest.TestCase):
    def test_greeting_has_a_token_and_apop_logs_in(self):
        pop = poplib.POP3("127.0.0.1", SERVER.pop3_port, timeout=30)
        self.assertRegex(pop.getwelcome().decode(), r"<[0-9a-f]+\.\d+@mail\.example\.test>$")
        self.assertTrue(pop.apop(CAROL, CAROL_SECRET).startswith(b"+OK"))
        pop.quit()

    def test_each_greeting_has_a_new_token(self):
        tokens = set()
        for _ in range(3):
            pop = poplib.POP3("127.0.0.1", SERVER.pop3_port, timeout=30)
            tokens.add(pop.getwelcome())
            pop.quit()
        self.assertEqual(len(tokens), 3)

    def test_wrong_secret_and_directory_password_fail(self):
        for secret in ("wrong", "carol-secret"):
            pop = poplib.POP3("127.0.0.1", SERVER.pop3_port, timeout=30)
            with self.assertRaises(poplib.error_proto) as refused:
                pop.apop(CAROL, secret)
            self.assertIn(b"[AUTH]", refused.exception.args[0])
            pop.quit()
        self.assertIn("mechanism=apop", SERVER.log_text("pop3"))


class SecurityLevelAuthFile(unittest.TestCase):
    """smtp.auth_security_level = auth_file (the original's level 3)."""

    def test_a_sender_with_an_entry_must_authenticate(self):
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            code, text = s.mail(ALICE)
            self.assertEqual(code, 530, text)
            s.user, s.password = ALICE, ALICE_SECRET
            self.assertEqual(s.auth("CRAM-MD5", s.auth_cram_md5)[0], 235)
            self.assertEqual(s.mail(ALICE)[0], 250)
            self.assertEqual(s.rcpt(BOB)[0], 250)

    def test_a_sender_without_one_is_treated_as_open(self):
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            self.assertEqual(s.mail(BOB)[0], 250)
            self.assertEqual(s.rcpt(ALICE)[0], 250)
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            self.assertEqual(s.mail("someone@elsewhere.example")[0], 250)


class MasterUser(unittest.TestCase):
    """auth.master_users: SASL PLAIN with authzid = the mail user, authcid = the master."""

    def plain(self, authzid, authcid, password):
        imap = imaplib.IMAP4("127.0.0.1", SERVER.imap_port)
        token = f"{authzid}\0{authcid}\0{password}".encode()
        try:
            typ, _ = imap.authenticate("PLAIN", lambda _: token)
            inbox = imap.select("INBOX")[0] if typ == "OK" else None
            return typ, inbox
        except imaplib.IMAP4.error as e:
            return str(e), None
        finally:
            imap.logout()

    def test_master_acts_as_a_mail_user(self):
        typ, inbox = self.plain(ALICE, MASTER, MASTER_PW)
        self.assertEqual((typ, inbox), ("OK", "OK"))
        self.assertIn("master user logs in as a mail user", SERVER.log_text("auth"))

    def test_master_with_a_wrong_password_fails(self):
        typ, _ = self.plain(ALICE, MASTER, "wrong")
        self.assertIn("AUTHENTICATIONFAILED", typ)

    def test_an_ordinary_user_cannot_act_as_another(self):
        typ, _ = self.plain(ALICE, BOB, BOB_DIRECTORY_PW)
        self.assertIn("AUTHENTICATIONFAILED", typ)
        self.assertIn("authorization identity refused", SERVER.log_text("auth"))

    def test_master_is_not_a_mail_user_itself(self):
        typ, _ = self.plain("", MASTER, MASTER_PW)
        self.assertIn("AUTHENTICATIONFAILED", typ)


class SecretCommand(unittest.TestCase):
    def test_files_are_private_and_hold_no_password(self):
        for name in ("secrets", "secrets.key"):
            self.assertEqual(os.stat(SERVER.folder / name).st_mode & 0o777, 0o600, name)
        text = (SERVER.folder / "secrets").read_text()
        self.assertNotIn(ALICE_SECRET, text)
        self.assertNotIn(MASTER_PW, text)
        listing = SERVER.ctl("secret", "list").stdout
        self.assertIn("alice\tsealed", listing)
        self.assertIn("migrator\targon2id", listing)

    def test_a_changed_password_works_without_a_restart(self):
        dave = "dave@example.test"
        self.assertEqual(smtp_cram(SERVER.smtp_port, dave, "dave new"), 535)
        set_secret(SERVER, "dave", "dave new")
        deadline = time.time() + 10
        while smtp_cram(SERVER.smtp_port, dave, "dave new") != 235:
            self.assertLess(time.time(), deadline, "the new entry was not read again")
            time.sleep(0.5)
        SERVER.ctl("secret", "delete", "dave")
        deadline = time.time() + 10
        while smtp_cram(SERVER.smtp_port, dave, "dave new") != 535:
            self.assertLess(time.time(), deadline, "the deleted entry still works")
            time.sleep(0.5)


class SeparateSmtpAuthPassword(unittest.TestCase):
    """submission.auth_password_source = secrets_file: the original's separate
    SMTP-AUTH password; the directory password no longer works for SMTP AUTH."""

    @classmethod
    def setUpClass(cls):
        cls.server = DirmailInstance(STATE / "separate", plaintext_auth="loopback",
                                     smtp_settings='auth_security_level = "auth_only"', extra_config='''
[auth]
secrets_file = "secrets"
secrets_key_file = "secrets.key"
''')
        cls.server.provision()
        text = cls.server.config.read_text().replace(
            "[submission]\nenabled = true", '[submission]\nenabled = true\nauth_password_source = "secrets_file"')
        cls.server.config.write_text(text)
        set_secret(cls.server, "alice", ALICE_SECRET)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def login(self, user, password):
        with smtplib.SMTP("127.0.0.1", self.server.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            try:
                return s.login(user, password)[0]
            except smtplib.SMTPAuthenticationError as e:
                return e.smtp_code

    def test_plain_takes_the_secrets_file_password_only(self):
        self.assertEqual(self.login(ALICE, ALICE_SECRET), 235)
        self.assertEqual(self.login(ALICE, ALICE_DIRECTORY_PW), 535)
        self.assertEqual(self.login(BOB, BOB_DIRECTORY_PW), 535)  # no entry

    def test_auth_only_level_refuses_every_unauthenticated_sender(self):
        with smtplib.SMTP("127.0.0.1", self.server.smtp_port, timeout=30) as s:
            s.ehlo("mx.elsewhere.example")
            self.assertEqual(s.mail("someone@elsewhere.example")[0], 530)
            self.assertEqual(s.mail(BOB)[0], 530)
            s.user, s.password = ALICE, ALICE_SECRET
            self.assertEqual(s.auth("CRAM-MD5", s.auth_cram_md5)[0], 235)
            self.assertEqual(s.mail(ALICE)[0], 250)

    def test_pop3_still_takes_the_directory_password(self):
        pop = poplib.POP3("127.0.0.1", self.server.pop3_port, timeout=30)
        pop.user(ALICE)
        self.assertTrue(pop.pass_(ALICE_DIRECTORY_PW).startswith(b"+OK"))
        pop.quit()


class StartChecks(unittest.TestCase):
    def start_fails(self, name, prepare):
        server = DirmailInstance(STATE / name, extra_config='''
[auth]
secrets_file = "secrets"
secrets_key_file = "secrets.key"
''')
        server.provision()
        set_secret(server, "alice", ALICE_SECRET)
        prepare(server)
        r = subprocess.run([str(DIRMAILD), "--config", str(server.config)], capture_output=True, text=True,
                           timeout=60)
        return r

    def test_secrets_readable_by_others_stop_the_start(self):
        r = self.start_fails("mode", lambda s: os.chmod(s.folder / "secrets", 0o644))
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertIn("auth.secrets_file", r.stderr)
        self.assertIn("chmod 600", r.stderr)

    def test_a_malformed_line_stops_the_start_with_its_number(self):
        def spoil(s):
            with open(s.folder / "secrets", "a") as f:
                f.write("bob nonsense\n")
        r = self.start_fails("malformed", spoil)
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertRegex(r.stderr, r"secrets: line \d+: expected SCHEME:VALUE")

    def test_a_missing_key_stops_the_start(self):
        r = self.start_fails("nokey", lambda s: os.unlink(s.folder / "secrets.key"))
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertIn("auth.secrets_key_file", r.stderr)

    def test_master_users_need_a_secrets_file(self):
        server = DirmailInstance(STATE / "nofile", extra_config='[auth]\nmaster_users = ["migrator"]\n')
        server.provision()
        r = server.ctl("config", "check", str(server.config), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn("auth.master_users needs auth.secrets_file", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
