"""`make run` starts dirmaild on the embedded default, and the swaks and curl
commands it prints deliver and read a message, in the clear and over TLS."""
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import BUILD_DIR, free_port, wait_port  # noqa: E402

SOURCE = Path(__file__).resolve().parents[3]
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "make-run"


class MakeRun(unittest.TestCase):
    def test_printed_commands_work(self):
        shutil.rmtree(STATE, ignore_errors=True)
        STATE.mkdir(parents=True)
        env = dict(os.environ, DIRMAIL_VAR=str(STATE / "var"), DIRMAIL_SMTP_PORT=str(free_port()),
                   DIRMAIL_POP3_PORT=str(free_port()), DIRMAIL_SUBMISSION_PORT=str(free_port()),
                   DIRMAIL_IMAP_PORT=str(free_port()), DIRMAIL_SMTPS_PORT=str(free_port()),
                   DIRMAIL_POP3S_PORT=str(free_port()), DIRMAIL_IMAPS_PORT=str(free_port()))
        out = open(STATE / "make-run.out", "wb")
        proc = subprocess.Popen(["make", "-s", "-C", str(SOURCE), "run", f"BUILD_DIR={BUILD_DIR}"], env=env,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_port(int(env["DIRMAIL_POP3_PORT"]), timeout=600, proc=proc)
            text = (STATE / "make-run.out").read_text()
            all_swaks = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("swaks ")]
            all_curls = [ln.split("#")[0].strip() for ln in text.splitlines() if ln.strip().startswith("curl ")]
            swaks = [c for c in all_swaks if "--tls" not in c]
            curls = [c for c in all_curls if "--ssl-reqd" not in c and "-k " not in c]
            tls_swaks = [c for c in all_swaks if "--tls" in c]
            tls_curls = [c for c in all_curls if c not in curls]
            self.assertEqual(len(swaks), 2, text)  # plain SMTP, and submission with AUTH
            self.assertEqual(len(curls), 3, text)  # POP3 list, POP3 message 1, IMAP UID 1
            self.assertEqual(len(tls_swaks), 2, text)  # STARTTLS on submission, SMTPS
            self.assertEqual(len(tls_curls), 2, text)  # POP3 STLS with the certificate checked, IMAPS
            for command in swaks:
                r = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertRegex(r.stdout, r"250 2\.0\.0 Ok: queued as \w+")
            listing = ""
            for _ in range(50):  # delivery is asynchronous: the messages appear within moments
                listing = subprocess.run(shlex.split(curls[0]), capture_output=True, text=True, timeout=60).stdout
                if len(listing.split()) >= 4:
                    break
                time.sleep(0.1)
            self.assertRegex(listing, r"^1 \d+\s+2 \d+")
            message = subprocess.run(shlex.split(curls[1]), capture_output=True, text=True, timeout=60).stdout
            self.assertIn("Subject: hello", message)
            self.assertIn("Hello from swaks", message)
            self.assertIn("Delivered-To: demo@example.test", message)
            over_imap = subprocess.run(shlex.split(curls[2]), capture_output=True, text=True, timeout=60).stdout
            self.assertEqual(over_imap.replace("\r\n", "\n"), message.replace("\r\n", "\n"))
            # Over TLS: the same message read back, and mail sent with STARTTLS and SMTPS.
            for command in tls_curls:
                r = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, command + r.stderr)
                self.assertEqual(r.stdout.replace("\r\n", "\n"), message.replace("\r\n", "\n"))
            for command in tls_swaks:
                r = subprocess.run(shlex.split(command), capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn("TLS started", r.stdout)
                self.assertRegex(r.stdout, r"250 2\.0\.0 Ok: queued as \w+")
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.assertTrue(re.search(r"type=daemon .*stopped", (STATE / "make-run.out").read_text()))


if __name__ == "__main__":
    unittest.main(verbosity=2)
