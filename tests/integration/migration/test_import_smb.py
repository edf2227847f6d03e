#!/usr/bin/python3
"""dirmail-import into a store on an SMB share (store.backend = smb, through
libsmbclient, against the smbd fixture): the mailboxes land on the share with the
original UIDLs, dirmaild serves them over POP3 and IMAP, and a re-run copies nothing."""

import imaplib
import json
import os
import poplib
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "lib"))
from dirmail_instance import DIRMAIL_IMPORT, DirmailInstance  # noqa: E402
from smbd_control import fixture, unc  # noqa: E402
import mail_clients  # noqa: E402,F401  (raises poplib's line limit)

GENERATOR = HERE.parent / "fixtures" / "soft_accounts.py"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "migration_smb"
SHARE_FOLDER = "migration-import"


def inbox(account):
    return sorted((m for m in account["messages"]), key=lambda m: (m["modified"], m["file"]))


class ImportIntoSmbStore(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(STATE, ignore_errors=True)
        STATE.mkdir(parents=True)
        cls.on_disk = Path(fixture()["share_folder"]) / SHARE_FOLDER
        shutil.rmtree(cls.on_disk, ignore_errors=True)
        cls.source = STATE / "original"
        subprocess.run([sys.executable, str(GENERATOR), "--out", str(cls.source), "--accounts", "15",
                        "--domains", "1", "--dates", "--seed", "11"], check=True, capture_output=True, timeout=120)
        cls.manifest = json.loads((cls.source / "manifest.json").read_text(encoding="utf-8"))
        # TOML literal strings keep the UNC path's backslashes as written.
        cls.dm = DirmailInstance(STATE / "dirmail", extra_config=f"""
[store]
backend = "smb"
root = '{unc(SHARE_FOLDER)}'
mailbox_path = "inbox/%USERNAME%"
smb_credentials_file = "{fixture()["credentials_file"]}"
""")
        cls.dm.write_config()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        shutil.rmtree(cls.on_disk, ignore_errors=True)

    def run_import(self):
        done = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(self.dm.config), "--accounts",
                               str(self.source / "accounts.tsv"), "--mail-from", str(self.source / "work"),
                               "--create-domains", "--json"],
                              capture_output=True, text=True, timeout=300, cwd=self.dm.folder)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        return json.loads(done.stdout)

    def test_mailboxes_on_the_share_keep_their_uidls(self):
        report = self.run_import()
        total = sum(len(a["messages"]) for a in self.manifest["accounts"])
        self.assertGreater(total, 0)
        self.assertEqual(report["totals"]["created"], len(self.manifest["accounts"]))
        self.assertEqual(report["totals"]["messages_copied"], total)
        for a in report["accounts"]:
            if a.get("messages_copied"):
                self.assertTrue(a["mailbox"].startswith("smb://"), a["mailbox"])
        # On the share's disk: one message file per message of the original.
        stored = [p for p in self.on_disk.rglob("cur/*") if p.is_file()]
        self.assertEqual(len(stored), total)

        self.dm.start()
        for a in self.manifest["accounts"]:
            address = f"{a['account']}@{a['domain']}"
            pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
            pop.user(address)
            pop.pass_(a["password"])
            uidls = [line.decode().split(" ", 1)[1] for line in pop.uidl()[1]]
            pop.quit()
            self.assertEqual(uidls, [m["uidl"] for m in inbox(a)], address)
            with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=60) as imap:
                imap.login(address, a["password"])
                status, data = imap.select("INBOX", readonly=True)
                self.assertEqual((status, int(data[0])), ("OK", len(a["messages"])), address)
                imap.logout()

        again = self.run_import()
        self.assertEqual(again["totals"]["messages_copied"], 0)
        self.assertEqual(again["totals"]["messages_already_there"], total)
        self.assertEqual(len([p for p in self.on_disk.rglob("cur/*") if p.is_file()]), total)


if __name__ == "__main__":
    unittest.main(verbosity=2)
