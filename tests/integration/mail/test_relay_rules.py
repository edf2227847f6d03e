"""The relay rules (the original's effect.dat, smtp.relay_rules_file) with a real
dirmaild and clients connecting from several loopback addresses: the default matrix,
"true", "false" and "norelay" sources, AUTH, anti-spoofing of our own domain, open-relay
probes in every address disguise, the decision logged with its rule, and a bad rule
file stopping the start with its file and line."""
import os
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILD, DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "relay_rules"
ALICE, ALICE_PW = "alice@example.test", "alice-secret"
BOB = "bob@example.test"
EXTERNAL = "someone@elsewhere.example"
NOBODY = "nobody@example.test"
RULES = """127.0.0.2 norelay
127.0.0.3 false
127.0.0.4
#<> default
*.*.*.* default
"""

SERVER = None


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    SERVER = DirmailInstance(STATE / "server", smtp_settings='relay_rules_file = "effect.dat"\nplaintext_auth = "loopback"')
    SERVER.folder.mkdir(parents=True, exist_ok=True)
    (SERVER.folder / "effect.dat").write_bytes(RULES.replace("\n", "\r\n").encode())  # as Notepad saves it
    SERVER.provision()
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()


def rcpt_code(source, sender, recipient, login=None):
    """RCPT TO's code for a session from `source` (a loopback address)."""
    with smtplib.SMTP(timeout=30, source_address=(source, 0)) as s:
        s.connect("127.0.0.1", SERVER.smtp_port)
        s.ehlo("client.example.org")
        if login:
            s.login(*login)
        code, text = s.mail(sender)
        if code != 250:
            return code, text
        return s.rcpt(recipient)


class DefaultMatrix(unittest.TestCase):
    """From 127.0.0.1 ("*.*.*.* default"): the guide's matrix I."""

    def test_cells(self):
        cases = [
            (ALICE, BOB, 250),         # int+acct -> int+acct
            (ALICE, NOBODY, 550),      # -> int-acct: never
            (ALICE, EXTERNAL, 250),    # int+acct -> ext: permitted
            (NOBODY, BOB, 550),        # int-acct sender: anti-spoofing
            (NOBODY, EXTERNAL, 550),
            (EXTERNAL, BOB, 250),      # ext -> int+acct
            (EXTERNAL, NOBODY, 550),
            (EXTERNAL, EXTERNAL, 554),  # ext -> ext: relay denied
        ]
        for sender, recipient, want in cases:
            code, text = rcpt_code("127.0.0.1", sender, recipient)
            self.assertEqual(code, want, (sender, recipient, text))
        log = SERVER.log_text("smtp")
        self.assertIn("recipient refused by the relay rules", log)
        self.assertIn("effect.dat:5", log)  # the rule that decided is named

    def test_authenticated_users_may_relay(self):
        self.assertEqual(rcpt_code("127.0.0.1", EXTERNAL, EXTERNAL, (ALICE, ALICE_PW))[0], 250)


class RuleSources(unittest.TestCase):
    def test_false_refuses_everything(self):
        for sender, recipient in ((EXTERNAL, BOB), (ALICE, BOB)):
            code, text = rcpt_code("127.0.0.3", sender, recipient)
            self.assertEqual(code, 550, text)
            self.assertIn(b"5.7.1", text)

    def test_true_accepts_even_an_unknown_local_sender(self):
        self.assertEqual(rcpt_code("127.0.0.4", NOBODY, BOB)[0], 250)
        self.assertEqual(rcpt_code("127.0.0.4", EXTERNAL, NOBODY)[0], 550)  # never an unknown recipient

    def test_norelay_refuses_relay_unless_authenticated(self):
        self.assertEqual(rcpt_code("127.0.0.2", ALICE, EXTERNAL)[0], 554)
        self.assertEqual(rcpt_code("127.0.0.2", EXTERNAL, BOB)[0], 250)
        self.assertEqual(rcpt_code("127.0.0.2", ALICE, EXTERNAL, (ALICE, ALICE_PW))[0], 250)


class OpenRelayProbes(unittest.TestCase):
    """An unknown client trying to reach a foreign domain through us, in every disguise."""

    PROBES = [
        "someone%elsewhere.example@example.test",       # percent hack
        "@example.test:someone@elsewhere.example",      # source route
        "\"someone@elsewhere.example\"@example.test",   # quoted local part
        "elsewhere.example!someone@example.test",       # bang path
        "someone@elsewhere.example@example.test",
        "someone@[192.0.2.1]",                          # address literal
        "someone@elsewhere.example.",                   # trailing dot
    ]

    def test_none_is_taken(self):
        for probe in self.PROBES:
            with smtplib.SMTP("127.0.0.1", SERVER.smtp_port, timeout=30) as s:
                s.ehlo("client.example.org")
                self.assertEqual(s.mail(EXTERNAL)[0], 250)
                code, text = s.docmd(f"RCPT TO:<{probe}>")
                self.assertNotEqual(code, 250, (probe, text))
                self.assertGreaterEqual(code, 500, (probe, text))


class BadRules(unittest.TestCase):
    def test_a_bad_line_stops_the_start_with_file_and_line(self):
        server = DirmailInstance(STATE / "bad", smtp_settings='relay_rules_file = "effect.dat"')
        server.folder.mkdir(parents=True, exist_ok=True)
        (server.folder / "effect.dat").write_text("10.*.*.*\n192.168.1.0/28\tfalse\n")
        server.provision()
        r = subprocess.run([str(DIRMAILD), "--config", str(server.config)], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 78, r.stderr)
        self.assertRegex(r.stderr, r"effect\.dat:2: .*TAB")


if __name__ == "__main__":
    unittest.main(verbosity=2)
