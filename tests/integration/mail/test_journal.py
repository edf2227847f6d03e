"""Logs to the systemd journal (log.journal): a real systemd-journald, started by the
test in a private mount namespace (its own /run/systemd, /run/log and /var/log/journal, so
the host is not touched), receives dirmaild's lines as structured entries that journalctl selects by
their fields; log.journal = "auto" uses it exactly when $JOURNAL_STREAM names
dirmaild's standard error, as systemd sets it for a service."""
import json
import os
import shutil
import smtplib
import subprocess
import sys
import time
import unittest
from pathlib import Path

if os.environ.get("DIRMAIL_JOURNAL_TEST_NS") != "1":
    # Re-run in a mount namespace of our own (needs root, as the other integration tests).
    os.environ["DIRMAIL_JOURNAL_TEST_NS"] = "1"
    os.execvp("unshare", ["unshare", "--mount", "--propagation", "private", sys.executable, *sys.argv])

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "journal"
ALICE, BOB, SENDER = "alice@example.test", "bob@example.test", "someone@example.org"
JOURNALD = None


def setUpModule():
    global JOURNALD
    shutil.rmtree(STATE, ignore_errors=True)
    STATE.mkdir(parents=True)
    # /var/log/journal too: a journald that finds it moves its entries there (the host's).
    for folder in ("/run/systemd", "/run/log", "/var/log/journal"):
        if folder != "/var/log/journal" or os.path.isdir(folder):
            os.makedirs(folder, exist_ok=True)
            subprocess.run(["mount", "-t", "tmpfs", "tmpfs", folder], check=True)
    with open(STATE / "journald.log", "wb") as log:
        JOURNALD = subprocess.Popen(["/lib/systemd/systemd-journald"], stdout=log, stderr=log)
    deadline = time.time() + 20
    while not os.path.exists("/run/systemd/journal/socket"):
        if time.time() > deadline or JOURNALD.poll() is not None:
            raise RuntimeError("systemd-journald did not start: " + (STATE / "journald.log").read_text())
        time.sleep(0.05)


def tearDownModule():
    if JOURNALD:
        JOURNALD.terminate()
        JOURNALD.wait(30)


def journal(*matches):
    """The journal's entries matching FIELD=value terms, as journalctl -o json gives them."""
    r = subprocess.run(["journalctl", "-D", "/run/log/journal", "-o", "json", "--no-pager", *matches],
                       capture_output=True, text=True, timeout=30)
    return [json.loads(line) for line in r.stdout.splitlines() if line.strip()]


def wait_journal(*matches, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        entries = journal(*matches)
        if entries:
            return entries
        time.sleep(0.2)
    raise AssertionError(f"no journal entry for {matches}")


def send(port, subject):
    """A message from another domain to bob, as a peer MTA sends it on port 25."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.sendmail(SENDER, [BOB], f"From: {SENDER}\r\nSubject: {subject}\r\n\r\nhi\r\n".encode())


class Journal(unittest.TestCase):
    def test_on_sends_structured_entries(self):
        server = DirmailInstance(STATE / "on", log_settings='stderr = true\njournal = "on"')
        server.provision()
        server.start()
        try:
            send(server.smtp_port, "journal-on")
            entries = wait_journal("DIRMAIL_TYPE=receive", f"DIRMAIL_TO={BOB}", "_PID=" + str(server.pid()))
            e = entries[0]
            self.assertEqual(e["SYSLOG_IDENTIFIER"], "dirmaild")
            self.assertEqual(e["DIRMAIL_SERVICE"], "smtp")
            self.assertEqual(e["PRIORITY"], "6")
            self.assertEqual(e["DIRMAIL_FROM"], SENDER)
            self.assertTrue(e["MESSAGE"].startswith("type=receive "), e["MESSAGE"])
            self.assertIn('msg="queued"', e["MESSAGE"])
            queue_id = e["DIRMAIL_QUEUE_ID"]
            # The delivery of that message, found by its queue id in another service's entries.
            delivered = wait_journal(f"DIRMAIL_QUEUE_ID={queue_id}", "DIRMAIL_SERVICE=delivery")
            self.assertTrue(any("delivered" in d["MESSAGE"] for d in delivered), delivered)
            # A warning is logged at its priority (a failed login).
            with smtplib.SMTP("127.0.0.1", server.submission_port, timeout=30) as s:
                with self.assertRaises(smtplib.SMTPAuthenticationError):
                    s.login(ALICE, "wrong password")
            failed = wait_journal("DIRMAIL_TYPE=auth", "PRIORITY=4", "_PID=" + str(server.pid()))
            self.assertIn("AUTH failed: wrong credentials", failed[0]["MESSAGE"])
            # The log files keep their lines; stderr no longer gets them.
            self.assertIn(f"queue_id={queue_id}", server.log_text("smtp"))
            self.assertNotIn(f"queue_id={queue_id}", server.stderr_path.read_text())
        finally:
            server.stop()

    def test_auto_follows_journal_stream(self):
        folder = STATE / "auto"
        server = DirmailInstance(folder, log_settings='stderr = true\njournal = "auto"')
        server.provision()
        # As systemd does for a service: $JOURNAL_STREAM names the file stderr goes to.
        server.stderr_path.parent.mkdir(parents=True, exist_ok=True)
        server.stderr_path.touch()
        st = os.stat(server.stderr_path)
        server.env = dict(os.environ, JOURNAL_STREAM=f"{st.st_dev}:{st.st_ino}")
        server.start()
        try:
            send(server.smtp_port, "journal-auto")
            wait_journal("DIRMAIL_TYPE=receive", "_PID=" + str(server.pid()))
            self.assertNotIn("type=receive", server.stderr_path.read_text())
        finally:
            server.stop()
        # Without it (a terminal, a pipe): plain lines on stderr, nothing in the journal.
        server.env = {k: v for k, v in os.environ.items() if k != "JOURNAL_STREAM"}
        server.start()
        try:
            send(server.smtp_port, "journal-auto-off")
            deadline = time.time() + 20
            while "type=receive" not in server.stderr_path.read_text() and time.time() < deadline:
                time.sleep(0.1)
            self.assertIn("type=receive", server.stderr_path.read_text())
            self.assertEqual(journal("DIRMAIL_TYPE=receive", "_PID=" + str(server.pid())), [])
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
