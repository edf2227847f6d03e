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
DIRMAIL_IMPORT = BUILD_DIR / "src" / "tools" / "dirmail-import"

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


def make_test_pki(folder, host="mail.example.test"):
    """A test CA and a server certificate for `host`, localhost and 127.0.0.1 signed by
    it, made with openssl in `folder`. Returns {"ca", "cert", "key"} paths."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    ca, ca_key = folder / "ca.pem", folder / "ca.key"
    cert, key, csr = folder / "server.pem", folder / "server.key", folder / "server.csr"
    ext = folder / "server.ext"
    if not cert.exists():
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        subprocess.run(["openssl", "req", "-x509", *ec, "-keyout", str(ca_key), "-out", str(ca), "-days", "30",
                        "-subj", "/CN=dirmail test CA", "-addext", "basicConstraints=critical,CA:TRUE",
                        "-addext", "keyUsage=critical,keyCertSign,cRLSign"], check=True, capture_output=True)
        subprocess.run(["openssl", "req", "-new", *ec, "-keyout", str(key), "-out", str(csr), "-subj", f"/CN={host}"],
                       check=True, capture_output=True)
        ext.write_text(f"subjectAltName=DNS:{host},DNS:localhost,IP:127.0.0.1\n"
                       "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n")
        subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key),
                        "-CAcreateserial", "-out", str(cert), "-days", "30", "-extfile", str(ext)],
                       check=True, capture_output=True)
    return {"ca": str(ca), "cert": str(cert), "key": str(key)}


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
                 command_prefix=(), env=None, tls=False, plaintext_auth="loopback", tls_settings="",
                 smtp_settings="", delivery_settings="", node_name="node1", metrics=False, log_settings="stderr = false"):
        """command_prefix: words run before dirmaild (e.g. unshare for a private
        /etc/hosts); env: its environment (default: the test's). tls: a test CA and
        certificate in FOLDER/pki, a [tls] section (plus `tls_settings` lines) and
        implicit-TLS listeners on smtps_port (submission), pop3s_port and imaps_port.
        plaintext_auth: the submission, pop3 and imap setting. smtp_settings: lines for the
        [smtp] section (port 25); delivery_settings: lines for [delivery]."""
        self.command_prefix = list(command_prefix)
        self.env = env
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.smtp_port = smtp_port or free_port()
        self.metrics_port = free_port() if metrics else None  # metrics: the Prometheus endpoint
        self.log_settings = log_settings  # the [log] section's lines
        self.pop3_port = pop3_port or free_port()
        self.imap_port = imap_port or free_port()
        self.submission_port = free_port()
        self.tls = tls
        self.tls_settings = tls_settings
        self.smtp_settings = smtp_settings
        self.delivery_settings = delivery_settings
        self.node_name = node_name
        self.plaintext_auth = plaintext_auth
        self.pki = make_test_pki(self.folder / "pki") if tls else None
        self.smtps_port = free_port() if tls else None
        self.pop3s_port = free_port() if tls else None
        self.imaps_port = free_port() if tls else None
        self.config = self.folder / "dirmail.toml"
        self.extra_config = extra_config
        self.proc = None
        self.stderr_path = self.folder / "dirmaild.stderr"

    # -- setup -------------------------------------------------------------------
    def write_config(self, extra=None):
        extra = self.extra_config if extra is None else extra
        auth = self.plaintext_auth

        def listen(port, tls_port):
            entries = [f'"127.0.0.1 {port}"'] + ([f'"127.0.0.1 {tls_port}*"'] if tls_port else [])
            return "[" + ", ".join(entries) + "]"
        metrics_section = ""
        if self.metrics_port:
            metrics_section = f'\n[metrics]\nenabled = true\nlisten = ["127.0.0.1 {self.metrics_port}"]\n'
        tls_section = ""
        if self.tls:
            tls_section = (f'\n[tls]\ncertificate_file = "{self.pki["cert"]}"\nkey_file = "{self.pki["key"]}"\n'
                           f"{self.tls_settings}\n")
        self.config.write_text(
            f"""
[server]
hostname = "mail.example.test"
data_dir = "."
node_name = "{self.node_name}"
io_threads = 2
blocking_threads = 4
shutdown_grace = 10

[log]
{self.log_settings}
{metrics_section}
[delivery]
{"" if "retry_interval" in self.delivery_settings else "retry_interval = 1"}
{self.delivery_settings}

[smtp]
listen = ["127.0.0.1 {self.smtp_port}"]
{self.smtp_settings}

[submission]
enabled = true
listen = {listen(self.submission_port, self.smtps_port)}
plaintext_auth = "{auth}"

[pop3]
listen = {listen(self.pop3_port, self.pop3s_port)}
plaintext_auth = "{auth}"

[imap]
listen = {listen(self.imap_port, self.imaps_port)}
plaintext_auth = "{auth}"
{tls_section}{extra}
""")

    def ctl(self, *args, check=True, input=None):
        r = subprocess.run([str(DIRMAILCTL), "--config", str(self.config), *args], capture_output=True,
                           text=True, input=input, timeout=60, env=self.env)
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
                for port in (self.smtps_port, self.pop3s_port, self.imaps_port, self.metrics_port):
                    if port:
                        wait_port(port, proc=self.proc)
                return self
            except Exception:
                self.proc.kill()  # a daemon that did not come up must not outlive the test
                self.proc.wait()
                in_use = "Address already in use" in self.stderr_path.read_text(errors="replace")
                if not in_use or attempt + 1 == attempts:
                    raise
                self.smtp_port, self.pop3_port = free_port(), free_port()
                self.imap_port, self.submission_port = free_port(), free_port()
                if self.tls:
                    self.smtps_port, self.pop3s_port, self.imaps_port = free_port(), free_port(), free_port()
                if self.metrics_port:
                    self.metrics_port = free_port()
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
        path = self.folder / "log" / service / f"{self.node_name}.log"
        return path.read_text() if path.exists() else ""

    def queue_files(self):
        incoming = self.folder / "queue" / "incoming"
        return sorted(p.name for p in incoming.iterdir()) if incoming.exists() else []

    def queued_with(self, tag):
        """Queued messages whose bytes hold `tag` (the original, and reports about it,
        which return its header). A file delivered while we look is no longer queued."""
        found = []
        for path in (self.folder / "queue" / "incoming").glob("*.msg"):
            try:
                if tag.encode() in path.read_bytes():
                    found.append(path)
            except FileNotFoundError:
                pass
        return found

    def describe(self):
        return {"folder": str(self.folder), "config": str(self.config), "smtp_port": self.smtp_port,
                "pop3_port": self.pop3_port, "imap_port": self.imap_port, "submission_port": self.submission_port, "pid": self.proc.pid if self.proc else None, "users": USERS}


def load_shared(state_dir):
    """The instance started by the `dirmaild` ctest fixture."""
    return json.loads((Path(state_dir) / "instance.json").read_text())
