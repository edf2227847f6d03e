#!/usr/bin/python3
"""dirmail-import into the embedded local directory (no AD): the original's full
multi-domain soft accounts (the same name in two domains is two accounts here) from a
UTF-8 export with a byte order mark and the per-domain mailbox layout; then POP3, IMAP
and APOP logins through dirmaild, UIDLs and sizes as in the original, flags and IMAP
folders, per-user files, mailbox limits; generated passwords for rows without one; the
progress bar; a re-run that changes nothing; and a message the user deleted after the
import that a re-run does not bring back."""

import imaplib
import json
import os
import poplib
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
from dirmail_instance import DIRMAIL_IMPORT, DirmailInstance  # noqa: E402
import mail_clients  # noqa: E402,F401  (raises poplib's line limit)

GENERATOR = HERE.parent / "fixtures" / "soft_accounts.py"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "migration_local"


def in_folder(account, folder="INBOX"):
    """The account's messages of one folder in the original's order (arrival: file time, then name)."""
    messages = [m for m in account.get("messages", []) if m.get("folder", "INBOX") == folder]
    return sorted(messages, key=lambda m: (m["modified"], m["file"]))


def imap_utf7(name):
    """An IMAP mailbox name in modified UTF-7 (RFC 3501 5.1.3)."""
    import base64
    out, pending = [], ""
    def flush():
        nonlocal pending
        if pending:
            encoded = base64.b64encode(pending.encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            out.append("&" + encoded + "-")
            pending = ""
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7e:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            pending += ch
    flush()
    return "".join(out)


class ImportIntoLocalDirectory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(STATE, ignore_errors=True)
        STATE.mkdir(parents=True)
        cls.source = STATE / "original"
        subprocess.run([sys.executable, str(GENERATOR), "--out", str(cls.source), "--accounts", "40",
                        "--domains", "2", "--encoding", "utf-8", "--bom", "--layout", "per-domain",
                        "--conflicts", "2", "--bad-rows", "3", "--seed", "7", "--dates", "--flags", "--folders"],
                       check=True, capture_output=True, timeout=120)
        cls.manifest = json.loads((cls.source / "manifest.json").read_text(encoding="utf-8"))
        # One account written with capitals, as Windows kept them (its folder too):
        # dirmaild serves it under the lower-case name, and its mail must be there.
        cls.mixed = next(a for a in cls.manifest["accounts"] if in_folder(a) and "conflict_of" not in a)
        lower, mixed = cls.mixed["account"], cls.mixed["account"].capitalize()
        export = cls.source / "accounts.tsv"
        export.write_bytes(re.sub(rb"(^|\n)(\xef\xbb\xbf)?" + lower.encode() + rb"\t",
                                  lambda m: (m.group(1) + (m.group(2) or b"") + mixed.encode() + b"\t"),
                                  export.read_bytes(), count=1))
        mailbox = cls.source / cls.mixed["mailbox"]
        mailbox.rename(mailbox.with_name(mixed))
        cls.mixed["account"] = mixed
        cls.dm = DirmailInstance(STATE / "dirmail", extra_config='''
[auth]
secrets_file = "secrets"
secrets_key_file = "secrets.key"
''')
        cls.dm.write_config()

    @classmethod
    def tearDownClass(cls):
        if cls.dm.proc:
            cls.dm.stop()

    def run_import(self, accounts, *extra, expect=(0, 1)):
        done = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(self.dm.config), "--accounts", str(accounts),
                               "--mail-from", str(self.source / "work"), "--layout", "per-domain",
                               "--create-domains", *extra],
                              capture_output=True, text=True, timeout=300, cwd=self.dm.folder)
        self.assertIn(done.returncode, expect, done.stdout + done.stderr)
        return done

    def test_1_import_and_log_in(self):
        done = self.run_import(self.source / "accounts.tsv", "--json", "--progress")
        report = json.loads(done.stdout)
        # The progress bar went to standard error and ended with every row done.
        rows = len(report["accounts"])
        self.assertRegex(done.stderr, r"\[#+\] +%d/%d accounts" % (rows, rows))
        outcomes = {a["line"]: a for a in report["accounts"]}
        self.assertEqual(outcomes[self.mixed["line"]]["account"], self.mixed["account"])
        self.assertIn("/" + self.mixed["account"].lower(), outcomes[self.mixed["line"]]["mailbox"])
        self.assertEqual({s["line"] for s in report["skipped"]}, {b["line"] for b in self.manifest["bad_rows"]})
        # No conflicts here: the twins are in another domain, a separate account.
        self.assertEqual(report["totals"]["conflict"], 0)
        self.assertEqual(report["totals"]["created"], len(self.manifest["accounts"]))
        self.assertEqual(done.returncode, 1, "the damaged rows make the exit status 1")

        self.dm.start()
        for a in self.manifest["accounts"]:
            address = f"{a['account']}@{a['domain']}"
            self.assertEqual(outcomes[a["line"]]["outcome"], "created")
            expected = in_folder(a)
            pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
            pop.user(address)
            pop.pass_(a["password"])
            uidls = [line.decode().split(" ", 1)[1] for line in pop.uidl()[1]]
            self.assertEqual(uidls, [m["uidl"] for m in expected], address)
            sizes = [int(line.decode().split(" ", 1)[1]) for line in pop.list()[1]]
            self.assertEqual(sizes, [m["size"] for m in expected], address)
            for i, m in enumerate(expected, start=1):
                body = b"\r\n".join(pop.retr(i)[1]) + b"\r\n"
                self.assertEqual(len(body), m["size"], address)
            pop.quit()
            with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=60) as imap:
                imap.login(address, a["password"])
                for folder in ["INBOX"] + a.get("folders", []):
                    messages = in_folder(a, folder)
                    status, data = imap.select('"%s"' % imap_utf7(folder), readonly=True)
                    self.assertEqual((status, int(data[0])), ("OK", len(messages)), f"{address} {folder}")
                    if not messages:
                        continue
                    status, data = imap.fetch("1:*", "(FLAGS INTERNALDATE RFC822.SIZE)")
                    self.assertEqual(status, "OK")
                    for m, line in zip(messages, [d for d in data if d]):
                        line = line.decode()
                        flags = set(re.search(r"FLAGS \(([^)]*)\)", line).group(1).split()) - {"\\Recent"}
                        self.assertEqual(flags, set(m["flags"]), f"{address} {folder} {m['uidl']}")
                        date = imaplib.Internaldate2tuple(line.encode())
                        self.assertEqual(int(time.mktime(date)), m["modified"], f"{address} {m['uidl']}")
                        self.assertIn(f"RFC822.SIZE {m['size']}", line)
                imap.logout()
            shown = self.dm.ctl("user", "show", address).stdout
            self.assertIn(f"mailbox_limit:     {a['mailbox_limit'] or '0 (unlimited)'}", shown)
        # SMTP-AUTH/APOP users: APOP with the file's password (from the secrets file).
        flagged = next(a for a in self.manifest["accounts"] if a["apop"] and "conflict_of" not in a)
        pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        pop.apop(f"{flagged['account']}@{flagged['domain']}", flagged["password"])
        pop.quit()
        # The original's per-user files came along.
        with_files = [a for a in self.manifest["accounts"] if a.get("control_files")]
        for a in with_files:
            mailbox = Path(outcomes[a["line"]]["mailbox"])
            for name in a["control_files"]:
                self.assertEqual((mailbox / name).read_bytes(), (self.source / a["mailbox"] / name).read_bytes())

    def test_2_rerun_changes_nothing_and_deleted_mail_stays_deleted(self):
        # One user deletes a message over POP3 after the import.
        a = next(a for a in self.manifest["accounts"] if len(in_folder(a)) >= 2)
        address = f"{a['account']}@{a['domain']}"
        pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        pop.user(address)
        pop.pass_(a["password"])
        pop.dele(1)
        pop.quit()
        users = self.dm.ctl("user", "list").stdout
        secrets = (self.dm.folder / "secrets").read_bytes()
        done = self.run_import(self.source / "accounts.tsv", "--json")
        report = json.loads(done.stdout)
        self.assertEqual(report["totals"]["created"], 0)
        self.assertEqual(report["totals"]["unchanged"], len(self.manifest["accounts"]))
        self.assertEqual(report["totals"]["messages_copied"], 0)
        self.assertEqual((self.dm.folder / "secrets").read_bytes(), secrets)
        self.assertEqual(self.dm.ctl("user", "list").stdout, users)
        pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        pop.user(address)
        pop.pass_(a["password"])
        uidls = [line.decode().split(" ", 1)[1] for line in pop.uidl()[1]]
        pop.quit()
        self.assertEqual(uidls, [m["uidl"] for m in in_folder(a)[1:]])

    def test_3_generated_passwords(self):
        accounts = STATE / "nopassword.tsv"
        accounts.write_bytes("newcomer\t\t新人\tabc.jp\t\t0\t0\t0\r\n".encode("utf-8"))
        refused = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(self.dm.config), "--accounts", str(accounts)],
                                 capture_output=True, text=True, timeout=60, cwd=self.dm.folder)
        self.assertEqual(refused.returncode, 2)
        self.assertIn("--passwords-out", refused.stderr)
        passwords = STATE / "generated.tsv"
        done = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(self.dm.config), "--accounts", str(accounts),
                               "--passwords-out", str(passwords)],
                              capture_output=True, text=True, timeout=60, cwd=self.dm.folder)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertEqual(os.stat(passwords).st_mode & 0o777, 0o600)
        line = next(l for l in passwords.read_text().splitlines() if not l.startswith("#"))
        account, domain, password = line.split("\t")
        self.assertEqual((account, domain), ("newcomer", "abc.jp"))
        self.assertNotIn(password, done.stdout + done.stderr, "a generated password only goes to its file")
        self.assertTrue(re.search(r"[A-Z]", password) and re.search(r"[a-z]", password) and re.search(r"[0-9]", password))
        pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        pop.user("newcomer@abc.jp")
        pop.pass_(password)
        pop.quit()

    def test_4_export_reads_back(self):
        done = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(self.dm.config), "export", "--encoding", "utf-8"],
                              capture_output=True, timeout=60, cwd=self.dm.folder)
        self.assertEqual(done.returncode, 0, done.stderr)
        rows = {}
        for line in done.stdout.decode("utf-8").splitlines():
            fields = line.rstrip("\r").split("\t")
            rows[(fields[0].lower(), fields[3])] = fields
        for a in self.manifest["accounts"]:
            fields = rows[(a["account"].lower(), a["domain"])]
            self.assertEqual(fields[1], "")
            self.assertEqual(fields[2], a["full_name"])
            self.assertEqual(fields[7], str(a["mailbox_limit"]))


class ImportFromHomeFolders(unittest.TestCase):
    """The original's mailbox folder template %HOME%\\INETMAIL\\INBOX: each account's mail
    below its home folder (a UNC path in the export), found through --home-map."""

    def test_home_layout(self):
        folder = STATE / "home_layout"
        shutil.rmtree(folder, ignore_errors=True)
        source = folder / "original"
        subprocess.run([sys.executable, str(GENERATOR), "--out", str(source), "--accounts", "8", "--domains", "1",
                        "--layout", "home", "--dates", "--seed", "3"], check=True, capture_output=True, timeout=120)
        manifest = json.loads((source / "manifest.json").read_text(encoding="utf-8"))
        dm = DirmailInstance(folder / "dirmail")
        dm.write_config()
        home_map = "\\\\FS1\\home=" + str(source / "homes" / "FS1" / "home")
        done = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(dm.config), "--accounts", str(source / "accounts.tsv"),
                               "--mail-from", str(source), "--layout", "home", "--home-map", home_map,
                               "--create-domains", "--json"], capture_output=True, text=True, timeout=300, cwd=dm.folder)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        report = json.loads(done.stdout)
        total = sum(len(a["messages"]) for a in manifest["accounts"])
        self.assertGreater(total, 0)
        self.assertEqual(report["totals"]["messages_copied"], total)
        dm.start()
        try:
            for a in manifest["accounts"]:
                pop = poplib.POP3("127.0.0.1", dm.pop3_port, timeout=60)
                pop.user(f"{a['account']}@{a['domain']}")
                pop.pass_(a["password"])
                uidls = [line.decode().split(" ", 1)[1] for line in pop.uidl()[1]]
                pop.quit()
                self.assertEqual(uidls, [m["uidl"] for m in in_folder(a)], a["account"])
        finally:
            dm.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
