"""IMAP mailboxes beyond INBOX, driven by Python's imaplib and curl against a real
dirmaild: CREATE/DELETE/RENAME/SUBSCRIBE, LIST and LSUB with hierarchy and special-use
attributes, the special-use folders made at first login, APPEND with flags and date,
COPY and MOVE with UIDPLUS codes checked against UID FETCH, [TRYCREATE], the APPEND
and mailbox limits, and names that try to leave the mailbox root."""
import base64
import imaplib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "imap_mailboxes"
LIMITED, LIMITED_PW, LIMIT = "limited@example.test", "limited-secret", 20000
APPEND_LIMIT = 100000  # smtp.max_message_size, which APPEND follows
INST = None


def setUpModule():
    global INST
    shutil.rmtree(STATE, ignore_errors=True)
    INST = DirmailInstance(STATE, smtp_settings=f"max_message_size = {APPEND_LIMIT}")
    INST.provision()
    INST.ctl("user", "add", LIMITED, "--limit", str(LIMIT), "--password-stdin", input=LIMITED_PW + "\n")
    INST.start()


def tearDownModule():
    INST.stop()


def mutf7(name):
    """Modified UTF-7 (RFC 3501 5.1.3), written here independently of the server."""
    out, run = [], []

    def flush():
        if run:
            b64 = base64.b64encode("".join(run).encode("utf-16-be")).decode().rstrip("=").replace("/", ",")
            out.append("&" + b64 + "-")
            run.clear()
    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)


def login(user, password=None):
    m = imaplib.IMAP4("127.0.0.1", INST.imap_port, timeout=30)
    m.login(user, password or USERS[user])
    return m


def listed(m, pattern="*", options=""):
    """{name: set of attributes} from LIST."""
    typ, data = m.list(f'{options}""'.strip(), pattern) if options else m.list('""', pattern)
    assert typ == "OK", data
    out = {}
    for line in data:
        if not line:
            continue
        mo = re.match(rb'\(([^)]*)\) "/" (.*)$', line)
        name = mo.group(2).decode()
        out[name.strip('"')] = set(mo.group(1).decode().split())
    return out


def message(subject, body=b"body\r\n"):
    return (f"From: a@example.org\r\nTo: b@example.test\r\nSubject: {subject}\r\n"
            f"Message-ID: <{uuid.uuid4()}@example.org>\r\n\r\n").encode() + body


def code_of(data):
    """The response code text of a tagged reply: b'[APPENDUID 5 1] ...' -> 'APPENDUID 5 1'."""
    mo = re.match(rb"\[([^\]]*)\]", data[0] or b"")
    return mo.group(1).decode() if mo else ""


def uids_of(uid_set):
    out = []
    for part in uid_set.split(","):
        lo, _, hi = part.partition(":")
        out.extend(range(int(lo), int(hi or lo) + 1))
    return out


def bodies(m, uids):
    """{uid: bytes} by UID FETCH BODY.PEEK[] in the selected mailbox."""
    typ, data = m.uid("FETCH", ",".join(map(str, uids)), "(BODY.PEEK[])")
    assert typ == "OK", data
    out = {}
    for item in data:
        if isinstance(item, tuple):
            out[int(re.search(rb"UID (\d+)", item[0]).group(1))] = item[1]
    return out


def mailbox_root(user):
    name, domain = user.split("@")
    return INST.folder / "mailboxes" / domain / name


def paths_outside(root):
    """Every path under the instance's mailboxes folder that is not inside `root`."""
    base = INST.folder / "mailboxes"
    return {p for p in base.rglob("*") if root not in p.parents and p != root}


class SpecialUseFolders(unittest.TestCase):
    def test_created_and_subscribed_at_first_login(self):
        user = "carol@example.test"
        self.assertFalse(mailbox_root(user).exists())  # never logged in, never delivered to
        m = login(user)
        folders = listed(m)
        self.assertEqual(set(folders), {"INBOX", "Drafts", "Junk", "Sent", "Trash"})
        for name in ("Drafts", "Junk", "Sent", "Trash"):
            self.assertIn("\\" + name, folders[name])
            self.assertIn("\\HasNoChildren", folders[name])
        self.assertNotIn("\\Sent", folders["INBOX"])
        self.assertEqual(set(listed(m, "*", "(SPECIAL-USE) ")), {"Drafts", "Junk", "Sent", "Trash"})
        typ, data = m.lsub()
        self.assertEqual(typ, "OK")
        self.assertEqual({line.split(b'"/" ')[1].decode() for line in data},
                         {"INBOX", "Drafts", "Junk", "Sent", "Trash"})
        self.assertIn("SPECIAL-USE", m.capabilities)
        m.logout()
        self.assertIn("special-use folder created", INST.log_text("imap"))


class Hierarchy(unittest.TestCase):
    def test_create_list_rename_delete(self):
        m = login("alice@example.test")
        self.assertEqual(m.create("Projects/")[0], "OK")  # a trailing delimiter is allowed
        self.assertEqual(m.create("Projects/2024")[0], "OK")
        typ, data = m.create("Projects")
        self.assertEqual((typ, code_of(data)), ("NO", "ALREADYEXISTS"))
        self.assertEqual(m.create("INBOX/Later")[0], "OK")
        umlaut = mutf7("Entwürfe-Ä&Ö")
        self.assertEqual(m.create(umlaut)[0], "OK")
        self.assertEqual(m.create("deep/er/still")[0], "OK")

        folders = listed(m)
        self.assertIn("\\HasChildren", folders["Projects"])
        self.assertIn("\\HasNoChildren", folders["Projects/2024"])
        self.assertIn("\\HasChildren", folders["INBOX"])
        self.assertIn(umlaut, folders)
        top = listed(m, "%")
        self.assertEqual(top["deep"], {"\\Noselect", "\\HasChildren"})  # an implied parent
        self.assertNotIn("Projects/2024", top)
        self.assertEqual(set(listed(m, "%", '() ')["deep"]), {"\\NonExistent", "\\HasChildren"})

        typ, data = m.select("deep")
        self.assertEqual((typ, code_of(data)), ("NO", "NONEXISTENT"))
        typ, data = m.delete("Projects")
        self.assertEqual((typ, code_of(data)), ("NO", "HASCHILDREN"))
        typ, data = m.delete("INBOX")
        self.assertEqual(typ, "NO")
        typ, data = m.delete("Nothing")
        self.assertEqual((typ, code_of(data)), ("NO", "NONEXISTENT"))

        self.assertEqual(m.subscribe("Projects/2024")[0], "OK")
        self.assertEqual(m.rename("Projects", "Archive")[0], "OK")
        folders = listed(m)
        self.assertIn("Archive/2024", folders)
        self.assertNotIn("Projects", folders)
        typ, data = m.lsub('""', "Archive/*")
        self.assertEqual(data, [b'() "/" Archive/2024'])  # the subscription followed the rename
        typ, data = m.rename("Archive", "Sent")
        self.assertEqual((typ, code_of(data)), ("NO", "ALREADYEXISTS"))
        self.assertEqual(m.delete("Archive/2024")[0], "OK")
        self.assertEqual(m.delete("Archive")[0], "OK")
        self.assertEqual(m.unsubscribe("Archive/2024")[0], "OK")
        self.assertNotIn("Archive", listed(m))
        typ, data = m.status(umlaut, "(MESSAGES UIDNEXT)")
        self.assertEqual(typ, "OK")
        self.assertIn(f"{umlaut} (MESSAGES 0 UIDNEXT 1)".encode(), data[0])
        m.logout()


class AppendCopyMove(unittest.TestCase):
    def test_append_with_flags_and_date_then_fetch_back(self):
        m = login("bob@example.test")
        original = message("appended", b"line one\r\n.dot line\r\n")
        typ, data = m.append("Sent", "(\\Seen \\Answered)", '"17-Jul-1996 02:44:25 -0700"', original)
        self.assertEqual(typ, "OK", data)
        code = code_of(data).split()
        self.assertEqual(code[0], "APPENDUID")
        uidvalidity, uid = int(code[1]), int(code[2])

        typ, data = m.select("Sent")
        self.assertEqual(typ, "OK")
        self.assertEqual(int(m.response("UIDVALIDITY")[1][0]), uidvalidity)
        typ, data = m.uid("FETCH", str(uid), "(FLAGS INTERNALDATE RFC822.SIZE BODY.PEEK[])")
        self.assertEqual(typ, "OK")
        head, body = data[0]
        self.assertEqual(body, original)
        self.assertIn(b'INTERNALDATE "17-Jul-1996 09:44:25 +0000"', head)
        # This SELECT is the first to be told of the message: \Recent too.
        self.assertEqual(sorted(re.search(rb"FLAGS \(([^)]*)\)", head).group(1).split()),
                         [b"\\Answered", b"\\Recent", b"\\Seen"])
        self.assertIn(f"RFC822.SIZE {len(original)}".encode(), head)

        # Larger than any other literal may be (64 KiB), within APPENDLIMIT.
        large = message("large", b"x" * 78 + b"\r\n" * 1 + (b"y" * 98 + b"\r\n") * 900)
        typ, data = m.append("INBOX", None, None, large)
        self.assertEqual(typ, "OK", data)
        m.select("INBOX", readonly=True)
        self.assertEqual(bodies(m, [int(code_of(data).split()[2])]), {int(code_of(data).split()[2]): large})

        typ, data = m.append("Nowhere", None, None, original)
        self.assertEqual((typ, code_of(data)), ("NO", "TRYCREATE"))
        self.assertIn(f"APPENDLIMIT={APPEND_LIMIT}", m.capabilities)
        typ, data = m.append("INBOX", None, None, message("too big", b"z" * APPEND_LIMIT))
        self.assertEqual(typ, "NO")
        self.assertIn(b"[TOOBIG]", data[0])
        self.assertEqual(m.noop()[0], "OK")  # refused before the literal: still in step
        m.logout()

    def test_non_synchronizing_literal_over_the_limit_ends_the_session(self):
        with socket.create_connection(("127.0.0.1", INST.imap_port), timeout=30) as s:
            f = s.makefile("rb")
            f.readline()
            s.sendall(f'a LOGIN dave@example.test "{USERS["dave@example.test"]}"\r\n'.encode())
            while not f.readline().startswith(b"a "):
                pass
            s.sendall(f"b APPEND INBOX {{{APPEND_LIMIT + 1}+}}\r\n".encode())
            self.assertTrue(f.readline().startswith(b"b NO [TOOBIG]"))
            self.assertTrue(f.readline().startswith(b"* BYE [TOOBIG]"))
            self.assertEqual(f.readline(), b"")

    def test_copy_and_move_report_uids(self):
        m = login("dave@example.test")
        sent = [message(f"m{i}") for i in range(4)]
        for msg in sent:
            self.assertEqual(m.append("INBOX", None, None, msg)[0], "OK")
        self.assertEqual(m.create("Keep")[0], "OK")
        m.select("INBOX")
        typ, data = m.uid("SEARCH", None, "ALL")
        uids = [int(u) for u in data[0].split()][-4:]
        source = bodies(m, uids)

        typ, data = m.uid("COPY", f"{uids[0]}:{uids[1]}", "Keep")
        self.assertEqual(typ, "OK")
        copyuid = m.response("COPYUID")[1][0].decode().split()
        self.assertEqual(uids_of(copyuid[1]), uids[:2])
        copies = uids_of(copyuid[2])

        typ, data = m.uid("MOVE", f"{uids[2]}:{uids[3]}", "Trash")
        self.assertEqual(typ, "OK")
        moved = m.response("COPYUID")[1][0].decode().split()
        self.assertEqual(uids_of(moved[1]), uids[2:])
        expunged = m.response("EXPUNGE")[1]
        self.assertEqual(len(expunged), 2)
        typ, data = m.uid("SEARCH", None, "ALL")
        self.assertFalse(set(uids[2:]) & {int(u) for u in data[0].split()})  # gone from INBOX

        typ, data = m.copy("1", "Nowhere")
        self.assertEqual((typ, code_of(data)), ("NO", "TRYCREATE"))

        m.select("Keep", readonly=True)
        self.assertEqual(int(m.response("UIDVALIDITY")[1][0]), int(copyuid[0]))
        got = bodies(m, copies)
        self.assertEqual([got[u] for u in copies], [source[u] for u in uids[:2]])
        m.select("Trash", readonly=True)
        self.assertEqual(int(m.response("UIDVALIDITY")[1][0]), int(moved[0]))
        got = bodies(m, uids_of(moved[2]))
        self.assertEqual([got[u] for u in uids_of(moved[2])], [source[u] for u in uids[2:]])
        m.logout()

    def test_mailbox_limit(self):
        m = login(LIMITED, LIMITED_PW)
        self.assertEqual(m.append("INBOX", None, None, message("fits", b"a" * 12000))[0], "OK")
        typ, data = m.append("Sent", None, None, message("over", b"b" * 12000))
        self.assertEqual((typ, code_of(data)), ("NO", "OVERQUOTA"))
        m.select("INBOX")
        typ, data = m.copy("1", "Trash")
        self.assertEqual((typ, code_of(data)), ("NO", "OVERQUOTA"))
        typ, data = m.uid("MOVE", "1:*", "Trash")  # moving adds nothing: allowed when full
        self.assertEqual(typ, "OK")
        m.logout()


class Traversal(unittest.TestCase):
    PROBES = ["../x", "a/../b", "&AC4ALgAv-", "\\", "..", "/etc", "a//b", "&AC4ALgAv-x", "x/&AC4ALg-",
              "&AFw-evil", ".", "Sent/../../../x"]

    def test_names_that_leave_the_mailbox_root_are_refused(self):
        user = "erin@example.test"
        m = login(user)
        root = mailbox_root(user)
        before_folders = listed(m)
        before_outside = paths_outside(root)
        for probe in self.PROBES:
            quoted = '"' + probe.replace("\\", "\\\\") + '"'
            for typ, data in (m.create(quoted), m.select(quoted), m.rename("Junk", quoted),
                              m.append(quoted, None, None, message("probe")), m.status(quoted, "(MESSAGES)"),
                              m.subscribe(quoted)):
                self.assertEqual(typ, "NO", (probe, data))
                self.assertIn(b"[CANNOT]", data[0], probe)
        self.assertEqual(listed(m), before_folders)
        m.logout()
        self.assertEqual(paths_outside(root), before_outside)
        for p in INST.folder.rglob("*"):
            self.assertNotIn(p.name, ("x", "b", "evil", "\\"), p)
        self.assertIn("mailbox name refused", INST.log_text("imap"))


class Curl(unittest.TestCase):
    def test_curl_lists_and_fetches_a_folder(self):
        user = "grace@example.test"
        m = login(user)
        self.assertEqual(m.create("Reports")[0], "OK")
        original = message("for curl", b"read by curl\r\n")
        typ, data = m.append("Reports", None, None, original)
        uid = int(code_of(data).split()[2])
        m.logout()
        auth = ["-u", f"{user}:{USERS[user]}"]
        r = subprocess.run(["curl", "-sS", "--max-time", "30", f"imap://127.0.0.1:{INST.imap_port}/", *auth],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertRegex(r.stdout.decode(), r'\* LIST \([^)]*\) "/" Reports')
        r = subprocess.run(["curl", "-sS", "--max-time", "30",
                            f"imap://127.0.0.1:{INST.imap_port}/Reports;UID={uid}", *auth],
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr.decode())
        self.assertEqual(r.stdout, original)


if __name__ == "__main__":
    unittest.main(verbosity=2)
