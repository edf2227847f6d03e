"""Nothing acknowledged is lost: kill -9 after 250 and restart delivers the message
exactly once; a message cut off before 250 is not half-stored anywhere."""
import os
import shutil
import socket
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from polling import wait_for  # noqa: E402
from mail_clients import pop3_fetch_all, send  # noqa: E402

ALICE = "alice@example.test"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "crash"


def copies(inst, tag):
    return [raw for _, raw in pop3_fetch_all(inst.pop3_port, ALICE, USERS[ALICE]) if tag.encode() in raw]



class CrashRecovery(unittest.TestCase):
    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        shutil.rmtree(self.folder, ignore_errors=True)
        self.inst = DirmailInstance(self.folder)
        self.inst.provision()

    def tearDown(self):
        self.inst.stop()

    def message(self, tag):
        return f"From: a@example.org\r\nTo: {ALICE}\r\nSubject: {tag}\r\n\r\nbody {tag}\r\n".encode()

    def test_kill9_while_message_waits_in_queue(self):
        # A file where alice's mailbox folder should be: local delivery fails
        # temporarily, so the acknowledged message can only be in the queue.
        blocker = self.folder / "mailboxes" / "example.test"
        blocker.parent.mkdir(parents=True)
        blocker.write_text("not a folder")
        self.inst.start()
        tag = uuid.uuid4().hex
        self.assertEqual(send(self.inst.smtp_port, "a@example.org", [ALICE], self.message(tag)), {})
        self.assertTrue(any(n.endswith(".msg") for n in self.inst.queue_files()), self.inst.queue_files())
        self.inst.kill9()
        blocker.unlink()
        self.inst.start()
        self.assertTrue(wait_for(lambda: len(copies(self.inst, tag)) == 1), "message not delivered after restart")
        self.assertTrue(wait_for(lambda: self.inst.queue_files() == []), self.inst.queue_files())
        self.assertEqual(len(copies(self.inst, tag)), 1)

    def test_kill9_right_after_250(self):
        self.inst.start()
        tags = [uuid.uuid4().hex for _ in range(5)]
        for tag in tags:
            self.assertEqual(send(self.inst.smtp_port, "a@example.org", [ALICE], self.message(tag)), {})
        self.inst.kill9()
        self.inst.start()
        for tag in tags:
            self.assertTrue(wait_for(lambda: len(copies(self.inst, tag)) >= 1), tag)
            self.assertEqual(len(copies(self.inst, tag)), 1, "duplicate after recovery")

    def test_kill9_during_data_stores_nothing(self):
        self.inst.start()
        tag = uuid.uuid4().hex
        s = socket.create_connection(("127.0.0.1", self.inst.smtp_port), timeout=10)
        f = s.makefile("rb")
        f.readline()
        for cmd in (b"EHLO c.example.org", b"MAIL FROM:<a@example.org>", f"RCPT TO:<{ALICE}>".encode(), b"DATA"):
            s.sendall(cmd + b"\r\n")
            line = f.readline()
            while line[3:4] == b"-":
                line = f.readline()
            self.assertIn(line[:1], (b"2", b"3"), line)
        s.sendall(self.message(tag)[:40] + b"\r\nmore body without an end\r\n")
        time.sleep(0.3)
        self.inst.kill9()
        s.close()
        self.inst.start()
        time.sleep(1.5)
        self.assertEqual(copies(self.inst, tag), [])
        self.assertEqual(self.inst.queue_files(), [])
        tmp = self.folder / "queue" / "tmp"
        self.assertEqual(list(tmp.iterdir()) if tmp.exists() else [], [])

    def test_client_disconnect_during_data_stores_nothing(self):
        self.inst.start()
        tag = uuid.uuid4().hex
        s = socket.create_connection(("127.0.0.1", self.inst.smtp_port), timeout=10)
        s.sendall(b"EHLO c.example.org\r\nMAIL FROM:<a@example.org>\r\n" + f"RCPT TO:<{ALICE}>\r\nDATA\r\n".encode())
        f = s.makefile("rb")
        seen = b""
        while b"354" not in seen:
            seen += f.readline()
        s.sendall(self.message(tag)[:40])
        s.close()
        time.sleep(1.0)
        self.assertEqual(copies(self.inst, tag), [])
        self.assertEqual(self.inst.queue_files(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
