"""Mailbox limits (the original's mailbox size limit, in bytes, 0 = unlimited): a full
mailbox refuses RCPT with 452 4.2.2 until its user deletes mail; a message announced
(SIZE=) larger than the whole limit gets 552 5.2.2; a message that would overfill the
mailbox stays queued and arrives once the user has made room. The limit is the
account's own (dirmailctl user add --limit) or else store.mailbox_limit."""
import os
import poplib
import shutil
import signal
import smtplib
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from mail_clients import pop3_fetch_all, wait_for_messages  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "quota"
ALICE = "alice@example.test"  # no limit of her own: store.mailbox_limit applies
LIMITED = "limited@example.test"
LIMITED_PASSWORD = "limited-secret"
LIMIT = 6000



def message(tag, size):
    """A message of about `size` bytes whose subject is `tag`."""
    head = f"From: sender@example.org\r\nSubject: {tag}\r\n\r\n"
    line = "x" * 98 + "\r\n"
    return (head + line * max(1, (size - len(head)) // len(line))).encode()


def rcpt_with_size(port, address, size=None):
    """MAIL FROM (with SIZE= when given) then RCPT TO: the RCPT reply as (code, text)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.ehlo("client.example.org")
        code, text = s.mail("sender@example.org", [f"SIZE={size}"] if size is not None else [])
        assert code == 250, (code, text)
        code, text = s.rcpt(address)
        return code, text.decode(errors="replace")


def send_without_size(port, address, data):
    """Sends as a client that does not announce the size (no SIZE= on MAIL FROM)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.ehlo("client.example.org")
        assert s.mail("sender@example.org")[0] == 250
        code, text = s.rcpt(address)
        assert code == 250, (code, text)
        code, text = s.data(data)
        assert code == 250, (code, text)


def pop3_delete(port, user, password, tag):
    """Deletes the messages containing `tag` (DELE, then QUIT commits); returns how many."""
    deadline = time.time() + 30
    while True:
        p = poplib.POP3("127.0.0.1", port, timeout=30)
        try:
            p.user(user)
            p.pass_(password)
        except poplib.error_proto as e:
            p.close()
            if b"[IN-USE]" in e.args[0] and time.time() < deadline:  # delivery or a poll holds it
                time.sleep(0.1)
                continue
            raise
        deleted = 0
        for entry in p.list()[1]:
            num = int(entry.split()[0])
            if tag.encode() in b"\r\n".join(p.retr(num)[1]):
                p.dele(num)
                deleted += 1
        p.quit()
        return deleted


class MailboxLimit(unittest.TestCase):
    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        shutil.rmtree(self.folder, ignore_errors=True)
        self.inst = DirmailInstance(self.folder, extra_config="\n[store]\nmailbox_limit = 0\n")
        self.inst.provision()
        self.inst.ctl("user", "add", LIMITED, "--limit", str(LIMIT), "--password-stdin", input=LIMITED_PASSWORD + "\n")
        self.inst.start()

    def tearDown(self):
        self.inst.stop()

    def queued(self):
        return [name for name in self.inst.queue_files() if name.endswith(".msg")]

    def set_server_limit(self, limit):
        """Changes store.mailbox_limit as an administrator would: edit, then SIGHUP."""
        before = self.inst.log_text("daemon").count("reloaded")
        text = self.inst.config.read_text().replace("mailbox_limit = 0", f"mailbox_limit = {limit}")
        self.inst.config.write_text(text)
        self.inst.signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.inst.log_text("daemon").count("reloaded") > before), "no reload")

    def deliver(self, address, password, size):
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=60) as s:
            s.sendmail("sender@example.org", [address], message(tag, size))
        self.assertEqual(len(wait_for_messages(self.inst.pop3_port, address, password, tag)), 1)
        return tag

    def test_size_larger_than_the_whole_limit_is_refused_for_good(self):
        code, text = rcpt_with_size(self.inst.smtp_port, LIMITED, LIMIT + 1)
        self.assertEqual(code, 552)
        self.assertEqual(text, f"5.2.2 <{LIMITED}>: Message exceeds the mailbox size limit")
        # The same transaction size is fine for a mailbox without a limit.
        self.assertEqual(rcpt_with_size(self.inst.smtp_port, ALICE, LIMIT + 1)[0], 250)
        # And a size that fits the limit is taken and delivered.
        self.deliver(LIMITED, LIMITED_PASSWORD, LIMIT - 1000)
        self.assertIn("message larger than the mailbox limit", self.inst.log_text("smtp"))

    def test_full_mailbox_refuses_rcpt_until_the_user_deletes_mail(self):
        first = self.deliver(ALICE, USERS[ALICE], 3000)
        self.deliver(ALICE, USERS[ALICE], 3000)
        self.set_server_limit(5000)  # Alice now holds more than her limit

        code, text = rcpt_with_size(self.inst.smtp_port, ALICE)
        self.assertEqual(code, 452)
        self.assertEqual(text, f"4.2.2 <{ALICE}>: Mailbox full, try again later")
        self.assertIn("mailbox full", self.inst.log_text("smtp"))
        # An account with a limit of its own (6000, over the server's 5000) still receives.
        self.deliver(LIMITED, LIMITED_PASSWORD, 4000)

        self.assertEqual(pop3_delete(self.inst.pop3_port, ALICE, USERS[ALICE], first), 1)
        self.assertEqual(rcpt_with_size(self.inst.smtp_port, ALICE)[0], 250)
        self.deliver(ALICE, USERS[ALICE], 500)

    def test_message_that_would_overfill_waits_in_the_queue_until_there_is_room(self):
        first = self.deliver(LIMITED, LIMITED_PASSWORD, 3000)
        # Announced: the client keeps it (4xx, it retries later).
        code, text = rcpt_with_size(self.inst.smtp_port, LIMITED, 4000)
        self.assertEqual((code, text), (452, f"4.2.2 <{LIMITED}>: Mailbox full, try again later"))

        # Not announced: taken (the mailbox is not full yet), then deferred at delivery.
        tag = uuid.uuid4().hex
        send_without_size(self.inst.smtp_port, LIMITED, message(tag, 4000))
        self.assertTrue(wait_for(lambda: "mailbox full" in self.inst.log_text("delivery")),
                        "no deferral logged")
        self.assertEqual(len(self.queued()), 1, "the acknowledged message must stay queued")
        time.sleep(2)  # a few more delivery attempts (retry_interval = 1 s), all deferred
        stored = [raw for _, raw in pop3_fetch_all(self.inst.pop3_port, LIMITED, LIMITED_PASSWORD)]
        self.assertEqual([raw for raw in stored if tag.encode() in raw], [])
        self.assertEqual(len(self.queued()), 1)

        self.assertEqual(pop3_delete(self.inst.pop3_port, LIMITED, LIMITED_PASSWORD, first), 1)
        self.assertEqual(len(wait_for_messages(self.inst.pop3_port, LIMITED, LIMITED_PASSWORD, tag)), 1)
        self.assertTrue(wait_for(lambda: self.queued() == []))
        stored = [raw for _, raw in pop3_fetch_all(self.inst.pop3_port, LIMITED, LIMITED_PASSWORD)]
        self.assertEqual([raw for raw in stored if first.encode() in raw], [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
