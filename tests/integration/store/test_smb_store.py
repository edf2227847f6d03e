"""The mail store on an SMB share (store.backend = smb), against the smbd of the `smbd`
fixture: mail comes in by SMTP, lands in files on the share, and goes out by POP3 and
IMAP; smbd restarted while mail is being delivered, smbd stopped for a while, the share
withdrawn from smb.conf, a full share and a share that refuses the account: every
acknowledged message is delivered exactly once, and a share that cannot be reached at
start stops dirmaild with a clear message."""
import imaplib
import poplib
import os
import re
import signal
import smtplib
import sys
import threading
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS  # noqa: E402
from polling import wait_for  # noqa: E402
from smbd_control import ShareTestCase, fixture, message, small_folder, smbd, stop_smbd  # noqa: E402
from small_filesystems import fill  # noqa: E402

ALICE = "alice@example.test"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "smb-store"
FIXTURE = fixture()


class SmbStore(ShareTestCase):
    STATE = STATE

    def extra_config(self, extra=""):
        return super().extra_config() + extra

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
        self.assert_each_delivered_once(tags)

    def test_smbd_stopped_keeps_mail_queued_until_it_returns(self):
        self.inst.start()
        warm = self.deliver_one()
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

    def test_hung_server_answers_a_temporary_failure_and_mail_flows_when_it_wakes(self):
        # smbd frozen (SIGSTOP): connections stay open and nothing answers. With
        # store.smb_timeout = 2 s a POP3 login answers [SYS/TEMP] instead of hanging;
        # once smbd runs again the mail queued meanwhile is delivered once.
        self.inst.extra_config = self.extra_config("smb_timeout = 2000")
        self.inst.write_config()
        self.inst.start()
        warm = self.deliver_one()
        pgid = fixture()["pid"]
        os.killpg(pgid, signal.SIGSTOP)
        try:
            tag = uuid.uuid4().hex
            with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                self.assertEqual(s.sendmail("a@example.org", [ALICE], message(tag)), {})
            pop = poplib.POP3("127.0.0.1", self.inst.pop3_port, timeout=60)
            pop.user(ALICE)
            with self.assertRaises(poplib.error_proto) as refused:
                pop.pass_(USERS[ALICE])
            self.assertIn(b"[SYS/TEMP]", refused.exception.args[0])
            pop.close()
        finally:
            os.killpg(pgid, signal.SIGCONT)
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=90), "not delivered after smbd woke")
        self.assertEqual(len(self.copies(tag)), 1)

    def test_withdrawn_share_is_unavailable_never_empty(self):
        """The share taken out of smb.conf and smbd restarted (a NAS that stops offering
        it): libsmbclient says "no such file" for everything there. Users get temporary
        errors, never an empty mailbox; mail waits in the queue; when the share is back
        everything is there and delivery resumes."""
        self.inst.start()
        warm = self.deliver_one()
        smbd("withdraw-share")
        try:
            tag = uuid.uuid4().hex
            with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
                try:
                    accepted = s.sendmail("a@example.org", [ALICE], message(tag)) == {}
                except smtplib.SMTPRecipientsRefused as refused:
                    code = refused.recipients[ALICE][0]
                    self.assertTrue(400 <= code < 500, f"a withdrawn share refused mail with {code}")
                    accepted = False
            if accepted:  # the queue is local: the message waits there
                self.assertTrue(wait_for(lambda: re.search(r"share \S+ is not available", self.inst.log_text("delivery")),
                                         timeout=60), "delivery must say the share is not available")
                self.assertEqual(len(self.queued()), 1, "the acknowledged message must stay queued")
            pop = poplib.POP3("127.0.0.1", self.inst.pop3_port, timeout=30)
            pop.user(ALICE)
            with self.assertRaises(poplib.error_proto, msg="POP3 served the mailbox of a withdrawn share") as r:
                pop.pass_(USERS[ALICE])
            self.assertIn(b"[SYS/TEMP]", r.exception.args[0])
            pop.close()
            imap = imaplib.IMAP4("127.0.0.1", self.inst.imap_port)
            try:
                imap.login(ALICE, USERS[ALICE])
                typ, data = imap.select("INBOX")
                self.assertEqual(typ, "NO", f"IMAP opened the INBOX of a withdrawn share: {data}")
                self.assertIn(b"[UNAVAILABLE]", b" ".join(data))
            except imaplib.IMAP4.error as refused:  # the login itself needs the mailbox
                self.assertIn("UNAVAILABLE", str(refused))
            imap.logout()
        finally:
            smbd("offer-share")
        self.assertTrue(wait_for(lambda: self.queued() == [], timeout=90), "not delivered after the share returned")
        self.assertEqual(len(self.copies(warm)), 1)
        if accepted:
            self.assertEqual(len(self.copies(tag)), 1)
        after = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [ALICE], message(after))
        self.assertTrue(wait_for(lambda: len(self.copies(after)) == 1), "delivery did not resume")

    def test_share_full_defers_with_a_clear_log_line(self):
        with small_folder(self.share_folder) as full:
            try:
                self.inst.start()
                self.deliver_one()
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

    def test_access_denied_defers_with_a_clear_log_line(self):
        self.inst.start()
        warm = self.deliver_one()
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
