"""A large IMAP APPEND against a real dirmaild, sent by Python's imaplib: the message
goes to an anonymous file in server.data_dir/tmp as it arrives, not into memory. It is
stored byte for byte, the daemon's peak RSS grows by far less than the message, and a
connection cut in the middle of the literal leaves no message and no file behind."""
import base64
import hashlib
import imaplib
import os
import random
import re
import shutil
import socket
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "imap_append_spool"
USER = "dave@example.test"
MESSAGE_SIZE = 20 * 1024 * 1024
INST = None


def setUpModule():
    global INST
    shutil.rmtree(STATE, ignore_errors=True)
    INST = DirmailInstance(STATE)  # APPENDLIMIT follows smtp.max_message_size: 25 MiB
    INST.provision()
    INST.start()


def tearDownModule():
    INST.stop()


def large_message(size):
    """CRLF lines of base64 (imaplib turns bare LFs into CRLF), `size` bytes in all."""
    rng = random.Random(7)
    head = b"From: a@example.org\r\nTo: dave@example.test\r\nSubject: large\r\n\r\n"
    lines = [head]
    total = len(head)
    while total < size:
        line = base64.b64encode(rng.randbytes(57)) + b"\r\n"  # 78 bytes
        lines.append(line)
        total += len(line)
    body = b"".join(lines)
    return body[:size - 2] + b"\r\n"


def spool_dir():
    return INST.folder / "tmp"  # server.data_dir is the instance folder


def status_kib(field):
    """A field of /proc/<dirmaild>/status, in KiB."""
    text = Path(f"/proc/{INST.pid()}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def open_spool_files():
    """The daemon's open files in the spool folder (an anonymous file shows as "tmp/#n (deleted)")."""
    prefix = str(spool_dir().resolve()) + "/"
    found = []
    fd_dir = Path(f"/proc/{INST.pid()}/fd")
    for fd in fd_dir.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue  # closed meanwhile
        if target.startswith(prefix):
            found.append(target)
    return found


def message_count(folder="INBOX"):
    m = imaplib.IMAP4("127.0.0.1", INST.imap_port, timeout=60)
    m.login(USER, USERS[USER])
    typ, data = m.status(folder, "(MESSAGES)")
    m.logout()
    assert typ == "OK", data
    return int(re.search(rb"MESSAGES (\d+)", data[0]).group(1))


class LargeAppend(unittest.TestCase):
    def test_stored_byte_exact_without_holding_it_in_memory(self):
        original = large_message(MESSAGE_SIZE)
        m = imaplib.IMAP4("127.0.0.1", INST.imap_port, timeout=120)
        m.login(USER, USERS[USER])
        self.assertIn(f"APPENDLIMIT={25 * 1024 * 1024}", m.capabilities)
        # Peak RSS from here on: writing 5 to clear_refs resets VmHWM to the current RSS.
        Path(f"/proc/{INST.pid()}/clear_refs").write_text("5")
        rss_before = status_kib("VmRSS")
        typ, data = m.append("INBOX", "(\\Seen)", None, original)
        peak_growth = (status_kib("VmHWM") - rss_before) * 1024
        self.assertEqual(typ, "OK", data)
        self.assertIn(b"[APPENDUID ", data[0])
        # The in-memory framing held the whole literal (20 MiB, plus ASan's shadow); the
        # spooled one holds a 32 KiB piece at a time.
        self.assertLess(peak_growth, MESSAGE_SIZE // 4,
                        f"dirmaild's peak RSS grew by {peak_growth} bytes during a {MESSAGE_SIZE}-byte APPEND")

        uid = int(re.search(rb"APPENDUID \d+ (\d+)", data[0]).group(1))
        m.select("INBOX", readonly=True)
        typ, data = m.uid("FETCH", str(uid), "(RFC822.SIZE BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        item = next(d for d in data if isinstance(d, tuple))
        self.assertIn(f"RFC822.SIZE {MESSAGE_SIZE}".encode(), item[0])
        self.assertEqual(len(item[1]), MESSAGE_SIZE)
        self.assertEqual(hashlib.sha256(item[1]).hexdigest(), hashlib.sha256(original).hexdigest())
        m.logout()
        self.assertEqual(list(spool_dir().iterdir()), [])  # made on first use, holds no file
        self.assertEqual(open_spool_files(), [])

    def test_cut_connection_leaves_no_message_and_no_file(self):
        before = message_count()
        with socket.create_connection(("127.0.0.1", INST.imap_port), timeout=60) as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(f'a LOGIN {USER} "{USERS[USER]}"\r\n'.encode())
            while not f.readline().startswith(b"a "):
                pass
            s.sendall(f"b APPEND INBOX {{{MESSAGE_SIZE}}}\r\n".encode())
            self.assertEqual(f.readline(), b"+ Ready for literal data\r\n")
            s.sendall(large_message(MESSAGE_SIZE)[:5 * 1024 * 1024])
            # The bytes that came go to a file with no name.
            self.assertTrue(wait_for(lambda: len(open_spool_files()) == 1, timeout=30), open_spool_files())
            self.assertTrue(open_spool_files()[0].endswith(" (deleted)"), open_spool_files())
            self.assertEqual(list(spool_dir().iterdir()), [])
            f.close()  # else the socket stays open behind its file object
        # Closed mid-literal: the session ends and its file with it.
        self.assertTrue(wait_for(lambda: open_spool_files() == [], timeout=30), open_spool_files())
        self.assertEqual(list(spool_dir().iterdir()), [])
        self.assertEqual(message_count(), before)
        inbox_tmp = INST.folder / "mailboxes" / "example.test" / "dave" / "tmp"
        self.assertEqual(list(inbox_tmp.iterdir()) if inbox_tmp.exists() else [], [])


if __name__ == "__main__":
    unittest.main()
