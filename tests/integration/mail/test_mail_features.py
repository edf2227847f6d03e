"""The original's local mail features with a real dirmaild and real clients: aliases
(aliases.entries: wildcard local parts and the ,0/,1 recipient rules), per-user mail
control files IMS.CTL (forwarding with Discard, the administrator loop guard, a forward
loop between two users, auto-reply with a Shift_JIS text, once per sender, RFC 3834
refusals) and journaling (journal.addresses with journal.match)."""
import base64
import email
import email.header
import email.policy
import os
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILD, USERS, DirmailInstance  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "mail_features"
ARCHIVE, ARCHIVE_PW = "archive@example.test", "archive-secret"
ALIASES = [
    "info@example.test alice@example.test",          # same domain: the alias stays the recipient
    "sales@example.test bob@example.test,1",         # ,1: the real address shows
    "info@other.test carol@example.test",            # across domains: the real address shows
    "help@other.test dave@example.test,0",           # ,0: the alias stays
    "*@other.test *@example.test,1",                 # the local part carried over
    "*@catch.test grace@example.test",               # catch-all
]
SERVER = None


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    aliases = ", ".join(f'"{a}"' for a in ALIASES)
    SERVER = DirmailInstance(
        STATE / "server",
        delivery_settings='admin_address = "sysadmin@example.org"',
        extra_config=f"""
[aliases]
entries = [{aliases}]

[journal]
addresses = ["{ARCHIVE}"]
match = ["*@journaled.test", "carol@example.test"]
""")
    SERVER.provision()
    for domain in ("other.test", "catch.test", "journaled.test"):
        SERVER.ctl("domain", "add", domain)
    SERVER.ctl("user", "add", ARCHIVE, "--password-stdin", input=ARCHIVE_PW + "\n")
    SERVER.ctl("user", "add", "jo@journaled.test", "--password-stdin", input="jo-secret\n")
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()


def mailbox(user):
    local, domain = user.split("@")
    return SERVER.folder / "mailboxes" / domain / local


def put_file(user, name, data):
    folder = mailbox(user)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)


def send(sender, recipients, tag, extra_headers="", subject=None):
    msg = (f"From: {sender or 'robot@example.org'}\r\nTo: {', '.join(recipients)}\r\n"
           f"Subject: {subject or tag}\r\nMessage-ID: <{tag}@client.example.org>\r\n{extra_headers}\r\n{tag}\r\n")
    with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
        s.ehlo("client.example.org")
        refused = s.sendmail(sender, recipients, msg.encode())
        assert not refused, refused


def fetch(user, tag, count=1, timeout=30.0):
    password = USERS.get(user) or {ARCHIVE: ARCHIVE_PW}[user]
    return wait_for_messages(SERVER.pop3_port, user, password, tag, count=count, timeout=timeout)


def delivered_to(raw):
    return [v.strip() for k, v in (line.split(b":", 1) for line in raw.split(b"\r\n\r\n")[0].split(b"\r\n")
                                   if b":" in line and not line[:1].isspace()) if k.lower() == b"delivered-to"]


def wait_queue_empty(timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not SERVER.queue_files():
            return
        time.sleep(0.1)
    raise AssertionError(f"queue not empty: {SERVER.queue_files()}")


def wait_log(text, timeout=30.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if text in SERVER.log_text("delivery"):
            return
        time.sleep(0.1)
    raise AssertionError(f"no delivery log line with {text!r}")


class Aliases(unittest.TestCase):
    def check(self, alias, user, shown):
        tag = "alias-" + uuid.uuid4().hex
        send("sender@example.org", [alias], tag)
        [raw] = fetch(user, tag)
        self.assertEqual(delivered_to(raw), [shown.encode()], raw[:400])

    def test_same_domain_keeps_the_alias(self):
        self.check("info@example.test", "alice@example.test", "info@example.test")

    def test_one_forces_the_real_address(self):
        self.check("sales@example.test", "bob@example.test", "bob@example.test")

    def test_other_domain_shows_the_real_address(self):
        self.check("info@other.test", "carol@example.test", "carol@example.test")

    def test_zero_keeps_the_alias_across_domains(self):
        self.check("help@other.test", "dave@example.test", "help@other.test")

    def test_wildcard_carries_the_local_part(self):
        self.check("erin@other.test", "erin@example.test", "erin@example.test")

    def test_catch_all(self):
        self.check("whoever@catch.test", "grace@example.test", "grace@example.test")

    def test_alias_case_does_not_matter(self):
        self.check("INFO@Example.Test", "alice@example.test", "INFO@example.test")  # SMTP lowers the domain

    def test_domain_less_alias_stops_the_start(self):
        folder = STATE / "bad_alias"
        bad = DirmailInstance(folder, extra_config='[aliases]\nentries = ["info abc-info@example.test"]\n')
        bad.write_config()
        r = subprocess.run([str(DIRMAILD), "--config", str(bad.config)], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertIn("aliases.entries:1: alias info has no domain", r.stderr)
        r = bad.ctl("config", "check", str(bad.config), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("aliases.entries:1:", r.stderr)


class MailControl(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # bob forwards everything to carol and keeps nothing (the spec's example).
        put_file("bob@example.test", "IMS.CTL", b"[AutoForward]\r\nForwardTo = carol@example.test\r\n"
                                                 b"[Delivery]\r\nDiscard = Yes          ; do not keep in mailbox\r\n")
        # frank and grace forward to each other and keep their copies.
        put_file("frank@example.test", "IMS.CTL", b"[AutoForward]\r\nForwardTo=grace@example.test\r\n")
        put_file("grace@example.test", "IMS.CTL", b"[AutoForward]\r\nForwardTo=frank@example.test\r\n")
        # dave is on vacation: a Japanese subject in UTF-8, the text in Shift_JIS as Notepad saved it.
        put_file("dave@example.test", "IMS.CTL", "[AutoReply]\r\nRecordReplies=Yes\r\nSubject=休暇中です\r\n"
                                                 "ReplyFrom=dave@example.test\r\n".encode())
        put_file("dave@example.test", "AUTORPLY.TXT", "12月1日まで休暇中です。\r\nBack on Monday.\r\n".encode("cp932"))
        put_file("dave@example.test", "NOREPLY.TXT", b"list@lists.example.org\r\n")

    def test_forward_and_discard(self):
        tag = "fwd-" + uuid.uuid4().hex
        send("sender@example.org", ["bob@example.test"], tag)
        [raw] = fetch("carol@example.test", tag)
        self.assertEqual(delivered_to(raw), [b"carol@example.test", b"bob@example.test"])
        wait_queue_empty()
        self.assertEqual(fetch("bob@example.test", tag, timeout=0.5), [], "Discard=Yes keeps no copy")

    def test_no_forward_from_the_administrator(self):
        tag = "admin-" + uuid.uuid4().hex
        send("sysadmin@example.org", ["bob@example.test"], tag)
        [raw] = fetch("bob@example.test", tag)  # the forward did not happen, so the copy stays
        wait_queue_empty()
        self.assertEqual(fetch("carol@example.test", tag, timeout=0.5), [])
        self.assertIn("the sender is the administrator", SERVER.log_text("delivery"))

    def test_forward_loop_ends(self):
        tag = "loop-" + uuid.uuid4().hex
        send("sender@example.org", ["frank@example.test"], tag)
        # frank keeps it and forwards to grace; grace keeps it and forwards back; frank
        # sees his own Delivered-To and keeps the copy without forwarding again.
        self.assertEqual(len(fetch("frank@example.test", tag, count=2)), 2)
        wait_queue_empty()
        self.assertEqual(len(fetch("frank@example.test", tag)), 2)
        self.assertEqual(len(fetch("grace@example.test", tag)), 1)
        self.assertIn("already delivered to this user (loop)", SERVER.log_text("delivery"))

    def test_auto_reply_once_per_sender(self):
        tag = "vacation-" + uuid.uuid4().hex
        send("erin@example.test", ["dave@example.test"], tag)
        [reply] = fetch("erin@example.test", f"<{tag}@client.example.org>")
        msg = email.message_from_bytes(reply, policy=email.policy.default)
        self.assertEqual(msg["Auto-Submitted"], "auto-replied")
        self.assertEqual(str(msg["Subject"]), "休暇中です")
        self.assertEqual(msg["In-Reply-To"], f"<{tag}@client.example.org>")
        self.assertEqual(msg["From"], "dave@example.test")
        self.assertIn("Return-Path: <>", reply.decode(errors="replace"))
        self.assertIn("12月1日まで休暇中です。", msg.get_content())
        self.assertIn(b"erin@example.test", (mailbox("dave@example.test") / "REPLIED.TXT").read_bytes())
        # A second message within delivery.auto_reply_interval gets no second reply.
        tag2 = "vacation2-" + uuid.uuid4().hex
        send("erin@example.test", ["dave@example.test"], tag2)
        fetch("dave@example.test", tag2)
        wait_queue_empty()
        self.assertEqual(fetch("erin@example.test", f"<{tag2}@client.example.org>", timeout=0.5), [])
        self.assertIn("already answered within delivery.auto_reply_interval", SERVER.log_text("delivery"))

    def test_no_auto_reply_to_lists_bulk_or_null_sender(self):
        cases = [("alice@example.test", "List-Id: <team.example.org>\r\n", "List-Id"),
                 ("alice@example.test", "Precedence: bulk\r\n", "Precedence: bulk"),
                 ("alice@example.test", "Auto-Submitted: auto-generated\r\n", "Auto-Submitted: auto-generated"),
                 ("", "", "null sender")]
        for sender, header, reason in cases:
            with self.subTest(reason=reason):
                tag = "noreply-" + uuid.uuid4().hex
                send(sender, ["dave@example.test"], tag, extra_headers=header)
                fetch("dave@example.test", tag)
                wait_log(reason)
        wait_queue_empty()
        self.assertEqual(fetch("alice@example.test", "noreply-", timeout=0.5), [])

    def test_noreply_list(self):
        tag = "listed-" + uuid.uuid4().hex
        send("list@lists.example.org", ["dave@example.test"], tag)
        fetch("dave@example.test", tag)
        wait_log("the sender is in NOREPLY.TXT")


class Journal(unittest.TestCase):
    def test_matching_mail_is_copied(self):
        skipped = "journal-no-" + uuid.uuid4().hex
        send("sender@example.org", ["alice@example.test"], skipped)
        tag = "journal-" + uuid.uuid4().hex
        send("sender@example.org", ["carol@example.test", "alice@example.test"], tag)
        [copy] = fetch(ARCHIVE, tag)
        header = copy.split(b"\r\n\r\n")[0].decode()
        self.assertIn("Envelope-To: carol@example.test,\r\n alice@example.test", header)
        self.assertEqual(delivered_to(copy), [ARCHIVE.encode()])
        fetch("alice@example.test", skipped)
        wait_queue_empty()
        self.assertEqual(fetch(ARCHIVE, skipped, timeout=0.5), [], "journal.match leaves other mail alone")

    def test_domain_match_and_submission(self):
        tag = "journal-dom-" + uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
            s.ehlo("client.example.org")
            s.login("alice@example.test", USERS["alice@example.test"])
            s.sendmail("alice@example.test", ["jo@journaled.test"],
                       f"From: alice@example.test\r\nTo: jo@journaled.test\r\nSubject: {tag}\r\n\r\n{tag}\r\n".encode())
        [copy] = fetch(ARCHIVE, tag)
        self.assertIn(b"Envelope-To: jo@journaled.test\r\n", copy)


if __name__ == "__main__":
    unittest.main()
