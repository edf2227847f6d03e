"""A peer MTA delivering to dirmail: a private Postfix instance (the benchmark's, made
a relay) takes a message over SMTP and passes it on to dirmail through its smtp(8)
client, as an organisation's gateway would; the message must reach the mailbox with
both servers' Received: fields, and a recipient dirmail refuses must come back to
Postfix as a permanent failure (a bounce), not sit in its queue."""
import os
import shutil
import smtplib
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path.insert(0, str(HERE.parents[1] / "lib"))
sys.path.insert(0, str(HERE.parents[2] / "bench" / "lib"))
from dirmail_instance import DirmailInstance, free_port  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402
from postfix_server import PostfixServer  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "postfix_relay"
ALICE, ALICE_PW = "alice@example.test", "alice-secret"


class NoCgroup:
    """The benchmark accounts Postfix's CPU in a cgroup; a test needs none."""
    enter_from_child = None

    @staticmethod
    def wait_empty(_seconds):
        return True


class PostfixRelaysToDirmail(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(STATE, ignore_errors=True)
        cls.dirmail = DirmailInstance(STATE / "dirmail")
        cls.dirmail.provision()
        cls.dirmail.start()
        # Postfix's unprivileged processes must reach its folders: a path under a private
        # (0700) folder, as a CI checkout made with mktemp -d is, would not do.
        cls.postfix_root = Path(tempfile.mkdtemp(prefix="dirmail-postfix-"))
        os.chmod(cls.postfix_root, 0o755)
        cls.postfix = PostfixServer(cls.postfix_root, free_port(), NoCgroup())
        cls.postfix.setup()
        with open(cls.postfix.etc / "main.cf", "a") as f:
            # Later entries win: example.test is no longer Postfix's own, everything goes
            # to dirmail; bounces are kept short for the test.
            f.write(f"\nvirtual_mailbox_domains =\nrelayhost = [127.0.0.1]:{cls.dirmail.smtp_port}\n"
                    "myhostname = gateway.example.org\nbounce_queue_lifetime = 0\nmaximal_queue_lifetime = 0\n")
        cls.postfix.start()

    @classmethod
    def tearDownClass(cls):
        cls.postfix.stop()
        cls.dirmail.stop()
        shutil.rmtree(cls.postfix_root, ignore_errors=True)

    def send_through_postfix(self, recipient, tag):
        with smtplib.SMTP("127.0.0.1", self.postfix.port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.sendmail("someone@elsewhere.example", [recipient],
                       f"From: someone@elsewhere.example\r\nSubject: via postfix {tag}\r\n\r\nhello\r\n".encode())

    def test_message_arrives_with_both_received_fields(self):
        tag = uuid.uuid4().hex[:12]
        self.send_through_postfix(ALICE, tag)
        found = wait_for_messages(self.dirmail.pop3_port, ALICE, ALICE_PW, tag, timeout=60)
        self.assertEqual(len(found), 1, self.postfix.log_excerpt())
        header = found[0].split(b"\r\n\r\n", 1)[0]
        self.assertRegex(header, rb"Received: from gateway\.example\.org \(\[127\.0\.0\.1\]\)\r\n\tby mail\.example\.test")
        self.assertIn(b"by gateway.example.org (Postfix)", header)
        log = self.postfix.log_excerpt(200)
        self.assertRegex(log, r"status=sent \(250 2\.0\.0 Ok: queued as")

    def test_unknown_recipient_is_a_permanent_failure_for_postfix(self):
        tag = uuid.uuid4().hex[:12]
        self.send_through_postfix("nobody@example.test", tag)
        deadline = time.time() + 60
        while "status=bounced" not in self.postfix.log_excerpt(400):
            self.assertLess(time.time(), deadline, self.postfix.log_excerpt())
            time.sleep(0.5)
        self.assertRegex(self.postfix.log_excerpt(400), r"nobody@example\.test.*status=bounced .*550 5\.1\.1")


if __name__ == "__main__":
    unittest.main(verbosity=2)
