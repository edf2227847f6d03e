"""How dirmaild's remote delivery uses its connections, seen from a proxy in front of
Postfix's smtp-sink (tests/integration/lib/fault_proxy.py counts connections):

- messages to one destination share one connection (delivery.connection_cache_time),
  and delivery.destination_concurrency = 1 keeps it to one connection at a time;
- the idle connection is closed with QUIT once the cache time is over;
- a cached connection the peer closed meanwhile is replaced at once, the message is not
  deferred;
- a recipient at an address literal (user@[127.0.0.1]) goes to that address, no DNS;
- an MX list whose best host is this server bounces "loops back to myself" (5.4.6,
  RFC 5321 §5.1); with this server as a worse MX the better host gets the mail."""
import email
import email.policy
import os
import shutil
import smtplib
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from dns_server import DnsServer  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402
from polling import wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "delivery-sessions"
ALICE = "alice@example.test"
SERVER = DNS = SINK = PROXY = None
CACHE_SECONDS = 3


def setUpModule():
    global SERVER, DNS, SINK, PROXY
    shutil.rmtree(STATE, ignore_errors=True)
    SINK = SmtpSink(STATE / "sink")
    PROXY = FaultProxy("127.0.0.1", SINK.port)
    PROXY.start()
    # mail.example.test is the test server's own name (DirmailInstance).
    DNS = DnsServer(STATE / "dns",
                    mx=[("reuse.test", "mx.reuse.test", 10), ("loop.test", "mail.example.test", 10),
                        ("selfbest.test", "mail.example.test", 10), ("selfbest.test", "mx.reuse.test", 20),
                        ("selfworse.test", "mx.reuse.test", 10), ("selfworse.test", "mail.example.test", 20)],
                    hosts={"mx.reuse.test": ["127.0.0.1"], "mail.example.test": ["127.0.0.9"]}, ipv6=False)
    DNS.start()
    SERVER = DirmailInstance(
        STATE / "server",
        delivery_settings=(f'port = {PROXY.port}\ndns_servers = ["{DNS.entry}"]\naddress_preference = "ipv4"\n'
                           f"connection_cache_time = {CACHE_SECONDS}\ndestination_concurrency = 1\n"
                           "retry_interval = 600\n"))
    SERVER.provision()
    SERVER.start()


def tearDownModule():
    for thing in (SERVER, DNS, PROXY, SINK):
        if thing:
            thing.stop()


def submit(recipients, tags):
    """One SMTP session that submits one message per tag."""
    with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
        s.ehlo("client.example.org")
        s.login(ALICE, USERS[ALICE])
        for tag in tags:
            body = f"From: {ALICE}\r\nTo: {', '.join(recipients)}\r\nSubject: {tag}\r\n\r\n{tag}\r\n"
            refused = s.sendmail(ALICE, recipients, body.encode())
            assert not refused, refused


def at_sink(tag):
    return [m for m in SINK.messages() if tag.encode() in m]


class DeliverySessions(unittest.TestCase):
    def setUp(self):
        # Each test starts without a cached connection.
        self.assertTrue(wait_for(lambda: PROXY.open_connections == 0, timeout=CACHE_SECONDS + 20))

    def test_messages_to_one_destination_share_one_connection(self):
        before = PROXY.stats()["connections_accepted"]
        tags = [f"share-{i}-{uuid.uuid4().hex}" for i in range(8)]
        submit(["bob@reuse.test"], tags)
        self.assertTrue(wait_for(lambda: all(at_sink(t) for t in tags), timeout=60),
                        SERVER.log_text("delivery")[-3000:])
        stats = PROXY.stats()
        self.assertEqual(stats["connections_accepted"] - before, 1, "eight messages, one connection")
        self.assertEqual(stats["peak_open_connections"], 1, "destination_concurrency = 1")
        self.assertEqual([len(at_sink(t)) for t in tags], [1] * len(tags))
        self.assertIn("reused=yes", SERVER.log_text("delivery"))

    def test_idle_connection_is_closed_after_the_cache_time(self):
        tag = "idle-" + uuid.uuid4().hex
        submit(["bob@reuse.test"], [tag])
        self.assertTrue(wait_for(lambda: at_sink(tag), timeout=30))
        self.assertEqual(PROXY.open_connections, 1, "kept open for the next message")
        self.assertTrue(wait_for(lambda: PROXY.open_connections == 0, timeout=CACHE_SECONDS + 10),
                        "closed once idle for connection_cache_time")

    def test_connection_the_peer_closed_is_replaced_without_deferring(self):
        first = "first-" + uuid.uuid4().hex
        submit(["bob@reuse.test"], [first])
        self.assertTrue(wait_for(lambda: at_sink(first), timeout=30))
        before = PROXY.stats()["connections_accepted"]
        PROXY.cut_connections()  # the peer drops the idle connection
        second = "second-" + uuid.uuid4().hex
        submit(["bob@reuse.test"], [second])
        # retry_interval is 600 s: arriving now means it was not deferred.
        self.assertTrue(wait_for(lambda: at_sink(second), timeout=30), SERVER.log_text("delivery")[-3000:])
        self.assertEqual(PROXY.stats()["connections_accepted"] - before, 1)

    def test_address_literal_goes_to_that_address(self):
        tag = "literal-" + uuid.uuid4().hex
        submit(["someone@[127.0.0.1]"], [tag])
        self.assertTrue(wait_for(lambda: at_sink(tag), timeout=30), SERVER.log_text("delivery")[-3000:])
        self.assertIn(b"someone@[127.0.0.1]", at_sink(tag)[0])

    def test_this_server_as_best_mx_bounces_as_a_loop(self):
        tag = "loop-" + uuid.uuid4().hex
        submit(["x@loop.test", "y@selfbest.test"], [tag])
        [bounce] = wait_for_messages(SERVER.pop3_port, ALICE, USERS[ALICE], tag)
        report = email.message_from_bytes(bounce, policy=email.policy.default)
        fields = [p for p in report.walk() if p.get_content_type() == "message/delivery-status"][0].as_bytes().decode()
        for rcpt in ("x@loop.test", "y@selfbest.test"):
            self.assertIn(f"Final-Recipient: rfc822; {rcpt}", fields)
        self.assertEqual(fields.count("Status: 5.4.6"), 2, fields)
        self.assertIn("loops back to myself", SERVER.log_text("delivery"))
        self.assertEqual(at_sink(tag), [], "mx.reuse.test is worse than this server for selfbest.test")

    def test_this_server_as_worse_mx_leaves_the_better_one(self):
        tag = "worse-" + uuid.uuid4().hex
        submit(["z@selfworse.test"], [tag])
        self.assertTrue(wait_for(lambda: at_sink(tag), timeout=30), SERVER.log_text("delivery")[-3000:])


if __name__ == "__main__":
    unittest.main()
