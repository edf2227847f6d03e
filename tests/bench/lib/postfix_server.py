"""A private Postfix instance in a temporary folder, tuned as a careful admin would.

It never reads or writes the host's /etc/postfix or /var/spool/postfix: every command
gets `-c CONFIG_DIR`, and queue_directory/data_directory point into the folder. Mail
for the test domain goes to Maildir folders through virtual(8), Postfix's delivery
agent for mailbox-only domains (no Unix account needed), with recipients validated
from a hash table like dirmail validates them from its directory.
"""
import os
import re
import shutil
import subprocess
from pathlib import Path

from loopback import HOST, wait_port
from maildir_count import count_files, count_messages

VIRTUAL_UID = 5000  # a dedicated mailbox owner, as virtual-hosting guides use ("vmail")
QUEUE_FOLDERS = ("maildrop", "incoming", "active", "deferred", "hold")

# Every setting and why; docs/performance.md repeats this list.
MAIN_CF = """\
compatibility_level = 3.6
# Private instance: everything under the benchmark's folder.
queue_directory = {root}/spool
data_directory = {root}/data
maillog_file_prefixes = {root}
# Log every message, as a production server does, to a file (there is no syslog here).
maillog_file = {root}/maillog
# Names given explicitly: no host name or domain lookups at start.
myhostname = mail.example.test
mydomain = example.test
myorigin = $myhostname
# Loopback only; the listener itself is in master.cf.
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
# No DNS lookups for clients (reverse name of the peer) and none for outbound mail.
smtpd_peername_lookup = no
smtp_dns_support_level = disabled
# The domain is a mailbox-only domain: unknown recipients are refused at RCPT TO.
mydestination =
virtual_mailbox_domains = example.test
virtual_mailbox_base = {root}/mail
virtual_mailbox_maps = hash:{root}/etc/vmailbox
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{uid}
# No local domain, so no aliases: without this every smtpd tries the host's
# /etc/aliases.db and NIS at start and logs an error and a warning.
alias_maps =
alias_database =
# Nothing here is tuned away from durability: queue files and mailbox files are
# fsynced before the 250 reply and before the delivery is recorded, as by default.
"""

# Debian's master.cf services, without chroot (the queue folder has no chroot files;
# chroot changes nothing in the CPU cost) and with the SMTP listener on loopback.
MASTER_CF = """\
{host}:{port} inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def postfix_version():
    r = subprocess.run(["postconf", "-d", "-h", "mail_version"], capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


class PostfixServer:
    name = "postfix"

    def __init__(self, folder, port, cgroup, user="user@example.test", settings=None):
        """SETTINGS, {main.cf parameter: value}, are added to MAIN_CF (e.g. a relayhost)."""
        self.root = Path(folder)
        self.port = port
        self.cgroup = cgroup
        self.user = user
        self.settings = dict(settings or {})
        self.etc = self.root / "etc"
        self.started = False

    def _postfix(self, *args, **kw):
        return subprocess.run(["postfix", "-c", str(self.etc), *args], capture_output=True, text=True,
                              timeout=120, **kw)

    def setup(self):
        for sub in ("etc", "spool", "data", "mail"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        # Postfix's unprivileged processes must be able to reach the folders.
        os.chmod(self.root, 0o755)
        shutil.chown(self.root / "data", user="postfix")
        os.chown(self.root / "mail", VIRTUAL_UID, VIRTUAL_UID)
        main_cf = MAIN_CF.format(root=self.root, uid=VIRTUAL_UID)
        if self.settings:
            main_cf += "# This benchmark's own settings.\n" + "".join(f"{k} = {v}\n" for k, v in self.settings.items())
        (self.etc / "main.cf").write_text(main_cf)
        (self.etc / "master.cf").write_text(MASTER_CF.format(host=HOST, port=self.port))
        local, domain = self.user.split("@")
        (self.etc / "vmailbox").write_text(f"{self.user} {domain}/{local}/\n")
        r = subprocess.run(["postmap", "-c", str(self.etc), f"hash:{self.etc}/vmailbox"],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"postmap failed: {r.stderr}")

    def start(self):
        r = self._postfix("start", preexec_fn=self.cgroup.enter_from_child)
        if r.returncode != 0:
            raise RuntimeError(f"postfix start failed: {r.stdout}{r.stderr}{self.log_excerpt()}")
        self.started = True
        wait_port(self.port, what="postfix")

    def release_hold(self):
        """Releases every message on hold and asks for its delivery now, as an admin would
        (postsuper -H ALL, postqueue -f); both run in the server's cgroup, as their work is
        the server's."""
        for cmd in (["postsuper", "-c", str(self.etc), "-H", "ALL"], ["postqueue", "-c", str(self.etc), "-f"]):
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                               preexec_fn=self.cgroup.enter_from_child)
            if r.returncode != 0:
                raise RuntimeError(f"{' '.join(cmd)} failed: {r.stdout}{r.stderr}")

    @property
    def mail_folder(self):
        return self.root / "mail"

    def delivered(self):
        return count_messages(self.mail_folder)

    def queue_empty(self):
        return all(count_files(self.root / "spool" / q) == 0 for q in QUEUE_FOLDERS)

    def log_excerpt(self, lines=20):
        path = self.root / "maillog"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def log_problems(self):
        """maillog lines that Postfix marks warning, error, fatal or panic."""
        path = self.root / "maillog"
        if not path.exists():
            return []
        return [line for line in path.read_text(errors="replace").splitlines()
                if re.search(r": (warning|error|fatal|panic): ", line)]

    def stop(self):
        if self.started:
            self._postfix("stop")
            self.started = False
        if not self.cgroup.wait_empty(30):
            self._postfix("abort")
            self.cgroup.wait_empty(10)
