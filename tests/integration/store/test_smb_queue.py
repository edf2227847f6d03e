"""The queue on the SMB share beside the mailboxes (queue.dir = '\\\\server\\share\\...'),
against the smbd of the `smbd` fixture, so that a standby node can take the queue over
with the store: messages are committed on the share before 250; smbd restarted while
mail comes in and goes out delivers every acknowledged message exactly once; smbd
stopped makes SMTP answer 4xx and loses nothing; dirmaild killed with messages queued
on the share delivers them when it starts again; a full share makes SMTP answer 452 with
a clear log line; dirmailctl queue works on the share."""
import os
import smtplib
import sys
import threading
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS  # noqa: E402
from polling import wait_for  # noqa: E402
from small_filesystems import fill  # noqa: E402
from smbd_control import ShareTestCase, message, small_folder, smbd, stop_smbd, unc  # noqa: E402

ALICE = "alice@example.test"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "smb-queue"


class SmbQueue(ShareTestCase):
    STATE = STATE

    def extra_config(self):
        return super().extra_config() + f"""
[queue]
dir = '{unc(self.name, "queue")}'
"""

    def queued(self):
        incoming = self.share_folder / "queue" / "incoming"
        return sorted(p.name for p in incoming.glob("*.msg")) if incoming.exists() else []

    def test_messages_are_queued_on_the_share_and_delivered(self):
        self.inst.delivery_settings = "enabled = false"  # keep them queued to look at them
        self.inst.write_config()
        self.inst.start()
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], message(tag))
        # Acknowledged means on the share: the queue file is there, nothing local.
        self.assertEqual(len(self.queued()), 1)
        queued = self.share_folder / "queue" / "incoming" / self.queued()[0]
        self.assertIn(tag.encode(), queued.read_bytes())
        self.assertFalse((self.folder / "queue").exists(), "nothing may be queued in a local folder")
        self.assertEqual(list((self.share_folder / "queue" / "tmp").iterdir()), [])
        # The administrator sees and changes it on the share.
        listed = self.inst.ctl("queue", "list", "--json").stdout
        qid = queued.name[:-4]
        self.assertIn(qid, listed)
        self.inst.ctl("queue", "hold", qid)
        self.assertTrue((self.share_folder / "queue" / "hold" / queued.name).exists())
        self.assertEqual(self.queued(), [])
        self.inst.ctl("queue", "release", qid)
        self.assertEqual(self.queued(), [queued.name])
        # Delivery from the share's queue to the share's mailbox.
        self.inst.stop()
        self.inst.delivery_settings = ""
        self.inst.write_config()
        self.inst.start()
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=60), f"still queued: {self.queued()}")
        self.assertEqual(len(self.copies(tag)), 1)

    def test_smbd_restarted_while_mail_comes_and_goes_delivers_each_message_once(self):
        self.inst.start()
        tags = [uuid.uuid4().hex for _ in range(40)]
        accepted, temporary_refusals = [], []
        sent = threading.Event()

        def send_all():
            # As an MTA does: a 4xx (the share away while smbd restarts) is tried again.
            for i, tag in enumerate(tags):
                for _ in range(100):
                    try:
                        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=60) as s:
                            s.sendmail("a@example.org", [ALICE], message(tag, 20_000))
                        accepted.append(tag)
                        break
                    except smtplib.SMTPResponseException as e:
                        if not 400 <= e.smtp_code < 500:
                            raise
                        temporary_refusals.append(e.smtp_code)
                        time.sleep(0.2)
                if i == 8:
                    sent.set()
            sent.set()

        sender = threading.Thread(target=send_all)
        sender.start()
        sent.wait(60)
        smbd("restart")  # under commits and deliveries in progress
        sender.join(300)
        self.assertEqual(sorted(accepted), sorted(tags), "every message is accepted once the share is back")
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=120), f"still queued: {self.queued()}")
        self.assert_each_delivered_once(tags)

    def test_smbd_stopped_makes_smtp_answer_4xx_and_loses_nothing(self):
        self.inst.start()
        self.deliver_one()  # the share works before it goes away
        self.inst.stop()
        # Acknowledged but not yet delivered when the share goes away.
        self.inst.delivery_settings = "enabled = false"
        self.inst.write_config()
        self.inst.start()
        pending = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], message(pending))
        stop_smbd()
        during = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=60) as s:
            with self.assertRaises(smtplib.SMTPResponseException) as refused:
                s.sendmail("a@example.org", [ALICE], message(during))
            code = refused.exception.smtp_code
            self.assertTrue(400 <= code < 500, f"SMTP must answer 4xx while the queue's share is away, got {code}")
        self.assertRegex(self.inst.log_text("smtp"), r"unreachable.*queue commit failed")
        self.inst.stop()
        smbd("restart")
        self.inst.delivery_settings = ""
        self.inst.write_config()
        self.inst.start()
        self.assertTrue(wait_for(lambda: len(self.copies(pending)) == 1, timeout=60), "acknowledged message lost")
        after = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], message(after))
        self.assertTrue(wait_for(lambda: len(self.copies(after)) == 1, timeout=60))
        self.assertEqual(len(self.copies(during)), 0)

    def test_share_full_makes_smtp_answer_4xx_with_a_clear_log_line(self):
        with small_folder(self.share_folder) as full:
            try:
                self.inst.start()
                self.deliver_one()
                filler = fill(full)
                tag = uuid.uuid4().hex
                with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                    with self.assertRaises(smtplib.SMTPResponseException) as refused:
                        s.sendmail("a@example.org", [ALICE], message(tag, 200_000))
                self.assertEqual(refused.exception.smtp_code, 452, "a full queue share is 452 4.3.1")
                self.assertRegex(self.inst.log_text("smtp"), r"(?i)(full|no space).*queue commit failed",
                                 "the log must say the share is full")
                # Nothing half-written stays in the queue.
                self.assertEqual(self.queued(), [])
                self.assertEqual(list((full / "queue" / "tmp").iterdir()), [])
                filler.unlink()
                with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                    s.sendmail("a@example.org", [ALICE], message(tag, 200_000))
                self.assertTrue(wait_for(lambda: len(self.copies(tag)) == 1, timeout=60))
            finally:
                self.inst.stop()

    def test_killed_daemon_delivers_what_the_share_holds_when_it_starts_again(self):
        self.inst.delivery_settings = "enabled = false"
        self.inst.write_config()
        self.inst.start()
        tags = [uuid.uuid4().hex for _ in range(10)]
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            for tag in tags:
                s.sendmail("a@example.org", [ALICE], message(tag))
        self.inst.kill9()
        self.assertEqual(len(self.queued()), len(tags))
        self.inst.delivery_settings = ""
        self.inst.write_config()
        self.inst.start()
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=60), f"still queued: {self.queued()}")
        self.assert_each_delivered_once(tags)


if __name__ == "__main__":
    unittest.main(verbosity=2)
