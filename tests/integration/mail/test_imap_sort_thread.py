"""ESEARCH (RFC 4731), SORT and THREAD (RFC 5256) against a real dirmaild, driven by
Python's imaplib on messages appended with known headers: SEARCH RETURN (MIN MAX ALL
COUNT) and its UID form, SORT by each key with REVERSE and UID SORT, THREAD with the
REFERENCES and ORDEREDSUBJECT algorithms."""
import imaplib
import os
import shutil
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "imap_sort_thread"
USER = "alice@example.test"
FOLDER = "Threads"
INST = None

# (From, Subject, Date, Message-ID, References/In-Reply-To line, INTERNALDATE) in APPEND order:
# message numbers and UIDs 1..5.
MESSAGES = [
    ("Zoe <zoe@example.org>", "Re: lunch", "Sat, 02 Mar 2024 12:00:00 +0000", "<2@x>",
     "References: <1@x>", "02-Mar-2024 12:00:05 +0000"),
    ("adam@example.org", "lunch", "Fri, 01 Mar 2024 12:00:00 +0000", "<1@x>", "", "01-Mar-2024 12:00:05 +0000"),
    ("Bea <bea@example.org>", "[team] Budget", "Sun, 03 Mar 2024 09:00:00 +0100", "<3@x>", "",
     "05-Mar-2024 08:00:00 +0000"),
    ("carl@example.org", "Fwd: lunch (fwd)", "Sat, 02 Mar 2024 08:00:00 +0000", "<4@x>", "In-Reply-To: <2@x>",
     "02-Mar-2024 08:00:05 +0000"),
    ("dora@example.org", "Re: Budget", "Mon, 04 Mar 2024 10:00:00 +0000", "<5@x>", "References: <3@x> <gone@x>",
     "04-Mar-2024 10:00:05 +0000"),
]


def setUpModule():
    global INST
    shutil.rmtree(STATE, ignore_errors=True)
    INST = DirmailInstance(STATE)
    INST.provision()
    INST.start()
    m = imaplib.IMAP4("127.0.0.1", INST.imap_port, timeout=30)
    m.login(USER, USERS[USER])
    assert m.create(FOLDER)[0] == "OK"
    for sender, subject, date, msgid, refs, arrived in MESSAGES:
        header = f"From: {sender}\r\nTo: alice@example.test\r\nSubject: {subject}\r\nDate: {date}\r\nMessage-ID: {msgid}\r\n"
        if refs:
            header += refs + "\r\n"
        typ, data = m.append(FOLDER, None, f'"{arrived}"', (header + "\r\nbody of " + msgid + "\r\n").encode())
        assert typ == "OK", data
    m.logout()


def tearDownModule():
    INST.stop()


def numbers(data):
    return [int(n) for n in data[0].split()] if data and data[0] else []


class SortThreadTest(unittest.TestCase):
    def setUp(self):
        self.m = imaplib.IMAP4("127.0.0.1", INST.imap_port, timeout=30)
        self.m.login(USER, USERS[USER])
        typ, data = self.m.select(FOLDER)
        self.assertEqual((typ, data), ("OK", [b"5"]))

    def tearDown(self):
        self.m.logout()

    def esearch(self, *args, uid=False):
        if uid:
            typ, data = self.m.uid("SEARCH", *args)
        else:
            typ, data = self.m._simple_command("SEARCH", *args)
        self.assertEqual(typ, "OK", data)
        return self.m.untagged_responses.pop("ESEARCH", [None])[0]

    def test_capabilities(self):
        typ, data = self.m.capability()
        caps = data[0].decode().split()
        for cap in ("ESEARCH", "SORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES"):
            self.assertIn(cap, caps)

    def test_esearch(self):
        got = self.esearch("RETURN", "(MIN MAX ALL COUNT)", "ALL")
        self.assertRegex(got.decode(), r'^\(TAG "[A-Z0-9]+"\) MIN 1 MAX 5 ALL 1:5 COUNT 5$')
        got = self.esearch("RETURN", "(ALL COUNT)", "SINCE", "2-Mar-2024", "BEFORE", "5-Mar-2024")
        self.assertRegex(got.decode(), r"\) ALL 1,4:5 COUNT 3$")
        got = self.esearch("RETURN", "(MIN MAX COUNT)", "2,4", uid=True)
        self.assertRegex(got.decode(), r"\) UID MIN 2 MAX 4 COUNT 2$")
        got = self.esearch("RETURN", "(MIN ALL COUNT)", "DELETED")
        self.assertRegex(got.decode(), r'^\(TAG "[A-Z0-9]+"\) COUNT 0$')
        # Without RETURN the answer is the old SEARCH.
        self.assertEqual(self.m.search(None, "2:3"), ("OK", [b"2 3"]))

    def test_sort(self):
        sort = lambda crit, *keys: numbers(self.m.sort(crit, "UTF-8", *(keys or ("ALL",)))[1])  # noqa: E731
        self.assertEqual(sort("(DATE)"), [2, 4, 1, 3, 5])        # Bea's +0100 is 08:00 UTC
        self.assertEqual(sort("(REVERSE DATE)"), [5, 3, 1, 4, 2])
        self.assertEqual(sort("(ARRIVAL)"), [2, 4, 1, 5, 3])
        self.assertEqual(sort("(SUBJECT DATE)"), [3, 5, 2, 4, 1])  # BUDGET, then LUNCH
        self.assertEqual(sort("(FROM)"), [2, 3, 4, 5, 1])
        self.assertEqual(sort("(SUBJECT REVERSE ARRIVAL)", "NOT", "1"), [3, 5, 4, 2])
        typ, data = self.m.uid("SORT", "(REVERSE SUBJECT)", "US-ASCII", "UID", "1:4")
        self.assertEqual((typ, numbers(data)), ("OK", [1, 2, 4, 3]))
        typ, data = self.m.sort("(DATE)", "KOI8-R", "ALL")
        self.assertEqual(typ, "NO")
        self.assertIn(b"[BADCHARSET (US-ASCII UTF-8)]", data[0])
        with self.assertRaises(imaplib.IMAP4.error):
            self.m.sort("(COLOUR)", "UTF-8", "ALL")

    def test_thread_references(self):
        # 1 replies to 2, 4 to 1; 5 to 3 through a message that is not there.
        typ, data = self.m.thread("REFERENCES", "UTF-8", "ALL")
        self.assertEqual((typ, data), ("OK", [b"(2 1 4)(3 5)"]))
        typ, data = self.m.uid("THREAD", "REFERENCES", "UTF-8", "NOT", "UID", "1")
        self.assertEqual((typ, data), ("OK", [b"(2 4)(3 5)"]))  # 4's parent is missing: under 2 by subject

    def test_thread_ordered_subject(self):
        typ, data = self.m.thread("ORDEREDSUBJECT", "UTF-8", "ALL")
        self.assertEqual((typ, data), ("OK", [b"(2 (4)(1))(3 5)"]))


if __name__ == "__main__":
    unittest.main(verbosity=2)
