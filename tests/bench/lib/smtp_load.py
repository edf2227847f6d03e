"""One SMTP accept-and-deliver run: smtp-source sends, the server's cgroup says what it cost.

The CPU reading is taken only once every message is delivered (in the mailbox, or at
the relay's destination) and the queue is empty, so the figure covers acceptance,
queueing and delivery, the whole work of a message.
"""
import subprocess
import time

CLIENT_HELO = "client.example.org"


def smtp_source_command(port, sessions, messages, size, sender, recipient):
    return ["smtp-source", "-s", str(sessions), "-m", str(messages), "-l", str(size), "-M", CLIENT_HELO,
            "-f", sender, "-t", recipient, f"127.0.0.1:{port}"]


class CostMeter:
    """Wall time and CPU of SERVER's cgroup, plus its FILESYSTEM's journal thread (which
    only the server writes to), from this meter's making to each `read`."""

    def __init__(self, server, filesystem):
        self.server, self.filesystem = server, filesystem
        self.cpu_before = server.cgroup.cpu_seconds()
        self.journal_before = filesystem.journal_cpu_seconds()
        self.start = time.monotonic()

    def read(self, messages):
        seconds = time.monotonic() - self.start
        cpu_after = self.server.cgroup.cpu_seconds()
        journal = self.filesystem.journal_cpu_seconds() - self.journal_before
        user, system, total = (a - b for a, b in zip(cpu_after, self.cpu_before))
        return {
            "cpu_user_seconds": user,
            "cpu_system_seconds": system,
            "cpu_journal_seconds": journal,
            "cpu_seconds": total + journal,
            "cpu_us_per_message": (total + journal) / messages * 1e6,
            "seconds": seconds,
        }


def send_load(server, sessions, messages, size, sender, timeout, recipient=None):
    """smtp-source sends MESSAGES to SERVER (to RECIPIENT, default the server's user) and
    must have every one accepted; returns smtp-source's process id (it is in each Message-Id)."""
    cmd = smtp_source_command(server.port, sessions, messages, size, sender, recipient or server.user)
    source = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = source.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        source.kill()
        source.communicate()
        raise RuntimeError(f"{server.name}: smtp-source still sending after {timeout}s\n{server.log_excerpt()}")
    if source.returncode != 0 or err.strip():
        raise RuntimeError(f"{server.name}: smtp-source failed ({source.returncode}): {out}{err}\n"
                           f"{server.log_excerpt()}")
    return source.pid


def wait_delivered(server, delivered, expected, timeout):
    """Waits until DELIVERED() (a count) reaches EXPECTED and SERVER's queue is empty, or fails."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if delivered() >= expected and server.queue_empty():
            return
        time.sleep(0.05)
    raise RuntimeError(f"{server.name}: {delivered()} of {expected} messages delivered after {timeout}s "
                       f"(queue empty: {server.queue_empty()})\n{server.log_excerpt()}")


def run_load(server, filesystem, sessions, messages, size, sender, timeout, recipient=None, delivered=None):
    """Sends MESSAGES to SERVER and waits until all are delivered; returns the measured figures.
    FILESYSTEM (the server's own) adds its journal thread's CPU to the server's. RECIPIENT
    (default the server's user) and DELIVERED (a count of delivered messages, default the
    server's mailbox count) serve a relay, whose messages are delivered elsewhere."""
    delivered = delivered or server.delivered
    delivered_before = delivered()
    meter = CostMeter(server, filesystem)
    source_pid = send_load(server, sessions, messages, size, sender, timeout, recipient)
    accept_seconds = time.monotonic() - meter.start
    wait_delivered(server, delivered, delivered_before + messages, timeout)
    cost = meter.read(messages)
    return {
        "server": server.name,
        "messages": messages,
        "delivered": delivered() - delivered_before,
        "accept_seconds": accept_seconds,
        "deliver_seconds": cost["seconds"],
        "messages_per_second": messages / cost["seconds"],
        "accept_messages_per_second": messages / accept_seconds,
        "source_pid": source_pid,  # smtp-source puts it in each Message-Id (see store_check.py)
        **{k: v for k, v in cost.items() if k != "seconds"},
    }
