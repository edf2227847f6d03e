"""Custody of outbound mail across an interrupted delivery (issue 7): a message leaves the
queue only after the peer's 250. dirmaild relays 300 queued messages through its SMTP
gateway, a fault proxy that slows the line, in front of Postfix's smtp-sink. It is
stopped mid-delivery, restarted on the same folder and left to finish:

- kill -9: every message reaches the sink at least once, none more than twice, and the
  duplicates are no more than the deliveries that can be in flight (delivery.local_workers);
- a clean stop (SIGTERM): every message exactly once.

Messages are told apart by a token in their Subject, and a copy counts only when its last
body line arrived, so neither a repeated nor a cut-off copy can stand in for a lost one."""
import collections
import json
import os
import re
import shutil
import smtplib
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from mail_clients import pop3_fetch_all  # noqa: E402
from polling import wait_for  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "delivery-crash"
ALICE = "alice@example.test"
RECIPIENT = "someone@custody.test"
MESSAGES = 300
WORKERS = 4
# Each chunk is held this long each way: a session takes some tenths of a second, so the
# interruption finds deliveries in flight, some of them between the sink's copy and its 250.
LINE_DELAY = 0.05
# Copies in the sink when the daemon is interrupted: some, far from all.
INTERRUPT_AT = 20
# smtp-sink writes LF line ends (it drops CR).
SUBJECT = re.compile(rb"^Subject: custody ([0-9a-f]{32})\r?$", re.M)


def message(token):
    return (f"From: {ALICE}\r\nTo: {RECIPIENT}\r\nSubject: custody {token}\r\n"
            f"Message-ID: <{token}@example.test>\r\n\r\nbody of {token}\r\nend {token}\r\n").encode()


class DeliveryCrash(unittest.TestCase):
    def setUp(self):
        """N messages queued with delivery off, then the config that delivers them."""
        self.folder = STATE / self.id().split(".")[-1]
        shutil.rmtree(self.folder, ignore_errors=True)
        # Cleanups, not tearDown alone: they also run when setUp fails half-way.
        self.sink = SmtpSink(self.folder / "sink")
        self.addCleanup(self.sink.stop)
        self.proxy = FaultProxy("127.0.0.1", self.sink.port).start()
        self.addCleanup(self.proxy.stop)
        self.server = DirmailInstance(self.folder / "server", delivery_settings=self.delivery_settings(False))
        self.addCleanup(self.server.stop)
        self.server.provision()
        self.server.start()
        self.tokens = [uuid.uuid4().hex for _ in range(MESSAGES)]
        with smtplib.SMTP("127.0.0.1", self.server.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.login(ALICE, USERS[ALICE])
            for token in self.tokens:
                self.assertEqual(s.sendmail(ALICE, [RECIPIENT], message(token)), {})
        self.assertEqual(self.queue_listing()["count"], MESSAGES)
        self.assertEqual(self.server.stop(), 0)
        self.server.delivery_settings = self.delivery_settings(True)
        self.server.write_config()

    def delivery_settings(self, enabled):
        return (f'enabled = {"true" if enabled else "false"}\nlocal_workers = {WORKERS}\n'
                f'smtp_gateway = "127.0.0.1:{self.proxy.port}"')

    # -- what the sink and the queue show ------------------------------------------------
    def sink_files(self):
        """Transactions the sink has begun; one it aborts (peer gone) disappears again."""
        return len(list((self.sink.folder / "dump").iterdir()))

    def sink_copies(self):
        """Complete copies in the sink by token, and the files without their end. The sink
        opens a file at MAIL and closes it at the final dot, before its 250; it removes the
        file of an aborted transaction, so a file may vanish while this reads."""
        copies, cut_off = collections.Counter(), []
        for path in (self.sink.folder / "dump").iterdir():
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                continue
            found = SUBJECT.search(raw)
            if found and re.search(rb"^end " + found.group(1) + rb"\r?$", raw, re.M):
                copies[found.group(1).decode()] += 1
            else:
                cut_off.append(raw[:400])
        return copies, cut_off

    def complete_copies(self):
        return sum(self.sink_copies()[0].values())

    def sink_count_settles(self):
        """True once the sink's file count has stayed the same for a second."""
        seen = {"count": None, "since": 0.0}

        def steady():
            count, now = self.sink_files(), time.monotonic()
            if count != seen["count"]:
                seen.update(count=count, since=now)
            return now - seen["since"] >= 1.0
        return wait_for(steady, timeout=30)

    def queue_listing(self):
        return json.loads(self.server.ctl("queue", "list", "--json").stdout)

    def queue_empty(self):
        return self.server.queue_files() == [] and self.queue_listing()["count"] == 0

    # -- the run ---------------------------------------------------------------------------
    def deliver_and_interrupt(self, interrupt):
        """Starts delivery on the slow line and interrupts it once the sink has some copies;
        then restarts on a normal line and waits until the queue is empty."""
        self.proxy.delay(LINE_DELAY)
        self.server.start()
        # Polled often: the workers go in step on the slow line, and a copy is in the sink but
        # still queued only while its 250 travels back (and, without a session cache, the QUIT).
        self.assertTrue(wait_for(lambda: self.complete_copies() >= INTERRUPT_AT, timeout=30, interval=0.01),
                        f"only {self.complete_copies()} copies in the sink after 30 s")
        self.assertGreater(self.proxy.open_connections, 0, "no delivery in flight at the interruption")
        interrupt()
        still_queued = self.queue_listing()["count"]
        self.assertGreater(still_queued, 0, "everything was delivered before the interruption")
        print(f"\ninterrupted with {self.complete_copies()} copies in the sink, {still_queued} messages queued",
              file=sys.stderr)
        self.proxy.forward()
        self.server.start()
        self.assertTrue(wait_for(self.queue_empty, timeout=60),
                        f"queue not empty after the restart: {self.queue_listing()['count']} messages")
        self.assertTrue(self.sink_count_settles(), "the sink keeps receiving copies")

    def verify_copies(self, allowed_duplicates):
        """Every message in the sink at least once, at most twice, and duplicates bounded."""
        copies, cut_off = self.sink_copies()
        self.assertEqual(cut_off, [], "mail in the sink that is not a whole test message")
        self.assertEqual(set(copies) - set(self.tokens), set(), "copies of messages never sent")
        missing = [t for t in self.tokens if copies[t] == 0]
        self.assertEqual(missing, [], f"{len(missing)} of {MESSAGES} messages never reached the sink")
        duplicates = sum(c - 1 for c in copies.values())
        print(f"{sum(copies.values())} copies of {MESSAGES} messages: {duplicates} duplicates", file=sys.stderr)
        self.assertEqual([t for t, c in copies.items() if c > 2], [], "messages delivered three times or more")
        self.assertLessEqual(duplicates, allowed_duplicates)

    def verify_no_bounce(self):
        self.assertEqual(self.queue_listing()["unreadable"], [])
        self.assertEqual(pop3_fetch_all(self.server.pop3_port, ALICE, USERS[ALICE]), [], "the sender got mail")
        self.assertNotIn("undeliverable", self.server.log_text("delivery"))

    def verify_clean_exit(self):
        """dirmaild is still up and stops cleanly on SIGTERM (under ASan: without leaks)."""
        self.assertIsNone(self.server.proc.poll(), "dirmaild has exited on its own")
        self.assertEqual(self.server.stop(), 0, self.server.stderr_path.read_text(errors="replace")[-3000:])

    # -- the tests ---------------------------------------------------------------------------
    def test_kill9_during_delivery_loses_nothing(self):
        self.deliver_and_interrupt(self.server.kill9)
        # A worker holds one message at a time: at most that many had reached the sink
        # without their removal from the queue.
        self.verify_copies(allowed_duplicates=WORKERS)
        self.verify_no_bounce()
        self.verify_clean_exit()

    def test_clean_stop_during_delivery_delivers_exactly_once(self):
        self.deliver_and_interrupt(self.verify_clean_exit)
        self.verify_copies(allowed_duplicates=0)
        self.verify_no_bounce()
        self.verify_clean_exit()


if __name__ == "__main__":
    unittest.main(verbosity=2)
