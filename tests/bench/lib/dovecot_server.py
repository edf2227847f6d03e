"""A private Dovecot (Debian's dovecot-imapd, and dovecot-pop3d when a POP3 port is given)
in a temporary folder, tuned as a careful admin would for many short IMAP or POP3 sessions:
auth cache on, long-lived login processes (high-performance mode), Maildir with Dovecot's
default fsync policy, passwd-file users with the same argon2id hashes dirmail stores for
them. POP3 keeps Dovecot's other defaults (a message retrieved is marked \\Seen at QUIT).

Dovecot checks passwd-file passwords in its one auth process, so with argon2id its logins
use one core at most (auth_cache_verify_password_with_worker did not move the checks to
auth workers here; a sql passdb would, but needs dovecot-sqlite and is not what the issue asks).

It runs as its own master (`dovecot -c CONF -F`) with its own base_dir, on a loopback
port, beside (never instead of) any system Dovecot; nothing of it is left after stop().
"""
import grp
import os
import pwd
import subprocess
from pathlib import Path

from cpu_cgroup import stop_in_cgroup
from loopback import HOST, wait_port

# Unprivileged accounts the Debian packages create: the mail files' owner (Dovecot
# refuses to serve mail as root) and the login processes' user.
MAIL_USER = "mail"
LOGIN_USER = "dovenull"
INTERNAL_USER = "dovecot"


def dovecot_version():
    r = subprocess.run(["dovecot", "--version"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else "not installed"


def _login_service(protocol, port, limit):
    """A login service in high-performance mode: login processes live on and each serves many clients."""
    secure = {"imap": "imaps", "pop3": "pop3s"}[protocol]
    return f"""\
service {protocol}-login {{
  inet_listener {protocol} {{
    address = {HOST}
    port = {port}
  }}
  inet_listener {secure} {{
    port = 0
  }}
  service_count = 0
  process_min_avail = {os.cpu_count() or 1}
  process_limit = {os.cpu_count() or 1}
  client_limit = {limit}
}}
service {protocol} {{
  process_limit = {limit}
}}
"""


def _config(root, ports, connections):
    limit = connections + 1000
    return f"""\
# Private benchmark instance: own base_dir, loopback only, no TLS (dirmail's side has none either).
instance_name = dirmail-bench-{os.getpid()}-{ports["imap"]}
base_dir = {root}/run
state_dir = {root}/state
protocols = {" ".join(ports)}
listen = {HOST}
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
log_path = {root}/log/dovecot.log
info_log_path = {root}/log/dovecot-info.log
default_login_user = {LOGIN_USER}
default_internal_user = {INTERNAL_USER}
first_valid_uid = 1
mail_location = maildir:~/Maildir
# Only Dovecot touches these Maildirs: it may skip re-reading the folder on every command.
maildir_very_dirty_syncs = yes
# Many benchmark sessions per user from one address.
mail_max_userip_connections = {limit}
# Every service that each session's process talks to (stats, anvil, auth) takes them all.
default_client_limit = {limit}
default_vsz_limit = 1G

auth_cache_size = 10M
auth_cache_ttl = 1 hour
auth_cache_negative_ttl = 1 hour

passdb {{
  driver = passwd-file
  args = scheme=ARGON2ID {root}/users
}}
userdb {{
  driver = passwd-file
  args = {root}/users
}}

service imap-urlauth-login {{
  process_limit = 1
}}
""" + "".join(_login_service(protocol, port, limit) for protocol, port in ports.items())


class DovecotServer:
    name = "dovecot"

    def __init__(self, folder, port, cgroup, connections=1000, pop3_port=None):
        """CONNECTIONS: how many client connections at once it must take (process limits);
        POP3_PORT: also serve POP3 there."""
        self.root = Path(folder)
        self.port = port
        self.ports = {"imap": port, **({"pop3": pop3_port} if pop3_port else {})}
        self.cgroup = cgroup
        self.connections = connections
        self.config = self.root / "dovecot.conf"
        self.proc = None
        self.mail_uid = pwd.getpwnam(MAIL_USER).pw_uid
        self.mail_gid = grp.getgrnam(MAIL_USER).gr_gid

    def setup(self, users):
        """USERS: [(address, argon2id hash)] (the hashes dirmail stores, so both check the same)."""
        for sub in ("run", "state", "log", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        lines = []
        for address, password_hash in users:
            home = self.maildir(address).parent
            home.mkdir(parents=True, exist_ok=True)
            lines.append(f"{address}:{{ARGON2ID}}{password_hash}:{self.mail_uid}:{self.mail_gid}::{home}::")
        users_file = self.root / "users"
        users_file.write_text("\n".join(lines) + "\n")
        os.chown(users_file, 0, grp.getgrnam(INTERNAL_USER).gr_gid)  # read by the auth process
        os.chmod(users_file, 0o640)
        self.config.write_text(_config(self.root, self.ports, self.connections))

    def maildir(self, address):
        local, domain = address.split("@")
        return self.root / "mail" / domain / local / "Maildir"

    def give_mail_to_owner(self):
        """The mail files belong to the mail user, as if delivered by dovecot-lda."""
        for path in [self.root / "mail", *(self.root / "mail").rglob("*")]:
            os.chown(path, self.mail_uid, self.mail_gid)

    def start(self):
        err = open(self.root / "dovecot.stderr", "ab")
        self.proc = subprocess.Popen(["dovecot", "-c", str(self.config), "-F"], stdout=err, stderr=err,
                                     stdin=subprocess.DEVNULL, preexec_fn=self.cgroup.enter_from_child)
        err.close()
        for port in self.ports.values():
            wait_port(port, alive=lambda: self.proc.poll() is None, what="dovecot")

    def pid(self):
        return self.proc.pid

    def log_problems(self):
        """Warnings, errors and fatal lines of Dovecot's log, and whatever reached stderr."""
        found = []
        for name in ("log/dovecot.log", "dovecot.stderr"):
            path = self.root / name
            if path.exists():
                found += [line for line in path.read_text(errors="replace").splitlines() if line.strip()]
        return found

    def stop(self):
        stop_in_cgroup(self.proc, self.cgroup)
