"""An active/standby pair of dirmail nodes for the failover tests, built by the test with
network namespaces on this machine:

    client 10.77.0.10 ─┐
    node1  10.77.0.1  ─┼─ bridge br0 (its own namespace) ── VIP 10.77.0.100/24
    node2  10.77.0.2  ─┤
    storage 10.77.0.50 ┘  (smbd serving the share `mail`, for a store on SMB)

Each node namespace runs a real dirmaild (listening on 0.0.0.0 25/110/143) and a real
keepalived with the file `dirmailctl cluster render-keepalived` wrote; both nodes share
the mail store and the queue: a folder of this machine (store "posix") or the smbd share
of the storage namespace (store "smb"). The client namespace runs tests/integration/lib/
vip_client.py. close() removes everything (processes, namespaces, smbd), also after a
half-made setup."""
import json
import os
import re
import shutil
import signal
import subprocess
import threading
from pathlib import Path

from dirmail_instance import DIRMAILCTL, DIRMAILD, USERS
from network_namespace import NetworkNamespace, run, stop_process
from polling import wait_for

PYTHON = "/usr/bin/python3"
LIB = Path(__file__).resolve().parent
VIP_CLIENT = LIB / "vip_client.py"
SMBD_SCRIPT = LIB.parent / "fixtures" / "smbd.py"

SUBNET = "10.77.0"
VIP_ADDRESS = f"{SUBNET}.100"
VIP = f"{VIP_ADDRESS}/24"
STORAGE_ADDRESS = f"{SUBNET}.50"
CLIENT_ADDRESS = f"{SUBNET}.10"
RECIPIENTS = ("alice@example.test", "bob@example.test")
LEASE_TIME = 4      # cluster.lease_time: seconds
FAILBACK_DELAY = 5  # cluster.failback_delay: seconds


class ClientRun:
    """vip_client.py running in the client namespace; its JSON events collected as they come."""

    def __init__(self, ns, *args, stdin=None):
        self.events = []
        self.proc = ns.popen([PYTHON, VIP_CLIENT, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             stdin=stdin, text=True, start_new_session=True)
        self.stderr = []
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self._stderr_reader = threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True)
        self._stderr_reader.start()

    def _read(self):
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self._lock:
                self.events.append(event)

    def snapshot(self, kind=None):
        with self._lock:
            return [e for e in self.events if kind is None or e["event"] == kind]

    def wait(self, timeout):
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        self._reader.join(10)
        self._stderr_reader.join(10)
        return True

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self._reader.join(10)
        self._stderr_reader.join(10)
        for pipe in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if pipe:
                pipe.close()


class Node:
    """One node: its namespace, folder (server.data_dir), dirmaild and keepalived."""

    def __init__(self, name, number, ns, folder, role):
        self.name, self.ns, self.folder, self.cluster_role = name, ns, Path(folder), role
        self.address = f"{SUBNET}.{number}"
        self.hostname = f"{name}.example.test"
        self.config = self.folder / "dirmail.toml"
        self.bridge_port = f"v{name[-1]}{ns.name[-5:]}"[:15]  # its veth end in the bridge namespace
        self.daemon = None
        self.keepalived = None
        self.keepalived_log = None

    # -- processes -------------------------------------------------------------------
    def start_daemon(self):
        with open(self.folder / "dirmaild.stderr", "ab") as err:  # the child keeps its own copy
            # `ip netns exec` execs dirmaild in place: the Popen's pid is dirmaild's.
            self.daemon = self.ns.popen([DIRMAILD, "--config", self.config], stdout=err, stderr=err,
                                        start_new_session=True)

    def start_keepalived(self):
        conf = self.folder / "keepalived.conf"
        self.ctl("cluster", "render-keepalived", "--output", conf)
        run_dir = self.folder / "keepalived-run"
        run_dir.mkdir(exist_ok=True)
        self.keepalived_log = open(self.folder / "keepalived.log", "ab")
        self.keepalived = self.ns.popen(["keepalived", "-n", "-l", "-G", "-D", "-f", conf, "-p", run_dir / "k.pid",
                                         "-r", run_dir / "vrrp.pid", "-c", run_dir / "chk.pid"],
                                        stdout=self.keepalived_log, stderr=subprocess.STDOUT, start_new_session=True)

    def daemon_running(self):
        return self.daemon is not None and self.daemon.poll() is None

    def signal(self, sig):
        os.kill(self.daemon.pid, sig)

    def kill9(self):
        self.daemon.kill()
        self.daemon.wait()

    def stop(self):
        for proc in (self.keepalived, self.daemon):
            stop_process(proc, timeout=20)
        if self.keepalived_log:
            self.keepalived_log.close()

    # -- what an administrator sees -------------------------------------------------
    def ctl(self, *args, input=None, check=True):
        r = self.ns.run([DIRMAILCTL, "--config", self.config, *args], input=input, timeout=60)
        if check and r.returncode != 0:
            raise RuntimeError(f"{self.name}: dirmailctl {' '.join(map(str, args))} failed: {r.stdout}{r.stderr}")
        return r

    def healthy(self):
        return self.ctl("health", check=False).returncode == 0

    def holds_vip(self):
        return VIP in self.ns.addresses("eth0")

    def role(self):
        path = self.folder / "cluster" / "role"
        return path.read_text().split("\n")[0] if path.exists() else None  # the word; then the boot id

    def cluster_state(self):
        """<data_dir>/cluster/state as a dict (state, epoch, ...), {} before the daemon wrote it."""
        path = self.folder / "cluster" / "state"
        try:
            lines = path.read_text().splitlines()
        except FileNotFoundError:
            return {}
        return dict(line.split(None, 1) for line in lines if len(line.split(None, 1)) == 2)

    def logs(self):
        """Every log file of the node, one text."""
        return "".join(p.read_text(errors="replace") for p in sorted((self.folder / "log").rglob("*.log")))

    def explain(self):
        stderr = self.folder / "dirmaild.stderr"
        keepalived = self.folder / "keepalived.log"
        return (f"--- {self.name}: daemon running={self.daemon_running()} role={self.role()} "
                f"state={self.cluster_state()} vip={self.holds_vip()}\n"
                f"keepalived.log:\n{keepalived.read_text(errors='replace')[-2500:] if keepalived.exists() else ''}\n"
                f"dirmaild.stderr:\n{stderr.read_text(errors='replace')[-1500:] if stderr.exists() else ''}\n"
                f"logs:\n{self.logs()[-2500:]}\n")


class ClusterPair:
    def __init__(self, folder, store="posix"):
        self.folder = Path(folder)
        self.store = store
        self.namespaces = []
        self.nodes = []
        self.clients = []
        self.smbd_state = None
        self.bridge = self.client = self.storage = None

    # -- building --------------------------------------------------------------------
    def _namespace(self, tag):
        ns = NetworkNamespace(tag)
        ns.name = f"dm{tag}{os.getpid()}"  # the whole pid: remove_stale() reads it back
        self.namespaces.append(ns)
        ns.__enter__()
        return ns

    def _attach(self, ns, address, port_name):
        """A veth pair from the bridge to NS: `port_name` on the bridge, eth0 in NS."""
        run(["ip", "-n", self.bridge.name, "link", "add", port_name, "type", "veth", "peer", "name", "eth0",
             "netns", ns.name])
        run(["ip", "-n", self.bridge.name, "link", "set", port_name, "master", "br0", "up"])
        run(["ip", "-n", ns.name, "addr", "add", f"{address}/24", "dev", "eth0"])
        run(["ip", "-n", ns.name, "link", "set", "eth0", "up"])

    @staticmethod
    def remove_stale():
        """Namespaces (and what runs in them) left by a run of this test that was killed
        before its cleanup (ctest's timeout): their names end in the pid of the test
        process, which is gone."""
        for line in run(["ip", "netns", "list"], check=False).stdout.splitlines():
            m = re.match(r"(dmf[bcs12])(\d+)\b", line)
            if not m or Path(f"/proc/{m.group(2)}").exists():
                continue
            name = m.group(0)
            for pid in run(["ip", "netns", "pids", name], check=False).stdout.split():
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            run(["ip", "netns", "del", name], check=False)

    def start(self):
        self.remove_stale()
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.bridge = self._namespace("fb")
        run(["ip", "-n", self.bridge.name, "link", "add", "br0", "type", "bridge"])
        run(["ip", "-n", self.bridge.name, "link", "set", "br0", "up"])
        self.client = self._namespace("fc")
        self._attach(self.client, CLIENT_ADDRESS, "vc" + self.bridge.name[-5:])
        if self.store == "smb":
            self.storage = self._namespace("fs")
            self._attach(self.storage, STORAGE_ADDRESS, "vs" + self.bridge.name[-5:])
            self._start_smbd()
        else:
            (self.folder / "shared").mkdir()
        for number, role in ((1, "primary"), (2, "secondary")):
            name = f"node{number}"
            ns = self._namespace(f"f{number}")
            node = Node(name, number, ns, self.folder / name, role)
            self.nodes.append(node)
            self._attach(ns, node.address, node.bridge_port)
            self._provision(node)
        for node in self.nodes:
            node.start_daemon()
        for node in self.nodes:
            if not wait_for(node.healthy, timeout=60, interval=0.3):
                raise RuntimeError(f"{node.name} did not pass dirmailctl health\n{node.explain()}")
        for node in self.nodes:
            node.start_keepalived()
        if not wait_for(lambda: self.node1.holds_vip() and self.greeting_host() == self.node1.hostname,
                        timeout=60, interval=0.3):
            raise RuntimeError(f"node1 did not become active\n{self.explain()}")
        return self

    def _start_smbd(self):
        # smbd serves as its own user, who must be able to walk down to the share: not
        # below a private build folder.
        self.smbd_state = Path(f"/var/tmp/dirmail-failover-{os.getpid()}/smbd")
        shutil.rmtree(self.smbd_state, ignore_errors=True)
        env = {**os.environ, "DIRMAIL_SMBD_ADDRESS": STORAGE_ADDRESS}
        r = subprocess.run(["ip", "netns", "exec", self.storage.name, PYTHON, str(SMBD_SCRIPT), "start",
                            "--state", str(self.smbd_state)], env=env, capture_output=True, text=True, timeout=120)
        if r.returncode != 0:
            raise RuntimeError(f"smbd did not start in the storage namespace: {r.stdout}{r.stderr}")
        self.smbd = json.loads((self.smbd_state / "fixture.json").read_text())

    def shared_folder(self):
        """The store and queue's folder as this machine sees it."""
        return Path(self.smbd["share_folder"]) if self.store == "smb" else self.folder / "shared"

    def store_settings(self):
        if self.store == "smb":
            unc = f"\\\\{STORAGE_ADDRESS}\\{self.smbd['share']}"
            # TOML literal strings: the backslashes of the UNC paths stay as written.
            return (f'[store]\nbackend = "smb"\nroot = \'{unc}\\store\'\n'
                    f'smb_credentials_file = "{self.smbd["credentials_file"]}"\nsmb_timeout = 3000\n\n'
                    f"[queue]\ndir = '{unc}\\queue'\n")
        shared = self.shared_folder()
        return f'[store]\nroot = "{shared / "store"}"\n\n[queue]\ndir = "{shared / "queue"}"\n'

    def _provision(self, node):
        node.folder.mkdir(parents=True)
        node.config.write_text(f"""
[server]
hostname = "{node.hostname}"
data_dir = "."
node_name = "{node.name}"
io_threads = 2
blocking_threads = 4
shutdown_grace = 5

[log]
stderr = false

[delivery]
retry_interval = 1

[smtp]
listen = ["0.0.0.0 25"]

[pop3]
listen = ["0.0.0.0 110"]
plaintext_auth = "always"

[imap]
listen = ["0.0.0.0 143"]
plaintext_auth = "always"

{self.store_settings()}
[cluster]
virtual_ip = "{VIP}"
interface = "eth0"
router_id = 77
role = "{node.cluster_role}"
advert_interval = 1
failback = true
failback_delay = {FAILBACK_DELAY}
health_interval = 1
health_timeout = 1
health_failures = 2
lease_time = {LEASE_TIME}
""")
        node.ctl("domain", "add", "example.test")
        for address in RECIPIENTS:
            node.ctl("user", "add", address, "--password-stdin", input=USERS[address] + "\n")

    # -- the pieces ----------------------------------------------------------------------
    @property
    def node1(self):
        return self.nodes[0]

    @property
    def node2(self):
        return self.nodes[1]

    def other(self, node):
        return self.node2 if node is self.node1 else self.node1

    def client_run(self, *args, stdin=None):
        c = ClientRun(self.client, *map(str, args), stdin=stdin)
        self.clients.append(c)
        return c

    def greeting_host(self):
        """The node that greets through the VIP now (its server.hostname), or None."""
        r = self.client.run([PYTHON, "-c", "import socket,sys\n"
                             "try:\n"
                             f" s=socket.create_connection(('{VIP_ADDRESS}',25),timeout=1);s.settimeout(1)\n"
                             " l=s.makefile('rb').readline().decode();s.sendall(b'QUIT\\r\\n')\n"
                             " print(l.split()[1] if l.startswith('220') else '')\n"
                             "except OSError: print('')\n"], timeout=30)
        return r.stdout.strip() or None

    def set_link(self, node, up):
        """Cuts NODE off the segment (its port on the bridge down), or joins it again."""
        run(["ip", "-n", self.bridge.name, "link", "set", node.bridge_port, "up" if up else "down"])

    # -- the mail on the shared store ---------------------------------------------------
    def mailbox_copies(self, prefix):
        """{(tag, mailbox): copies} of the messages whose tag starts with PREFIX, counted
        from the message files in the mailboxes' cur/ and new/ folders on the store."""
        copies = {}
        pattern = re.compile(rb"^Message-ID: <(" + re.escape(prefix.encode()) + rb"-\d+)@", re.M | re.I)
        store = self.shared_folder() / "store"
        for path in store.rglob("*"):
            if path.parent.name not in ("cur", "new") or not path.is_file():
                continue
            try:
                head = path.read_bytes()[:8192]
            except OSError:  # moved from new/ to cur/ while we look
                continue
            m = pattern.search(head)
            if m:
                mailbox = path.relative_to(store).parts[:3]
                key = (m.group(1).decode(), "/".join(mailbox))
                copies[key] = copies.get(key, 0) + 1
        return copies

    def queued(self):
        incoming = self.shared_folder() / "queue" / "incoming"
        return sorted(p.name for p in incoming.glob("*.msg")) if incoming.exists() else []

    def explain(self):
        return "".join(node.explain() for node in self.nodes) + f"queued: {len(self.queued())}\n"

    # -- taking it all down ---------------------------------------------------------------
    def close(self):
        for c in self.clients:
            c.stop()
        for node in self.nodes:
            node.stop()
        if self.smbd_state is not None:
            subprocess.run([PYTHON, str(SMBD_SCRIPT), "stop", "--state", str(self.smbd_state)],
                           capture_output=True, timeout=120)
        # Whatever still runs in the namespaces (a hook keepalived started) was started here.
        for ns in self.namespaces:
            pids = run(["ip", "netns", "pids", ns.name], check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        for ns in reversed(self.namespaces):
            ns.__exit__(None, None, None)
        self.namespaces = []
        if self.smbd_state is not None:
            shutil.rmtree(self.smbd_state.parent, ignore_errors=True)
            self.smbd_state = None


def time_of_first(events, after, predicate):
    """The time of the first event after AFTER that PREDICATE accepts, or None."""
    for e in events:
        if e["t"] > after and predicate(e):
            return e["t"]
    return None

