"""CPU accounting for a server and every process it ever starts.

A server is started inside a cgroup made for it; the kernel then charges the CPU
time of all its processes and threads to that cgroup, including processes that
exit before the reading (Postfix's smtpd, cleanup and virtual come and go). Reading
the cgroup's counter before and after a load run gives the server's whole cost,
which per-PID /proc sampling cannot (it misses processes that came and went).
cgroup v2 (cpu.stat) is used where a child group can be made, else cgroup v1's
cpuacct controller.
"""
import os
import signal
import subprocess
import time
from pathlib import Path

_V2_ROOTS = (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified"))
_V1_ROOT = Path("/sys/fs/cgroup/cpuacct")


def _own_path(root, controller):
    """This process's group below ROOT: "0::/x" for v2, "N:cpu,cpuacct:/x" for v1."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(","):
            return root / path.lstrip("/")
    return root


class CpuCgroup:
    """One cgroup named NAME; `enter_from_child` moves a forked child into it."""

    def __init__(self, name):
        self.name = name
        self.path = None
        self.kind = None
        errors = []
        for root in _V2_ROOTS:
            if (root / "cgroup.controllers").exists():
                try:
                    self._make(_own_path(root, "") / name, "v2")
                    return
                except OSError as e:
                    errors.append(f"{root}: {e}")
        if (_V1_ROOT / "cpuacct.usage").exists():
            try:
                self._make(_own_path(_V1_ROOT, "cpuacct") / name, "v1")
                return
            except OSError as e:
                errors.append(f"{_V1_ROOT}: {e}")
        raise RuntimeError("no cgroup for CPU accounting could be made (run as root on a "
                           "machine with cgroup v2 or the v1 cpuacct controller): " + "; ".join(errors))

    def _make(self, path, kind):
        path.mkdir()
        probe = path / ("cpu.stat" if kind == "v2" else "cpuacct.usage")
        if not probe.exists():
            path.rmdir()
            raise OSError(f"{probe} missing")
        self.path, self.kind = path, kind

    def enter_from_child(self):
        """For subprocess preexec_fn: runs in the forked child before exec."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def cpu_seconds(self):
        """(user, system, total) CPU seconds charged so far."""
        if self.kind == "v2":
            stat = dict(line.split() for line in (self.path / "cpu.stat").read_text().splitlines())
            user, system = int(stat["user_usec"]) / 1e6, int(stat["system_usec"]) / 1e6
            return user, system, int(stat["usage_usec"]) / 1e6
        total = int((self.path / "cpuacct.usage").read_text()) / 1e9
        user = int((self.path / "cpuacct.usage_user").read_text()) / 1e9
        system = int((self.path / "cpuacct.usage_sys").read_text()) / 1e9
        return user, system, total

    def pids(self):
        try:
            return [int(p) for p in (self.path / "cgroup.procs").read_text().split()]
        except OSError:
            return []

    def wait_empty(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pids():
                return True
            time.sleep(0.1)
        return not self.pids()

    def remove(self):
        """Kills what is left in the group (only processes this benchmark started), then removes it."""
        if self.path is None:
            return
        for _ in range(50):
            pids = self.pids()
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.1)
        for _ in range(50):
            try:
                self.path.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.1)
        self.path = None


def stop_in_cgroup(proc, cgroup, timeout=60):
    """SIGTERM to a server's main process, SIGKILL after `timeout` s, then wait until
    every process of its cgroup is gone (the same end for every server)."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    cgroup.wait_empty(10)
