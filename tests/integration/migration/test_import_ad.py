#!/usr/bin/python3
"""dirmail-import against the real Samba AD DC (issue 11's acceptance): a generated
export of 200 soft accounts in 3 mail domains with their mailboxes, imported into AD
and the store; every user then exists in AD with its groups and home, logs in over POP3
and IMAP through dirmaild, and its POP3 UIDL list is the original's. A dry run changes
nothing; a re-run changes nothing; a user AD already had is reported and untouched; a
password the domain's policy refuses is reported with the original's message; damaged
rows are reported by line and skipped.

The test works in an OU of its own (users, domain groups and its own mail-users group),
removed at the end, so that the other tests sharing the DC see nothing of it."""

import imaplib
import json
import os
import poplib
import subprocess
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import ad_config, admin_connection, delete_subtree, ldap_text as text, toml_list  # noqa: E402
from dirmail_instance import DIRMAIL_IMPORT, DirmailInstance  # noqa: E402

INFO = samba_dc_info.load()
GENERATOR = HERE.parent / "fixtures" / "soft_accounts.py"
DOMAINS = ("abc.jp", "def.jp", "ghi.jp")
POLICY_MESSAGE = "The password is too short or does not meet complexity requirements. You must enter a complex password."


class ImportIntoAd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        import ldap
        cls.ldap = ldap
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-import-")
        cls.folder = Path(cls.tmp.name)
        suffix = uuid.uuid4().hex[:8]
        cls.ou = f"OU=import-{suffix},{INFO['base_dn']}"
        cls.group = f"MigUsers-{suffix}"
        cls.group_dn = f"CN={cls.group},{cls.ou}"
        cls.conn = admin_connection(INFO)
        cls.conn.add_s(cls.ou, [("objectClass", [b"top", b"organizationalUnit"])])
        cls.conn.add_s(cls.group_dn, [("objectClass", [b"top", b"group"]), ("sAMAccountName", [cls.group.encode()]),
                                      ("groupType", [b"-2147483644"])])

        # The original's tree: 200 accounts, 3 domains, mailboxes in the common box,
        # 6 damaged rows, 2 names repeated in another domain, 2 weak passwords.
        cls.source = cls.folder / "original"
        subprocess.run([sys.executable, str(GENERATOR), "--out", str(cls.source), "--accounts", "200",
                        "--domains", "3", "--bad-rows", "6", "--conflicts", "2", "--weak-passwords", "2",
                        "--max-messages", "4", "--dates"], check=True, capture_output=True, timeout=120)
        cls.manifest = json.loads((cls.source / "manifest.json").read_text(encoding="utf-8"))
        conflict_lines = {line for c in cls.manifest["conflicts"] for line in c["lines"]}
        cls.accounts = [a for a in cls.manifest["accounts"] if a["line"] not in conflict_lines]
        # One user AD already has, with other values: a conflict to report, not overwrite.
        cls.existing = next(a for a in cls.accounts if not a["weak_password"])
        cls.existing_dn = f"CN={cls.existing['account']},{cls.ou}"
        cls.conn.add_s(cls.existing_dn, [
            ("objectClass", [b"top", b"person", b"organizationalPerson", b"user"]),
            ("sAMAccountName", [cls.existing["account"].encode()]),
            ("displayName", [b"Somebody Else"])])
        cls.expected_created = [a for a in cls.accounts if not a["weak_password"] and a is not cls.existing]

        env = samba_dc_info.kerberos_environment(INFO, str(cls.folder / "ccache"))
        cls.dm = DirmailInstance(cls.folder / "dirmail", env=env)
        directory = ad_config(INFO, cls.dm.folder, [INFO["ldaps_uri"]], realm=f'"{INFO["dns_domain"]}"',
                              keytab=f'"{INFO["keytab"]}"', mail_users_group=f'"{cls.group}"',
                              mail_domains=toml_list(DOMAINS))
        cls.dm.extra_config = directory + (
            '\n[store]\nmailbox_path = "inbox/%USERNAME%"\n'
            f'\n[auth]\nsecrets_file = "{cls.dm.folder / "secrets"}"\nsecrets_key_file = "{cls.dm.folder / "secrets.key"}"\n')
        cls.dm.write_config()
        cls.admin_pw = cls.folder / "admin.pw"
        cls.admin_pw.write_text(INFO["admin"]["password"] + "\n")
        os.chmod(cls.admin_pw, 0o600)
        cls.mailboxes = cls.dm.folder / "inbox"

    @classmethod
    def tearDownClass(cls):
        if cls.dm.proc:
            cls.dm.stop()
        try:
            delete_subtree(cls.conn, cls.ou)
        finally:
            cls.conn.unbind_s()
            cls.tmp.cleanup()

    # -- helpers ------------------------------------------------------------------
    def run_import(self, *extra):
        done = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(self.dm.config), "import",
                               "--accounts", str(self.source / "accounts.tsv"), "--mail-from", str(self.source / "work"),
                               "--admin", INFO["admin"]["upn"], "--admin-password-file", str(self.admin_pw),
                               "--user-container", self.ou, "--create-domains",
                               "--passwords-out", str(self.folder / "generated.tsv"), "--json", *extra],
                              capture_output=True, text=True, timeout=600, cwd=self.dm.folder)
        self.assertIn(done.returncode, (0, 1), done.stderr)
        return json.loads(done.stdout), done

    def ou_users(self):
        found = self.conn.search_s(self.ou, self.ldap.SCOPE_SUBTREE, "(&(objectClass=user)(objectCategory=person))",
                                   ["sAMAccountName", "displayName", "homeDirectory", "memberOf", "userAccountControl",
                                    "uSNChanged", "info"])
        return {text(attrs["sAMAccountName"])[0].lower(): attrs for dn, attrs in found if dn}

    def ou_groups(self):
        found = self.conn.search_s(self.ou, self.ldap.SCOPE_SUBTREE, "(objectClass=group)", ["sAMAccountName", "uSNChanged"])
        return {text(attrs["sAMAccountName"])[0]: attrs for dn, attrs in found if dn}

    def store_listing(self):
        if not self.mailboxes.exists():
            return {}
        return {str(p.relative_to(self.mailboxes)): (p.stat().st_size, p.stat().st_mtime_ns)
                for p in sorted(self.mailboxes.rglob("*")) if p.is_file()}

    # -- the run, in order ---------------------------------------------------------
    def test_1_dry_run_changes_nothing(self):
        users_before = self.ou_users()
        report, done = self.run_import("--dry-run")
        self.assertTrue(report["dry_run"])
        outcomes = {a["line"]: a for a in report["accounts"]}
        for a in self.expected_created:
            self.assertEqual(outcomes[a["line"]]["outcome"], "created", a["account"])
        for a in self.accounts:
            if a["weak_password"]:
                self.assertEqual(outcomes[a["line"]]["outcome"], "failed")
                self.assertIn(POLICY_MESSAGE, outcomes[a["line"]]["reason"])
        self.assertEqual(sorted(report["domains_created"]), list(DOMAINS))
        self.assertEqual(self.ou_users().keys(), users_before.keys())
        self.assertEqual(set(self.ou_groups()), {self.group})
        self.assertEqual(self.store_listing(), {})
        self.assertFalse((self.folder / "generated.tsv").exists())
        self.assertFalse((self.dm.folder / "migration").exists(), "a dry run makes no copy journal")
        self.assertFalse((self.dm.folder / "secrets").exists(), "a dry run writes no secrets")

    def test_2_import(self):
        report, done = self.run_import()
        self.assertEqual(done.returncode, 1, "conflicts, refused passwords and damaged rows make exit status 1")
        outcomes = {a["line"]: a for a in report["accounts"]}

        # Damaged rows: reported by line and kind, the run went on.
        skipped = {(s["line"], s["kind"]) for s in report["skipped"]}
        self.assertEqual(skipped, {(b["line"], b["kind"]) for b in self.manifest["bad_rows"]})

        # The same name in two domains: every such row a conflict, none imported.
        for conflict in self.manifest["conflicts"]:
            for line in conflict["lines"]:
                self.assertEqual(outcomes[line]["outcome"], "conflict")
        # The user AD had: a conflict, left exactly as it was.
        self.assertEqual(outcomes[self.existing["line"]]["outcome"], "conflict")
        self.assertIn("Somebody Else", outcomes[self.existing["line"]]["reason"])
        # The weak passwords: the original's message, and no user left behind.
        users = self.ou_users()
        for a in self.accounts:
            if a["weak_password"]:
                self.assertEqual(outcomes[a["line"]]["outcome"], "failed")
                self.assertIn(POLICY_MESSAGE, outcomes[a["line"]]["reason"])
                self.assertNotIn(a["account"].lower(), users)

        self.assertEqual(report["totals"]["created"], len(self.expected_created))
        group_dns = {d: f"CN={d},{self.ou}".lower() for d in DOMAINS}
        for a in self.expected_created:
            self.assertEqual(outcomes[a["line"]]["outcome"], "created", outcomes[a["line"]])
            attrs = users[a["account"].lower()]
            self.assertEqual(text(attrs.get("displayName")), [a["full_name"]])
            self.assertEqual(text(attrs.get("homeDirectory")), [a["home_folder"]] if a["home_folder"] else [])
            member_of = {dn.lower() for dn in text(attrs.get("memberOf"))}
            self.assertIn(self.group_dn.lower(), member_of, a["account"])
            self.assertIn(group_dns[a["domain"]], member_of, a["account"])
            self.assertFalse(int(text(attrs["userAccountControl"])[0]) & 2, f"{a['account']} is disabled")
            self.assertEqual(outcomes[a["line"]]["messages_copied"], len(a["messages"]))
        existing = users[self.existing["account"].lower()]
        self.assertEqual(text(existing["displayName"]), ["Somebody Else"])
        self.assertNotIn(self.group_dn.lower(), {dn.lower() for dn in text(existing.get("memberOf"))})
        # SMTP-AUTH/APOP users' passwords in the secrets file, under their account names.
        secrets = (self.dm.folder / "secrets").read_text()
        logins = {line.split("\t")[0] for line in secrets.splitlines() if line and not line.startswith("#")}
        self.assertEqual(logins, {a["account"].lower() for a in self.expected_created if a["smtp_auth"] or a["apop"]})

    def test_3_users_log_in_and_keep_their_uidls(self):
        self.dm.start()
        try:
            for a in self.expected_created:
                pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
                try:
                    pop.user(a["account"])
                    pop.pass_(a["password"])
                    listing = pop.uidl()[1]
                    uidls = [line.decode().split(" ", 1)[1] for line in listing]
                    # The original's order: arrival (file time), then name.
                    expected = sorted(a["messages"], key=lambda m: (m["modified"], m["file"]))
                    self.assertEqual(uidls, [m["uidl"] for m in expected], a["account"])
                    sizes = [int(line.decode().split(" ", 1)[1]) for line in pop.list()[1]]
                    self.assertEqual(sizes, [m["size"] for m in expected], a["account"])
                finally:
                    pop.quit()
                with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=60) as imap:
                    imap.login(a["account"], a["password"])
                    status, data = imap.select("INBOX", readonly=True)
                    self.assertEqual(status, "OK")
                    self.assertEqual(int(data[0]), len(a["messages"]), a["account"])
                    imap.logout()
            # The user AD already had is no mail user: not in the mail-users group.
            pop = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
            pop.user(self.existing["account"])
            with self.assertRaises(poplib.error_proto):
                pop.pass_(self.existing["password"])
            pop.close()
        finally:
            self.dm.stop()

    def test_4_rerun_changes_nothing(self):
        users_before = {name: text(attrs["uSNChanged"]) for name, attrs in self.ou_users().items()}
        groups_before = {name: text(attrs["uSNChanged"]) for name, attrs in self.ou_groups().items()}
        store_before = self.store_listing()
        secrets_before = (self.dm.folder / "secrets").read_bytes()
        report, done = self.run_import()
        totals = report["totals"]
        self.assertEqual(totals["created"], 0)
        self.assertEqual(totals["completed"], 0)
        self.assertEqual(totals["unchanged"], len(self.expected_created))
        self.assertEqual(totals["messages_copied"], 0)
        self.assertEqual(totals["messages_already_there"], sum(len(a["messages"]) for a in self.expected_created))
        self.assertEqual(report["domains_created"], [])
        self.assertEqual({name: text(attrs["uSNChanged"]) for name, attrs in self.ou_users().items()}, users_before)
        self.assertEqual({name: text(attrs["uSNChanged"]) for name, attrs in self.ou_groups().items()}, groups_before)
        self.assertEqual(self.store_listing(), store_before)
        self.assertEqual((self.dm.folder / "secrets").read_bytes(), secrets_before)

    def test_5_export_writes_the_accounts_back(self):
        done = subprocess.run([str(DIRMAIL_IMPORT), "--config", str(self.dm.config), "export", "--encoding", "utf-8",
                               "--admin", INFO["admin"]["upn"], "--admin-password-file", str(self.admin_pw),
                               "--user-container", self.ou],
                              capture_output=True, timeout=120)
        self.assertEqual(done.returncode, 0, done.stderr.decode(errors="replace"))
        rows = {}
        for line in done.stdout.decode("utf-8").splitlines():
            fields = line.rstrip("\r").split("\t")
            self.assertEqual(len(fields), 8, line)
            rows[fields[0].lower()] = fields
        for a in self.expected_created:
            fields = rows[a["account"].lower()]
            self.assertEqual(fields[1], "", "no password is ever exported")
            self.assertEqual(fields[2:5], [a["full_name"], a["domain"], a["home_folder"]])
            flagged = a["smtp_auth"] or a["apop"]
            self.assertEqual(fields[5:7], ["1", "1"] if flagged else ["0", "0"])
        self.assertNotIn(self.existing["account"].lower(), rows, "not a mail user")


if __name__ == "__main__":
    unittest.main(verbosity=2)
