"""IMAP QUOTA (RFC 9208) and ENABLE (RFC 5161) with Python's imaplib against a real
dirmaild: the one quota root "" with STORAGE in KiB, its limit taken from the
account's own limit (dirmailctl user add --limit) or else store.mailbox_limit, usage
that grows with APPEND, SETQUOTA refused, and ENABLE that enables nothing yet."""
import imaplib
import os
import re
import shutil
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "imap_quota"
SERVER_LIMIT = 200 * 1024  # store.mailbox_limit, for accounts without their own
OWN, OWN_PW, OWN_LIMIT = "owned@example.test", "owned-secret", 60 * 1024
INST = None


def setUpModule():
    global INST
    shutil.rmtree(STATE, ignore_errors=True)
    INST = DirmailInstance(STATE, extra_config=f"\n[store]\nmailbox_limit = {SERVER_LIMIT}\n")
    INST.provision()
    INST.ctl("user", "add", OWN, "--limit", str(OWN_LIMIT), "--password-stdin", input=OWN_PW + "\n")
    INST.start()


def tearDownModule():
    INST.stop()


def login(user, password=None):
    m = imaplib.IMAP4("127.0.0.1", INST.imap_port, timeout=30)
    m.login(user, password or USERS[user])
    return m


QUOTA = re.compile(rb'^"" \(STORAGE (\d+) (\d+)\)$')


def storage(quota_lines):
    """(usage, limit) in KiB from the one "* QUOTA" line."""
    assert len(quota_lines) == 1, quota_lines
    mo = QUOTA.match(quota_lines[0])
    assert mo, quota_lines
    return int(mo.group(1)), int(mo.group(2))


def message(size):
    head = f"From: a@example.org\r\nSubject: {uuid.uuid4().hex}\r\n\r\n".encode()
    return head + b"x" * (size - len(head) - 2) + b"\r\n"


class Quota(unittest.TestCase):
    def test_capabilities(self):
        m = login("alice@example.test")
        try:
            for cap in ("QUOTA", "QUOTA=RES-STORAGE", "ENABLE"):
                self.assertIn(cap, m.capabilities)
            self.assertNotIn("QUOTASET", m.capabilities)  # limits come from the directory or settings
        finally:
            m.logout()

    def test_server_limit_and_usage_growing_with_append(self):
        m = login("bob@example.test")
        try:
            typ, (roots, quota) = m.getquotaroot("INBOX")
            self.assertEqual(typ, "OK")
            self.assertEqual(roots, [b'INBOX ""'])
            used, limit = storage(quota)
            self.assertEqual(limit, SERVER_LIMIT // 1024)
            typ, _ = m.append("Sent", None, None, message(10000))
            self.assertEqual(typ, "OK")
            typ, quota = m.getquota('""')
            self.assertEqual(typ, "OK")
            used_after, limit_after = storage(quota)
            self.assertEqual(limit_after, limit)
            # 10000 bytes more: 9 or 10 KiB more however the old usage was rounded.
            self.assertIn(used_after - used, (9, 10), (used, used_after))
            # Any folder has the same root and usage.
            typ, (roots, quota) = m.getquotaroot("Sent")
            self.assertEqual((typ, roots), ("OK", [b'Sent ""']))
            self.assertEqual(storage(quota), (used_after, limit))
        finally:
            m.logout()

    def test_account_limit_wins_and_full_mailbox_matches_the_quota(self):
        m = login(OWN, OWN_PW)
        try:
            typ, (_, quota) = m.getquotaroot("INBOX")
            self.assertEqual(typ, "OK")
            self.assertEqual(storage(quota)[1], OWN_LIMIT // 1024)
            for _ in range(5):
                self.assertEqual(m.append("INBOX", None, None, message(10000))[0], "OK")
            typ, data = m.append("INBOX", None, None, message(15000))  # 65000 > 61440
            self.assertEqual(typ, "NO")
            self.assertIn(b"[OVERQUOTA]", data[0])
            used, limit = storage(m.getquota('""')[1])
            self.assertGreaterEqual(used, 5 * 10000 // 1024)
            self.assertLessEqual(used, limit)
        finally:
            m.logout()

    def test_unknown_root_unknown_mailbox_and_setquota_are_refused(self):
        m = login("carol@example.test")
        try:
            typ, data = m.getquota("INBOX")
            self.assertEqual(typ, "NO")
            self.assertIn(b"[NONEXISTENT]", data[0])
            typ, data = m.getquotaroot("No-Such-Folder")
            self.assertEqual(typ, "NO")
            self.assertIn(b"[NONEXISTENT]", data[0][0])  # imaplib gives the NO text twice, as lists
            typ, data = m.setquota('""', "(STORAGE 999999)")
            self.assertEqual(typ, "NO")
            self.assertEqual(storage(m.getquota('""')[1])[1], SERVER_LIMIT // 1024)
        finally:
            m.logout()

    def test_enable_answers_enabled_with_what_it_knows(self):
        m = login("dave@example.test")
        try:
            typ, _ = m.enable("CONDSTORE X-NOT-A-THING")
            self.assertEqual(typ, "OK")
            self.assertEqual(m.response("ENABLED"), ("ENABLED", [b"CONDSTORE"]))  # unknown names are ignored
            m.select("INBOX")
            with self.assertRaises(imaplib.IMAP4.error):  # BAD: only before a mailbox is selected
                m.enable("CONDSTORE")
        finally:
            m.logout()


if __name__ == "__main__":
    unittest.main()
