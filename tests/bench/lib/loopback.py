"""Loopback-only networking helpers: the benchmark never binds or targets anything else."""
import os
import socket
import time

HOST = "127.0.0.1"


def free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_port(port, timeout=30.0, alive=lambda: True, what="server"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"{what} exited before listening on {HOST}:{port}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what}: nothing listens on {HOST}:{port} after {timeout}s")



def _socket_inodes(pids):
    inodes = set()
    for pid in pids:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    return inodes


def _hex_address(text, family):
    raw = bytes.fromhex(text)
    if family == socket.AF_INET:
        return socket.inet_ntop(family, raw[::-1])
    return socket.inet_ntop(family, b"".join(raw[i:i + 4][::-1] for i in range(0, 16, 4)))


def listening_addresses(pids):
    """Every (address, port) that one of PIDS listens on, TCP and UDP, IPv4 and IPv6."""
    inodes = _socket_inodes(pids)
    found = []
    for table, family, listen_state in (("tcp", socket.AF_INET, "0A"), ("tcp6", socket.AF_INET6, "0A"),
                                        ("udp", socket.AF_INET, "07"), ("udp6", socket.AF_INET6, "07")):
        try:
            lines = open(f"/proc/net/{table}").read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == listen_state and fields[9] in inodes:
                address, port = fields[1].split(":")
                found.append((_hex_address(address, family), int(port, 16)))
    return found


def require_loopback_only(pids, what):
    """Stops the benchmark if WHAT listens anywhere but 127.0.0.1."""
    wrong = [(a, p) for a, p in listening_addresses(pids) if a != HOST]
    if wrong:
        raise RuntimeError(f"{what} listens on non-loopback addresses {wrong}: refusing to go on")
