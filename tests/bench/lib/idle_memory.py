"""Memory an idle connection costs the server: open K connections, read each greeting,
then compare the server's resident (RSS) and proportional (PSS) memory with before.

Only the server process's user-space memory is counted; the kernel's socket buffers
are not (an idle socket with no queued data holds next to none).
"""
import socket
import time

from loopback import HOST


def process_memory_kb(pid):
    """(VmRSS, Pss) in kB of process PID."""
    rss = pss = None
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def _open_idle(port, greeting, timeout=10.0):
    s = socket.create_connection((HOST, port), timeout=timeout)
    data = b""
    deadline = time.monotonic() + timeout
    while b"\r\n" not in data and time.monotonic() < deadline:
        chunk = s.recv(512)
        if not chunk:
            break
        data += chunk
    if not data.startswith(greeting):
        s.close()
        raise RuntimeError(f"port {port}: expected a greeting starting {greeting!r}, got {data[:80]!r}")
    return s


def measure_idle_connections(pid, protocol, port, greeting, count, settle=1.0):
    # A few connections first, kept open, so that one-time allocations (first session,
    # thread caches) are not charged to the measured ones, and no memory freed by a
    # closed one is reused by them.
    conns = [_open_idle(port, greeting) for _ in range(20)]
    time.sleep(settle)
    rss0, pss0 = process_memory_kb(pid)
    half = count // 2
    conns += [_open_idle(port, greeting) for _ in range(half)]
    time.sleep(settle)
    rss_half, pss_half = process_memory_kb(pid)
    conns += [_open_idle(port, greeting) for _ in range(count - half)]
    time.sleep(settle)
    rss1, pss1 = process_memory_kb(pid)
    for s in conns:
        s.close()
    time.sleep(settle)
    return {
        "protocol": protocol,
        "connections": count,
        "rss_before_kb": rss0,
        "rss_after_kb": rss1,
        "pss_before_kb": pss0,
        "pss_after_kb": pss1,
        "rss_bytes_per_connection": (rss1 - rss0) * 1024 / count,
        "pss_bytes_per_connection": (pss1 - pss0) * 1024 / count,
        "rss_bytes_per_connection_second_half": (rss1 - rss_half) * 1024 / (count - half),
    }
