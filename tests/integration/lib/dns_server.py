"""A real DNS server for tests: dnsmasq (package dnsmasq-base) on 127.0.0.1 and ::1,
on a free port, serving only the records the test gives it. Names under the local
domains (default "test") that have no record get NXDOMAIN; nothing is forwarded.

    with DnsServer(folder, mx=[("example.test", "mx1.example.test", 10)],
                   hosts={"mx1.example.test": ["127.0.0.2", "::1"]}) as dns:
        ... dns.entry ...            # "127.0.0.1 PORT", as delivery.dns_servers takes it
"""
import os
import random
import shutil
import socket
import struct
import subprocess
import time
from pathlib import Path

DNSMASQ = shutil.which("dnsmasq") or "/usr/sbin/dnsmasq"


def free_udp_and_tcp_port():
    """A port free for both UDP and TCP on 127.0.0.1 (dnsmasq listens on both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
            u.bind(("127.0.0.1", 0))
            port = u.getsockname()[1]
            try:
                with socket.socket() as t:
                    t.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port for the DNS server")


def dns_query(name, qtype=1, port=53, address="127.0.0.1", timeout=1.0):
    """Sends one question; returns (rcode, answer count) or None without a reply."""
    qid = random.randrange(65536)
    question = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".") if label) + b"\0"
    packet = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question + struct.pack(">HH", qtype, 1)
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(packet, (address, port))
        try:
            reply, _ = s.recvfrom(4096)
        except OSError:
            return None
    rid, flags, _, ancount = struct.unpack(">HHHH", reply[:8])
    return (flags & 0xF, ancount) if rid == qid else None


class DnsServer:
    def __init__(self, folder, mx=(), hosts=None, cnames=None, null_mx=(), srv=(), local_domains=("test",),
                 ttl=300, ipv6=True):
        """mx: (domain, host, preference) triples; hosts: {name: [addresses]} (A and AAAA);
        cnames: {alias: target}; null_mx: domains with the RFC 7505 MX "."; srv: (name,
        target, port, priority, weight); ttl: of every record; ipv6: listen on ::1 too."""
        self.folder = Path(folder)
        self.mx, self.hosts, self.cnames = list(mx), dict(hosts or {}), dict(cnames or {})
        self.null_mx, self.srv, self.local_domains = list(null_mx), list(srv), list(local_domains)
        self.ttl, self.ipv6 = ttl, ipv6
        self.port = None
        self.proc = None

    @property
    def entry(self):
        """This server as a delivery.dns_servers entry."""
        return f"127.0.0.1 {self.port}"

    @property
    def entry6(self):
        return f"::1 {self.port}"

    def arguments(self):
        args = [DNSMASQ, "--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                "--no-poll", "--bind-interfaces", "--listen-address=127.0.0.1", f"--port={self.port}",
                "--pid-file=", "--log-facility=-", "--log-queries", f"--local-ttl={self.ttl}",
                f"--auth-ttl={self.ttl}", "--cache-size=0"]
        if self.ipv6:
            args.append("--listen-address=::1")
        args += [f"--local=/{d}/" for d in self.local_domains]
        args += [f"--mx-host={domain},{host},{preference}" for domain, host, preference in self.mx]
        args += [f"--host-record={name},{','.join(addresses)}" for name, addresses in self.hosts.items()]
        args += [f"--cname={alias},{target}" for alias, target in self.cnames.items()]
        # MX RDATA of the null MX: preference 0, the root name.
        args += [f"--dns-rr={domain},15,000000" for domain in self.null_mx]
        args += [f"--srv-host={name},{target},{port},{priority},{weight}"
                 for name, target, port, priority, weight in self.srv]
        return args

    def start(self, attempts=3):
        self.folder.mkdir(parents=True, exist_ok=True)
        for _ in range(attempts):
            self.port = free_udp_and_tcp_port()
            log = open(self.folder / "dnsmasq.log", "ab")
            self.proc = subprocess.Popen(self.arguments(), stdout=log, stderr=subprocess.STDOUT)
            log.close()
            deadline = time.time() + 10
            while time.time() < deadline and self.proc.poll() is None:
                if dns_query("ready.invalid", port=self.port, timeout=0.2) is not None:
                    return self
                time.sleep(0.05)
            self.stop()  # the port was taken meanwhile, or dnsmasq refused the records
        raise RuntimeError(f"dnsmasq did not start; see {self.folder / 'dnsmasq.log'}:\n" + self.log_text())

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def log_text(self):
        path = self.folder / "dnsmasq.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def dead_dns_entry():
    """A delivery.dns_servers entry where nothing listens: queries get no answer."""
    return f"127.0.0.1 {free_udp_and_tcp_port()}"


if __name__ == "__main__":  # a manual check: python3 dns_server.py
    import tempfile
    with tempfile.TemporaryDirectory() as d, DnsServer(d, mx=[("example.test", "mx.example.test", 10)],
                                                       hosts={"mx.example.test": ["127.0.0.2"]}) as dns:
        print(dns.entry, dns_query("example.test", 15, dns.port), dns_query("nowhere.test", 15, dns.port),
              os.getpid())
