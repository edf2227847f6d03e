#!/usr/bin/python3
"""The smb mail store logs on with Kerberos (store.smb_logon, issue 9): dirmaild keeps
its mailboxes on a share of the Samba AD DC's own file service, reached as the service
account with a ticket from the service keytab (no credentials file, and libsmbclient
never falls back to NTLM): SMTP in, the message file on the share, POP3 and IMAP out
with the same bytes; the ticket's cache is private and goes when dirmaild stops. A
missing keytab, an account the KDC refuses and a KDC that does not answer each stop the
start with a message that says so, and nothing is written to a local folder.

The share (`dirmail-mail`) is added to the fixture DC's smb.conf by this test (the DC's
smbd reads a changed smb.conf at the next connection; the fixture rewrites smb.conf at
each start). Run by ctest with the samba_dc fixture."""

import imaplib
import os
import shutil
import smtplib
import stat
import subprocess
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import eventually, samba_tool  # noqa: E402
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from mail_clients import pop3_fetch_all, send_tagged, wait_for_messages  # noqa: E402

INFO = samba_dc_info.load()
SHARE = "dirmail-mail"
SHARE_FOLDER = Path(INFO["state_dir"]) / "dirmail-mail-share"
SERVICE_PRINCIPAL = f'{INFO["service_account"]["name"]}@{INFO["realm"]}'
USER = "alice@example.test"  # a local account of dirmaild (the store is what is tested)
CCACHE = "smb-store.ccache"
LOGON_CONTEXT = "store.smb_logon (Kerberos logon to the mail share)"  # how dirmaild's errors begin


def add_share_to_the_dc():
    """[dirmail-mail] on the DC, a folder anyone may write in (the logged-on account's
    rights on the share are the share's business, not this test's)."""
    SHARE_FOLDER.mkdir(exist_ok=True)
    os.chmod(SHARE_FOLDER, 0o1777)
    conf = Path(INFO["smb_conf"])
    text = conf.read_text()
    if f"[{SHARE}]" not in text:
        staged = conf.with_suffix(".dirmail-new")
        staged.write_text(text.rstrip("\n") + f"\n\n[{SHARE}]\n\tpath = {SHARE_FOLDER}\n\tread only = no\n")
        os.replace(staged, conf)  # samba-tool run by other tests reads it meanwhile
    # smbd reloads its configuration when the file's modification time changes, to the
    # second: a share added in the second the DC's smbd started (this test runs first)
    # would never be seen. A time ahead of that second is always a change.
    ahead = time.time() + 2
    os.utime(conf, (ahead, ahead))

    def listed():
        done = subprocess.run(["smbclient", f"//{INFO['address']}/{SHARE}",
                               "-U", f"{INFO['admin']['sam_account_name']}%{INFO['admin']['password']}", "-c", "ls"],
                              capture_output=True, text=True, timeout=60)
        return done.returncode == 0 and "NT_STATUS" not in done.stdout
    eventually(listed, timeout=60, interval=1, what=f"the DC serving the share {SHARE}")


def imap_bodies(port, user, password, tag):
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


class KerberosLogonToTheMailShare(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        add_share_to_the_dc()

    def setUp(self):
        self.unique = "krb-" + uuid.uuid4().hex[:10]  # this test's folder on the share
        self.on_share = SHARE_FOLDER / self.unique
        self.addCleanup(shutil.rmtree, self.on_share, ignore_errors=True)
        tmp = tempfile.TemporaryDirectory(prefix="dirmail-smb-krb-")
        self.addCleanup(tmp.cleanup)
        self.folder = Path(tmp.name)
        # Kerberos names the file server by host name (cifs/dc1...): a private /etc/hosts.
        hosts = self.folder / "hosts"
        hosts.write_text(f"127.0.0.1 localhost\n{INFO['address']} {INFO['dc_hostname']}\n")
        self.env = samba_dc_info.kerberos_environment(INFO, str(self.folder / "test-ccache"))
        wrap = ["unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts)]
        self.dm = DirmailInstance(self.folder / "dirmail", command_prefix=wrap, env=self.env)
        self.addCleanup(self.dm.stop)

    def configure(self, keytab=INFO["keytab"], principal=SERVICE_PRINCIPAL, logon=None):
        self.dm.extra_config = f"""
[directory]
keytab = "{keytab}"
principal = "{principal}"

[store]
backend = "smb"
root = '\\\\{INFO["dc_hostname"]}\\{SHARE}\\{self.unique}'
mailbox_path = "mailboxes/%USERNAME%"
{f'smb_logon = "{logon}"' if logon else ""}
"""
        self.dm.provision()  # writes the config and the local accounts

    def start(self):
        try:
            self.dm.start()
        except RuntimeError as failed:  # the temporary folder goes: say why here
            raise AssertionError(f"{failed}: {self.dm.stderr_path.read_text(errors='replace')[-3000:]}") from None

    def refused_start(self):
        """dirmaild's error output after it refused to start."""
        with self.assertRaises(Exception):
            self.dm.start(attempts=1)
        self.assertIsNotNone(self.dm.proc.poll(), "dirmaild must exit, not run without its store")
        self.assertNotEqual(self.dm.proc.returncode, 0)
        self.assertFalse((self.dm.folder / "mailboxes").exists(), "nothing may be written to a local folder")
        self.assertFalse(self.on_share.exists())
        return self.dm.stderr_path.read_text(errors="replace")

    def test_mail_goes_through_the_share_with_the_service_ticket(self):
        self.configure()  # store.smb_logon = auto, no credentials file: Kerberos
        self.start()
        ccache = self.dm.folder / CCACHE
        self.assertTrue(ccache.is_file(), "the ticket's cache under the data folder")
        self.assertEqual(stat.S_IMODE(ccache.stat().st_mode), 0o600)
        listed = subprocess.run(["klist", "-c", f"FILE:{ccache}"], capture_output=True, text=True, env=self.env)
        self.assertIn(SERVICE_PRINCIPAL, listed.stdout)
        self.assertIn("Kerberos ticket from the keytab", self.dm.log_text("daemon"))

        tag = "krb-" + uuid.uuid4().hex
        message = (f"From: sender@example.org\r\nTo: {USER}\r\nSubject: {tag}\r\n\r\n"
                   f"Straight from the share.\r\n..a dot-stuffed line\r\n{tag}\r\n").encode()
        with smtplib.SMTP("127.0.0.1", self.dm.smtp_port, timeout=120) as s:
            self.assertEqual(s.sendmail("sender@example.org", [USER], message), {})
        popped = wait_for_messages(self.dm.pop3_port, USER, USERS[USER], tag, timeout=60)
        self.assertEqual(len(popped), 1)
        self.assertTrue(popped[0].endswith(message), "POP3 gives the message bytes as sent (after Received:)")
        bodies = imap_bodies(self.dm.imap_port, USER, USERS[USER], tag)
        self.assertEqual(len(bodies), 1)
        self.assertTrue(bodies[0].endswith(message), "IMAP gives the message bytes as sent (after Received:)")

        # The message files (cur/, new/), not the folder's index, which has the subject too.
        stored = [p for p in self.on_share.rglob("*")
                  if p.is_file() and p.parent.name in ("cur", "new") and tag.encode() in p.read_bytes()]
        self.assertEqual(len(stored), 1, "the message file on the DC's share")
        self.assertTrue(stored[0].read_bytes().endswith(message))
        self.assertFalse((self.dm.folder / "mailboxes").exists(), "nothing may be written to a local folder")

        # A second message after the first connections: still the same logon.
        second = "krb2-" + uuid.uuid4().hex
        send_tagged(self.dm.smtp_port, USER, second)
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, USER, USERS[USER], second, timeout=60)), 1)

        self.dm.stop()
        self.assertEqual(self.dm.proc.returncode, 0, self.dm.stderr_path.read_text(errors="replace")[-3000:])
        self.assertFalse(ccache.exists(), "the ticket's cache is removed when dirmaild stops")

    def test_ticket_is_renewed_and_mail_keeps_flowing_after_the_first_ticket_ended(self):
        # Short tickets (the client asks for a lifetime; the KDC grants at most that):
        # dirmaild renews at half the lifetime, before a store call that comes later.
        # Not shorter: libsmbclient refuses a ticket with less than about two minutes left.
        lifetime = 300
        conf = self.folder / "krb5.conf"
        conf.write_text(Path(INFO["krb5_conf"]).read_text().replace(
            "[libdefaults]\n", f"[libdefaults]\n    ticket_lifetime = {lifetime}s\n", 1))
        self.env["KRB5_CONFIG"] = str(conf)
        self.configure()
        started = time.time()
        self.start()
        first = "first-" + uuid.uuid4().hex
        send_tagged(self.dm.smtp_port, USER, first)
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, USER, USERS[USER], first, timeout=60)), 1)

        def mailbox_used_and_renewed():
            pop3_fetch_all(self.dm.pop3_port, USER, USERS[USER])  # store calls: the renewal's chance
            return "renewed the Kerberos ticket for the mail share" in self.dm.log_text("daemon")
        eventually(mailbox_used_and_renewed, timeout=lifetime, interval=5, what="a renewed ticket in the log")
        # Past the end of the ticket dirmaild started with and the 5 minutes of clock skew
        # the file server allows its sessions (without the renewal POP3 answers
        # "-ERR [SYS/TEMP] Cannot open the mailbox" by then), the mailbox used meanwhile:
        # mail still goes in and out, on connections that logged on with the new ticket.
        first_ticket_ended = started + lifetime + 300 + 15
        eventually(lambda: pop3_fetch_all(self.dm.pop3_port, USER, USERS[USER]) and time.time() > first_ticket_ended,
                   timeout=max(0.0, first_ticket_ended - time.time()) + 60, interval=5, what="the first ticket's end")
        later = "later-" + uuid.uuid4().hex
        send_tagged(self.dm.smtp_port, USER, later)
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, USER, USERS[USER], later, timeout=60)), 1)
        self.assertEqual(len(imap_bodies(self.dm.imap_port, USER, USERS[USER], later)), 1)
        self.assertNotIn("renewing the Kerberos ticket for the mail share failed", self.dm.log_text("daemon"))

    def test_missing_keytab_refuses_start(self):
        missing = self.folder / "no-such.keytab"
        self.configure(keytab=missing, logon="kerberos")
        stderr = self.refused_start()
        self.assertIn(LOGON_CONTEXT, stderr)
        self.assertIn(f"cannot read the keytab {missing}", stderr)

    def test_account_the_kdc_refuses_stops_start(self):
        # carol is disabled in AD: the KDC refuses her ticket ("credentials revoked").
        carol = next(u for u in INFO["users"].values() if not u["enabled"])
        keytab = self.folder / "disabled.keytab"
        samba_tool(INFO, "domain", "exportkeytab", str(keytab), f"--principal={carol['principal']}")
        self.configure(keytab=keytab, principal=carol["principal"])
        stderr = self.refused_start()
        self.assertIn(LOGON_CONTEXT, stderr)
        self.assertIn(f"Kerberos ticket for {carol['principal']} from keytab {keytab} failed: asking the KDC", stderr)
        self.assertIn("revoked", stderr.lower())

    def test_keytab_without_the_principal_stops_start(self):
        self.configure(principal=f"nobody-here@{INFO['realm']}")
        stderr = self.refused_start()
        self.assertIn(LOGON_CONTEXT, stderr)
        self.assertIn(f"nobody-here@{INFO['realm']}", stderr)

    def test_unreachable_kdc_stops_start(self):
        # The same realm, its KDC on a closed port of the DC's address: nothing answers.
        conf = self.folder / "krb5.conf"
        conf.write_text(Path(INFO["krb5_conf"]).read_text().replace(f"kdc = {INFO['kdc']}",
                                                                     f"kdc = {INFO['kdc']}:1"))
        self.env["KRB5_CONFIG"] = str(conf)
        self.configure()
        stderr = self.refused_start()
        self.assertIn(LOGON_CONTEXT, stderr)
        self.assertIn("Cannot contact any KDC", stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
