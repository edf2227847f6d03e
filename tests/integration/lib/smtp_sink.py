"""Postfix's smtp-sink as a test peer: a free port on a loopback address, each message
stored in its own file (options such as -r/-f make it refuse at a chosen stage)."""
import shutil
import socket
import subprocess
import time
from pathlib import Path

from dirmail_instance import free_port


class SmtpSink:
    """smtp-sink on a free loopback port, storing each message in its own file."""

    def __init__(self, folder, *options, host="127.0.0.1", port=None):
        self.folder = Path(folder)
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.folder / "dump").mkdir(parents=True)
        self.port = port or free_port()
        listen = f"[{host}]:{self.port}" if ":" in host else f"{host}:{self.port}"
        self.proc = subprocess.Popen(["smtp-sink", "-u", "root", "-d", str(self.folder / "dump") + "/%M.", *options,
                                      listen, "100"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait(host)

    def _wait(self, host):
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("smtp-sink exited: " + self.proc.stderr.read().decode(errors="replace"))
            try:
                with socket.create_connection((host, self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("smtp-sink does not listen")

    def messages(self):
        return [p.read_bytes() for p in sorted((self.folder / "dump").iterdir())]

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stderr.close()
