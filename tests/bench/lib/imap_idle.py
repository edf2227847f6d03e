"""Memory an idle IMAP (or POP3) connection costs a server, over all of its processes
(Dovecot runs a process per logged-in client, dirmail one process for all): open K
connections, then compare the summed RSS and PSS of every process in the server's cgroup
with before.

Two kinds of idle connection:
  greeted   connected and greeted, nothing sent (a client that has not logged in yet);
  selected  logged in with INBOX selected (a mail client left open), the usual idle.
PSS shares each shared page among the processes that map it, so the summed PSS is the
memory the server really uses; summed RSS counts shared pages once per process.
Kernel socket buffers are not counted (an idle socket with nothing queued holds next to none).
"""
import socket
import time
from concurrent.futures import ThreadPoolExecutor

from idle_memory import process_memory_kb
from loopback import HOST


def cgroup_memory_kb(cgroup):
    """(summed VmRSS, summed Pss, processes) in kB over CGROUP's processes."""
    rss = pss = count = 0
    for pid in cgroup.pids():
        try:
            r, p = process_memory_kb(pid)
        except OSError:
            continue  # exited meanwhile
        rss += r or 0
        pss += p or 0
        count += 1
    return rss, pss, count


def _read_until(s, marker, timeout=60.0):
    data = b""
    deadline = time.monotonic() + timeout
    while marker not in data:
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {marker!r} after {timeout}s, got {data[-200:]!r}")
        chunk = s.recv(65536)
        if not chunk:
            raise RuntimeError(f"connection closed, got {data[-200:]!r}")
        data += chunk
    return data


def _open(port, login=None, greeting=b"* OK"):
    s = socket.create_connection((HOST, port), timeout=120)
    try:
        if not _read_until(s, b"\r\n").startswith(greeting):
            raise RuntimeError(f"no {greeting!r} greeting")
        if login:
            user, password = login
            for tag, command in (("a1", f'LOGIN "{user}" "{password}"'), ("a2", "SELECT INBOX")):
                s.sendall(f"{tag} {command}\r\n".encode())
                data = b"\r\n" + _read_until(s, f"{tag} ".encode())
                while not data.endswith(b"\r\n"):  # the rest of the tagged line
                    data += _read_until(s, b"\r\n")
                if f"\r\n{tag} OK".encode() not in data:
                    raise RuntimeError(f"{command.split()[0]} failed: {data[-200:]!r}")
        return s
    except BaseException:
        s.close()
        raise


def measure_idle(cgroup, port, count, users=None, settle=2.0, parallel=16, greeting=b"* OK"):
    """COUNT idle connections to PORT; logged in round-robin as USERS [(address, password)]
    with INBOX selected when given (IMAP), else only greeted (GREETING: b"+OK" for POP3).
    Returns the memory figures."""
    logins = [users[i % len(users)] if users else None for i in range(count + 20)]
    if users:
        # dirmail refuses a login while 5 (auth.max_failures_per_account) of the account's are being
        # checked; fewer logins at once than users keeps each account to one or two.
        parallel = min(parallel, max(1, len(users) // 2))
    conns = []
    with ThreadPoolExecutor(parallel) as pool:
        try:
            # A few first, kept open, so that one-time allocations are not charged to the measured ones.
            conns += pool.map(lambda a: _open(port, a, greeting), logins[:20])
            time.sleep(settle)
            rss0, pss0, procs0 = cgroup_memory_kb(cgroup)
            start = time.monotonic()
            conns += pool.map(lambda a: _open(port, a, greeting), logins[20:])
            open_seconds = time.monotonic() - start
            time.sleep(settle)
            rss1, pss1, procs1 = cgroup_memory_kb(cgroup)
        finally:
            for s in conns:
                s.close()
    time.sleep(settle)
    return {"kind": "selected" if users else "greeted", "connections": count, "open_seconds": open_seconds,
            "processes_before": procs0, "processes_after": procs1,
            "rss_before_kb": rss0, "rss_after_kb": rss1, "pss_before_kb": pss0, "pss_after_kb": pss1,
            "rss_bytes_per_connection": (rss1 - rss0) * 1024 / count,
            "pss_bytes_per_connection": (pss1 - pss0) * 1024 / count}
