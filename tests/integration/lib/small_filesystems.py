"""Small tmpfs mounts that stand in for full disks and full shares (needs root)."""
import subprocess


def mount_tmpfs(path, size):
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)


def unmount(path):
    subprocess.run(["umount", str(path)], capture_output=True)


def fill(path):
    """Fills the filesystem at `path`; returns the filler file."""
    filler = path / "filler"
    # Unbuffered: a buffered file would try to write its rest again when it is closed,
    # and fail there with ENOSPC.
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 65536)
        except OSError:
            pass
    return filler
