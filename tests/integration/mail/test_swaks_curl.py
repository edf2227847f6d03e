"""swaks sends to a local user; curl reads the same bytes back over POP3."""
import os
import subprocess
import sys
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import load_shared  # noqa: E402
from mail_clients import strip_server_headers  # noqa: E402

INFO = load_shared(os.environ["DIRMAILD_STATE"])
CAROL, CAROL_PW = "carol@example.test", INFO["users"]["carol@example.test"]


def curl_pop3(path):
    r = subprocess.run(["curl", "-sS", "--max-time", "30", f"pop3://127.0.0.1:{INFO['pop3_port']}/{path}",
                        "-u", f"{CAROL}:{CAROL_PW}"], capture_output=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"curl failed: {r.stderr.decode()}")
    return r.stdout


def sent_by_swaks(transcript):
    """The message bytes swaks put on the wire, from its transcript (" -> " lines
    between the 354 reply and the lone dot), dot-stuffing undone."""
    lines, inside = [], False
    for line in transcript.splitlines():
        if line.startswith("<-  354"):
            inside = True
        elif inside and line.startswith(" -> "):
            text = line[4:]
            if text == ".":
                break
            lines.append(text[1:] if text.startswith("..") else text)
    return ("\r\n".join(lines) + "\r\n").encode()


class SwaksCurl(unittest.TestCase):
    def test_swaks_to_curl(self):
        tag = uuid.uuid4().hex
        data = (f"From: <swaks@example.org>\r\nTo: <{CAROL}>\r\nSubject: swaks {tag}\r\n\r\n"
                f"Sent by swaks {tag}\r\n.dot line\r\n").encode()
        msg_file = Path(INFO["folder"]) / f"swaks-{tag}.eml"
        msg_file.write_bytes(data)
        r = subprocess.run(["swaks", "--server", f"127.0.0.1:{INFO['smtp_port']}", "--from", "swaks@example.org",
                            "--to", CAROL, "--data", f"@{msg_file}", "--helo", "client.example.org"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("250 2.0.0 Ok: queued as", r.stdout)
        found, listing = None, ""
        for _ in range(300):  # delivery runs after the 250: poll, within 30 s
            listing = curl_pop3("").decode()
            for line in listing.splitlines():
                raw = curl_pop3(line.split()[0])
                if tag.encode() in raw:
                    found = raw
            if found is not None:
                break
            time.sleep(0.1)
        self.assertIsNotNone(found, listing)
        self.assertEqual(strip_server_headers(found), sent_by_swaks(r.stdout))
        self.assertTrue(sent_by_swaks(r.stdout).startswith(data))


if __name__ == "__main__":
    unittest.main(verbosity=2)
