"""TLS for every mail protocol with real clients: STARTTLS (SMTP, submission; RFC 3207),
STLS (POP3; RFC 2595), STARTTLS (IMAP; RFC 3501), and the implicit-TLS ports (SMTPS,
POP3S, IMAPS: "PORT*" listen entries; RFC 8314). Plaintext password logins are
refused before TLS (plaintext_auth = "never") and work after it; input pipelined
behind STARTTLS is never executed; a client that never starts its handshake is cut
off; a bad certificate stops dirmaild at start with the file named."""
import base64
import imaplib
import shutil
import signal
import os
import poplib
import smtplib
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILD, DirmailInstance, free_port, make_test_pki  # noqa: E402
import mail_clients  # noqa: E402,F401  (raises poplib's line limit)

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "tls"
HANDSHAKE_TIMEOUT = 2  # seconds: tls.handshake_timeout of the test instance
ALICE, ALICE_PW = "alice@example.test", "alice-secret"
BOB, BOB_PW = "bob@example.test", "bob secret with spaces"
CAROL, CAROL_PW = "carol@example.test", "carol-secret"
DAVE, DAVE_PW = "dave@example.test", "dave-secret"

SERVER = None


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    SERVER = DirmailInstance(STATE / "server", tls=True, plaintext_auth="never",
                             tls_settings=f"handshake_timeout = {HANDSHAKE_TIMEOUT}")
    SERVER.provision()
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()


def trusted():
    return ssl.create_default_context(cafile=SERVER.pki["ca"])


def read_line(sock_file):
    return sock_file.readline().decode()


def pop3s_messages(user, password, tag, timeout=30):
    """Messages holding `tag`, read over POP3S (implicit TLS), waiting for delivery."""
    deadline = time.time() + timeout
    while True:
        p = poplib.POP3_SSL("127.0.0.1", SERVER.pop3s_port, timeout=30, context=trusted())
        p.user(user)
        p.pass_(password)
        count = len(p.list()[1])
        found = [b"\r\n".join(p.retr(i)[1]) for i in range(1, count + 1)]
        p.quit()
        found = [m for m in found if tag.encode() in m]
        if found or time.time() > deadline:
            return found
        time.sleep(0.2)


def imaps_messages(user, password, tag, timeout=30):
    """Messages holding `tag`, read over IMAPS with LOGIN, waiting for delivery."""
    deadline = time.time() + timeout
    while True:
        with imaplib.IMAP4_SSL("127.0.0.1", SERVER.imaps_port, ssl_context=trusted(), timeout=30) as m:
            m.login(user, password)
            m.select("INBOX", readonly=True)
            _, data = m.uid("SEARCH", None, "ALL")
            found = []
            for uid in data[0].split():
                _, parts = m.uid("FETCH", uid, "(BODY.PEEK[])")
                body = parts[0][1]
                if tag.encode() in body:
                    found.append(body)
            m.logout()
        if found or time.time() > deadline:
            return found
        time.sleep(0.2)


def s_client(args, stdin=b""):
    return subprocess.run(["openssl", "s_client", "-CAfile", SERVER.pki["ca"], "-verify_return_error",
                           "-servername", "mail.example.test", *args],
                          input=stdin, capture_output=True, timeout=60)


class OpensslShowsTheCertificate(unittest.TestCase):
    def check(self, result):
        out = result.stdout.decode(errors="replace")
        self.assertIn("CN = mail.example.test", out, out + result.stderr.decode(errors="replace"))
        self.assertIn("Verify return code: 0 (ok)", out)

    def test_starttls_on_every_protocol(self):
        for proto, port in (("smtp", SERVER.smtp_port), ("smtp", SERVER.submission_port),
                            ("pop3", SERVER.pop3_port), ("imap", SERVER.imap_port)):
            with self.subTest(proto=proto, port=port):
                self.check(s_client(["-starttls", proto, "-connect", f"127.0.0.1:{port}"]))

    def test_implicit_tls_ports(self):
        for port in (SERVER.smtps_port, SERVER.pop3s_port, SERVER.imaps_port):
            with self.subTest(port=port):
                self.check(s_client(["-connect", f"127.0.0.1:{port}"]))

    def test_tls_1_3_and_1_2_both_work(self):
        for version in ("-tls1_2", "-tls1_3"):
            with self.subTest(version=version):
                r = s_client([version, "-connect", f"127.0.0.1:{SERVER.imaps_port}"])
                self.check(r)
        r = s_client(["-tls1_1", "-connect", f"127.0.0.1:{SERVER.imaps_port}"])  # below tls.min_version
        out = r.stdout.decode(errors="replace")
        self.assertIn("no peer certificate available", out)
        self.assertNotIn("CN = mail.example.test", out)


class Smtp(unittest.TestCase):
    def test_submission_starttls_then_auth_plain_and_read_back_over_tls(self):
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            self.assertTrue(s.has_extn("starttls"))
            self.assertFalse(s.has_extn("auth"))  # plaintext_auth = "never": no AUTH in the clear
            blob = base64.b64encode(f"\0{ALICE}\0{ALICE_PW}".encode()).decode()
            code, text = s.docmd("AUTH PLAIN " + blob)
            self.assertEqual(code, 538, text)
            s.starttls(context=trusted())
            code, _ = s.docmd("MAIL FROM:<alice@example.test>")
            self.assertEqual(code, 503)  # the EHLO before STARTTLS is forgotten (RFC 3207)
            s.ehlo("client.example.org")
            self.assertIn("PLAIN", s.esmtp_features.get("auth", ""))
            self.assertIn("LOGIN", s.esmtp_features.get("auth", ""))
            self.assertFalse(s.has_extn("starttls"))
            code, text = s.docmd("AUTH PLAIN " + blob)
            self.assertEqual(code, 235, text)
            self.assertEqual(s.docmd("STARTTLS")[0], 554)  # TLS already active
            s.sendmail(ALICE, [BOB], f"Subject: {tag}\r\n\r\nover STARTTLS\r\n")
        got = pop3s_messages(BOB, BOB_PW, tag)
        self.assertEqual(len(got), 1)
        self.assertIn(b"with ESMTPSA", got[0])
        self.assertIn(b"over STARTTLS", got[0])

    def test_smtps_implicit_port(self):
        tag = uuid.uuid4().hex
        with smtplib.SMTP_SSL("127.0.0.1", SERVER.smtps_port, timeout=30, context=trusted()) as s:
            s.ehlo("client.example.org")
            self.assertFalse(s.has_extn("starttls"))
            s.login(CAROL, CAROL_PW)
            s.sendmail(CAROL, [DAVE], f"Subject: {tag}\r\n\r\nover SMTPS\r\n")
        got = imaps_messages(DAVE, DAVE_PW, tag)
        self.assertEqual(len(got), 1)
        self.assertIn(b"with ESMTPSA", got[0])

    def test_port_25_starttls_is_esmtps(self):
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.starttls(context=trusted())
            s.ehlo("relay.example.org")
            s.sendmail("friend@example.org", [CAROL], f"Subject: {tag}\r\n\r\nrelayed\r\n")
        got = pop3s_messages(CAROL, CAROL_PW, tag)
        self.assertEqual(len(got), 1)
        self.assertIn(b"with ESMTPS id", got[0])

    def test_pipelined_command_after_starttls_is_not_executed(self):
        with socket.create_connection(("127.0.0.1", SERVER.smtp_port), timeout=10) as raw:
            f = raw.makefile("rb")
            self.assertTrue(read_line(f).startswith("220 "))
            raw.sendall(b"EHLO client.example.org\r\n")
            while not read_line(f).startswith("250 "):
                pass
            raw.sendall(b"STARTTLS\r\nRSET\r\n")  # one write: RSET was injected in the clear
            self.assertTrue(read_line(f).startswith("220 "))
            tls = trusted().wrap_socket(raw, server_hostname="127.0.0.1")
            tls.settimeout(2)
            with self.assertRaises(socket.timeout):  # no answer to the injected RSET
                tls.recv(1000)
            tls.settimeout(10)
            tls.sendall(b"EHLO again.example.org\r\n")
            with tls, tls.makefile("rb") as tf:
                self.assertEqual(read_line(tf), "250-mail.example.test Hello again.example.org\r\n")

    def test_untrusted_certificate_is_reported_by_the_client(self):
        with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            with self.assertRaises(ssl.SSLCertVerificationError):
                s.starttls(context=ssl.create_default_context())  # the system CAs do not know the test CA

    def test_swaks_tls(self):
        tag = uuid.uuid4().hex
        for args in (["--server", f"127.0.0.1:{SERVER.submission_port}", "--tls"],
                     ["--server", f"127.0.0.1:{SERVER.smtps_port}", "--tls-on-connect"]):
            with self.subTest(args=args):
                r = subprocess.run(["swaks", *args, "--tls-verify", "--tls-ca-path", SERVER.pki["ca"],
                                    "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", ALICE_PW,
                                    "--from", ALICE, "--to", BOB, "--header", f"Subject: {tag}"],
                                   capture_output=True, text=True, timeout=120)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("TLS started", r.stdout)
                self.assertIn("235 2.7.0 Authentication successful", r.stdout)
                self.assertIn("250 2.0.0 Ok: queued", r.stdout)


class Pop3(unittest.TestCase):
    def test_stls_then_user_pass(self):
        p = poplib.POP3("127.0.0.1", SERVER.pop3_port, timeout=30)
        try:
            caps = p.capa()
            self.assertIn("STLS", caps)
            self.assertNotIn("USER", caps)
            with self.assertRaisesRegex(poplib.error_proto, "AUTH"):
                p.user(BOB)
            p.stls(context=trusted())
            caps = p.capa()
            self.assertNotIn("STLS", caps)
            self.assertIn("USER", caps)
            with self.assertRaisesRegex(poplib.error_proto, "TLS active"):
                p._shortcmd("STLS")
            p.user(BOB)
            p.pass_(BOB_PW)
            p.stat()
            p.quit()
        finally:
            p.close()

    def test_pop3s_implicit_port(self):
        p = poplib.POP3_SSL("127.0.0.1", SERVER.pop3s_port, timeout=30, context=trusted())
        try:
            caps = p.capa()
            self.assertNotIn("STLS", caps)
            self.assertIn("USER", caps)
            p.user(BOB)
            p.pass_(BOB_PW)
            p.stat()
            p.quit()
        finally:
            p.close()

    def test_pipelined_user_after_stls_is_dropped(self):
        with socket.create_connection(("127.0.0.1", SERVER.pop3_port), timeout=10) as raw:
            f = raw.makefile("rb")
            self.assertTrue(read_line(f).startswith("+OK"))
            raw.sendall(f"STLS\r\nUSER {BOB}\r\n".encode())
            self.assertTrue(read_line(f).startswith("+OK"))
            tls = trusted().wrap_socket(raw, server_hostname="127.0.0.1")
            with tls, tls.makefile("rb") as tf:
                tls.sendall(f"PASS {BOB_PW}\r\n".encode())
                self.assertEqual(read_line(tf), "-ERR USER first\r\n")

    def test_curl_pop3_ssl_reqd_and_pop3s(self):
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.starttls(context=trusted())
            s.ehlo("relay.example.org")
            s.sendmail("friend@example.org", [DAVE], f"Subject: {tag}\r\n\r\nfor curl\r\n")
        self.assertEqual(len(pop3s_messages(DAVE, DAVE_PW, tag)), 1)
        for url, extra in ((f"pop3://127.0.0.1:{SERVER.pop3_port}/", ["--ssl-reqd"]),
                           (f"pop3s://127.0.0.1:{SERVER.pop3s_port}/", [])):
            with self.subTest(url=url):
                r = subprocess.run(["curl", "-sS", *extra, "--cacert", SERVER.pki["ca"], url, "-u",
                                    f"{DAVE}:{DAVE_PW}"], capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertRegex(r.stdout, r"^1 \d+")  # the listing
        # Without the test CA curl refuses the certificate (exit 60).
        r = subprocess.run(["curl", "-sS", "--ssl-reqd", f"pop3://127.0.0.1:{SERVER.pop3_port}/", "-u",
                            f"{DAVE}:{DAVE_PW}"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 60, r.stderr)


class Imap(unittest.TestCase):
    def test_starttls_logindisabled_then_login(self):
        m = imaplib.IMAP4("127.0.0.1", SERVER.imap_port, timeout=30)
        try:
            self.assertIn("STARTTLS", m.capabilities)
            self.assertIn("LOGINDISABLED", m.capabilities)
            self.assertNotIn("AUTH=PLAIN", m.capabilities)
            with self.assertRaisesRegex(imaplib.IMAP4.error, "PRIVACYREQUIRED"):
                m.login(CAROL, CAROL_PW)
            m.starttls(ssl_context=trusted())  # imaplib asks for CAPABILITY again
            self.assertNotIn("LOGINDISABLED", m.capabilities)
            self.assertNotIn("STARTTLS", m.capabilities)
            self.assertIn("AUTH=PLAIN", m.capabilities)
            with self.assertRaisesRegex(imaplib.IMAP4.error, "already active"):
                m._simple_command("STARTTLS")
            typ, _ = m.login(CAROL, CAROL_PW)
            self.assertEqual(typ, "OK")
            self.assertEqual(m.select("INBOX")[0], "OK")
            m.logout()
        finally:
            if m.state != "LOGOUT":
                m.shutdown()

    def test_imaps_implicit_port(self):
        with imaplib.IMAP4_SSL("127.0.0.1", SERVER.imaps_port, ssl_context=trusted(), timeout=30) as m:
            self.assertNotIn("STARTTLS", m.capabilities)
            self.assertNotIn("LOGINDISABLED", m.capabilities)
            self.assertEqual(m.login(CAROL, CAROL_PW)[0], "OK")
            self.assertEqual(m.select("INBOX")[0], "OK")
            m.logout()

    def test_pipelined_command_after_starttls_is_not_executed(self):
        with socket.create_connection(("127.0.0.1", SERVER.imap_port), timeout=10) as raw:
            f = raw.makefile("rb")
            self.assertTrue(read_line(f).startswith("* OK"))
            raw.sendall(b"a STARTTLS\r\nb NOOP\r\n")
            self.assertEqual(read_line(f), "a OK Begin TLS negotiation now\r\n")
            tls = trusted().wrap_socket(raw, server_hostname="127.0.0.1")
            tls.settimeout(2)
            with self.assertRaises(socket.timeout):  # "b" is never answered
                tls.recv(1000)
            tls.settimeout(10)
            tls.sendall(b"c NOOP\r\n")
            with tls, tls.makefile("rb") as tf:
                self.assertEqual(read_line(tf), "c OK NOOP completed\r\n")

    def test_curl_imap_ssl_reqd_and_imaps(self):
        for url, extra in ((f"imap://127.0.0.1:{SERVER.imap_port}/INBOX", ["--ssl-reqd"]),
                           (f"imaps://127.0.0.1:{SERVER.imaps_port}/INBOX", [])):
            with self.subTest(url=url):
                r = subprocess.run(["curl", "-sS", *extra, "--cacert", SERVER.pki["ca"], url, "-X", "EXAMINE INBOX",
                                    "-u", f"{CAROL}:{CAROL_PW}"], capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertIn("UIDVALIDITY", r.stdout)


class HandshakeTimeout(unittest.TestCase):
    def test_silent_client_on_implicit_port_is_closed(self):
        start = time.time()
        with socket.create_connection(("127.0.0.1", SERVER.imaps_port), timeout=30) as raw:
            data = raw.recv(1000)  # the server says nothing before the handshake, then closes
        elapsed = time.time() - start
        self.assertEqual(data, b"")
        self.assertGreaterEqual(elapsed, HANDSHAKE_TIMEOUT - 0.5)
        self.assertLess(elapsed, HANDSHAKE_TIMEOUT + 8)


class Reload(unittest.TestCase):
    """SIGHUP reads the certificate again: new connections get the renewed one; a bad
    file is refused and the running certificate stays."""

    def wait_log(self, inst, text, count):
        deadline = time.time() + 30
        while time.time() < deadline:
            if inst.log_text("daemon").count(text) >= count:
                return
            time.sleep(0.1)
        self.fail(f"no {count} x {text!r} in the daemon log")

    def subject(self, inst, ca):
        r = subprocess.run(["openssl", "s_client", "-CAfile", ca, "-verify_return_error", "-connect",
                            f"127.0.0.1:{inst.pop3s_port}"], input=b"", capture_output=True, timeout=60)
        out = r.stdout.decode(errors="replace")
        self.assertIn("Verify return code: 0 (ok)", out)
        return out

    def test_sighup_renews_the_certificate(self):
        inst = DirmailInstance(STATE / "reload", tls=True)
        inst.provision()
        inst.start()
        try:
            first_ca = inst.pki["ca"]
            self.assertIn("CN = mail.example.test", self.subject(inst, first_ca))
            renewed = make_test_pki(STATE / "reload-renewed", host="mail2.example.test")
            shutil.copy(renewed["cert"], inst.pki["cert"])
            shutil.copy(renewed["key"], inst.pki["key"])
            inst.signal(signal.SIGHUP)
            self.wait_log(inst, "reloaded", 1)
            self.assertIn("CN = mail2.example.test", self.subject(inst, renewed["ca"]))

            Path(inst.pki["cert"]).write_text("not a certificate\n")
            inst.signal(signal.SIGHUP)
            self.wait_log(inst, "reload refused", 1)
            self.assertIn(inst.pki["cert"], inst.log_text("daemon"))
            self.assertIn("CN = mail2.example.test", self.subject(inst, renewed["ca"]))  # still served
        finally:
            inst.stop()


class StartErrors(unittest.TestCase):
    """dirmaild refuses to start, naming the file or setting, exit status not 0."""

    def run_with(self, name, tls_lines, tls=True, submission_listen=None):
        folder = STATE / name
        inst = DirmailInstance(folder, tls=tls)
        inst.write_config()
        text = inst.config.read_text()
        if tls:
            text = text.replace(f'certificate_file = "{inst.pki["cert"]}"\nkey_file = "{inst.pki["key"]}"\n',
                                tls_lines)
        if submission_listen:
            text = text.replace(f'listen = ["127.0.0.1 {inst.submission_port}"]', f"listen = {submission_listen}")
        inst.config.write_text(text)
        r = subprocess.run([str(DIRMAILD), "--config", str(inst.config)], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        return r.stderr

    def test_missing_certificate_file(self):
        missing = str(STATE / "nowhere" / "cert.pem")
        pki = make_test_pki(STATE / "pki-missing")
        err = self.run_with("missing", f'certificate_file = "{missing}"\nkey_file = "{pki["key"]}"\n')
        self.assertIn(missing, err)
        self.assertIn("tls.certificate_file", err)

    def test_key_that_does_not_match(self):
        mine, other = make_test_pki(STATE / "pki-a"), make_test_pki(STATE / "pki-b")
        err = self.run_with("mismatch", f'certificate_file = "{mine["cert"]}"\nkey_file = "{other["key"]}"\n')
        self.assertIn(other["key"], err)
        self.assertIn("does not match", err)

    def test_implicit_listener_without_certificate(self):
        port = free_port()
        err = self.run_with("nocert", "", tls=False, submission_listen=f'["127.0.0.1 {port}*"]')
        self.assertIn("submission.listen", err)
        self.assertIn("tls.certificate_file is not set", err)


if __name__ == "__main__":
    unittest.main(verbosity=2)
