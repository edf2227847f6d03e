"""SIGTERM lets an open transaction finish, then stops; SIGHUP reloads without
dropping connections and refuses a bad file, keeping the running settings."""
import os
import shutil
import signal
import smtplib
import socket
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance, free_port, wait_port  # noqa: E402
from mail_clients import pop3_fetch_all  # noqa: E402
from polling import wait_for  # noqa: E402

ALICE = "alice@example.test"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "signals"


def read_reply(f):
    line = f.readline()
    while line[3:4] == b"-":
        line = f.readline()
    return line


class Signals(unittest.TestCase):
    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        shutil.rmtree(self.folder, ignore_errors=True)
        self.inst = DirmailInstance(self.folder)
        self.inst.provision()
        self.inst.start()

    def tearDown(self):
        self.inst.stop()

    def reload_refused(self):
        """Sends SIGHUP and returns the daemon log once it says the reload was refused."""
        self.inst.signal(signal.SIGHUP)
        wait_for(lambda: "reload refused" in self.inst.log_text("daemon"), timeout=10)
        return self.inst.log_text("daemon")

    def test_sigterm_finishes_the_open_transaction(self):
        tag = uuid.uuid4().hex
        s = socket.create_connection(("127.0.0.1", self.inst.smtp_port), timeout=20)
        f = s.makefile("rb")
        read_reply(f)
        for cmd in (b"EHLO c.example.org", b"MAIL FROM:<a@example.org>", f"RCPT TO:<{ALICE}>".encode(), b"DATA"):
            s.sendall(cmd + b"\r\n")
            self.assertIn(read_reply(f)[:1], (b"2", b"3"))
        s.sendall(f"Subject: {tag}\r\n\r\nfirst half\r\n".encode())
        idle = socket.create_connection(("127.0.0.1", self.inst.smtp_port), timeout=20)
        idle_f = idle.makefile("rb")
        self.assertTrue(read_reply(idle_f).startswith(b"220"))
        self.inst.signal(signal.SIGTERM)
        time.sleep(0.5)
        s.sendall(b"second half\r\n.\r\n")
        self.assertTrue(read_reply(f).startswith(b"250 2.0.0"))
        self.assertTrue(read_reply(f).startswith(b"421"))  # then the session is closed
        self.assertTrue(read_reply(idle_f).startswith(b"421 4.3.2"))  # idle sessions are told at once
        self.assertEqual(self.inst.proc.wait(30), 0)
        self.inst.start()
        for _ in range(100):
            got = [r for _, r in pop3_fetch_all(self.inst.pop3_port, ALICE, USERS[ALICE]) if tag.encode() in r]
            if got:
                break
            time.sleep(0.1)
        self.assertEqual(len(got), 1)
        self.assertIn(b"second half", got[0])

    def test_sighup_adds_a_listener_and_keeps_connections(self):
        session = smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=20)
        session.ehlo("c.example.org")
        new_port = free_port()
        text = self.inst.config.read_text().replace(f'listen = ["127.0.0.1 {self.inst.smtp_port}"]',
                                                    f'listen = ["127.0.0.1 {self.inst.smtp_port}", "127.0.0.1 {new_port}"]')
        self.inst.config.write_text(text)
        self.inst.signal(signal.SIGHUP)
        wait_port(new_port, timeout=20)
        self.assertEqual(session.noop()[0], 250)  # the old connection is still served
        with smtplib.SMTP("127.0.0.1", new_port, timeout=20) as s2:
            self.assertEqual(s2.ehlo("c.example.org")[0], 250)
        session.quit()

    def test_sighup_with_a_bad_file_keeps_running_settings(self):
        good = self.inst.config.read_text()
        self.inst.config.write_text(good + "\n[smtp]\nmax_recipients = -5\n")
        log = self.reload_refused()
        self.assertIn("reload refused", log)
        self.assertIn("dirmail.toml:", log)
        self.assertIsNone(self.inst.proc.poll())
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=20) as s:
            self.assertEqual(s.ehlo("c.example.org")[0], 250)

    def test_sighup_with_a_mailbox_path_that_cannot_work_keeps_running_settings(self):
        # A UNC template needs the smb store, which is chosen at start: the reload is
        # refused, and mail keeps going to the running mailbox path.
        good = self.inst.config.read_text()
        self.inst.config.write_text(good + "\n[store]\nmailbox_path = '\\\\nas\\mail\\%USERNAME%'\n")
        log = self.reload_refused()
        self.assertIn("reload refused", log)
        self.assertIn("store.backend = smb", log)
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=20) as s:
            s.sendmail("a@example.org", ["alice@example.test"], f"Subject: {tag}\r\n\r\nx\r\n".encode())
        self.assertTrue(wait_for(lambda: any(tag.encode() in raw for _, raw in pop3_fetch_all(
            self.inst.pop3_port, "alice@example.test", USERS["alice@example.test"]))))


if __name__ == "__main__":
    unittest.main(verbosity=2)
