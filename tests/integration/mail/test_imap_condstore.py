"""IMAP keywords, \\Recent, CONDSTORE and QRESYNC (RFC 7162) against a real dirmaild:
keywords stored by one session and seen by another, \\Recent given to one session only,
FETCH CHANGEDSINCE, a STORE UNCHANGEDSINCE that loses to another session's change,
SEARCH MODSEQ, STATUS HIGHESTMODSEQ, a QRESYNC SELECT after another session expunged
(VANISHED (EARLIER)), after the index log was compacted, and after a daemon restart
(HIGHESTMODSEQ did not go backwards). imaplib for the plain commands, raw lines for
what imaplib cannot say or hides."""
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
from imap_line_client import ImapLineClient  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "imap_condstore"
USER = "alice@example.test"
INST = None


def setUpModule():
    global INST
    shutil.rmtree(STATE, ignore_errors=True)
    INST = DirmailInstance(STATE)
    INST.provision()
    INST.start()


def tearDownModule():
    INST.stop()


def message(subject):
    return f"From: a@example.org\r\nSubject: {subject}\r\n\r\nbody of {subject}\r\n".encode()


def login_lib():
    m = imaplib.IMAP4("127.0.0.1", INST.imap_port, timeout=30)
    m.login(USER, USERS[USER])
    return m


def login_raw():
    c = ImapLineClient(INST.imap_port)
    c.login(USER, USERS[USER])
    return c


def new_folder(count, flags=""):
    """A fresh folder holding `count` appended messages (by a session that never selects
    it, so none is \\Recent yet): its name."""
    name = "T" + uuid.uuid4().hex[:10]
    m = login_lib()
    assert m.create(name)[0] == "OK"
    for i in range(count):
        typ, data = m.append(name, flags or None, None, message(f"{name} {i}"))
        assert typ == "OK", data
    m.logout()
    return name


def code(lines, name):
    """The number of a response code ([HIGHESTMODSEQ n], [UIDVALIDITY n]) in `lines`."""
    for line in lines:
        found = re.search(rb"\[" + name.encode() + rb" (\d+)\]", line)
        if found:
            return int(found.group(1))
    raise AssertionError(f"no [{name}] in {lines!r}")


def fetches(lines):
    """{uid: (flags as a set, modseq or None)} of the untagged FETCH lines."""
    out = {}
    for line in lines:
        if not re.match(rb"\* \d+ FETCH ", line):
            continue
        uid = int(re.search(rb"UID (\d+)", line).group(1))
        flags = re.search(rb"FLAGS \(([^)]*)\)", line)
        modseq = re.search(rb"MODSEQ \((\d+)\)", line)
        out[uid] = (set(flags.group(1).decode().split()) if flags else None,
                    int(modseq.group(1)) if modseq else None)
    return out


def search_numbers(lines):
    for line in lines:
        if line.startswith(b"* SEARCH"):
            words = line[len(b"* SEARCH"):].split(b" (MODSEQ")[0].split()
            return [int(w) for w in words]
    raise AssertionError(f"no SEARCH in {lines!r}")


def uid_set(text):
    """The UIDs of a compact set such as b"3:5,9"."""
    out = set()
    for part in text.decode().split(","):
        lo, _, hi = part.partition(":")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def vanished_earlier(lines):
    for line in lines:
        found = re.fullmatch(rb"\* VANISHED \(EARLIER\) (\S+)", line)
        if found:
            return uid_set(found.group(1))
    return set()


class Keywords(unittest.TestCase):
    def test_keywords_are_stored_and_seen_by_a_second_session(self):
        folder = new_folder(2)
        first = login_raw()
        first.ok(f"SELECT {folder}")
        untagged = first.ok("STORE 1 +FLAGS ($Work Later)")
        # A new keyword is announced before the FETCH that uses it.
        self.assertIn(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Later)", untagged)
        self.assertTrue(any(re.fullmatch(rb"\* 1 FETCH \(FLAGS \(.*\$Work Later\)\)", l) for l in untagged), untagged)

        second = login_raw()
        selected = second.ok(f"SELECT {folder}")
        self.assertIn(b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Later)", selected)
        self.assertIn(b"* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Work Later \\*)] "
                      b"Flags permitted", selected)
        self.assertEqual(fetches(second.ok("UID FETCH 1:* FLAGS"))[1][0], {"$Work", "Later"})
        self.assertEqual(search_numbers(second.ok("SEARCH KEYWORD $work")), [1])  # any case
        self.assertEqual(search_numbers(second.ok("SEARCH UNKEYWORD $Work")), [2])

        first.ok("STORE 1 -FLAGS (Later)")
        changed = fetches(second.ok("NOOP"))
        self.assertEqual(changed[1][0], {"$Work"})
        # imaplib: FLAGS replaces keywords too, and APPEND keeps them.
        m = login_lib()
        m.select(folder)
        typ, data = m.store("2", "FLAGS", "(\\Seen Urgent)")
        self.assertEqual(typ, "OK", data)
        typ, data = m.append(folder, "($Label1)", None, message("kept"))
        self.assertEqual(typ, "OK", data)
        typ, data = m.fetch("2:3", "(FLAGS)")
        self.assertIn(b"Urgent", data[0])
        self.assertIn(b"$Label1", data[1])
        m.logout()
        # A keyword that is not an atom is refused.
        _, reply = first.command("STORE 1 +FLAGS (bad\"name)")
        self.assertRegex(reply, rb"^t\d+ BAD")
        for c in (first, second):
            c.close()


class Recent(unittest.TestCase):
    def test_recent_goes_to_one_session_only(self):
        folder = new_folder(2)
        status = login_raw()
        self.assertIn(b"RECENT 2", status.ok(f"STATUS {folder} (RECENT)")[0])

        a = login_raw()
        self.assertIn(b"* 2 RECENT", a.ok(f"SELECT {folder}"))
        self.assertEqual(search_numbers(a.ok("SEARCH RECENT")), [1, 2])
        self.assertEqual(search_numbers(a.ok("SEARCH NEW")), [1, 2])
        self.assertIn("\\Recent", fetches(a.ok("UID FETCH 1 FLAGS"))[1][0])

        b = login_raw()
        self.assertIn(b"* 0 RECENT", b.ok(f"SELECT {folder}"))
        self.assertEqual(search_numbers(b.ok("SEARCH RECENT")), [])
        self.assertEqual(search_numbers(b.ok("SEARCH OLD")), [1, 2])
        self.assertNotIn("\\Recent", fetches(b.ok("UID FETCH 1 FLAGS"))[1][0])
        self.assertIn(b"RECENT 0", status.ok(f"STATUS {folder} (RECENT)")[0])

        # A new message is \Recent for the first session told of it.
        m = login_lib()
        m.append(folder, None, None, message("third"))
        m.logout()
        told_b = b.ok("NOOP")
        self.assertIn(b"* 3 EXISTS", told_b)
        self.assertIn(b"* 1 RECENT", told_b)
        told_a = a.ok("NOOP")
        self.assertIn(b"* 3 EXISTS", told_a)
        self.assertIn(b"* 2 RECENT", told_a)  # its own two; not the third
        self.assertEqual(search_numbers(a.ok("SEARCH RECENT")), [1, 2])
        self.assertEqual(search_numbers(b.ok("SEARCH RECENT")), [3])
        for c in (status, a, b):
            c.close()


class Condstore(unittest.TestCase):
    def test_changedsince_unchangedsince_search_and_status(self):
        folder = new_folder(3)
        c = login_raw()
        caps = c.ok("CAPABILITY")[0]
        self.assertIn(b" CONDSTORE", caps)
        self.assertIn(b" QRESYNC", caps)
        selected = c.ok(f"SELECT {folder} (CONDSTORE)")
        start = code(selected, "HIGHESTMODSEQ")
        modseqs = {uid: ms for uid, (_, ms) in fetches(c.ok("UID FETCH 1:* (MODSEQ)")).items()}
        self.assertEqual(sorted(modseqs), [1, 2, 3])
        self.assertEqual(max(modseqs.values()), start)

        stored = fetches(c.ok("UID STORE 2 +FLAGS (\\Flagged)"))
        self.assertIn("\\Flagged", stored[2][0])
        self.assertGreater(stored[2][1], start)  # the STORE's FETCH carries the new MODSEQ
        changed = fetches(c.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {start})"))
        self.assertEqual(list(changed), [2])
        self.assertEqual(changed[2][1], stored[2][1])

        # Another session changes message 3; a STORE conditional on 3's old MODSEQ
        # leaves 3 alone and says so, and still stores message 1.
        other = login_raw()
        other.ok(f"SELECT {folder}")
        other.ok("STORE 3 +FLAGS (\\Seen)")
        untagged, reply = c.command(f"STORE 1,3 (UNCHANGEDSINCE {modseqs[3]}) +FLAGS (\\Answered)")
        self.assertRegex(reply, rb"^t\d+ OK \[MODIFIED 3\]")
        self.assertTrue(any(re.match(rb"\* 1 FETCH .*MODSEQ \(\d+\)", l) and b"\\Answered" in l for l in untagged),
                        untagged)
        self.assertFalse(any(re.match(rb"\* 3 FETCH .*\\Answered", l) for l in untagged), untagged)
        self.assertNotIn("\\Answered", fetches(other.ok("UID FETCH 3 FLAGS"))[3][0])
        answered = fetches(c.ok("UID FETCH 1 (MODSEQ)"))[1][1]

        # SEARCH MODSEQ: the messages changed since, and the highest of their MODSEQs.
        # SEARCH works on what the session has been told: NOOP brings in the change to 3.
        self.assertIn(3, fetches(c.ok("NOOP")))
        found = c.ok(f"SEARCH MODSEQ {start + 1}")
        self.assertEqual(search_numbers(found), [1, 2, 3])
        highest = int(re.search(rb"\(MODSEQ (\d+)\)", found[0]).group(1))
        self.assertEqual(highest, answered)  # the last change
        self.assertEqual(search_numbers(c.ok(f"UID SEARCH MODSEQ {answered}")), [1])
        self.assertEqual(search_numbers(c.ok(f"SEARCH MODSEQ {answered + 1}")), [])

        # STATUS HIGHESTMODSEQ from a session that has no mailbox selected.
        s = login_raw()
        status = s.ok(f"STATUS {folder} (HIGHESTMODSEQ MESSAGES)")[0]
        current = int(re.search(rb"HIGHESTMODSEQ (\d+)", status).group(1))
        self.assertGreaterEqual(current, highest)
        self.assertGreater(current, start)
        # Flag changes from other sessions carry MODSEQ once CONDSTORE is on.
        other.ok("STORE 2 -FLAGS (\\Flagged)")
        noop = fetches(c.ok("NOOP"))
        self.assertIsNotNone(noop[2][1])
        self.assertGreater(noop[2][1], current)
        for x in (c, other, s):
            x.close()


class Qresync(unittest.TestCase):
    def select_qresync(self, folder, uidvalidity, modseq, known="1:*"):
        c = login_raw()
        self.assertIn(b"* ENABLED QRESYNC", c.ok("ENABLE QRESYNC"))
        known_uids = "" if known == "1:*" else " " + known
        return c, c.ok(f"SELECT {folder} (QRESYNC ({uidvalidity} {modseq}{known_uids}))")

    def test_qresync_select_after_another_session_expunged(self):
        folder = new_folder(4)
        c = login_raw()
        c.ok("ENABLE QRESYNC")
        selected = c.ok(f"SELECT {folder}")
        uidvalidity, start = code(selected, "UIDVALIDITY"), code(selected, "HIGHESTMODSEQ")
        c.ok("LOGOUT")
        c.close()

        other = login_lib()
        other.select(folder)
        other.uid("STORE", "1,3", "+FLAGS", "(\\Deleted)")
        other.expunge()
        other.uid("STORE", "4", "+FLAGS", "(\\Flagged)")

        again, selected = self.select_qresync(folder, uidvalidity, start, "1:4")
        self.assertEqual(vanished_earlier(selected), {1, 3})
        changed = fetches(selected)
        self.assertEqual(list(changed), [4])  # only what changed since `start`
        self.assertIn("\\Flagged", changed[4][0])
        self.assertGreater(code(selected, "HIGHESTMODSEQ"), start)
        self.assertIn(b"* 2 EXISTS", selected)

        # Once QRESYNC is on, an expunge elsewhere arrives as VANISHED, not EXPUNGE.
        other.uid("STORE", "2", "+FLAGS", "(\\Deleted)")
        other.expunge()
        noop = again.ok("NOOP")
        self.assertIn(b"* VANISHED 2", noop)
        self.assertFalse(any(b"EXPUNGE" in line for line in noop), noop)
        # UID FETCH ... (CHANGEDSINCE n VANISHED) names every UID gone since n.
        fetched = again.ok(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {start} VANISHED)")
        self.assertEqual(vanished_earlier(fetched), {1, 2, 3})
        self.assertEqual(list(fetches(fetched)), [4])
        # A stale UIDVALIDITY gets a plain SELECT: no VANISHED.
        stale, selected = self.select_qresync(folder, uidvalidity + 1, start)
        self.assertEqual(vanished_earlier(selected), set())
        # VANISHED needs QRESYNC enabled.
        plain = login_raw()
        plain.ok(f"SELECT {folder}")
        _, reply = plain.command(f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {start} VANISHED)")
        self.assertRegex(reply, rb"^t\d+ BAD")
        other.logout()
        for x in (again, stale, plain):
            x.close()

    def test_qresync_after_the_index_log_was_compacted(self):
        # Enough flag changes that the store rewrites its index log, dropping the
        # expunge records: the answer must still name the expunged UIDs.
        folder = new_folder(20)
        c = login_raw()
        c.ok("ENABLE QRESYNC")
        selected = c.ok(f"SELECT {folder}")
        uidvalidity, start = code(selected, "UIDVALIDITY"), code(selected, "HIGHESTMODSEQ")
        c.ok("UID STORE 5,6 +FLAGS.SILENT (\\Deleted)")
        c.ok("UID EXPUNGE 5:6")
        for i in range(60):
            c.ok(f"STORE 1:* {'+' if i % 2 == 0 else '-'}FLAGS.SILENT (\\Seen)")
        c.ok("LOGOUT")
        c.close()
        again, selected = self.select_qresync(folder, uidvalidity, start, "1:20")
        self.assertEqual(vanished_earlier(selected), {5, 6})
        self.assertEqual(len(fetches(selected)), 18)  # every message changed since
        again.close()


class Restart(unittest.TestCase):
    def test_highestmodseq_and_keywords_survive_a_restart(self):
        folder = new_folder(2)
        c = login_raw()
        c.ok("ENABLE QRESYNC")
        c.ok(f"SELECT {folder}")
        c.ok("STORE 1 +FLAGS ($Kept)")
        c.ok("UID STORE 2 +FLAGS (\\Deleted)")
        c.ok("EXPUNGE")
        status = c.ok(f"STATUS {folder} (HIGHESTMODSEQ UIDVALIDITY)")[0]
        before = int(re.search(rb"HIGHESTMODSEQ (\d+)", status).group(1))
        uidvalidity = int(re.search(rb"UIDVALIDITY (\d+)", status).group(1))
        c.close()

        INST.stop()
        INST.start()
        s = login_raw()
        status = s.ok(f"STATUS {folder} (HIGHESTMODSEQ UIDVALIDITY)")[0]
        self.assertGreaterEqual(int(re.search(rb"HIGHESTMODSEQ (\d+)", status).group(1)), before)
        self.assertEqual(int(re.search(rb"UIDVALIDITY (\d+)", status).group(1)), uidvalidity)
        s.ok("ENABLE QRESYNC")
        selected = s.ok(f"SELECT {folder} (QRESYNC ({uidvalidity} {before} 1:2))")
        self.assertGreaterEqual(code(selected, "HIGHESTMODSEQ"), before)
        self.assertEqual(vanished_earlier(selected), set())  # nothing new since `before`
        self.assertEqual(fetches(selected), {})
        self.assertEqual(fetches(s.ok("UID FETCH 1 FLAGS"))[1][0] - {"\\Recent"}, {"$Kept"})
        # New changes go on above the old highest.
        stored = fetches(s.ok("UID STORE 1 +FLAGS (\\Seen)"))
        self.assertGreater(stored[1][1], before)
        s.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
