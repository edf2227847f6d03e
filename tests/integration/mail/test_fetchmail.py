"""fetchmail, the classic mail retriever, fetches a user's mail from dirmaild the way a
site's scripts do: over POP3 (UIDL, RETR, DELE) and over IMAP (FETCH, STORE \\Deleted,
EXPUNGE), handing each message to a delivery command. Every message arrives once,
whole, and leaves the server; a second run finds no mail (fetchmail's exit status 1)."""
import os
import shutil
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from mail_clients import send  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "fetchmail"
SERVER = None


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    SERVER = DirmailInstance(STATE / "server")
    SERVER.provision()
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()


def inbox_count(user):
    """Messages in the user's INBOX, as POP3 STAT reports them."""
    import poplib
    client = poplib.POP3("127.0.0.1", SERVER.pop3_port, timeout=30)
    try:
        client.user(user)
        client.pass_(USERS[user])
        return client.stat()[0]
    finally:
        client.quit()


def fetchmail(protocol, port, user, out):
    """One fetchmail run; returns its exit status and output. Each message goes to its
    own file in `out` through the MDA."""
    rc = out.parent / f"fetchmailrc-{protocol}"
    rc.write_text(f'poll 127.0.0.1 service {port} protocol {protocol} auth password\n'
                  f'  user "{user}" password "{USERS[user]}" is root here\n'
                  f'  sslproto "" mda "/bin/sh -c \'cat > {out}/msg-$$.eml\'"\n')
    rc.chmod(0o600)
    r = subprocess.run(["fetchmail", "--fetchmailrc", str(rc), "--nosyslog", "--nokeep", "--pidfile",
                        str(out.parent / f"fetchmail-{protocol}.pid")],
                       capture_output=True, text=True, timeout=120, env={**os.environ, "FETCHMAILHOME": str(out.parent)})
    return r.returncode, r.stdout + r.stderr


class Fetchmail(unittest.TestCase):
    def fetch_all(self, protocol, port, user):
        tags = [f"{protocol}-{i}-{uuid.uuid4().hex}" for i in range(3)]
        for tag in tags:
            body = f"From: a@example.org\r\nTo: {user}\r\nSubject: {tag}\r\n\r\n.{tag} starts with a dot\r\n".encode()
            self.assertEqual(send(SERVER.smtp_port, "a@example.org", [user], body), {})
        self.assertTrue(wait_for(lambda: inbox_count(user) == len(tags)), "the messages did not arrive")
        out = STATE / protocol / "out"
        out.mkdir(parents=True)
        status, output = fetchmail(protocol, port, user, out)
        self.assertEqual(status, 0, output)
        fetched = [p.read_bytes() for p in out.iterdir()]
        for tag in tags:
            found = [m for m in fetched if f"Subject: {tag}".encode() in m]
            self.assertEqual(len(found), 1, output)
            self.assertIn(f"\n.{tag} starts with a dot".encode(), found[0])  # dot-unstuffed, whole
        self.assertEqual(len(fetched), len(tags), output)
        self.assertEqual(inbox_count(user), 0, "fetched mail leaves the server")
        status, output = fetchmail(protocol, port, user, out)
        self.assertEqual(status, 1, output)  # 1: no mail
        self.assertEqual(len(list(out.iterdir())), len(tags))

    def test_pop3(self):
        self.fetch_all("POP3", SERVER.pop3_port, "carol@example.test")

    def test_imap(self):
        self.fetch_all("IMAP", SERVER.imap_port, "dave@example.test")


if __name__ == "__main__":
    unittest.main()
