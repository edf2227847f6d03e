"""Delay notices and the end of local deferrals, with shortened settings
(delivery.delay_notice_after = 2 s, retry_interval = 1 s, max_queue_lifetime = 6 s).

A recipient still pending 2 s after the message arrived gets its sender one RFC 3464
report with Action: delayed (as its NOTIFY asks: none counts as FAILURE,DELAY; NEVER
and FAILURE get no notice), then the usual bounce when its schedule gives up: for a
remote peer that keeps answering 4xx (Postfix's smtp-sink -r RCPT) after its
refusals, for a local mailbox that stays full after max_queue_lifetime, with 5.2.2.
A delay notice returns the original's header only, whatever RET asks (RFC 3461 §4.3);
a bounce honours RET."""
import email
import email.policy
import email.utils
import os
import shutil
import smtplib
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance, free_port  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from mail_clients import pop3_fetch_all, wait_for_messages  # noqa: E402
from polling import wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "delay-notices"
ALICE = "alice@example.test"
LIMITED = "limited@example.test"
LIMITED_PASSWORD = "limited-secret"
LIMIT = 6000
LIFETIME = 6
PORT = free_port()
SERVER = DNS = SINK = None


def setUpModule():
    global SERVER, DNS, SINK
    shutil.rmtree(STATE, ignore_errors=True)
    SINK = SmtpSink(STATE / "sink-later", "-r", "RCPT", host="127.0.0.3", port=PORT)
    DNS = DnsServer(STATE / "dns", mx=[("later.test", "mx.later.test", 10)],
                    hosts={"mx.later.test": ["127.0.0.3"]}, ipv6=False)
    DNS.start()
    SERVER = DirmailInstance(
        STATE / "server",
        delivery_settings=(f'port = {PORT}\ndns_servers = ["{DNS.entry}"]\naddress_preference = "ipv4"\n'
                           f'retry_count_refused = 5\ndelay_notice_after = 2\nmax_queue_lifetime = {LIFETIME}'),
        extra_config="\n[store]\nmailbox_limit = 0\n")
    SERVER.provision()
    SERVER.ctl("user", "add", LIMITED, "--limit", str(LIMIT), "--password-stdin", input=LIMITED_PASSWORD + "\n")
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()
    if DNS:
        DNS.stop()
    if SINK:
        SINK.stop()


def submit(recipients, tag, ret, size=300):
    """Alice sends a message of about `size` bytes whose subject is `tag`; recipients are
    (address, NOTIFY or None). No SIZE= on MAIL FROM, so that the server takes a message
    a mailbox has no room for and defers it."""
    head = f"From: {ALICE}\r\nSubject: {tag}\r\n\r\n"
    body = head + ("y" * 98 + "\r\n") * max(1, (size - len(head)) // 100)
    with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
        s.ehlo("client.example.org")
        s.login(ALICE, USERS[ALICE])
        code, text = s.mail(ALICE, [f"RET={ret}"])
        assert code == 250, (code, text)
        for address, notify in recipients:
            code, text = s.rcpt(address, [f"NOTIFY={notify}"] if notify else [])
            assert code == 250, (address, code, text)
        code, text = s.data(body.encode())
        assert code == 250, (code, text)




def reports_once_done(tag, count):
    """Alice's reports about the message `tag`, once it and every report about it have
    left the queue (nothing more can come) and at least `count` arrived."""
    done = wait_for(lambda: not SERVER.queued_with(tag) and
                    len(wait_for_messages(SERVER.pop3_port, ALICE, USERS[ALICE], tag, count, timeout=0.5)) >= count,
                    timeout=90)
    found = wait_for_messages(SERVER.pop3_port, ALICE, USERS[ALICE], tag, count, timeout=1)
    assert done, f"{len(found)} reports, queue {SERVER.queued_with(tag)}:\n{SERVER.log_text('delivery')[-3000:]}"
    return [email.message_from_bytes(raw, policy=email.policy.default) for raw in found]


def recipient_fields(report):
    """The per-recipient field blocks of the report's message/delivery-status part."""
    [status] = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"]
    blocks = status.get_payload()
    return blocks[0], blocks[1:]


def actions(report):
    return {str(block["Action"]) for block in recipient_fields(report)[1]}


def returned_types(report):
    return {p.get_content_type() for p in report.walk()} & {"message/rfc822", "text/rfc822-headers"}


def split_reports(reports):
    delays = [r for r in reports if actions(r) == {"delayed"}]
    bounces = [r for r in reports if actions(r) == {"failed"}]
    assert len(delays) + len(bounces) == len(reports), [actions(r) for r in reports]
    return delays, bounces


class DelayNotices(unittest.TestCase):
    def test_refusing_peer_one_delay_notice_as_notify_asks_then_the_bounce(self):
        tag = "later-" + uuid.uuid4().hex
        submit([("w@later.test", None), ("n@later.test", "NEVER"), ("f@later.test", "FAILURE")], tag, "FULL")
        delays, bounces = split_reports(reports_once_done(tag, 2))
        self.assertEqual(len(delays), 1, "exactly one delay notice")
        self.assertEqual(len(bounces), 1)

        [delay] = delays
        self.assertEqual(delay.get_content_type(), "multipart/report")
        self.assertEqual(delay.get_param("report-type"), "delivery-status")
        self.assertEqual([a.addr_spec for a in delay["To"].addresses], [ALICE])
        self.assertIn("Delayed", delay["Subject"])
        _, [rcpt] = recipient_fields(delay)  # only the recipient without NOTIFY: not NEVER, not FAILURE
        self.assertEqual(rcpt["Final-Recipient"], "rfc822; w@later.test")
        self.assertEqual(rcpt["Action"], "delayed")
        self.assertRegex(str(rcpt["Status"]), r"^4\.\d+\.\d+$")
        self.assertTrue(str(rcpt["Diagnostic-Code"]).startswith("smtp; 450"), rcpt["Diagnostic-Code"])
        self.assertIsNotNone(email.utils.parsedate_to_datetime(str(rcpt["Will-Retry-Until"])))
        self.assertEqual(returned_types(delay), {"text/rfc822-headers"}, "a delay returns the header only")

        [bounce] = bounces
        _, blocks = recipient_fields(bounce)
        self.assertEqual(sorted(str(b["Final-Recipient"]) for b in blocks),
                         ["rfc822; f@later.test", "rfc822; w@later.test"])  # NEVER: none
        self.assertEqual(returned_types(bounce), {"message/rfc822"}, "RET=FULL returns the message")
        self.assertIn("retries exhausted", SERVER.log_text("delivery"))

    def test_full_mailbox_gets_a_delay_notice_then_bounces_after_the_queue_lifetime(self):
        filler = "filler-" + uuid.uuid4().hex
        submit([(LIMITED, None)], filler, "HDRS", size=3000)
        self.assertEqual(len(wait_for_messages(SERVER.pop3_port, LIMITED, LIMITED_PASSWORD, filler)), 1)

        tag = "full-" + uuid.uuid4().hex
        submit([(LIMITED, None)], tag, "HDRS", size=4000)  # 3000 + 4000 > 6000: mailbox full
        delays, bounces = split_reports(reports_once_done(tag, 2))
        self.assertEqual((len(delays), len(bounces)), (1, 1))

        per_message, [rcpt] = recipient_fields(delays[0])
        self.assertEqual(rcpt["Final-Recipient"], f"rfc822; {LIMITED}")
        self.assertEqual(rcpt["Status"], "4.2.2")
        self.assertIn("mailbox full", str(rcpt["Diagnostic-Code"]))
        # The notice tells when the queue gives up: the queue lifetime after arrival.
        arrival = email.utils.parsedate_to_datetime(str(per_message["Arrival-Date"]))
        until = email.utils.parsedate_to_datetime(str(rcpt["Will-Retry-Until"]))
        self.assertEqual((until - arrival).total_seconds(), LIFETIME)

        _, [failed] = recipient_fields(bounces[0])
        self.assertEqual(failed["Final-Recipient"], f"rfc822; {LIMITED}")
        self.assertEqual(failed["Status"], "5.2.2")
        self.assertIn("mailbox full", str(failed["Diagnostic-Code"]))
        self.assertEqual(returned_types(bounces[0]), {"text/rfc822-headers"}, "RET=HDRS returns the header")
        self.assertIn("queue lifetime exceeded", SERVER.log_text("delivery"))
        stored = [raw for _, raw in pop3_fetch_all(SERVER.pop3_port, LIMITED, LIMITED_PASSWORD)]
        self.assertEqual([raw for raw in stored if tag.encode() in raw], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
