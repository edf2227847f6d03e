"""The smbd of the `smbd` fixture (fixtures/smbd.py), as the tests that run against it
see it: its description (DIRMAIL_SMBD_FIXTURE names the fixture.json ctest passes),
restarting or stopping it, and a message to send through it."""
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from polling import wait_for

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
