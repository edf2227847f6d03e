"""Issue 8's concurrency acceptance: two IMAP sessions, SMTP delivery and POP3 sessions on
one mailbox, against a real dirmaild. Session A idles and is told of every change as it
happens (EXISTS, FETCH FLAGS, EXPUNGE), session B flags and expunges, POP3 lists the same
messages and removes some at QUIT while IMAP keeps working, and through all of it and a
restart of dirmaild no UID comes back, UIDVALIDITY stays and POP3's UIDLs stay."""
import os
import poplib
import re
import shutil
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from imap_line_client import ImapLineClient  # noqa: E402
from mail_clients import send_tagged  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "imap_concurrency"
ALICE = "alice@example.test"
# Issue 8 asks for a push within a second of delivery; the margin is for a sanitizer build on
# a busy machine. Without the push, IDLE would only notice at its 30 s poll of the folder.
PUSH_WITHIN = 3.0
# A change made by another session of the same dirmaild reaches an idle session at its next
# check (once a second).
TOLD_WITHIN = 3.0
INST = None


def setUpModule():
    global INST
    shutil.rmtree(STATE, ignore_errors=True)
    INST = DirmailInstance(STATE)
    INST.provision()
    INST.start()


def tearDownModule():
    INST.stop()


def imap_session():
    client = ImapLineClient(INST.imap_port)
    client.login(ALICE, USERS[ALICE])
    return client


def selected(client):
    """SELECT INBOX: (EXISTS, UIDVALIDITY, UIDNEXT)."""
    text = b"\n".join(client.ok("SELECT INBOX"))
    return tuple(int(re.search(pattern, text).group(1))
                 for pattern in (rb"\* (\d+) EXISTS", rb"UIDVALIDITY (\d+)", rb"UIDNEXT (\d+)"))


def status(client):
    """STATUS INBOX: {"MESSAGES": n, "UIDNEXT": n, "UIDVALIDITY": n}."""
    line = client.ok("STATUS INBOX (MESSAGES UIDNEXT UIDVALIDITY)")[0]
    return {k.decode(): int(v) for k, v in re.findall(rb"([A-Z]+) (\d+)", line.split(b"(", 1)[1])}


def shared(lines):
    """Untagged lines but RECENT, which counts what is new to one session only (RFC 3501 7.3.2)."""
    return [line for line in lines if not re.fullmatch(rb"\* \d+ RECENT", line)]


def fetched(line):
    """An untagged FETCH as (sequence number, {"UID": .., "FLAGS": [..], "SUBJECT": ..})."""
    found = re.match(rb"\* (\d+) FETCH \((.*)\)$", line, re.S)
    items = {}
    if (uid := re.search(rb"UID (\d+)", found.group(2))):
        items["UID"] = int(uid.group(1))
    if (flags := re.search(rb"FLAGS \(([^)]*)\)", found.group(2))):
        # \Recent belongs to one session (RFC 3501 2.3.2); the test follows the shared flags.
        items["FLAGS"] = sorted(f for f in flags.group(1).decode().split() if f != "\\Recent")
    if (subject := re.search(rb"Subject: (\S+)", found.group(2))):
        items["SUBJECT"] = subject.group(1).decode()
    return int(found.group(1)), items


def mailbox_view(client):
    """The selected mailbox as the client sees it: [(UID, subject, flags, size)] by sequence."""
    lines = client.ok("FETCH 1:* (UID FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    view = []
    for line in shared(lines):
        seq, items = fetched(line)
        size = int(re.search(rb"RFC822.SIZE (\d+)", line).group(1))
        assert seq == len(view) + 1, lines
        view.append((items["UID"], items["SUBJECT"], items["FLAGS"], size))
    return view


def pop3_session():
    client = poplib.POP3("127.0.0.1", INST.pop3_port, timeout=30)
    try:
        client.user(ALICE)
        client.pass_(USERS[ALICE])
    except poplib.error_proto:
        client.close()
        raise
    return client


def pop3_view(client):
    """The maildrop as POP3 lists it: [(number, UIDL, subject, size)]."""
    uidls = dict(entry.decode().split() for entry in client.uidl()[1])
    sizes = dict(entry.decode().split() for entry in client.list()[1])
    view = []
    for number, uidl in uidls.items():
        headers = client.top(int(number), 0)[1]
        subject = next(h.decode().split(" ", 1)[1] for h in headers if h.startswith(b"Subject: "))
        view.append((int(number), uidl, subject, int(sizes[number])))
    return view


def deliver(tag):
    """`tag` sent to alice by SMTP; the time of the 250."""
    send_tagged(INST.smtp_port, ALICE, tag)
    return time.monotonic()


class OneMailboxManySessions(unittest.TestCase):
    def test_imap_sessions_delivery_and_pop3_stay_consistent(self):
        tags = {name: f"{name}-{uuid.uuid4().hex[:8]}" for name in ("m1", "m2", "m3", "m4", "m5", "m6")}
        uid_of = {}  # every message's UID, in delivery order: none may come back

        # Three messages, then A and B select the same INBOX.
        b = imap_session()
        self.addCleanup(b.close)
        for count, name in enumerate(("m1", "m2", "m3"), 1):  # one by one: the queue delivers in parallel
            deliver(tags[name])
            self.assertTrue(wait_for(lambda: status(b)["MESSAGES"] == count, timeout=30), status(b))
        a = imap_session()
        self.addCleanup(a.close)
        exists, uidvalidity, uidnext = selected(a)
        self.assertEqual(exists, 3)
        self.assertEqual(selected(b), (3, uidvalidity, uidnext))
        view = mailbox_view(a)
        self.assertEqual([subject for _, subject, _, _ in view], [tags["m1"], tags["m2"], tags["m3"]])
        for (uid, _, flags, _), name in zip(view, ("m1", "m2", "m3")):
            uid_of[name] = uid
            self.assertEqual(flags, [])
        self.assertEqual(sorted(uid_of.values()), list(uid_of.values()))
        self.assertLess(max(uid_of.values()), uidnext)

        # A idles; a delivery is pushed to it as EXISTS.
        a.idle()
        delivered = deliver(tags["m4"])
        a.wait_untagged(rb"\* 4 EXISTS", PUSH_WITHIN)
        pushed_after = time.monotonic() - delivered
        self.assertEqual(shared(a.done()), [])
        view = mailbox_view(a)
        self.assertEqual(view[3][1], tags["m4"])
        uid_of["m4"] = view[3][0]
        self.assertGreaterEqual(uid_of["m4"], uidnext)  # above what SELECT predicted, and so above all before

        # B learns of m4 at NOOP, then marks m1 read and m2 deleted; A, idling, is told of both.
        self.assertEqual(shared(b.ok("NOOP")), [b"* 4 EXISTS"])
        a.idle()
        stored = b.ok(f"UID STORE {uid_of['m1']} +FLAGS (\\Seen)") + b.ok(f"UID STORE {uid_of['m2']} +FLAGS (\\Deleted)")
        self.assertEqual([fetched(line)[1]["FLAGS"] for line in shared(stored)], [["\\Seen"], ["\\Deleted"]])
        told = {}
        while len(told) < 2:
            found, _ = a.wait_untagged(rb"\* \d+ FETCH .*", TOLD_WITHIN)
            seq, items = fetched(found.group(0))
            told[seq] = items
        self.assertEqual(told, {1: {"UID": uid_of["m1"], "FLAGS": ["\\Seen"]},
                                2: {"UID": uid_of["m2"], "FLAGS": ["\\Deleted"]}})

        # B expunges m2: B gets its EXPUNGE in the reply, A while idling.
        self.assertEqual(shared(b.ok("EXPUNGE")), [b"* 2 EXPUNGE"])
        a.wait_untagged(rb"\* 2 EXPUNGE", TOLD_WITHIN)
        self.assertIn(shared(a.done()), ([], [b"* 3 EXISTS"]))  # a count after EXPUNGE is allowed, and must be right
        self.assertEqual([(uid, subject, flags) for uid, subject, flags, _ in mailbox_view(a)],
                         [(uid_of["m1"], tags["m1"], ["\\Seen"]), (uid_of["m3"], tags["m3"], []),
                          (uid_of["m4"], tags["m4"], [])])
        imap_sizes = {subject: size for _, subject, _, size in mailbox_view(b)}

        # POP3 lists the same three messages, with the same sizes as IMAP's RFC822.SIZE.
        pop = pop3_session()
        self.addCleanup(pop.close)
        first_pop3 = pop3_view(pop)
        self.assertEqual([(number, subject) for number, _, subject, _ in first_pop3],
                         [(1, tags["m1"]), (2, tags["m3"]), (3, tags["m4"])])
        self.assertEqual({subject: size for _, _, subject, size in first_pop3}, imap_sizes)
        self.assertEqual(len({uidl for _, uidl, _, _ in first_pop3}), 3)
        uidl_of = {subject: uidl for _, uidl, subject, _ in first_pop3}

        # While POP3 holds the maildrop, a second POP3 session is refused, but IMAP works on:
        # a new session selects, B flags m4, a delivery reaches A (idling), POP3's own list
        # stays as it was at its login (RFC 1939).
        with self.assertRaises(poplib.error_proto) as refused:
            pop3_session()
        self.assertTrue(refused.exception.args[0].startswith(b"-ERR [IN-USE]"), refused.exception.args[0])
        c = imap_session()
        self.assertEqual(selected(c)[:2], (3, uidvalidity))
        c.ok("LOGOUT")
        c.close()
        a.idle()
        self.assertEqual(len(shared(b.ok(f"UID STORE {uid_of['m4']} +FLAGS (\\Flagged)"))), 1)
        found, _ = a.wait_untagged(rb"\* 3 FETCH .*", TOLD_WITHIN)
        self.assertEqual(fetched(found.group(0))[1], {"UID": uid_of["m4"], "FLAGS": ["\\Flagged"]})
        deliver(tags["m5"])
        a.wait_untagged(rb"\* 4 EXISTS", PUSH_WITHIN)
        self.assertEqual(pop.stat()[0], 3)

        # POP3 deletes m3 at QUIT: A (idling) and B (at NOOP) are told; m3 is gone for IMAP.
        self.assertTrue(pop.dele(2).startswith(b"+OK"))
        self.assertTrue(pop.quit().startswith(b"+OK"))
        a.wait_untagged(rb"\* 2 EXPUNGE", TOLD_WITHIN)
        self.assertIn(b"* 2 EXPUNGE", b.ok("NOOP"))
        self.assertIn(shared(a.done()), ([], [b"* 3 EXISTS"]))
        view = mailbox_view(a)
        self.assertEqual([subject for _, subject, _, _ in view], [tags["m1"], tags["m4"], tags["m5"]])
        uid_of["m5"] = view[2][0]
        self.assertEqual(mailbox_view(b), view)

        # A new POP3 session: m1's and m4's UIDLs are those of the first session; m5 is new.
        # It deletes m5, the newest message, so that the restart below has to remember UIDs
        # above every message left.
        pop = pop3_session()
        self.addCleanup(pop.close)
        second_pop3 = pop3_view(pop)
        self.assertEqual([(subject, uidl) for _, uidl, subject, _ in second_pop3[:2]],
                         [(tags["m1"], uidl_of[tags["m1"]]), (tags["m4"], uidl_of[tags["m4"]])])
        self.assertEqual(second_pop3[2][2], tags["m5"])
        self.assertNotIn(second_pop3[2][1], uidl_of.values())
        uidl_of[tags["m5"]] = second_pop3[2][1]
        pop.dele(3)
        self.assertTrue(pop.quit().startswith(b"+OK"))
        self.assertIn(b"* 3 EXPUNGE", a.ok("NOOP"))
        self.assertIn(b"* 3 EXPUNGE", b.ok("NOOP"))
        for client in (a, b):
            client.ok("LOGOUT")
            client.close()

        # After a restart: the same UIDVALIDITY, UIDs, flags and UIDLs; a new delivery gets a
        # UID above every earlier one, m5's included.
        INST.stop()
        INST.start()
        a = imap_session()
        self.assertEqual(status(a)["MESSAGES"], 2)
        deliver(tags["m6"])
        self.assertTrue(wait_for(lambda: status(a)["MESSAGES"] == 3, timeout=30), status(a))
        self.assertEqual(selected(a)[1], uidvalidity)
        view = mailbox_view(a)
        self.assertEqual([(uid, subject, flags) for uid, subject, flags, _ in view[:2]],
                         [(uid_of["m1"], tags["m1"], ["\\Seen"]), (uid_of["m4"], tags["m4"], ["\\Flagged"])])
        self.assertEqual(view[2][1], tags["m6"])
        uid_of["m6"] = view[2][0]
        self.assertEqual(sorted(uid_of.values()), list(uid_of.values()))
        self.assertEqual(len(set(uid_of.values())), len(uid_of), uid_of)
        a.ok("LOGOUT")
        a.close()
        pop = pop3_session()
        third_pop3 = pop3_view(pop)
        pop.quit()
        self.assertEqual([(subject, uidl) for _, uidl, subject, _ in third_pop3[:2]],
                         [(tags["m1"], uidl_of[tags["m1"]]), (tags["m4"], uidl_of[tags["m4"]])])
        self.assertNotIn(third_pop3[2][1], uidl_of.values())

        # A message IMAP expunges after a POP3 session listed it: RETR says it is gone
        # for good, not "[SYS/TEMP] try again later".
        pop = pop3_session()
        self.addCleanup(pop.close)
        self.assertEqual(pop3_view(pop)[0][2], tags["m1"])
        a = imap_session()
        selected(a)
        a.ok(f"UID STORE {uid_of['m1']} +FLAGS.SILENT (\\Deleted)")
        a.ok("EXPUNGE")
        with self.assertRaises(poplib.error_proto) as gone:
            pop.retr(1)
        self.assertEqual(gone.exception.args[0], b"-ERR This message was deleted by another session")
        self.assertTrue(pop.retr(2)[0].startswith(b"+OK"))
        pop.quit()
        a.ok("LOGOUT")
        a.close()
        print(f"delivery pushed to IDLE after {pushed_after:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
