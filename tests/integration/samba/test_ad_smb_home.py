#!/usr/bin/python3
"""Issue 9's acceptance: mail for an AD user is stored under the user's homeDirectory
on an SMB share. dirmaild with the ad backend (the Samba DC fixture) and
store.backend = smb (the smbd fixture's share), store.mailbox_path = %HOME%\\INETMAIL\\INBOX:
SMTP in, the message file on the share, POP3 and IMAP out with the AD password; a
changed homeDirectory takes new mail to the new folder; a drive-letter home
(H:\\user) keeps its mail queued with a log line that says what to do, and
store.path_map delivers it. Run by ctest with the samba_dc and smbd fixtures."""

import imaplib
import json
import os
import shutil
import smtplib
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import ad_config, ad_modify, eventually, samba_tool  # noqa: E402
from dirmail_instance import DirmailInstance  # noqa: E402
from mail_clients import send_tagged, wait_for_messages  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]
SMB = json.loads(Path(os.environ["DIRMAIL_SMBD_FIXTURE"]).read_text())
SHARE_FOLDER = Path(SMB["share_folder"])


def unc(*parts):
    """\\\\<smbd address>\\mail\\part\\part..."""
    return "\\".join(["\\\\" + SMB["address"], SMB["share"], *parts])


def inbox_cur(home_on_share):
    # The mailbox root is %HOME%\INETMAIL\INBOX; its INBOX folder is the INBOX below it.
    return home_on_share / "INETMAIL" / "INBOX" / "INBOX" / "cur"


def files_with(folder, tag):
    return [p for p in folder.iterdir() if tag.encode() in p.read_bytes()] if folder.is_dir() else []


def imap_bodies(port, user, password, tag):
    """The INBOX messages whose subject is `tag`, read over IMAP."""
    with imaplib.IMAP4("127.0.0.1", port, timeout=60) as imap:
        imap.login(user, password)
        typ, _ = imap.select("INBOX")
        assert typ == "OK"
        _, found = imap.uid("SEARCH", None, "SUBJECT", tag)
        bodies = []
        for uid in found[0].split():
            _, fetched = imap.uid("FETCH", uid, "(BODY.PEEK[])")
            bodies.append(fetched[0][1])
        imap.logout()
        return bodies


class AdHomesOnTheShare(unittest.TestCase):
    def setUp(self):
        self.unique = "adhome-" + uuid.uuid4().hex[:10]  # this test's folder on the share
        self.on_share = SHARE_FOLDER / self.unique
        self.addCleanup(shutil.rmtree, self.on_share, ignore_errors=True)
        tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-smb-")
        self.addCleanup(tmp.cleanup)
        folder = Path(tmp.name)
        env = samba_dc_info.kerberos_environment(INFO, str(folder / "ccache"))
        self.dm = DirmailInstance(folder / "dirmail", env=env)
        self.addCleanup(self.dm.stop)
        self.configure(path_map=[])
        self.start()

    def configure(self, path_map):
        # cache_ttl = 0 and verified_password_ttl = 0: each delivery and login reads the
        # user from AD, so a changed homeDirectory counts from the next message on.
        directory = ad_config(INFO, self.dm.folder, [INFO["ldaps_uri"]], realm=f'"{INFO["dns_domain"]}"',
                              keytab=f'"{INFO["keytab"]}"', cache_ttl="0")
        # TOML literal strings ('...') keep the backslashes of Windows paths.
        self.dm.extra_config = directory + f"""
[auth]
verified_password_ttl = 0

[store]
backend = "smb"
root = '{unc(self.unique, "store")}'
mailbox_path = '%HOME%\\INETMAIL\\INBOX'
smb_credentials_file = "{SMB["credentials_file"]}"
path_map = [{", ".join(f"'{entry}'" for entry in path_map)}]
"""
        self.dm.write_config()

    def start(self):
        try:
            self.dm.start()
        except RuntimeError as failed:  # the temporary folder goes: say why here
            raise AssertionError(f"{failed}: {self.dm.stderr_path.read_text(errors='replace')[-3000:]}") from None

    def new_user(self, home_of):
        """An AD mail user (IMSUsers and the mail domain's group) whose homeDirectory is
        home_of(its name)."""
        name = "u" + uuid.uuid4().hex[:10]
        password = "Pw-" + uuid.uuid4().hex[:12] + "!9"
        samba_tool(INFO, "user", "create", name, password, f"--home-directory={home_of(name)}",
                   "--use-username-as-cn")
        self.addCleanup(samba_tool, INFO, "user", "delete", name, check=False)
        for group in ("IMSUsers", DOMAIN):
            samba_tool(INFO, "group", "addmembers", group, name)
        return name, password

    def test_mail_is_stored_in_the_ad_home_on_the_share_and_follows_a_changed_home(self):
        name, password = self.new_user(lambda name: unc(self.unique, "home", name))
        address = f"{name}@{DOMAIN}"
        first = "first-" + uuid.uuid4().hex
        send_tagged(self.dm.smtp_port, address, first)
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, name, password, first)), 1)
        home = self.on_share / "home" / name
        self.assertEqual(len(files_with(inbox_cur(home), first)), 1, "the message file under the AD home on the share")
        bodies = imap_bodies(self.dm.imap_port, name, password, first)
        self.assertEqual(len(bodies), 1)
        self.assertIn(first.encode(), bodies[0])
        self.assertFalse((self.dm.folder / "mailboxes").exists(), "nothing may be written to a local folder")

        # The administrator moves the home folder in AD: new mail goes to the new one.
        moved = self.on_share / "moved" / name
        ad_modify(INFO, f"CN={name},{INFO['users_dn']}", "homeDirectory", [unc(self.unique, "moved", name)])
        second = "second-" + uuid.uuid4().hex
        send_tagged(self.dm.smtp_port, address, second)
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, name, password, second)), 1)
        self.assertEqual(len(files_with(inbox_cur(moved), second)), 1, "the new message under the new home")
        self.assertEqual(files_with(inbox_cur(home), second), [], "nothing more in the old home")
        self.assertEqual(len(files_with(inbox_cur(home), first)), 1, "the old home keeps its message")
        self.assertEqual(len(imap_bodies(self.dm.imap_port, name, password, second)), 1)
        self.assertEqual(imap_bodies(self.dm.imap_port, name, password, first), [],
                         "the mailbox is the one in the new home")

    def test_drive_letter_home_waits_in_the_queue_until_path_map_maps_it(self):
        name, password = self.new_user(lambda name: f"H:\\{name}")
        address = f"{name}@{DOMAIN}"
        tag = "drive-" + uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.dm.smtp_port, timeout=60) as s:
            self.assertEqual(s.sendmail("sender@example.org", [address],
                                        f"Subject: {tag}\r\n\r\n{tag}\r\n".encode()), {})
        line = eventually(lambda: next((entry for entry in self.dm.log_text("delivery").splitlines()
                                        if "deferred" in entry and address in entry), None),
                          timeout=60, what="a deferral of the message in the delivery log")
        self.assertIn("names the drive H:", line)
        self.assertIn("store.path_map", line)
        log = self.dm.log_text("delivery")
        self.assertNotIn("user unknown", log)
        self.assertNotIn("undeliverable", log)
        self.assertEqual(len(self.dm.queued_with(tag)), 1, "the message must stay queued, no bounce beside it")

        # The administrator maps H: to the share where the drive's folders are.
        self.dm.stop()
        self.configure(path_map=[f"H: = {unc(self.unique, 'hdrive')}"])
        self.start()
        eventually(lambda: self.dm.queued_with(tag) == [], timeout=60, what="the queued message delivered")
        stored = files_with(inbox_cur(self.on_share / "hdrive" / name), tag)
        self.assertEqual(len(stored), 1, "the message under the mapped drive on the share")
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, name, password, tag)), 1)
        self.assertNotIn("undeliverable", self.dm.log_text("delivery"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
