"""Security to peers in remote delivery by a real dirmaild (delivery.tls_policy,
delivery.tls_ca_file, delivery.auth_credentials_file): a sending dirmaild routes by its
gateway table to a second dirmaild that has a test CA (make_test_pki):

- an implicit-TLS gateway ("PORT*", the peer's SMTPS submission listener) for a domain
  that requires TLS: the certificate is verified, the sender authenticates, the mail
  arrives;
- STARTTLS required for a domain, to the peer's port 25: the mail arrives and the
  peer's Received field shows ESMTPS;
- a domain that requires TLS, routed to an address the certificate does not name (a
  proxy on 127.0.0.2): nothing is sent, the mail stays queued, the delivery log names
  the certificate problem;
- a domain that requires TLS, routed to a peer without STARTTLS (smtp-sink): never sent
  in plaintext, the mail stays queued;
- AUTH from the credentials file to the peer's submission port, which takes mail only
  after AUTH: the mail arrives; the same port under a host name the file does not
  list gets no credentials and refuses;
- a credentials file that others can read stops dirmaild from starting, naming the
  file and the chmod that fixes it, and a reload (SIGHUP) is refused."""
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILCTL, DIRMAILD, USERS, DirmailInstance  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from mail_clients import pop3_fetch_all, wait_for_messages  # noqa: E402
from polling import wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "peer-security"
ALICE = "alice@example.test"   # a user of both instances (DirmailInstance USERS)
DOMAINS = ("ssl.test", "starttls.test", "wrongname.test", "auth.test", "noauth.test")
PASSWORD = "peer-bob-secret"   # bob@DOMAIN on the peer
PEER = SENDER = PROXY = SINK = None


def write_private(path, text, mode=0o600):
    path.write_text(text)
    os.chmod(path, mode)
    return path


def setUpModule():
    global PEER, SENDER, PROXY, SINK
    shutil.rmtree(STATE, ignore_errors=True)
    # The peer: STARTTLS on port 25 and submission (which needs AUTH), implicit TLS on
    # its SMTPS submission listener; a mailbox bob@ in each test domain.
    PEER = DirmailInstance(STATE / "peer", tls=True)
    PEER.provision()
    for domain in DOMAINS:
        PEER.ctl("domain", "add", domain)
        PEER.ctl("user", "add", f"bob@{domain}", "--password-stdin", input=PASSWORD + "\n")
    PEER.start()
    unittest.addModuleCleanup(PEER.stop)  # also when a later step of the set-up fails
    # Reaches the peer's port 25 on an address its certificate does not carry.
    PROXY = FaultProxy("127.0.0.1", PEER.smtp_port, listen_host="127.0.0.2").start()
    unittest.addModuleCleanup(PROXY.stop)
    SINK = SmtpSink(STATE / "sink")  # offers no STARTTLS
    unittest.addModuleCleanup(SINK.stop)
    credentials = write_private(STATE / "auth-credentials.txt",
                                "# gateways that want SMTP AUTH\n"
                                f"localhost  {ALICE}  {USERS[ALICE]}\n")
    gateways = [f"ssl.test,localhost,{PEER.smtps_port}*",
                f"starttls.test,127.0.0.1,{PEER.smtp_port}",
                f"wrongname.test,127.0.0.2,{PROXY.port}",
                f"auth.test,localhost,{PEER.submission_port}",
                f"noauth.test,127.0.0.1,{PEER.submission_port}",
                f"notls.test,127.0.0.1,{SINK.port}"]
    required = ["ssl.test required", "starttls.test,required", "wrongname.test required", "auth.test required",
                "notls.test required"]
    SENDER = DirmailInstance(
        STATE / "sender",
        delivery_settings=(
            f"gateway_table = {list_toml(gateways)}\n"
            f"tls_policy = {list_toml(required)}\n"
            f"tls_ca_file = \"{PEER.pki['ca']}\"\n"
            f"auth_credentials_file = \"{credentials}\"\n"))
    SENDER.provision()
    SENDER.start()
    unittest.addModuleCleanup(SENDER.stop)


def list_toml(entries):
    return "[" + ", ".join(f'"{e}"' for e in entries) + "]"


def submit(recipient, tag):
    with smtplib.SMTP("127.0.0.1", SENDER.submission_port, timeout=30) as s:
        s.ehlo("client.example.org")
        s.login(ALICE, USERS[ALICE])
        refused = s.sendmail(ALICE, [recipient],
                             f"From: {ALICE}\r\nTo: {recipient}\r\nSubject: {tag}\r\n\r\n{tag}\r\n".encode())
        assert not refused, refused


def sender_log_with(*texts, timeout=30):
    """The lines of the sender's delivery log that hold every text, once there is one."""
    def found():
        return any(all(t in line for t in texts) for line in SENDER.log_text("delivery").splitlines())
    if not wait_for(found, timeout=timeout):
        raise AssertionError(f"no delivery log line with {texts!r}:\n{SENDER.log_text('delivery')[-4000:]}")
    return [line for line in SENDER.log_text("delivery").splitlines() if all(t in line for t in texts)]




def in_peer_mailbox(domain, tag):
    """The messages with `tag` in bob@DOMAIN's mailbox on the peer, now."""
    return [raw for _, raw in pop3_fetch_all(PEER.pop3_port, f"bob@{domain}", PASSWORD) if tag.encode() in raw]


def top_received(raw):
    """The Received field the peer added (unfolded)."""
    head = raw.split(b"\r\n\r\n", 1)[0].decode(errors="replace")
    fields = head.replace("\r\n ", " ").replace("\r\n\t", " ").split("\r\n")
    return next(f for f in fields if f.startswith("Received:"))


class PeerSecurity(unittest.TestCase):
    def arrived(self, domain, tag):
        found = wait_for_messages(PEER.pop3_port, f"bob@{domain}", PASSWORD, tag)
        self.assertEqual(len(found), 1, SENDER.log_text("delivery")[-4000:])
        return found[0]

    def test_implicit_tls_gateway_with_required_tls_and_auth(self):
        tag = "ssl-" + uuid.uuid4().hex
        submit("bob@ssl.test", tag)
        received = top_received(self.arrived("ssl.test", tag))
        self.assertIn("with ESMTPSA", received)  # TLS and AUTH (RFC 3848)
        [line] = sender_log_with("to=bob@ssl.test", "msg=\"sent\"")
        self.assertRegex(line, r'tls="TLSv1\.[23] [^"]* verified"')

    def test_starttls_required_domain_arrives_over_tls(self):
        tag = "starttls-" + uuid.uuid4().hex
        submit("bob@starttls.test", tag)
        received = top_received(self.arrived("starttls.test", tag))
        self.assertIn("with ESMTPS ", received)  # TLS, no AUTH: 127.0.0.1 is not in the credentials file
        # The certificate chains to delivery.tls_ca_file (the name check of required TLS
        # is what the wrong-name and no-STARTTLS tests below show).
        [line] = sender_log_with("to=bob@starttls.test", "msg=\"sent\"")
        self.assertRegex(line, r'tls="TLSv1\.[23] [^"]* verified"')

    def test_required_tls_to_a_host_the_certificate_does_not_name_stays_queued(self):
        tag = "wrongname-" + uuid.uuid4().hex
        submit("bob@wrongname.test", tag)
        failures = sender_log_with("host=127.0.0.2", "certificate does not verify")
        self.assertIn("IP address mismatch", failures[0])
        # Tried again (retry_interval = 1 s), never sent in plaintext, still queued.
        self.assertTrue(wait_for(lambda: len(sender_log_with("host=127.0.0.2", "certificate does not verify")) >= 2))
        self.assertEqual(len(SENDER.queued_with(tag)), 1)
        self.assertEqual(in_peer_mailbox("wrongname.test", tag), [])

    def test_required_tls_to_a_peer_without_starttls_stays_queued(self):
        tag = "notls-" + uuid.uuid4().hex
        submit("bob@notls.test", tag)
        # Tried again (retry_interval = 1 s) and refused each time before MAIL.
        self.assertTrue(wait_for(lambda: len(sender_log_with(
            "host=127.0.0.1", "TLS is required but the peer does not offer STARTTLS")) >= 2))
        self.assertEqual(len(SENDER.queued_with(tag)), 1)
        self.assertEqual([m for m in SINK.messages() if tag.encode() in m], [])

    def test_auth_from_the_credentials_file_to_a_port_that_needs_it(self):
        tag = "auth-" + uuid.uuid4().hex
        submit("bob@auth.test", tag)
        received = top_received(self.arrived("auth.test", tag))
        self.assertIn("with ESMTPSA", received)
        [line] = sender_log_with("to=bob@auth.test", "msg=\"sent\"")
        self.assertIn(" verified\"", line)

    def test_a_host_missing_from_the_credentials_file_gets_no_credentials(self):
        # The same submission port as 127.0.0.1: the file lists only "localhost".
        tag = "noauth-" + uuid.uuid4().hex
        submit("bob@noauth.test", tag)
        sender_log_with("to=bob@noauth.test", "530 5.7.0")
        self.assertEqual(in_peer_mailbox("noauth.test", tag), [])


class UnprotectedCredentials(unittest.TestCase):
    def test_a_credentials_file_others_can_read_stops_the_start(self):
        folder = STATE / "unprotected"
        leaky = write_private(STATE / "leaky-credentials.txt", f"localhost {ALICE} {USERS[ALICE]}\n", mode=0o644)
        instance = DirmailInstance(folder, delivery_settings=f'auth_credentials_file = "{leaky}"\n')
        instance.write_config()
        proc = subprocess.Popen([str(DIRMAILD), "--config", str(instance.config)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        try:
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        self.assertEqual(proc.returncode, 78, err)
        self.assertIn(f"delivery.auth_credentials_file: {leaky} has mode 0644", err)
        self.assertIn(f"chmod 600 {leaky}", err)
        self.assertNotIn(USERS[ALICE], err)
        # dirmailctl config check says the same before a restart.
        check = subprocess.run([str(DIRMAILCTL), "config", "check", str(instance.config)], capture_output=True,
                               text=True, timeout=60)
        self.assertEqual(check.returncode, 1, check.stdout + check.stderr)
        self.assertIn(f"chmod 600 {leaky}", check.stderr)

    def test_reload_with_a_credentials_file_others_can_read_is_refused(self):
        credentials = STATE / "auth-credentials.txt"  # the running sender's file
        os.chmod(credentials, 0o640)
        try:
            SENDER.signal(signal.SIGHUP)
            self.assertTrue(wait_for(lambda: any(
                "reload refused" in line and f"chmod 600 {credentials}" in line
                for line in SENDER.log_text("daemon").splitlines())), SENDER.log_text("daemon")[-2000:])
        finally:
            os.chmod(credentials, 0o600)
        self.assertIsNone(SENDER.proc.poll())  # still running, with the settings it had


if __name__ == "__main__":
    unittest.main(verbosity=2)
