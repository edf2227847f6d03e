"""A full disk is a temporary failure: a full queue refuses with 4xx and stores
nothing; a full mailbox disk keeps acknowledged mail queued until space returns,
then delivers it once. (Small tmpfs mounts stand in for the full disks.)"""
import os
import shutil
import smtplib
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from mail_clients import pop3_fetch_all  # noqa: E402
from polling import wait_for  # noqa: E402
from small_filesystems import fill, mount_tmpfs, unmount  # noqa: E402

ALICE = "alice@example.test"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "full-disk"


class FullDisk(unittest.TestCase):
    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        for m in ("queue-fs", "mailbox-fs"):
            unmount(self.folder / m)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.queue_fs = self.folder / "queue-fs"
        self.mailbox_fs = self.folder / "mailbox-fs"
        mount_tmpfs(self.queue_fs, "4m")
        self.addCleanup(unmount, self.queue_fs)  # also when the start below fails
        mount_tmpfs(self.mailbox_fs, "4m")
        self.addCleanup(unmount, self.mailbox_fs)
        self.inst = DirmailInstance(self.folder, extra_config=f"""
[queue]
dir = "{self.queue_fs}/queue"

[store]
mailbox_path = "{self.mailbox_fs}/%DOMAIN%/%USERNAME%"
""")
        self.inst.provision()
        self.inst.start()

    def tearDown(self):
        self.inst.stop()

    def message(self, tag, size=200_000):
        return (f"Subject: {tag}\r\n\r\n" + ("x" * 76 + "\r\n") * (size // 78)).encode()

    def copies(self, tag):
        return [r for _, r in pop3_fetch_all(self.inst.pop3_port, ALICE, USERS[ALICE]) if tag.encode() in r]

    def incoming(self):
        d = self.queue_fs / "queue" / "incoming"
        return sorted(p.name for p in d.iterdir() if p.name.endswith(".msg"))

    def test_full_queue_refuses_with_4xx_and_stores_nothing(self):
        filler = fill(self.queue_fs)
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.ehlo("c.example.org")
            with self.assertRaises((smtplib.SMTPDataError, smtplib.SMTPResponseException)) as cm:
                s.sendmail("a@example.org", [ALICE], self.message(tag))
            self.assertTrue(400 <= cm.exception.smtp_code < 500, cm.exception)
        self.assertEqual(self.incoming(), [])
        self.assertEqual(list((self.queue_fs / "queue" / "tmp").iterdir()), [])
        filler.unlink()
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], self.message(tag))
        self.assertTrue(wait_for(lambda: len(self.copies(tag)) == 1))

    def test_full_mailbox_disk_keeps_mail_queued_until_space_returns(self):
        # Alice's mailbox exists before the disk fills (first delivery creates it).
        warm = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], self.message(warm, 1000))
        self.assertTrue(wait_for(lambda: len(self.copies(warm)) == 1))
        filler = fill(self.mailbox_fs)
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            self.assertEqual(s.sendmail("a@example.org", [ALICE], self.message(tag)), {})
        time.sleep(3)  # several delivery attempts (retry_interval = 1 s) fail meanwhile
        self.assertEqual(len(self.incoming()), 1, "the acknowledged message must stay queued")
        self.assertIn("deferred", self.inst.log_text("delivery"))
        filler.unlink()
        self.assertTrue(wait_for(lambda: self.incoming() == []), "not delivered after space returned")
        self.assertEqual(len(self.copies(tag)), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
