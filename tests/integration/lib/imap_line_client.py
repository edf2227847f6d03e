"""An IMAP client that shows every line the server sends, over a plain socket: the
untagged EXISTS, EXPUNGE and FETCH FLAGS that other sessions' changes cause, during
IDLE or after NOOP, which imaplib keeps to itself or cannot wait for."""
import re
import socket
import time


class ImapLineClient:
    def __init__(self, port, host="127.0.0.1", timeout=30):
        self.timeout = timeout
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.buffer = bytearray()
        self.tag_count = 0
        self.greeting = self.read_line()

    def close(self):
        self.sock.close()

    # -- reading -------------------------------------------------------------------
    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no complete line from the server in time")
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("no complete line from the server in time") from None
        if not chunk:
            raise ConnectionError(f"the server closed the connection; unread: {bytes(self.buffer)!r}")
        self.buffer += chunk

    def read_line(self, timeout=None):
        """One response line without its CRLF; a literal ({n}) is kept inline, so that
        a FETCH of header fields reads as one line."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        line = bytearray()
        while True:
            while b"\r\n" not in self.buffer:
                self._fill(deadline)
            end = self.buffer.index(b"\r\n")
            part = bytes(self.buffer[:end])
            del self.buffer[:end + 2]
            line += part
            literal = re.search(rb"\{(\d+)\}$", part)
            if not literal:
                return bytes(line)
            size = int(literal.group(1))
            while len(self.buffer) < size:
                self._fill(deadline)
            line += b"\r\n" + bytes(self.buffer[:size])
            del self.buffer[:size]

    def wait_untagged(self, pattern, timeout):
        """Reads lines until one matches `pattern` (a regular expression on bytes) within
        `timeout` seconds: (the match, every line read up to it). TimeoutError names the
        lines read meanwhile."""
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            try:
                line = self.read_line(timeout=deadline - time.monotonic())
            except TimeoutError:
                raise TimeoutError(f"no {pattern!r} within {timeout} s; read {seen!r}") from None
            seen.append(line)
            found = re.fullmatch(pattern, line)
            if found:
                return found, seen

    # -- commands ------------------------------------------------------------------
    def send(self, text):
        self.sock.sendall(text.encode() + b"\r\n")

    def command(self, text, timeout=None):
        """Sends `text` with a new tag: (untagged lines, tagged reply line)."""
        self.tag_count += 1
        tag = f"t{self.tag_count}"
        self.send(f"{tag} {text}")
        untagged = []
        while True:
            line = self.read_line(timeout)
            if line.startswith(tag.encode() + b" "):
                return untagged, line
            untagged.append(line)

    def ok(self, text, timeout=None):
        """Like command(), and the tagged reply must be OK: the untagged lines."""
        untagged, reply = self.command(text, timeout)
        if not re.match(rb"t\d+ OK", reply):
            raise AssertionError(f"{text!r}: {reply!r}")
        return untagged

    def login(self, user, password):
        quoted = '"' + password.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return self.ok(f'LOGIN "{user}" {quoted}')

    def idle(self):
        """Starts IDLE; the untagged lines then arrive through wait_untagged()."""
        self.tag_count += 1
        self.idle_tag = f"t{self.tag_count}"
        self.send(f"{self.idle_tag} IDLE")
        found, _ = self.wait_untagged(rb"\+.*", self.timeout)
        return found

    def done(self):
        """Ends IDLE: the untagged lines that came before its OK."""
        self.send("DONE")
        _, seen = self.wait_untagged(re.escape(self.idle_tag.encode()) + rb" OK.*", self.timeout)
        return seen[:-1]
