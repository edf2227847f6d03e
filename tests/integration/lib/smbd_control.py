"""The smbd of the `smbd` fixture (fixtures/smbd.py), as the tests that run against it
see it: its description (DIRMAIL_SMBD_FIXTURE names the fixture.json ctest passes),
restarting or stopping it, a message to send through it, and a test case base with a
dirmaild whose mailboxes are on the share."""
import contextlib
import json
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import unittest
import uuid
from pathlib import Path

from dirmail_instance import USERS, DirmailInstance
from mail_clients import pop3_fetch_all
from polling import wait_for
from small_filesystems import mount_tmpfs, unmount

SMBD_SCRIPT = Path(__file__).resolve().parents[1] / "fixtures" / "smbd.py"


def fixture_file():
    return Path(os.environ["DIRMAIL_SMBD_FIXTURE"])


def fixture():
    """The fixture's description: address, share, share_folder, credentials_file, pid, ..."""
    return json.loads(fixture_file().read_text())


def smbd(action):
    """Runs a fixture action: restart, withdraw-share, offer-share, ..."""
    subprocess.run([sys.executable, str(SMBD_SCRIPT), action, "--state", str(fixture_file().parent)], check=True,
                   capture_output=True, timeout=120)


def stop_smbd():
    """Stops smbd (its process group) without the fixture's clean start: `restart` later
    serves the same share again."""
    pid = fixture()["pid"]
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    wait_for(lambda: not Path(f"/proc/{pid}").exists(), timeout=30)


def message(tag, size=2000):
    """A message of about SIZE bytes that TAG identifies (its Subject and Message-ID)."""
    return (f"Subject: {tag}\r\nMessage-ID: <{tag}@example.org>\r\n\r\n" + ("x" * 76 + "\r\n") * (size // 78)).encode()


def unc(*parts):
    """The fixture's share and PARTS as a UNC path: \\\\address\\share\\part..."""
    d = fixture()
    return "\\\\" + "\\".join([d["address"], d["share"], *parts])


class ShareTestCase(unittest.TestCase):
    """A dirmaild per test whose mailboxes are in a folder of the fixture's share named
    after the test (self.share_folder on this machine's disk), its local state under
    STATE/<test>; smbd is restarted after each test, whatever the test did to it.
    Subclasses set STATE and may override extra_config()."""
    STATE = None
    USER = "alice@example.test"

    def extra_config(self):
        # TOML literal strings: the backslashes of the UNC path stay as written.
        return f"""
[store]
backend = "smb"
root = '{unc(self.name)}'
smb_credentials_file = "{fixture()["credentials_file"]}"
"""

    def setUp(self):
        self.name = self.id().split(".")[-1]
        self.folder = Path(self.STATE) / self.name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.share_folder = Path(fixture()["share_folder"]) / self.name
        shutil.rmtree(self.share_folder, ignore_errors=True)
        self.inst = DirmailInstance(self.folder, extra_config=self.extra_config())
        self.inst.provision()

    def tearDown(self):
        self.inst.stop()
        smbd("restart")

    def copies(self, tag):
        """The messages with TAG in the user's mailbox, read over POP3."""
        return [raw for _, raw in pop3_fetch_all(self.inst.pop3_port, self.USER, USERS[self.USER])
                if tag.encode() in raw]

    def assert_each_delivered_once(self, tags):
        """Every message of TAGS is in the mailbox exactly once (none lost, none doubled)."""
        fetched = pop3_fetch_all(self.inst.pop3_port, self.USER, USERS[self.USER])
        for tag in tags:
            self.assertEqual(sum(tag.encode() in raw for _, raw in fetched), 1, f"message {tag}")

    def deliver_one(self, size=2000):
        """Sends a message and waits until it is in the mailbox; returns its tag."""
        tag = uuid.uuid4().hex
        with smtplib.SMTP("127.0.0.1", self.inst.smtp_port, timeout=30) as s:
            s.sendmail("a@example.org", [self.USER], message(tag, size))
        self.assertTrue(wait_for(lambda: len(self.copies(tag)) == 1), f"message {tag} not delivered")
        return tag


@contextlib.contextmanager
def small_folder(folder, size="2m"):
    """FOLDER as a tmpfs of SIZE that smbd (the share's user) can write, for a full share."""
    mount_tmpfs(folder, size)
    try:
        os.chmod(folder, 0o777)
        yield folder
    finally:
        unmount(folder)
