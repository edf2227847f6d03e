"""Remote delivery by a real dirmaild: MX records from a real DNS server (dnsmasq),
Postfix's smtp-sink as the peers, one per loopback address on the port
delivery.port names. Mail relayed by an authenticated user arrives; a dead first MX
host is passed over for the next; a 5xx, a null MX and a domain that does not exist
are final; a 4xx is retried on the schedule and then bounced (RFC 3464); the gateway
table routes a domain DNS does not know; an alias target and an
IMS.CTL forward in another domain leave as copies of their own."""
import email
import email.policy
import os
import shutil
import smtplib
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance, free_port  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "remote-delivery"
ALICE = "alice@example.test"
PORT = free_port()
SERVER = DNS = None
SINKS = {}


def setUpModule():
    global SERVER, DNS
    shutil.rmtree(STATE, ignore_errors=True)
    SINKS["ok"] = SmtpSink(STATE / "sink-ok", host="127.0.0.1", port=PORT)
    SINKS["deny"] = SmtpSink(STATE / "sink-deny", "-f", "RCPT", host="127.0.0.2", port=PORT)
    SINKS["later"] = SmtpSink(STATE / "sink-later", "-r", "RCPT", host="127.0.0.3", port=PORT)
    DNS = DnsServer(STATE / "dns",
                    mx=[("ok.test", "mx.ok.test", 10), ("deny.test", "mx.deny.test", 10),
                        ("later.test", "mx.later.test", 10),
                        ("backup.test", "dead.backup.test", 10), ("backup.test", "mx.ok.test", 20)],
                    hosts={"mx.ok.test": ["127.0.0.1"], "mx.deny.test": ["127.0.0.2"],
                           "mx.later.test": ["127.0.0.3"], "dead.backup.test": ["127.0.0.4"]},
                    null_mx=["null.test"], ipv6=False)
    DNS.start()
    SERVER = DirmailInstance(
        STATE / "server",
        delivery_settings=(f'port = {PORT}\ndns_servers = ["{DNS.entry}"]\naddress_preference = "ipv4"\n'
                           f'retry_count_refused = 2\ngateway_table = ["*.viagw.test,127.0.0.1,{PORT}"]'),
        extra_config='[aliases]\nentries = ["outside@example.test friend@ok.test"]\n')
    SERVER.provision()
    forward = SERVER.folder / "mailboxes" / "example.test" / "carol"
    forward.mkdir(parents=True, exist_ok=True)
    (forward / "IMS.CTL").write_text("[AutoForward]\nForwardTo=carol.away@ok.test\n[Delivery]\nDiscard=Yes\n")
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()
    if DNS:
        DNS.stop()
    for sink in SINKS.values():
        sink.stop()


def submit(recipients, tag, sender=ALICE):
    with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
        s.ehlo("client.example.org")
        s.login(ALICE, USERS[ALICE])
        refused = s.sendmail(sender, recipients,
                             f"From: {sender}\r\nTo: {', '.join(recipients)}\r\nSubject: {tag}\r\n\r\n{tag}\r\n".encode())
        assert not refused, refused


def sent(sink, tag, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = [m for m in SINKS[sink].messages() if tag.encode() in m]
        if found:
            return found
        time.sleep(0.1)
    return []


def wait_log(text, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in SERVER.log_text("delivery"):
            return SERVER.log_text("delivery")
        time.sleep(0.1)
    raise AssertionError(f"no delivery log line with {text!r}:\n{SERVER.log_text('delivery')[-3000:]}")




class RemoteDelivery(unittest.TestCase):
    def test_relayed_mail_reaches_the_mx_host(self):
        tag = "remote-" + uuid.uuid4().hex
        submit(["bob@ok.test", "dave@example.test"], tag)
        [msg] = sent("ok", tag)
        self.assertIn(b"bob@ok.test", msg)  # smtp-sink writes the envelope with the message
        self.assertIn("sent", wait_log(tag[:0] + "msg=\"sent\""))

    def test_a_dead_first_mx_is_passed_over(self):
        tag = "backup-" + uuid.uuid4().hex
        submit(["someone@backup.test"], tag)
        self.assertEqual(len(sent("ok", tag)), 1)
        self.assertIn("dead.backup.test", wait_log("session failed"))

    def test_5xx_null_mx_and_no_such_domain_are_final(self):
        tag = "final-" + uuid.uuid4().hex
        submit(["x@deny.test", "y@null.test", "z@nosuch.test"], tag)
        log = wait_log("y@null.test")
        deadline = time.time() + 30
        while SERVER.queued_with(tag) and time.time() < deadline:
            time.sleep(0.1)
        self.assertEqual(SERVER.queued_with(tag), [], "final failures leave the queue")
        log = SERVER.log_text("delivery")
        self.assertIn("5.1.10", log)   # null MX
        self.assertIn("5.1.2", log)    # no such domain
        self.assertEqual(sent("deny", tag, timeout=0.5), [])
        # One bounce to the sender (RFC 3464) names the three recipients and returns the message.
        [bounce] = wait_for_messages(SERVER.pop3_port, ALICE, USERS[ALICE], tag)
        report = email.message_from_bytes(bounce, policy=email.policy.default)
        self.assertEqual(report.get_content_type(), "multipart/report")
        self.assertEqual(report.get_param("report-type"), "delivery-status")
        self.assertEqual(report["Auto-Submitted"], "auto-replied")
        self.assertIn("Return-Path: <>", bounce.decode(errors="replace"))
        status = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"]
        self.assertEqual(len(status), 1)
        fields = status[0].as_bytes().decode(errors="replace")
        for recipient, code in (("x@deny.test", "5.3.0"), ("y@null.test", "5.1.10"), ("z@nosuch.test", "5.1.2")):
            self.assertIn(f"Final-Recipient: rfc822; {recipient}", fields)
        self.assertIn("Status: 5.3.0", fields)
        self.assertIn("Status: 5.1.10", fields)
        self.assertIn("Diagnostic-Code: smtp; 500 5.3.0", fields)
        self.assertTrue(any(p.get_content_type() == "message/rfc822" for p in report.walk()))

    def test_4xx_is_retried_then_bounced(self):
        # delivery.retry_count_refused = 2 and retry_interval = 1 s: three refusals, then a bounce.
        tag = "later-" + uuid.uuid4().hex
        submit(["w@later.test"], tag)
        log = wait_log("attempts=1")
        self.assertIn("outcome=temporary", log)
        [bounce] = wait_for_messages(SERVER.pop3_port, ALICE, USERS[ALICE], tag)
        report = email.message_from_bytes(bounce, policy=email.policy.default)
        fields = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"][0].as_bytes().decode()
        self.assertIn("Final-Recipient: rfc822; w@later.test", fields)
        self.assertIn("Status: 4.3.0", fields)  # the peer's own code, kept on a bounce after retries
        self.assertIn("Action: failed", fields)
        self.assertIn("retries exhausted", SERVER.log_text("delivery"))
        self.assertEqual(SERVER.queued_with(tag), [])

    def test_gateway_table_routes_a_domain_without_dns(self):
        tag = "gateway-" + uuid.uuid4().hex
        submit(["someone@branch.viagw.test"], tag)
        self.assertEqual(len(sent("ok", tag)), 1)

    def test_alias_target_and_forward_in_another_domain(self):
        tag = "copies-" + uuid.uuid4().hex
        submit(["outside@example.test", "carol@example.test"], tag)
        self.assertEqual(len(sent("ok", tag)), 2)  # friend@ok.test and carol.away@ok.test
        joined = b"".join(sent("ok", tag))
        self.assertIn(b"friend@ok.test", joined)
        self.assertIn(b"carol.away@ok.test", joined)


if __name__ == "__main__":
    unittest.main()
