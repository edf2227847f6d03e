"""A network namespace made by a test (ip netns), so that keepalived can add and drop a
virtual IP on an interface of its own without touching the host's network."""
import os
import signal
import subprocess


def run(args, check=True, **kwargs):
    return subprocess.run(args, check=check, capture_output=True, text=True, **kwargs)


class NetworkNamespace:
    def __init__(self, tag):
        # Namespace and interface names are short: interface names have 15 bytes at most.
        self.name = f"dm{tag}{os.getpid() % 100000}"

    def __enter__(self):
        run(["ip", "netns", "add", self.name])
        run(["ip", "-n", self.name, "link", "set", "lo", "up"])
        return self

    def __exit__(self, *exc):
        run(["ip", "netns", "del", self.name], check=False)

    def add_veth(self, name, peer):
        """A veth pair inside the namespace, both ends up (so the interface has a carrier)."""
        run(["ip", "-n", self.name, "link", "add", name, "type", "veth", "peer", "name", peer])
        run(["ip", "-n", self.name, "link", "set", name, "up"])
        run(["ip", "-n", self.name, "link", "set", peer, "up"])

    def prefix(self):
        return ["ip", "netns", "exec", self.name]

    def run(self, args, check=False, **kwargs):
        return run([*self.prefix(), *map(str, args)], check=check, **kwargs)

    def popen(self, args, **kwargs):
        return subprocess.Popen([*self.prefix(), *map(str, args)], **kwargs)

    def addresses(self, interface):
        """The addresses on `interface`, as "ADDRESS/PREFIX" words."""
        out = run(["ip", "-n", self.name, "-br", "addr", "show", "dev", interface]).stdout.split()
        return out[2:]


def stop_process(proc, timeout=30):
    """Ends a process a test started, frozen (SIGSTOP) or not: TERM, then KILL after
    `timeout` seconds."""
    if proc is None or proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGCONT)
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
