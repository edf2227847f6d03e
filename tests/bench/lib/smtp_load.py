"""One SMTP accept-and-deliver run: smtp-source sends, the server's cgroup says what it cost.

The CPU reading is taken only once every message is in the mailbox and the queue is
empty, so the figure covers acceptance, queueing and local delivery, the whole work of
a message addressed to a local user.
"""
import subprocess
import time

CLIENT_HELO = "client.example.org"


def smtp_source_command(port, sessions, messages, size, sender, recipient):
    return ["smtp-source", "-s", str(sessions), "-m", str(messages), "-l", str(size), "-M", CLIENT_HELO,
            "-f", sender, "-t", recipient, f"127.0.0.1:{port}"]


def _wait_delivered(server, expected, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.delivered() >= expected and server.queue_empty():
            return True
        time.sleep(0.05)
    return False


def run_load(server, filesystem, sessions, messages, size, sender, timeout):
    """Sends MESSAGES to SERVER and waits until all are delivered; returns the measured figures.
    FILESYSTEM (the server's own) adds its journal thread's CPU to the server's."""
    recipient = server.user
    delivered_before = server.delivered()
    cpu_before = server.cgroup.cpu_seconds()
    journal_before = filesystem.journal_cpu_seconds()
    start = time.monotonic()
    cmd = smtp_source_command(server.port, sessions, messages, size, sender, recipient)
    source = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = source.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        source.kill()
        source.communicate()
        raise RuntimeError(f"{server.name}: smtp-source still sending after {timeout}s\n{server.log_excerpt()}")
    accepted_at = time.monotonic()
    if source.returncode != 0 or err.strip():
        raise RuntimeError(f"{server.name}: smtp-source failed ({source.returncode}): {out}{err}\n"
                           f"{server.log_excerpt()}")
    expected = delivered_before + messages
    if not _wait_delivered(server, expected, timeout):
        raise RuntimeError(f"{server.name}: {server.delivered() - delivered_before} of {messages} messages "
                           f"delivered after {timeout}s (queue empty: {server.queue_empty()})\n"
                           f"{server.log_excerpt()}")
    delivered_at = time.monotonic()
    cpu_after = server.cgroup.cpu_seconds()
    journal = filesystem.journal_cpu_seconds() - journal_before
    delivered = server.delivered() - delivered_before
    user, system, total = (a - b for a, b in zip(cpu_after, cpu_before))
    return {
        "server": server.name,
        "messages": messages,
        "delivered": delivered,
        "accept_seconds": accepted_at - start,
        "deliver_seconds": delivered_at - start,
        "messages_per_second": messages / (delivered_at - start),
        "accept_messages_per_second": messages / (accepted_at - start),
        "source_pid": source.pid,  # smtp-source puts it in each Message-Id (see store_check.py)
        "cpu_user_seconds": user,
        "cpu_system_seconds": system,
        "cpu_journal_seconds": journal,
        "cpu_seconds": total + journal,
        "cpu_us_per_message": (total + journal) / messages * 1e6,
    }
