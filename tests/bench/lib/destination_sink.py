"""Postfix's smtp-sink as the destination of relayed mail: it answers 250 to everything
and stores every message in a file of its own, for counting and the store check.

smtp-sink creates a message's file at MAIL FROM (exclusively, under a random name, so
that no message overwrites another) and closes it before its 250 to the final ".".
So once the relaying server's queue is empty, every message it handed over is a whole
file here. A file holds smtp-sink's own header lines (X-Client-Addr:, X-Mail-Args:,
X-Rcpt-Args:, a Received: field), then the message with LF line ends, then one empty
line more, which `messages` takes off again.

Its counters (-c) also give the SMTP sessions each run took, which shows whether a
server carries several messages per connection.

It is one process, outside every server's cgroup: its CPU is nobody's.
"""
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from loopback import HOST, free_port, wait_port

SINK_USER = "postfix"  # smtp-sink leaves root for this user once it listens (-u)


class DestinationSink:
    def __init__(self, folder, port=None):
        self.folder = Path(folder)
        self.dump = self.folder / "dump"
        self.port = port or free_port()
        self.proc = None
        self.counters_at_clear = {"sess": 0, "quit": 0, "mesg": 0}

    def __enter__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.folder, user=SINK_USER)  # it makes dump/ itself, after every clear()
        err = open(self.folder / "smtp-sink.stderr", "ab")
        out = open(self.folder / "smtp-sink.counters", "ab")
        # 256 connections at most (-m's default) and a backlog of 1024: more than any server opens.
        self.proc = subprocess.Popen(["smtp-sink", "-u", SINK_USER, "-h", "sink.remote.example", "-c",
                                      "-d", f"{self.dump}/", f"{HOST}:{self.port}", "1024"],
                                     stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        err.close()
        out.close()
        try:
            wait_port(self.port, alive=lambda: self.proc.poll() is None, what="smtp-sink")
            # wait_port's probe is a session too: once it is counted, a clear() leaves it out.
            deadline = time.monotonic() + 10
            while self._counters()["sess"] < 1 and time.monotonic() < deadline:
                time.sleep(0.01)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
        if self.proc:
            self.proc.wait()
        return False

    def count(self):
        """Messages received (once the sender's queue is empty; before, open transactions too)."""
        if self.proc.poll() is not None:
            raise RuntimeError(f"smtp-sink exited ({self.proc.returncode}): {self.problems()[-5:]}")
        try:
            with os.scandir(self.dump) as entries:
                return sum(1 for _ in entries)
        except FileNotFoundError:
            return 0

    def messages(self):
        """(file name, message) for every stored message, without smtp-sink's closing empty line."""
        if not self.dump.exists():
            return
        for path in sorted(self.dump.iterdir()):
            data = path.read_bytes()
            yield path.name, data[:-1] if data.endswith(b"\n\n") else data

    def problems(self):
        """smtp-sink's warnings (lost connections, timeouts) so far."""
        path = self.folder / "smtp-sink.stderr"
        return path.read_text(errors="replace").splitlines() if path.exists() else []

    def _counters(self):
        """smtp-sink's last counters line, "sess=N quit=N mesg=N", since it started."""
        with open(self.folder / "smtp-sink.counters", "rb") as f:
            f.seek(max(0, f.seek(0, os.SEEK_END) - 200))
            found = re.findall(rb"sess=(\d+) quit=(\d+) mesg=(\d+)", f.read())
        return dict(zip(("sess", "quit", "mesg"), map(int, found[-1]))) if found else {"sess": 0, "quit": 0, "mesg": 0}

    def counters(self):
        """Since the last clear(): {"sess": SMTP sessions ended, "quit": of them with QUIT,
        "mesg": messages received}."""
        now = self._counters()
        return {k: now[k] - self.counters_at_clear[k] for k in now}

    def clear(self):
        """Forgets every stored message, warning and count, for the next run (no server may be sending)."""
        shutil.rmtree(self.dump, ignore_errors=True)
        (self.folder / "smtp-sink.stderr").write_bytes(b"")
        self.counters_at_clear = self._counters()
