"""The mail store on an SMB share (store.backend = smb), against the smbd of the `smbd`
fixture: mail comes in by SMTP, lands in files on the share, and goes out by POP3 and
IMAP; smbd restarted while mail is being delivered, smbd stopped for a while, a full
share and a share that refuses the account: every acknowledged message is delivered
exactly once, and a share that cannot be reached at start stops dirmaild with a clear
message."""
import imaplib
import json
import poplib
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import threading
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
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "smb-store"
FIXTURE = json.loads(Path(os.environ["DIRMAIL_SMBD_FIXTURE"]).read_text())
SMBD_SCRIPT = Path(__file__).resolve().parents[1] / "fixtures" / "smbd.py"
SMBD_STATE = Path(os.environ["DIRMAIL_SMBD_FIXTURE"]).parent


def smbd(action):
    subprocess.run([sys.executable, str(SMBD_SCRIPT), action, "--state", str(SMBD_STATE)], check=True,
                   capture_output=True, timeout=120)


def stop_smbd():
    """Stops smbd (its process group) without the fixture's clean start: `restart` later
    serves the same share again."""
    pid = json.loads(Path(os.environ["DIRMAIL_SMBD_FIXTURE"]).read_text())["pid"]
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=30)


def message(tag, size=2000):
    return (f"Subject: {tag}\r\nMessage-ID: <{tag}@example.org>\r\n\r\n" + ("x" * 76 + "\r\n") * (size // 78)).encode()


def smb_config(folder_name, extra=""):
    # TOML literal strings: the backslashes of the UNC path stay as written.
    return f"""
[store]
backend = "smb"
root = '\\\\{FIXTURE["address"]}\\{FIXTURE["share"]}\\{folder_name}'
smb_credentials_file = "{FIXTURE["credentials_file"]}"
{extra}
"""


class SmbStore(unittest.TestCase):
    def setUp(self):
        self.name = self.id().split(".")[-1]
        self.folder = STATE / self.name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.share_folder = Path(FIXTURE["share_folder"]) / self.name
        shutil.rmtree(self.share_folder, ignore_errors=True)
        self.inst = DirmailInstance(self.folder, extra_config=smb_config(self.name))
        self.inst.provision()

    def tearDown(self):
        self.inst.stop()
        smbd("restart")  # whatever a test did to smbd, the next one finds it serving

    def copies(self, tag):
        return [raw for _, raw in pop3_fetch_all(self.inst.pop3_port, ALICE, USERS[ALICE]) if tag.encode() in raw]

    def queued(self):
        incoming = self.folder / "queue" / "incoming"
        return sorted(p.name for p in incoming.glob("*.msg")) if incoming.exists() else []

    def test_smtp_in_share_pop3_and_imap_out(self):
        self.inst.start()
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], message(tag))
        self.assertTrue(wait_for(lambda: len(self.copies(tag)) == 1), "not delivered to the share")
        # The message file is on the share, where any SMB client sees it.
        inbox = self.share_folder / "mailboxes" / "example.test" / "alice" / "INBOX"
        stored = [p for p in (inbox / "cur").iterdir() if tag.encode() in p.read_bytes()]
        self.assertEqual(len(stored), 1)
        self.assertTrue((inbox / "dirmail.index").exists())
        self.assertFalse((self.folder / "mailboxes").exists(), "nothing may be written to a local folder")
        imap = imaplib.IMAP4("127.0.0.1", self.inst.imap_port)
        imap.login(ALICE, USERS[ALICE])
        imap.select("INBOX")
        typ, data = imap.uid("SEARCH", None, "HEADER", "Message-ID", f"<{tag}@example.org>")
        uids = data[0].split()
        self.assertEqual(len(uids), 1)
        typ, fetched = imap.uid("FETCH", uids[0], "(BODY.PEEK[])")
        self.assertIn(tag.encode(), fetched[0][1])
        # Folders are folders on the share too.
        self.assertEqual(imap.create("Archive/2026")[0], "OK")
        self.assertEqual(imap.uid("COPY", uids[0], "Archive/2026")[0], "OK")
        imap.logout()
        archive = self.share_folder / "mailboxes" / "example.test" / "alice" / "Archive%2F2026" / "cur"
        self.assertEqual(len(list(archive.iterdir())), 1)

    def test_smbd_restarted_mid_delivery_delivers_each_message_once(self):
        self.inst.start()
        tags = [uuid.uuid4().hex for _ in range(30)]
        sent = threading.Event()

        def send_all():
            with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=60) as s:
                for i, tag in enumerate(tags):
                    s.sendmail("a@example.org", [ALICE], message(tag, 20_000))
                    if i == 5:
                        sent.set()
            sent.set()

        sender = threading.Thread(target=send_all)
        sender.start()
        sent.wait(60)
        smbd("restart")  # under deliveries in progress
        sender.join(120)
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=90), f"still queued: {self.queued()}")
        fetched = pop3_fetch_all(self.inst.pop3_port, ALICE, USERS[ALICE])
        for tag in tags:
            self.assertEqual(sum(tag.encode() in raw for _, raw in fetched), 1, f"message {tag}")

    def test_smbd_stopped_keeps_mail_queued_until_it_returns(self):
        self.inst.start()
        warm = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], message(warm))
        self.assertTrue(wait_for(lambda: len(self.copies(warm)) == 1))
        stop_smbd()
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            self.assertEqual(s.sendmail("a@example.org", [ALICE], message(tag)), {})
        self.assertTrue(wait_for(lambda: "deferred" in self.inst.log_text("delivery"), timeout=60))
        self.assertEqual(len(self.queued()), 1, "the acknowledged message must stay queued")
        # IMAP and POP3 answer with a temporary failure, never "no such user".
        imap = imaplib.IMAP4("127.0.0.1", self.inst.imap_port)
        try:
            imap.login(ALICE, USERS[ALICE])
            typ, data = imap.select("INBOX")
            self.assertEqual(typ, "NO", data)
        except imaplib.IMAP4.error as refused:  # the login itself needs the mailbox
            self.assertNotIn("AUTHENTICATIONFAILED", str(refused))
            self.assertNotIn("NONEXISTENT", str(refused))
        imap.logout()
        pop = poplib.POP3("127.0.0.1", self.inst.pop3_port, timeout=30)
        pop.user(ALICE)
        with self.assertRaises(poplib.error_proto) as refused:
            pop.pass_(USERS[ALICE])
        self.assertIn(b"[SYS/TEMP]", refused.exception.args[0])
        pop.close()
        smbd("restart")
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=60), "not delivered after smbd returned")
        self.assertEqual(len(self.copies(tag)), 1)
        self.assertEqual(len(self.copies(warm)), 1)

    def test_share_full_defers_with_a_clear_log_line(self):
        full = self.share_folder
        mount_tmpfs(full, "2m")
        try:
            os.chmod(full, 0o777)  # smbd writes as the share's user
            self.inst.start()
            warm = uuid.uuid4().hex
            with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                s.sendmail("a@example.org", [ALICE], message(warm))
            self.assertTrue(wait_for(lambda: len(self.copies(warm)) == 1))
            filler = fill(full)
            tag = uuid.uuid4().hex
            with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                self.assertEqual(s.sendmail("a@example.org", [ALICE], message(tag, 200_000)), {})
            self.assertTrue(wait_for(lambda: "deferred" in self.inst.log_text("delivery"), timeout=60))
            log = self.inst.log_text("delivery")
            self.assertRegex(log, r"(?i)full|no space", "the log must say the share is full")
            self.assertEqual(len(self.queued()), 1)
            # Nothing half-written is visible in the folder.
            cur = full / "mailboxes" / "example.test" / "alice" / "INBOX" / "cur"
            self.assertEqual(sum(tag.encode() in p.read_bytes() for p in cur.iterdir()), 0)
            filler.unlink()
            self.assertTrue(wait_for(lambda: self.queued() == [], timeout=60), "not delivered after space returned")
            self.assertEqual(len(self.copies(tag)), 1)
        finally:
            self.inst.stop()
            unmount(full)

    def test_access_denied_defers_with_a_clear_log_line(self):
        self.inst.start()
        warm = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], message(warm))
        self.assertTrue(wait_for(lambda: len(self.copies(warm)) == 1))
        # The share refuses the account: smbd serves as its user, who may no longer
        # write in the folder where messages are written.
        tmp = self.share_folder / "mailboxes" / "example.test" / "alice" / "INBOX" / "tmp"
        mode = tmp.stat().st_mode
        os.chmod(tmp, 0o555)
        try:
            tag = uuid.uuid4().hex
            with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                self.assertEqual(s.sendmail("a@example.org", [ALICE], message(tag)), {})
            self.assertTrue(wait_for(lambda: "deferred" in self.inst.log_text("delivery"), timeout=60))
            self.assertRegex(self.inst.log_text("delivery"), r"(?i)permission denied|access denied")
            self.assertEqual(len(self.queued()), 1, "a refused share keeps the message queued, never bounces it")
        finally:
            os.chmod(tmp, mode)
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=60), "not delivered after access returned")
        self.assertEqual(len(self.copies(tag)), 1)

    def test_unreachable_share_stops_start_with_a_clear_message(self):
        # A closed port on the fixture's address: nothing answers there.
        self.inst.extra_config = f"""
[store]
backend = "smb"
root = "smb://{FIXTURE["address"]}:1/{FIXTURE["share"]}/{self.name}"
smb_credentials_file = "{FIXTURE["credentials_file"]}"
"""
        self.inst.write_config()
        with self.assertRaises(Exception):
            self.inst.start(attempts=1)
        stderr = self.inst.stderr_path.read_text(errors="replace")
        self.assertIn("store", stderr)
        self.assertIn(FIXTURE["address"], stderr)
        self.assertNotIn(FIXTURE["password"], stderr)
        self.assertFalse((self.folder / "mailboxes").exists(), "no local fallback")


if __name__ == "__main__":
    unittest.main(verbosity=2)
