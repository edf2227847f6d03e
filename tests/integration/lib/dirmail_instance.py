"""A real dirmaild for integration tests: its own folder, config, free loopback
ports, demo domain and users, started and stopped like an administrator would."""
import json
import os
import signal
import socket
import subprocess
import time
from pathlib import Path

BUILD_DIR = Path(os.environ.get("DIRMAIL_BUILD_DIR", Path(__file__).resolve().parents[3] / "build" / "debug"))
DIRMAILD = BUILD_DIR / "src" / "daemon" / "dirmaild"
DIRMAILCTL = BUILD_DIR / "src" / "tools" / "dirmailctl"

# Each test file that shares the one dirmaild has users of its own, so that parallel
# tests never meet in a mailbox (POP3 locks it: [IN-USE]).
USERS = {"alice@example.test": "alice-secret", "bob@example.test": "bob secret with spaces",
         "carol@example.test": "carol-secret", "dave@example.test": "dave-secret",
         "erin@example.test": "erin-secret", "frank@example.test": "frank-secret",
         "grace@example.test": "grace-secret"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"dirmaild exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port} after {timeout}s")


class DirmailInstance:
    def __init__(self, folder, extra_config="", smtp_port=None, pop3_port=None, imap_port=None,
                 command_prefix=(), env=None):
        """command_prefix: words run before dirmaild (e.g. unshare for a private
        /etc/hosts); env: its environment (default: the test's)."""
        self.command_prefix = list(command_prefix)
        self.env = env
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.smtp_port = smtp_port or free_port()
        self.pop3_port = pop3_port or free_port()
        self.imap_port = imap_port or free_port()
        self.submission_port = free_port()
        self.config = self.folder / "dirmail.toml"
        self.extra_config = extra_config
        self.proc = None
        self.stderr_path = self.folder / "dirmaild.stderr"

    # -- setup -------------------------------------------------------------------
    def write_config(self, extra=None):
        extra = self.extra_config if extra is None else extra
        self.config.write_text(
            f"""
[server]
hostname = "mail.example.test"
data_dir = "."
node_name = "node1"
io_threads = 2
blocking_threads = 4
shutdown_grace = 10

[log]
stderr = false

[delivery]
retry_interval = 1

[smtp]
listen = ["127.0.0.1 {self.smtp_port}"]

[submission]
enabled = true
listen = ["127.0.0.1 {self.submission_port}"]
plaintext_auth = "loopback"

[pop3]
listen = ["127.0.0.1 {self.pop3_port}"]
plaintext_auth = "loopback"

[imap]
listen = ["127.0.0.1 {self.imap_port}"]
plaintext_auth = "loopback"
{extra}
""")

    def ctl(self, *args, check=True, input=None):
        r = subprocess.run([str(DIRMAILCTL), "--config", str(self.config), *args], capture_output=True,
                           text=True, input=input, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError(f"dirmailctl {' '.join(args)} failed: {r.stderr}")
        return r

    def provision(self):
        self.write_config()
        self.ctl("domain", "add", "example.test")
        for address, password in USERS.items():
            self.ctl("user", "add", address, "--password-stdin", input=password + "\n")

    # -- process -----------------------------------------------------------------
    def start(self, attempts=3):
        """Starts dirmaild. The free ports were free when chosen; another process may take
        one before dirmaild binds it, so a refused bind picks new ports and tries again."""
        for attempt in range(attempts):
            with open(self.stderr_path, "ab") as err:  # the child keeps its own copy
                self.proc = subprocess.Popen([*self.command_prefix, str(DIRMAILD), "--config", str(self.config)],
                                             stdout=err, stderr=err, start_new_session=True, env=self.env)
            try:
                wait_port(self.smtp_port, proc=self.proc)
                wait_port(self.pop3_port, proc=self.proc)
                wait_port(self.imap_port, proc=self.proc)
                wait_port(self.submission_port, proc=self.proc)
                return self
            except Exception:
                self.proc.kill()  # a daemon that did not come up must not outlive the test
                self.proc.wait()
                in_use = "Address already in use" in self.stderr_path.read_text(errors="replace")
                if not in_use or attempt + 1 == attempts:
                    raise
                self.smtp_port, self.pop3_port = free_port(), free_port()
                self.imap_port, self.submission_port = free_port(), free_port()
                self.write_config()
        return self

    def pid(self):
        return self.proc.pid

    def signal(self, sig):
        os.kill(self.proc.pid, sig)

    def stop(self, timeout=30):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def kill9(self):
        self.proc.kill()
        self.proc.wait()

    # -- what a user or admin sees -------------------------------------------------
    def log_text(self, service):
        path = self.folder / "log" / service / "node1.log"
        return path.read_text() if path.exists() else ""

    def queue_files(self):
        incoming = self.folder / "queue" / "incoming"
        return sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []

    def describe(self):
        return {"folder": str(self.folder), "config": str(self.config), "smtp_port": self.smtp_port,
                "pop3_port": self.pop3_port, "imap_port": self.imap_port, "submission_port": self.submission_port, "pid": self.proc.pid if self.proc else None, "users": USERS}


def load_shared(state_dir):
    """The instance started by the `dirmaild` ctest fixture."""
    return json.loads((Path(state_dir) / "instance.json").read_text())
