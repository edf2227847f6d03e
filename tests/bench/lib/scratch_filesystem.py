"""A fresh journaled ext4 file system on a loop device for the servers' folders.

Mail servers run on a journaled file system, where fsync means a journal commit.
The host's own file system may not be one (this sandbox's root ext4 has no journal,
which makes ext4 scan for inodes it may reuse and grows every file creation's cost
with the other agents' churn), and it is shared with whatever else runs. A new file
system per run gives both servers the same, clean, production-like ground.

The journal's commits are done by a kernel thread (jbd2) that belongs to no cgroup;
as only the benchmarked server writes to this file system, that thread's CPU is the
server's, and it is reported and added to the server's CPU.
"""
import os
import subprocess
import time
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _run(*cmd):
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {r.stderr.strip()}")
    return r.stdout


class ScratchFilesystem:
    def __init__(self, folder, size_mib=1024, keep_image=False):
        self.folder = Path(folder)
        self.image = self.folder.with_suffix(".img")
        self.mount = self.folder
        self.size_mib = size_mib
        self.keep_image = keep_image
        self.mounted = False
        self.device = None
        self.journal_pid = None

    def __enter__(self):
        try:
            self.folder.mkdir(parents=True)
            with open(self.image, "wb") as f:
                f.truncate(self.size_mib * 1024 * 1024)
            # Inode tables and journal written now, not by a background thread during the run.
            _run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0,lazy_journal_init=0", str(self.image))
            _run("mount", "-o", "loop", str(self.image), str(self.mount))
            self.mounted = True
            os.chmod(self.mount, 0o755)
            self.device = next(line.split()[0] for line in open("/proc/mounts")
                               if line.split()[1] == str(self.mount))
            self.journal_pid = self._find_journal_thread(Path(self.device).name)
            return self
        except RuntimeError as e:
            self.__exit__(None, None, None)
            raise RuntimeError(f"{e}\n(no loop-mounted ext4 here: --host-fs runs on the host's file system)") from e
        except BaseException:
            self.__exit__(None, None, None)
            raise

    @staticmethod
    def _find_journal_thread(device_name):
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        if (entry / "comm").read_text().strip().startswith(f"jbd2/{device_name}"):
                            return int(entry.name)
                    except OSError:
                        continue
            time.sleep(0.1)
        return None

    def journal_cpu_seconds(self):
        """CPU of this file system's journal thread so far (0 when it has none)."""
        if self.journal_pid is None:
            return 0.0
        fields = Path(f"/proc/{self.journal_pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime

    def describe(self):
        options = next((line.split()[3] for line in open("/proc/mounts") if line.split()[1] == str(self.mount)), "")
        journal = "journal" if self.journal_pid else "no journal"
        return f"ext4 ({journal}, {options}) on {self.device}, a fresh {self.size_mib} MiB image per run"

    def __exit__(self, *exc):
        if self.mounted:
            for _ in range(50):
                if subprocess.run(["umount", str(self.mount)], capture_output=True).returncode == 0:
                    self.mounted = False
                    break
                time.sleep(0.2)
        if not self.mounted:
            if not self.keep_image:
                try:
                    self.image.unlink()
                except FileNotFoundError:
                    pass
            try:
                self.folder.rmdir()
            except OSError:
                pass
        return False


class HostFolder:
    """The same interface on the host's file system, for --host-fs (no loop device)."""

    def __init__(self, folder):
        self.mount = Path(folder)

    def __enter__(self):
        self.mount.mkdir(parents=True)
        os.chmod(self.mount, 0o755)
        return self

    def journal_cpu_seconds(self):
        return 0.0

    def describe(self):
        r = subprocess.run(["findmnt", "-n", "-o", "FSTYPE,SOURCE,OPTIONS", "-T", str(self.mount)],
                           capture_output=True, text=True)
        return f"host file system: {r.stdout.strip()} (journal thread CPU not counted)"

    def __exit__(self, *exc):
        return False
