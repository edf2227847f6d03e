"""dirmailctl queue list|show|flush|hold|release|delete|bounce beside a real dirmaild.

Mail to remote.test stays deferred: delivery.dns_servers names an address where no DNS
server answers. A first run with delivery off (a standby node) queues a local message
so that it can be held before any worker sees it."""
import json
import os
import re
import shutil
import smtplib
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from dns_server import dead_dns_entry  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "queue_commands"
ALICE = "alice@example.test"
DEAD_DNS = dead_dns_entry()


def delivery_settings(enabled):
    return (f'enabled = {"true" if enabled else "false"}\ndns_servers = ["{DEAD_DNS}"]\n'
            'dns_timeout = 200\ndns_tries = 1')


class QueueCommands(unittest.TestCase):
    def setUp(self):
        shutil.rmtree(STATE, ignore_errors=True)
        self.server = DirmailInstance(STATE / "server", delivery_settings=delivery_settings(False))
        self.server.provision()

    def tearDown(self):
        self.server.stop()

    # -- helpers -----------------------------------------------------------------
    def submit(self, recipients, tag):
        """Alice sends through submission (authenticated, so remote.test is allowed)."""
        with smtplib.SMTP("127.0.0.1", self.server.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.login(ALICE, USERS[ALICE])
            s.sendmail(ALICE, recipients,
                       f"From: {ALICE}\r\nTo: {', '.join(recipients)}\r\nSubject: {tag}\r\n\r\n{tag}\r\n".encode())

    def queue(self, *args, code=0):
        r = self.server.ctl("queue", *args, check=False)
        self.assertEqual(r.returncode, code, f"queue {' '.join(args)}: {r.stdout}{r.stderr}")
        return r

    def listing(self):
        return json.loads(self.queue("list", "--json").stdout)

    def id_of(self, tag):
        """The queue id of the message whose header carries `tag` (its Subject)."""
        for m in self.listing()["messages"]:
            if tag in self.queue("show", m["id"]).stdout:
                return m["id"]
        self.fail(f"no queued message with {tag}")

    def mailbox(self, user, tag, timeout=30.0):
        return wait_for_messages(self.server.pop3_port, user, USERS[user], tag, timeout=timeout)

    # -- the test ------------------------------------------------------------------
    def test_queue_commands(self):
        local_tag, remote_tag = "held-" + uuid.uuid4().hex, "remote-" + uuid.uuid4().hex
        self.server.start()
        self.submit(["bob@example.test"], local_tag)
        self.submit(["ghost@remote.test", "carol@example.test"], remote_tag)

        # list, text and JSON: both messages, oldest first, every recipient pending.
        text = self.queue("list").stdout
        self.assertIn("2 messages in the queue", text)
        self.assertIn("from <alice@example.test>", text)
        self.assertRegex(text, r"pending\s+ghost@remote\.test")
        listed = self.listing()
        self.assertEqual(listed["count"], 2)
        self.assertEqual(listed["held"], 0)
        held_id, remote_id = self.id_of(local_tag), self.id_of(remote_tag)
        self.assertEqual([m["id"] for m in listed["messages"]], [held_id, remote_id])
        first = listed["messages"][0]
        self.assertEqual((first["sender"], first["held"]), (ALICE, False))
        self.assertEqual(first["recipients"], [{"address": "bob@example.test", "state": "pending", "reason": ""}])
        self.assertGreater(first["size"], 0)

        # show: envelope with the client and its authentication, and the header block.
        shown = self.queue("show", held_id).stdout
        self.assertIn("sender:      <alice@example.test>", shown)
        self.assertIn("auth:        alice", shown)
        self.assertIn(f"Subject: {local_tag}", shown)
        detail = json.loads(self.queue("show", remote_id, "--json").stdout)
        self.assertEqual(detail["client_address"], "127.0.0.1")
        self.assertIn(f"Subject: {remote_tag}", detail["header"])
        self.assertNotIn(remote_tag + "\r\n\r\n", detail["header"])  # the header only, not the body
        self.assertEqual([r["address"] for r in detail["recipients"]], ["ghost@remote.test", "carol@example.test"])

        # Bad ids are refused clearly.
        self.assertIn("invalid queue id", self.queue("show", "../incoming/x", code=1).stderr)
        self.assertIn("no message 0000000000000000000000AA in the queue",
                      self.queue("delete", "0000000000000000000000AA", code=1).stderr)
        self.queue("list", "extra", code=2)

        # hold, before any worker runs (delivery is off on this node).
        self.assertIn("is held", self.queue("hold", held_id).stdout)
        self.assertIn("held already", self.queue("hold", held_id, code=1).stderr)
        self.assertRegex(self.queue("list").stdout, held_id + r".*HELD")
        self.assertEqual(self.listing()["held"], 1)
        self.assertIn("is held", self.queue("flush", held_id, code=1).stderr)
        self.assertRegex(self.queue("flush").stdout, r"dirmaild \(pid \d+\) is trying the queue now")

        self.server.stop()
        self.assertIn("dirmaild is not running", self.queue("flush", code=1).stderr)

        # Delivery on: the held message stays put, through a restart and a flush.
        self.server.delivery_settings = delivery_settings(True)
        self.server.write_config()
        self.server.start()
        self.assertEqual(len(self.mailbox("carol@example.test", remote_tag)), 1)
        self.queue("flush")
        self.assertIn("queue flushed", self.server.log_text("delivery"))
        later_tag = "later-" + uuid.uuid4().hex
        self.submit(["bob@example.test"], later_tag)
        self.assertEqual(len(self.mailbox("bob@example.test", later_tag)), 1)  # delivery works...
        self.assertEqual(self.mailbox("bob@example.test", local_tag, timeout=0.5), [])  # ...but not the held one
        remote = next(m for m in self.listing()["messages"] if m["id"] == remote_id)
        self.assertEqual([(r["address"], r["state"]) for r in remote["recipients"]],
                         [("ghost@remote.test", "pending"), ("carol@example.test", "delivered")])

        # release: delivered at once.
        self.assertRegex(self.queue("release", held_id).stdout, r"is released; dirmaild \(pid \d+\)")
        self.assertEqual(len(self.mailbox("bob@example.test", local_tag)), 1)

        # delete: gone, and nobody is told.
        deleted_tag = "deleted-" + uuid.uuid4().hex
        self.submit(["nobody@remote.test"], deleted_tag)
        deleted_id = self.id_of(deleted_tag)
        self.assertIn("is deleted", self.queue("delete", deleted_id).stdout)
        self.assertNotIn(deleted_id, [m["id"] for m in self.listing()["messages"]])

        # bounce: the sender gets a delivery report on the pending recipient only, and the
        # message leaves the queue.
        self.assertRegex(self.queue("bounce", remote_id).stdout, r"is bounced \(1 pending recipient\); report \w+ to <alice@example\.test> queued")
        reports = self.mailbox(ALICE, remote_tag)
        self.assertEqual(len(reports), 1)
        report = reports[0].decode(errors="replace")
        self.assertRegex(report, r"Content-Type: multipart/report;\s*report-type=delivery-status")
        self.assertRegex(report, r"Final-Recipient: rfc822;\s*ghost@remote\.test")
        self.assertIn("bounced by the administrator", report)
        self.assertNotRegex(report, r"Final-Recipient: rfc822;\s*carol@")
        self.assertEqual(self.mailbox(ALICE, deleted_tag, timeout=0.5), [])
        final = self.listing()
        self.assertEqual((final["count"], final["messages"]), (0, []))
        self.assertIn("0 messages in the queue", self.queue("list").stdout)
        self.assertIn(f"no message {remote_id} in the queue", self.queue("bounce", remote_id, code=1).stderr)


if __name__ == "__main__":
    unittest.main()
