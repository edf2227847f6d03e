"""What a report must say about where it ran, and the checks every benchmark makes first."""
import datetime
import os
import platform
import resource
import shutil
import subprocess
import sys
from pathlib import Path

from postfix_server import postfix_version

POSTFIX_TOOLS = ("smtp-source", "postfix", "postconf", "postmap", "mkfs.ext4", "mount", "umount")


def require_root_and_postfix(script):
    """Leaves with a message unless this is root and Postfix's tools are installed."""
    if os.geteuid() != 0:
        sys.exit(f"{script} needs root: it starts Postfix, makes cgroups for CPU accounting and mounts "
                 "loop file systems")
    for tool in POSTFIX_TOOLS:
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is missing: scripts/install-deps installs postfix")


def raise_fd_limit(needed):
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = max(needed, 4096)
    if hard != resource.RLIM_INFINITY and hard < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))  # root may raise the hard limit
    else:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def machine_facts(release_dir, repo):
    def run(*cmd):
        r = subprocess.run(cmd, capture_output=True, text=True)
        return r.stdout.strip() if r.returncode == 0 else ""

    model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")),
                 platform.machine())
    mem_kb = next(int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal:"))
    # The commit of the sources the release was built from, which may not be this checkout.
    source = str(repo)
    cache = Path(release_dir) / "CMakeCache.txt"
    if cache.exists():
        source = next((line.split("=", 1)[1].strip() for line in cache.read_text().splitlines()
                       if line.startswith("CMAKE_HOME_DIRECTORY:")), source)
    commit = run("git", "-C", source, "rev-parse", "--short=12", "HEAD") or f"unknown (sources in {source})"
    if run("git", "-C", source, "status", "--porcelain", "--untracked-files=no"):
        commit += " (with uncommitted changes)"
    dirmaild = Path(release_dir) / "src" / "daemon" / "dirmaild"
    built = (datetime.datetime.fromtimestamp(dirmaild.stat().st_mtime, datetime.timezone.utc)
             .strftime("%Y-%m-%d %H:%M UTC") if dirmaild.exists() else "missing")
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "dirmail_commit": commit,
        "release_dir": str(release_dir),
        "dirmaild_built": built,  # a release older than the checkout is benchmarked as it is
        "postfix": postfix_version(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
    }
