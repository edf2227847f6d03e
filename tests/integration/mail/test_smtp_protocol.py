"""SMTP protocol details with real clients against a dirmaild of its own: the ESMTP
extensions (CHUNKING/BDAT, DSN, SMTPUTF8), VRFY/EXPN off by default, SMTP smuggling
probes that must not end a message, header limits, Message-ID and Date added on
submission, the sender-trust levels, and a 50 MB message that streams."""
import base64
import os
import shutil
import smtplib
import socket
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DirmailInstance  # noqa: E402
from mail_clients import pop3_fetch_all, wait_for_messages  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "smtp_protocol"
ALICE, ALICE_PW = "alice@example.test", "alice-secret"
BOB, BOB_PW = "bob@example.test", "bob secret with spaces"
CAROL, CAROL_PW = "carol@example.test", "carol-secret"
DAVE, DAVE_PW = "dave@example.test", "dave-secret"
ERIN, ERIN_PW = "erin@example.test", "erin-secret"
MAX_FIELDS = 50
MAX_SIZE = 64 * 1024 * 1024

SERVER = None


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    SERVER = DirmailInstance(
        STATE / "server",
        smtp_settings=f'max_header_fields = {MAX_FIELDS}\nmax_message_size = {MAX_SIZE}\n'
                      'plaintext_auth = "loopback"\nsender_trust = "envelope_and_from"\n'
                      'received_template = "from %HELO% [%CLIENT_IP%]\\n by %HOST% (test template) id %ID%; %DATE%"')
    SERVER.provision()
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()


class Dialogue:
    """A raw SMTP client: what a script or a hostile peer can send."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=60)
        self.file = self.sock.makefile("rb")
        assert self.reply().startswith("220")

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        lines = []
        while True:
            line = self.file.readline().decode(errors="replace")
            if not line:
                raise ConnectionError("closed")
            lines.append(line.rstrip("\r\n"))
            if len(line) < 4 or line[3] != "-":
                return "\n".join(lines)

    def command(self, text):
        self.send(text + "\r\n")
        return self.reply()

    def close(self):
        try:
            self.command("QUIT")
        finally:
            self.sock.close()


def tag():
    return uuid.uuid4().hex[:12]


class Extensions(unittest.TestCase):
    def test_ehlo_lists_them(self):
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            for ext in ("chunking", "dsn", "smtputf8", "8bitmime", "pipelining", "size", "enhancedstatuscodes"):
                self.assertTrue(s.has_extn(ext), ext)
            self.assertFalse(s.has_extn("vrfy"))

    def test_vrfy_and_expn_are_off_by_default(self):
        d = Dialogue(SERVER.smtp_port)
        d.command("EHLO client.example.org")
        self.assertTrue(d.command(f"VRFY {ALICE}").startswith("252 2.5.2"))
        self.assertTrue(d.command("VRFY nobody@example.test").startswith("252 2.5.2"))  # says nothing
        self.assertTrue(d.command(f"EXPN {ALICE}").startswith("502 5.5.1"))
        d.close()


class Chunking(unittest.TestCase):
    def test_bdat_in_chunks_with_a_crlf_split_between_them(self):
        t = tag()
        message = f"Subject: bdat {t}\r\n\r\nfirst line\r\nsecond line\r\n".encode()
        cut = message.index(b"\r\nsecond") + 1  # the CR ends chunk 1, its LF starts chunk 2
        d = Dialogue(SERVER.smtp_port)
        d.command("EHLO client.example.org")
        self.assertTrue(d.command(f"MAIL FROM:<sender@elsewhere.example>").startswith("250"))
        self.assertTrue(d.command(f"RCPT TO:<{BOB}>").startswith("250"))
        d.send(f"BDAT {cut}\r\n".encode() + message[:cut])
        self.assertEqual(d.reply(), f"250 2.0.0 {cut} octets received")
        rest = message[cut:]
        d.send(f"BDAT {len(rest)} LAST\r\n".encode() + rest)
        self.assertTrue(d.reply().startswith("250 2.0.0 Ok: queued as"))
        d.close()
        [raw] = wait_for_messages(SERVER.pop3_port, BOB, BOB_PW, t)
        self.assertIn(b"\r\n\r\nfirst line\r\nsecond line\r\n", raw)

    def test_bdat_errors_keep_the_session_in_step(self):
        d = Dialogue(SERVER.smtp_port)
        d.command("EHLO client.example.org")
        # No MAIL yet: refused, but the chunk is read, so the next command is a command.
        d.send(b"BDAT 10 LAST\r\nMAIL FROM:")
        self.assertTrue(d.reply().startswith("503 5.5.1"))
        self.assertTrue(d.command("NOOP").startswith("250"))
        # A chunk larger than the limit: 552, again after reading it.
        self.assertTrue(d.command("MAIL FROM:<s@elsewhere.example>").startswith("250"))
        self.assertTrue(d.command(f"RCPT TO:<{BOB}>").startswith("250"))
        d.send(f"BDAT {MAX_SIZE + 1} LAST\r\n".encode() + b"x" * (MAX_SIZE + 1))
        self.assertTrue(d.reply().startswith("552 5.3.4"))
        self.assertTrue(d.command("NOOP").startswith("250"))
        d.close()

    def test_bdat_without_a_size_ends_the_session(self):
        d = Dialogue(SERVER.smtp_port)
        d.command("EHLO client.example.org")
        self.assertTrue(d.command("BDAT LAST").startswith("501 5.5.4"))
        self.assertTrue(d.reply().startswith("421"))


class DsnParameters(unittest.TestCase):
    def test_accepted_on_mail_and_rcpt(self):
        d = Dialogue(SERVER.smtp_port)
        d.command("EHLO client.example.org")
        self.assertTrue(d.command("MAIL FROM:<s@elsewhere.example> RET=HDRS ENVID=QQ+2B314").startswith("250"))
        self.assertTrue(d.command(f"RCPT TO:<{BOB}> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;{BOB}").startswith("250"))
        self.assertTrue(d.command(f"RCPT TO:<{CAROL}> NOTIFY=NEVER").startswith("250"))
        d.close()

    def test_bad_values_are_syntax_errors(self):
        d = Dialogue(SERVER.smtp_port)
        d.command("EHLO client.example.org")
        for bad in ("RET=ALL", "ENVID=has=equals", "RET=FULL RET=HDRS", "SMTPUTF8=yes", "BODY=BINARYMIME"):
            reply = d.command(f"MAIL FROM:<s@elsewhere.example> {bad}")
            self.assertRegex(reply, r"^(501|555) 5\.", bad)
        self.assertTrue(d.command("MAIL FROM:<s@elsewhere.example>").startswith("250"))
        for bad in ("NOTIFY=NEVER,SUCCESS", "NOTIFY=SOMETIMES", "ORCPT=nosemicolon", "XFOO=1"):
            reply = d.command(f"RCPT TO:<{BOB}> {bad}")
            self.assertRegex(reply, r"^(501|555) 5\.5\.4", bad)
        d.close()

    def test_helo_clients_get_no_parameters(self):
        d = Dialogue(SERVER.smtp_port)
        d.command("HELO client.example.org")
        self.assertTrue(d.command("MAIL FROM:<s@elsewhere.example> SIZE=10").startswith("555"))
        d.close()


class Harvesting(unittest.TestCase):
    def test_address_harvesting_is_cut_off(self):
        # Each unknown recipient is refused; the 20th refusal in one session ends it with
        # 421, as bad commands do (a client probing for valid addresses).
        d = Dialogue(SERVER.smtp_port)
        self.assertTrue(d.command("EHLO harvester.example").startswith("250"))
        self.assertTrue(d.command("MAIL FROM:<probe@harvester.example>").startswith("250"))
        for i in range(19):
            self.assertTrue(d.command(f"RCPT TO:<nosuch{i}-{tag()}@example.test>").startswith("550 5.1.1"))
        self.assertTrue(d.command(f"RCPT TO:<nosuch-last-{tag()}@example.test>").startswith("550 5.1.1"))
        self.assertTrue(d.reply().startswith("421 4.7.0"))
        with self.assertRaises(OSError):  # closed by the server
            d.command("RCPT TO:<alice@example.test>")
        d.sock.close()
        self.assertGreaterEqual(SERVER.log_text("smtp").count("recipient refused by the relay rules"), 20)


class Utf8Addresses(unittest.TestCase):
    def test_non_ascii_needs_smtputf8(self):
        d = Dialogue(SERVER.smtp_port)
        d.command("EHLO client.example.org")
        sender = "jöran@elsewhere.example"
        self.assertTrue(d.command(f"MAIL FROM:<{sender}>").startswith("553 5.6.7"))
        self.assertTrue(d.command(f"MAIL FROM:<{sender}> SMTPUTF8").startswith("250"))
        self.assertTrue(d.command(f"RCPT TO:<{BOB}>").startswith("250"))
        self.assertTrue(d.command("RCPT TO:<ünbekannt@example.test>").startswith("550 5.1.1"))
        d.command("RSET")
        d.send(b"MAIL FROM:<j\xc3\x28@elsewhere.example> SMTPUTF8\r\n")  # not UTF-8
        self.assertTrue(d.reply().startswith("501"))
        d.close()


class Smuggling(unittest.TestCase):
    """Only CR LF . CR LF ends DATA. Each probe carries a second transaction after a
    fake end; it must stay text of the first message, and the stored message has
    CR LF line ends only."""

    PROBES = [b"\n.\n", b"\r.\r", b"\r\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r", b".\n", b"\n.\r"]

    def test_probes_do_not_end_the_message(self):
        for probe in self.PROBES:
            t = tag()
            d = Dialogue(SERVER.smtp_port)
            d.command("EHLO client.example.org")
            self.assertTrue(d.command("MAIL FROM:<s@elsewhere.example>").startswith("250"))
            self.assertTrue(d.command(f"RCPT TO:<{DAVE}>").startswith("250"))
            self.assertTrue(d.command("DATA").startswith("354"))
            smuggled = (f"MAIL FROM:<evil@elsewhere.example>\r\nRCPT TO:<{DAVE}>\r\nDATA\r\n"
                        f"Subject: smuggled {t}\r\n\r\nx\r\n").encode()
            d.send(f"Subject: probe {t}\r\n\r\nbefore".encode() + probe + smuggled + b"\r\n.\r\n")
            reply = d.reply()
            self.assertTrue(reply.startswith("250 2.0.0"), (probe, reply))
            self.assertTrue(d.command("NOOP").startswith("250"), probe)  # one reply only: in step
            d.close()
            [raw] = wait_for_messages(SERVER.pop3_port, DAVE, DAVE_PW, f"probe {t}")
            self.assertIn(f"smuggled {t}".encode(), raw, probe)
            body = raw.split(b"\r\n\r\n", 1)[1]
            self.assertNotIn(b"\r\r", body, probe)
            self.assertEqual(body.count(b"\n"), body.count(b"\r\n"), f"bare LF stored for {probe!r}")
            messages = [m for _, m in pop3_fetch_all(SERVER.pop3_port, DAVE, DAVE_PW) if f"smuggled {t}".encode() in m]
            self.assertEqual(len(messages), 1, probe)


class ReceivedField(unittest.TestCase):
    def test_the_template_is_used_and_the_helo_cannot_inject(self):
        t = tag()
        d = Dialogue(SERVER.smtp_port)
        d.send(b"EHLO evil.example\rX-Injected: yes\r\n")  # a bare CR inside the name
        self.assertTrue(d.reply().startswith("501 5.5.4"))
        self.assertTrue(d.command("EHLO evil.example").startswith("250"))
        self.assertTrue(d.command("MAIL FROM:<s@elsewhere.example>").startswith("250"))
        self.assertTrue(d.command(f"RCPT TO:<{ERIN}>").startswith("250"))
        self.assertTrue(d.command("DATA").startswith("354"))
        self.assertTrue(d.command(f"Subject: received {t}\r\n\r\nhi\r\n.").startswith("250"))
        d.close()
        [raw] = wait_for_messages(SERVER.pop3_port, ERIN, ERIN_PW, f"received {t}")
        header = raw.split(b"\r\n\r\n", 1)[0]
        self.assertRegex(header, rb"\r\nReceived: from evil.example \[127\.0\.0\.1\]\r\n\tby "
                                 rb"mail\.example\.test \(test template\) id \w+; \w{3}, ")
        self.assertNotIn(b"\r\nX-Injected:", header)


class HeaderLimits(unittest.TestCase):
    def test_too_many_header_fields(self):
        fields = "".join(f"X-Field-{i}: {i}\r\n" for i in range(MAX_FIELDS + 5))
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            with self.assertRaises(smtplib.SMTPDataError) as refused:
                s.sendmail("s@elsewhere.example", [ERIN], (fields + "\r\nbody\r\n").encode())
            self.assertEqual(refused.exception.smtp_code, 552)
            self.assertIn(b"5.3.4", refused.exception.smtp_error)

    def test_a_mail_loop_is_refused(self):
        # smtp.max_hops (50 by default): the 51st Received: field is a loop (RFC 5321 §6.3).
        hops = "".join(f"Received: from relay{i}.example by relay{i + 1}.example; Fri, 27 Nov 2026 10:00:00 +0000\r\n"
                       for i in range(51))
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            with self.assertRaises(smtplib.SMTPDataError) as refused:
                s.sendmail("s@elsewhere.example", [ERIN], (hops + "Subject: loop\r\n\r\nbody\r\n").encode())
            self.assertEqual(refused.exception.smtp_code, 554)
            self.assertIn(b"5.4.6", refused.exception.smtp_error)
            # Fewer are fine (this server also limits header fields to MAX_FIELDS).
            s.sendmail("s@elsewhere.example", [ERIN], ("".join(hops.splitlines(True)[:40]) + "Subject: ok\r\n\r\nb\r\n").encode())


class Submission(unittest.TestCase):
    def submit(self, user, password, sender, message):
        with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.login(user, password)
            return s.sendmail(sender, [ERIN], message)

    def test_message_id_and_date_are_added_when_missing(self):
        t = tag()
        self.submit(ALICE, ALICE_PW, ALICE, f"From: {ALICE}\r\nSubject: bare {t}\r\n\r\nhi\r\n".encode())
        [raw] = wait_for_messages(SERVER.pop3_port, ERIN, ERIN_PW, f"bare {t}")
        header = raw.split(b"\r\n\r\n", 1)[0]
        self.assertRegex(header, rb"\r\nMessage-ID: <[^>]+@mail\.example\.test>")
        self.assertRegex(header, rb"\r\nDate: \w{3}, \d")

    def test_existing_ones_are_kept(self):
        t = tag()
        self.submit(ALICE, ALICE_PW, ALICE, (f"From: {ALICE}\r\nMessage-ID: <{t}@client>\r\n"
                                             f"Date: Fri, 27 Nov 2026 08:00:00 +0000\r\nSubject: full {t}\r\n\r\nhi\r\n").encode())
        [raw] = wait_for_messages(SERVER.pop3_port, ERIN, ERIN_PW, f"full {t}")
        self.assertEqual(raw.count(b"Message-ID:"), 1)
        self.assertEqual(raw.count(b"\r\nDate:"), 1)

    def test_sender_trust_envelope_is_the_submission_default(self):
        with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.login(ALICE, ALICE_PW)
            code, text = s.mail(BOB)
            self.assertEqual(code, 553, text)
            self.assertIn(b"5.7.1", text)
            self.assertEqual(s.mail(ALICE)[0], 250)
            s.rset()
            self.assertEqual(s.mail("")[0], 250)  # the null sender of a read receipt (RFC 8098)


class SenderTrustFromHeader(unittest.TestCase):
    """smtp.sender_trust = envelope_and_from on port 25 (this instance)."""

    def send(self, from_header):
        t = tag()
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.login(CAROL, CAROL_PW)
            try:
                s.sendmail(CAROL, [ERIN], f"From: {from_header}\r\nSubject: trust {t}\r\n\r\nhi\r\n".encode())
                return 250
            except smtplib.SMTPDataError as e:
                return e.smtp_code

    def test_from_must_belong_to_the_user(self):
        self.assertEqual(self.send(f"Carol <{CAROL}>"), 250)
        self.assertEqual(self.send(f"Bob <{BOB}>"), 550)
        self.assertEqual(self.send(f"{CAROL}, {BOB}"), 550)
        self.assertIn("From: not owned by the authenticated user", SERVER.log_text("smtp"))


class Listeners(unittest.TestCase):
    """A per-address cap, a greeting delay and the refused local address (a cluster node's
    real IP), on an instance of their own."""

    @classmethod
    def setUpClass(cls):
        cls.server = DirmailInstance(STATE / "listeners", smtp_settings='greeting_delay = 1')
        cls.server.provision()
        text = cls.server.config.read_text()
        text = text.replace("[server]\n", "[server]\nlimit_loopback_connections = true\n")
        text = text.replace(f'listen = ["127.0.0.1 {cls.server.pop3_port}"]',
                            f'listen = ["127.0.0.1 {cls.server.pop3_port}", "127.0.0.2 {cls.server.pop3_port}"]\n'
                            'refuse_on_addresses = ["127.0.0.2"]\nmax_connections_per_ip = 2')
        cls.server.config.write_text(text)
        cls.server.start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_a_client_that_talks_first_is_refused(self):
        sock = socket.create_connection(("127.0.0.1", self.server.smtp_port), timeout=30)
        sock.sendall(b"EHLO spam.example\r\n")
        data = sock.makefile("rb").read()  # the server closes
        sock.close()
        self.assertTrue(data.startswith(b"554 5.5.0"), data)
        self.assertIn("spoke before the greeting", self.server.log_text("smtp"))
        with smtplib.SMTP("127.0.0.1", self.server.smtp_port, timeout=30) as s:  # a patient client
            self.assertEqual(s.noop()[0], 250)

    def test_no_greeting_on_a_refused_local_address(self):
        sock = socket.create_connection(("127.0.0.2", self.server.pop3_port), timeout=30)
        self.assertEqual(sock.recv(100), b"")  # closed, no banner
        sock.close()
        pop = socket.create_connection(("127.0.0.1", self.server.pop3_port), timeout=30)
        self.assertTrue(pop.makefile("rb").readline().startswith(b"+OK"))
        pop.close()

    def test_per_address_cap(self):
        held = []
        for _ in range(2):
            # A connection an earlier test closed may still hold its place for a moment.
            deadline = time.time() + 10
            while True:
                c = socket.create_connection(("127.0.0.1", self.server.pop3_port), timeout=30)
                if c.makefile("rb").readline().startswith(b"+OK"):
                    break
                c.close()
                self.assertLess(time.time(), deadline, "no place for a connection")
                time.sleep(0.1)
            held.append(c)
        third = socket.create_connection(("127.0.0.1", self.server.pop3_port), timeout=30)
        self.assertTrue(third.makefile("rb").readline().startswith(b"-ERR [SYS/TEMP]"))
        third.close()
        held.pop().close()
        deadline = time.time() + 10
        while True:  # the freed place is given again
            c = socket.create_connection(("127.0.0.1", self.server.pop3_port), timeout=30)
            line = c.makefile("rb").readline()
            c.close()
            if line.startswith(b"+OK"):
                break
            self.assertLess(time.time(), deadline, line)
            time.sleep(0.2)
        for c in held:
            c.close()


class LargeMessage(unittest.TestCase):
    def test_50_mb_streams(self):
        def peak_kb():
            for line in Path(f"/proc/{SERVER.pid()}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
            return 0
        t = tag()
        line = b"x" * 998 + b"\r\n"
        body = line * (50 * 1024 * 1024 // len(line))
        before = peak_kb()
        with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=120) as s:
            s.ehlo("client.example.org")
            s.sendmail("s@elsewhere.example", [ERIN], f"Subject: big {t}\r\n\r\n".encode() + body)
        grown_mb = (peak_kb() - before) / 1024
        # The message is 50 MB; a server that held it would grow by at least that.
        self.assertLess(grown_mb, 20, f"dirmaild's peak memory grew by {grown_mb:.0f} MB")


if __name__ == "__main__":
    unittest.main(verbosity=2)
