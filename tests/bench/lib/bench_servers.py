"""Started servers for a benchmark run: each in a file system, folder and cgroup of its own.

Everything a server leaves is removed when its `with` block ends, also after an
error or Ctrl-C, unless KEEP asks to keep the folders (or file system images) for a
look at the logs.
"""
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

from cpu_cgroup import CpuCgroup
from dirmail_server import DirmailServer
from loopback import free_port, require_loopback_only
from postfix_server import PostfixServer
from scratch_filesystem import HostFolder, ScratchFilesystem


class BenchServers:
    def __init__(self, release_dir, tmpdir, keep=False, host_fs=False, filesystem_mib=1024, dirmail_settings=None,
                 postfix_settings=None):
        """DIRMAIL_SETTINGS ({"section.name": TOML value}) changes dirmaild's defaults for an experiment;
        POSTFIX_SETTINGS ({parameter: value}) are added to Postfix's main.cf."""
        self.release_dir = Path(release_dir).resolve()
        self.dirmail_settings = dict(dirmail_settings or {})
        self.postfix_settings = dict(postfix_settings or {})
        self.keep = keep
        self.host_fs = host_fs
        self.filesystem_mib = filesystem_mib
        Path(tmpdir).mkdir(parents=True, exist_ok=True)
        self.top = Path(tempfile.mkdtemp(prefix="dirmail-bench-", dir=tmpdir))
        os.chmod(self.top, 0o755)  # Postfix's unprivileged processes and virtual's mailbox owner pass through
        self.tag = f"dirmail-bench-{os.getpid()}"
        self.filesystem_description = "none used"

    def filesystem(self, label):
        if self.host_fs:
            return HostFolder(self.top / label)
        return ScratchFilesystem(self.top / label, size_mib=self.filesystem_mib, keep_image=self.keep)

    @contextlib.contextmanager
    def server(self, kind, label, user, ports=None, settings=None):
        """A started server (KIND "dirmail" or "postfix") with mailbox USER; yields (server, filesystem).
        SETTINGS, in the server's own form, apply to this server only, over the ones given above."""
        with contextlib.ExitStack() as stack:
            fs = stack.enter_context(self.filesystem(label))
            self.filesystem_description = fs.describe()
            folder = fs.mount / kind
            if not self.keep:
                stack.callback(shutil.rmtree, folder, True)
            cgroup = CpuCgroup(f"{self.tag}-{label}")
            stack.callback(cgroup.remove)
            if kind == "dirmail":
                server = DirmailServer(self.release_dir, folder, cgroup, ports or {"smtp": free_port()}, user=user,
                                       settings={**self.dirmail_settings, **(settings or {})})
            else:
                server = PostfixServer(folder, free_port(), cgroup, user=user,
                                       settings={**self.postfix_settings, **(settings or {})})
            stack.callback(server.stop)
            server.setup()
            server.start()
            require_loopback_only(cgroup.pids(), server.name)
            yield server, fs

    def cleanup(self):
        if not self.keep:
            shutil.rmtree(self.top, ignore_errors=True)
        elif self.top.exists():
            print(f"servers' folders or file system images kept in {self.top}", file=sys.stderr)
