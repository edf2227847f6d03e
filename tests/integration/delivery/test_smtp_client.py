"""The outbound SMTP client (src/delivery/smtp_client) against real peers on loopback,
driven through `dirmailctl delivery send`, as an administrator would test a gateway:

- Postfix's smtp-sink: several messages on one connection (counted at a proxy in front
  of it), the envelope's ESMTP parameters and the dot-stuffed body as the sink stored
  them, IPv6, 4xx/5xx at RCPT, MAIL and DATA and how each is classified, 8-bit data to
  a peer without 8BITMIME;
- faults (tests/integration/lib/fault_proxy.py): a peer that stops answering in the
  middle of DATA or drops the connection is a line fault, a refused connection is an
  unreachable host, a peer that never greets is a line fault;
- a real dirmaild with a test CA: required STARTTLS with certificate verification (a
  foreign CA and a wrong name fail), implicit TLS, AUTH PLAIN with a good and a bad
  password, and no credentials over an unencrypted connection."""
import os
import shutil
import subprocess
import sys
import threading
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILCTL, DirmailInstance, make_test_pki  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "smtp-client"
SENDER = "sender@remote.test"
ALICE = "alice@example.test"  # a user of the test dirmaild (DirmailInstance USERS)


def send(port, files, to=("x@example.net",), host="127.0.0.1", args=(), stdin=None, timeout=None, sender=SENDER):
    """Runs dirmailctl delivery send; returns (exit status, {(message, rcpt): (outcome,
    text)}, session line or failure line, the whole output)."""
    cmd = [str(DIRMAILCTL), "delivery", "send", "--host", host, "--port", str(port), "--from", sender,
           "--to", ",".join(to), "--helo", "client.remote.test", *args, *[str(f) for f in files]]
    if timeout is not None:
        cmd += ["--timeout", str(timeout)]
    r = subprocess.run(cmd, capture_output=True, text=True, input=stdin, timeout=120)
    results, session = {}, ""
    for line in r.stdout.splitlines():
        words = line.split(" ", 4)
        if words[0] == "message":
            results[(int(words[1]), words[2].strip("<>"))] = (words[3], words[4])
        elif words[0] == "session":
            session = line
    return r.returncode, results, session, r.stdout + r.stderr


class SinkTest(unittest.TestCase):
    """Starts one smtp-sink per test with the options in `sink_options`."""
    sink_options = ()

    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        self.sink = SmtpSink(self.folder / "sink", *self.sink_options)
        self.addCleanup(self.sink.stop)

    def message(self, name, data):
        path = self.folder / name
        path.write_bytes(data)
        return path


class DeliveryToSink(SinkTest):
    def test_two_messages_on_one_connection(self):
        one = self.message("one", b"Subject: one\r\n\r\n.starts with a dot\r\n..two dots\r\nlast line\r\n")
        two = self.message("two", b"Subject: two\n\nbare LF lines\n.dot\n")
        with FaultProxy("127.0.0.1", self.sink.port) as proxy:
            status, results, session, out = send(proxy.port, [one, two], to=("x@example.net", "y@example.net"))
            self.assertEqual(proxy.stats()["connections_accepted"], 1, out)
        self.assertEqual(status, 0, out)
        self.assertIn("greeting \"220 smtp-sink", session)
        for n in (1, 2):
            for rcpt in ("x@example.net", "y@example.net"):
                outcome, text = results[(n, rcpt)]
                self.assertEqual(outcome, "delivered", out)
                self.assertTrue(text.startswith("250 2.0.0"), text)
        stored = self.sink.messages()
        self.assertEqual(len(stored), 2, stored)
        first = next(m for m in stored if b"Subject: one" in m)
        second = next(m for m in stored if b"Subject: two" in m)
        # The sink undoes the stuffing: the lines arrive as they were written.
        self.assertIn(b"\n.starts with a dot\n..two dots\nlast line\n", first)
        self.assertIn(b"bare LF lines\n.dot\n", second)
        self.assertEqual(first.count(b"X-Rcpt-Args:"), 2)

    def test_dsn_and_8bitmime_parameters_reach_the_peer(self):
        body = self.message("8bit", "Subject: 8bit\r\n\r\nこんにちは\r\n".encode())
        status, results, _, out = send(self.sink.port, [body], args=(
            "--8bitmime", "--notify", "SUCCESS,FAILURE", "--orcpt-from-address", "--ret", "HDRS", "--envid", "Q123"))
        self.assertEqual(status, 0, out)
        stored = self.sink.messages()[0]
        self.assertIn(b"X-Mail-Args: <sender@remote.test> BODY=8BITMIME RET=HDRS ENVID=Q123\n", stored)
        self.assertIn(b"X-Rcpt-Args: <x@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@example.net\n", stored)
        self.assertIn("こんにちは".encode(), stored)

    def test_ipv6_peer(self):
        sink6 = SmtpSink(self.folder / "sink6", host="::1")
        self.addCleanup(sink6.stop)
        body = self.message("m", b"Subject: v6\r\n\r\nhi\r\n")
        status, results, session, out = send(sink6.port, [body], host="::1")
        self.assertEqual(status, 0, out)
        self.assertIn(f"session [::1]:{sink6.port}", session)
        self.assertEqual(len(sink6.messages()), 1)


class NoDsnNoEightBit(SinkTest):
    sink_options = ("-8", "-N")  # no 8BITMIME, no DSN

    def test_8bit_data_to_a_peer_without_8bitmime_fails_permanently(self):
        body = self.message("8bit", "Subject: x\r\n\r\nüber\r\n".encode())
        status, results, _, out = send(self.sink.port, [body], args=("--8bitmime",))
        self.assertEqual(status, 1, out)
        outcome, text = results[(1, "x@example.net")]
        self.assertEqual(outcome, "permanent")
        self.assertIn("8BITMIME", text)
        self.assertEqual(self.sink.messages(), [])

    def test_declared_8bit_but_7bit_data_goes_without_body_parameter(self):
        body = self.message("7bit", b"Subject: x\r\n\r\nplain\r\n")
        status, results, _, out = send(self.sink.port, [body], args=("--8bitmime", "--notify", "NEVER"))
        self.assertEqual(status, 0, out)
        stored = self.sink.messages()[0]
        self.assertIn(b"X-Mail-Args: <sender@remote.test>\n", stored)   # no BODY=
        self.assertIn(b"X-Rcpt-Args: <x@example.net>\n", stored)        # no NOTIFY without DSN


class NoEsmtp(SinkTest):
    sink_options = ("-e",)  # EHLO is refused: an old SMTP-only server

    def test_helo_fallback_sends_without_extensions(self):
        body = self.message("m", b"Subject: x\r\n\r\nx\r\n")
        status, results, _, out = send(self.sink.port, [body], args=("--notify", "NEVER"))
        self.assertEqual(status, 0, out)
        stored = self.sink.messages()[0]
        self.assertIn(b"X-Client-Proto: SMTP\n", stored)
        self.assertIn(b"X-Mail-Args: <sender@remote.test>\n", stored)
        self.assertIn(b"X-Rcpt-Args: <x@example.net>\n", stored)


class TemporaryAtRcpt(SinkTest):
    sink_options = ("-r", "RCPT")

    def test_4xx_at_rcpt_is_temporary(self):
        body = self.message("m", b"Subject: x\r\n\r\nx\r\n")
        status, results, _, out = send(self.sink.port, [body], to=("a@example.net", "b@example.net"))
        self.assertEqual(status, 1, out)
        for rcpt in ("a@example.net", "b@example.net"):
            outcome, text = results[(1, rcpt)]
            self.assertEqual(outcome, "temporary", out)
            self.assertIn("450 4.3.0", text)
            self.assertIn("(at rcpt)", text)
        self.assertEqual(self.sink.messages(), [])


class PermanentAtRcpt(SinkTest):
    sink_options = ("-f", "RCPT")

    def test_5xx_at_rcpt_is_permanent(self):
        body = self.message("m", b"Subject: x\r\n\r\nx\r\n")
        status, results, _, out = send(self.sink.port, [body])
        self.assertEqual(status, 1, out)
        outcome, text = results[(1, "x@example.net")]
        self.assertEqual(outcome, "permanent", out)
        self.assertIn("500 5.3.0", text)


class TemporaryAtMail(SinkTest):
    sink_options = ("-r", "MAIL")

    def test_4xx_at_mail_applies_to_every_recipient_and_the_session_goes_on(self):
        one = self.message("one", b"Subject: one\r\n\r\nx\r\n")
        two = self.message("two", b"Subject: two\r\n\r\nx\r\n")
        status, results, _, out = send(self.sink.port, [one, two], to=("a@example.net", "b@example.net"))
        self.assertEqual(status, 1, out)
        self.assertEqual(len(results), 4, out)
        for (n, rcpt), (outcome, text) in results.items():
            self.assertEqual(outcome, "temporary", out)
            self.assertIn("450 4.3.0", text)
            self.assertIn("(at mail)", text)


class PermanentAtData(SinkTest):
    sink_options = ("-f", "DATA")

    def test_5xx_at_data_applies_to_every_recipient(self):
        body = self.message("m", b"Subject: x\r\n\r\nx\r\n")
        status, results, _, out = send(self.sink.port, [body], to=("a@example.net", "b@example.net"))
        self.assertEqual(status, 1, out)
        for rcpt in ("a@example.net", "b@example.net"):
            outcome, text = results[(1, rcpt)]
            self.assertEqual(outcome, "permanent", out)
            self.assertIn("(at data)", text)


class TemporaryAtDot(SinkTest):
    sink_options = ("-r", ".")

    def test_4xx_to_the_final_dot_is_temporary(self):
        body = self.message("m", b"Subject: x\r\n\r\nx\r\n")
        status, results, _, out = send(self.sink.port, [body])
        outcome, text = results[(1, "x@example.net")]
        self.assertEqual(outcome, "temporary", out)
        self.assertIn("(at data_end)", text)


class Faults(SinkTest):
    def big_message(self):
        line = b"x" * 998 + b"\r\n"
        return self.message("big", b"Subject: big\r\n\r\n" + line * 40000)  # 40 MB

    def run_with_fault(self, fault, after_bytes):
        """Sends a big message through a proxy and applies `fault` once that many bytes
        went through: the client must report a line fault, not hang."""
        body = self.big_message()
        with FaultProxy("127.0.0.1", self.sink.port) as proxy:
            stop = threading.Event()

            def watch():
                while not stop.is_set():
                    if proxy.stats()["bytes_to_target"] >= after_bytes:
                        fault(proxy)
                        return
                    time.sleep(0.01)
            watcher = threading.Thread(target=watch, daemon=True)
            watcher.start()
            try:
                status, results, _, out = send(proxy.port, [body], timeout=3)
            finally:
                stop.set()
                watcher.join()
        self.assertEqual(status, 1, out)
        return results[(1, "x@example.net")], out

    def test_peer_that_stops_answering_mid_data_is_a_line_fault(self):
        (outcome, text), out = self.run_with_fault(lambda p: p.hang(), 2 * 1024 * 1024)
        self.assertEqual(outcome, "line_fault", out)
        self.assertTrue("(at message)" in text or "(at data_end)" in text, text)
        self.assertIn("timeout", text)

    def test_connection_dropped_mid_data_is_a_line_fault(self):
        (outcome, text), out = self.run_with_fault(lambda p: p.cut_connections(reset=True), 2 * 1024 * 1024)
        self.assertEqual(outcome, "line_fault", out)
        self.assertTrue("(at message)" in text or "(at data_end)" in text, text)

    def test_refused_connection_is_an_unreachable_host(self):
        proxy = FaultProxy("127.0.0.1", self.sink.port)
        proxy.refuse()  # the port is reserved; nothing listens on it
        with proxy:
            status, results, _, out = send(proxy.port, [self.message("m", b"x\r\n")])
        self.assertEqual(status, 1, out)
        self.assertIn("session host_unreachable", out)
        self.assertIn("Connection refused", out)
        self.assertIn("(at connect)", out)
        self.assertEqual(results, {})

    def test_peer_that_never_greets_is_a_line_fault(self):
        with FaultProxy("127.0.0.1", self.sink.port) as proxy:
            proxy.hang()
            status, _, _, out = send(proxy.port, [self.message("m", b"x\r\n")], timeout=2)
        self.assertEqual(status, 1, out)
        self.assertIn("session line_fault", out)
        self.assertIn("(at greeting)", out)


class DirmaildPeer(unittest.TestCase):
    """A dirmaild with STARTTLS on port 25 and submission, implicit TLS on SMTPS."""

    @classmethod
    def setUpClass(cls):
        folder = STATE / "dirmaild"
        shutil.rmtree(folder, ignore_errors=True)
        cls.server = DirmailInstance(folder / "server", tls=True)
        cls.server.provision()
        cls.server.start()
        cls.ca = cls.server.pki["ca"]
        cls.foreign_ca = make_test_pki(folder / "foreign-pki")["ca"]
        cls.folder = folder

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def message(self, tag, sender=SENDER):
        path = self.folder / f"{tag}.eml"
        path.write_bytes(f"From: {sender}\r\nTo: bob@example.test\r\nSubject: {tag}\r\n\r\n.dot line {tag}\r\n"
                         .encode())
        return path

    def test_required_starttls_with_a_trusted_certificate(self):
        tag = uuid.uuid4().hex
        status, results, session, out = send(
            self.server.smtp_port, [self.message(tag)], to=("bob@example.test",),
            args=("--tls", "required", "--ca-file", self.ca, "--tls-name", "mail.example.test"))
        self.assertEqual(status, 0, out)
        self.assertIn(" verified", session)
        self.assertIn("TLSv1.", session)
        self.assertEqual(results[(1, "bob@example.test")][0], "delivered")
        found = wait_for_messages(self.server.pop3_port, "bob@example.test", "bob secret with spaces", tag)
        self.assertEqual(len(found), 1, out)
        self.assertIn(f"\r\n.dot line {tag}\r\n".encode(), found[0])

    def test_required_starttls_with_an_untrusted_certificate_fails(self):
        status, results, _, out = send(
            self.server.smtp_port, [self.message("untrusted")], to=("bob@example.test",),
            args=("--tls", "required", "--ca-file", self.foreign_ca, "--tls-name", "mail.example.test"))
        self.assertEqual(status, 1, out)
        self.assertIn("session line_fault", out)  # retried as a line fault (8 h), not bounced soon
        self.assertIn("certificate does not verify", out)
        self.assertIn("(at starttls)", out)

    def test_required_starttls_with_a_name_the_certificate_lacks_fails(self):
        status, _, _, out = send(
            self.server.smtp_port, [self.message("wrongname")], to=("bob@example.test",),
            args=("--tls", "required", "--ca-file", self.ca, "--tls-name", "other.example.org"))
        self.assertEqual(status, 1, out)
        self.assertIn("certificate does not verify", out)

    def test_opportunistic_tls_does_not_check_the_certificate(self):
        status, results, session, out = send(
            self.server.smtp_port, [self.message("opportunistic")], to=("bob@example.test",),
            args=("--ca-file", self.foreign_ca))
        self.assertEqual(status, 0, out)
        self.assertIn("TLSv1.", session)
        self.assertNotIn(" verified", session)

    def test_implicit_tls_and_auth_plain(self):
        tag = uuid.uuid4().hex
        status, results, session, out = send(
            self.server.smtps_port, [self.message(tag, ALICE)], to=("bob@example.test",), sender=ALICE,
            args=("--tls", "implicit", "--verify", "--ca-file", self.ca, "--tls-name", "mail.example.test",
                  "--auth-user", ALICE, "--password-stdin"), stdin="alice-secret\n")
        self.assertEqual(status, 0, out)
        self.assertIn(" verified auth PLAIN", session)
        self.assertEqual(results[(1, "bob@example.test")][0], "delivered")
        self.assertEqual(len(wait_for_messages(self.server.pop3_port, "bob@example.test", "bob secret with spaces",
                                               tag)), 1)

    def test_implicit_tls_with_an_untrusted_certificate_fails(self):
        status, _, _, out = send(
            self.server.smtps_port, [self.message("implicit-untrusted")], to=("bob@example.test",),
            args=("--tls", "implicit", "--verify", "--ca-file", self.foreign_ca, "--tls-name", "mail.example.test"))
        self.assertEqual(status, 1, out)
        self.assertIn("certificate does not verify", out)
        self.assertIn("(at tls)", out)

    def test_auth_plain_after_starttls_with_a_bad_password(self):
        status, results, _, out = send(
            self.server.submission_port, [self.message("badpw")], to=("bob@example.test",),
            args=("--tls", "required", "--ca-file", self.ca, "--tls-name", "mail.example.test",
                  "--auth-user", "alice@example.test", "--password-stdin"), stdin="wrong password\n")
        self.assertEqual(status, 1, out)
        self.assertIn("session temporary 535", out)
        self.assertIn("authentication failed", out)
        self.assertIn("(at auth)", out)
        self.assertEqual(results, {})

    def test_auth_plain_after_starttls_with_the_right_password(self):
        status, results, session, out = send(
            self.server.submission_port, [self.message("goodpw", ALICE)], to=("bob@example.test",), sender=ALICE,
            args=("--tls", "required", "--ca-file", self.ca, "--tls-name", "mail.example.test",
                  "--auth-user", ALICE, "--password-stdin"), stdin="alice-secret\n")
        self.assertEqual(status, 0, out)
        self.assertIn("auth PLAIN", session)
        self.assertEqual(results[(1, "bob@example.test")][0], "delivered")

    def test_auth_login_when_asked_for(self):
        status, results, session, out = send(
            self.server.submission_port, [self.message("login", ALICE)], to=("bob@example.test",), sender=ALICE,
            args=("--tls", "required", "--ca-file", self.ca, "--tls-name", "mail.example.test",
                  "--auth-user", ALICE, "--auth-mechanism", "LOGIN", "--password-stdin"), stdin="alice-secret\n")
        self.assertEqual(status, 0, out)
        self.assertIn("auth LOGIN", session)
        self.assertEqual(results[(1, "bob@example.test")][0], "delivered")

    def test_no_credentials_over_plaintext(self):
        status, _, _, out = send(
            self.server.submission_port, [self.message("plain")], to=("bob@example.test",),
            args=("--tls", "off", "--auth-user", "alice@example.test", "--password-stdin"), stdin="alice-secret\n")
        self.assertEqual(status, 1, out)
        self.assertIn("session temporary", out)
        self.assertIn("not sent without TLS", out)


if __name__ == "__main__":
    unittest.main(verbosity=2)
