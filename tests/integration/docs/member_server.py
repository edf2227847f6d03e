"""A domain member server for running the documentation's commands as written: a
private mount namespace with writable overlays on /etc, /usr, /var/lib, /var/cache,
/var/log and /run, whose changes land in a test folder. `net ads join` writes
/etc/samba and /var/lib/samba, the docs write /etc/krb5.conf, /etc/resolv.conf and
/etc/dirmail, and the host's own files stay untouched. One namespace, held open by a
sleeping process, serves every command (nsenter): file locks and what one command
wrote are seen by the next, as on one machine."""

import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

OVERLAID = ("/etc", "/usr", "/var/lib", "/var/cache", "/var/log", "/run")
COMMAND_TIMEOUT = 240


class MemberServer:
    def __init__(self, folder, environment, network=False):
        """folder: the test's folder for the overlays and the admin's working folder;
        environment: variables every command gets (PASSWD, KRB5CCNAME, DC_IP, ...);
        network: a network namespace of its own too (only loopback, up), so that the
        standard ports are free and nothing outside reaches the server."""
        self.network = network
        self.folder = Path(folder)
        self.workdir = self.folder / "admin"       # where the admin types the commands
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.environment = dict(environment)
        self.mounts = []
        for target in OVERLAID:
            key = target.strip("/").replace("/", "-")
            upper, work = self.folder / "overlay" / f"{key}.upper", self.folder / "overlay" / f"{key}.work"
            upper.mkdir(parents=True, exist_ok=True)
            work.mkdir(parents=True, exist_ok=True)
            self.mounts.append(f"mount -t overlay overlay -o lowerdir={target},upperdir={upper},workdir={work} {target}")
        self.scripts = self.folder / "scripts"
        self.scripts.mkdir(exist_ok=True)
        self.count = 0
        self.holder = None

    def open(self, timeout=30):
        """Makes the namespace; it lives while the holder (or anything entered) runs."""
        ready = self.folder / "namespace.ready"
        steps = self.mounts + (["ip link set lo up"] if self.network else [])
        script = " && ".join(steps + [f"touch {shlex.quote(str(ready))}", "exec sleep 86400"])
        namespaces = ["--mount"] + (["--net"] if self.network else [])
        self.holder = subprocess.Popen(["unshare", *namespaces, "--propagation", "private", "--", "sh", "-c", script],
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.time() + timeout
        while not ready.exists():
            if self.holder.poll() is not None or time.time() > deadline:
                raise RuntimeError("the member server's mount namespace could not be made (overlayfs, root?)")
            time.sleep(0.05)

    def close(self):
        stop(self.holder, timeout=5)

    def upper(self, path):
        """Where a file the member wrote under `path` (/etc/...) is kept on the host."""
        for target in sorted(OVERLAID, key=len, reverse=True):
            if path == target or path.startswith(target + "/"):
                key = target.strip("/").replace("/", "-")
                return self.folder / "overlay" / f"{key}.upper" / os.path.relpath(path, target)
        raise ValueError(f"{path} is not under an overlaid folder")

    def command(self, argv):
        """argv run inside the namespace, in the admin's working folder."""
        inner = f'cd {shlex.quote(str(self.workdir))} && exec "$@"'
        network = [f"--net=/proc/{self.holder.pid}/ns/net"] if self.network else []
        return ["nsenter", f"--mount=/proc/{self.holder.pid}/ns/mnt", *network, "--",
                "sh", "-c", inner, "member", *argv]

    def env(self):
        base = {k: v for k, v in os.environ.items() if k.startswith(("ASAN_", "UBSAN_", "LSAN_"))}
        base.update({"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                     "HOME": str(self.workdir), "LANG": "C.UTF-8", "TERM": "dumb"})
        base.update(self.environment)
        return base

    def run_script(self, text, stdin="", label="script"):
        """Runs shell text as the admin would (bash, stop at the first error); returns
        the CompletedProcess with stdout and stderr merged."""
        self.count += 1
        path = self.scripts / f"{self.count:02d}-{label}.sh"
        path.write_text(text)
        # A new session has no terminal: password prompts (net, samba-tool, kinit) read
        # standard input, as they do when a script feeds them.
        return subprocess.run(self.command(["bash", "-euo", "pipefail", str(path)]), input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=COMMAND_TIMEOUT, env=self.env(), start_new_session=True)

    def start(self, argv, log_path, extra_env=None):
        """A long-running process (dirmaild) inside the member's namespace."""
        env = self.env()
        env.update(extra_env or {})
        with open(log_path, "ab") as log:
            return subprocess.Popen(self.command(argv), stdout=log, stderr=log, env=env, start_new_session=True)


def stop(process, timeout=30):
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
