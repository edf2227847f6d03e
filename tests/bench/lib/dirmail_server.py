"""A release dirmaild in a temporary folder, configured as an admin would run it."""
import re
import subprocess
from pathlib import Path

from cpu_cgroup import stop_in_cgroup
from loopback import HOST, wait_port
from maildir_count import count_files, count_messages

# Defaults everywhere except what a private instance must set: its folder, its
# loopback listeners, and no copy of the log on stderr. The log level stays at the
# default (info: a line per message), like Postfix's maillog.
CONFIG = {
    "server": {"hostname": '"mail.example.test"', "node_name": '"bench"', "data_dir": '"."'},
    "log": {"stderr": "false"},
}


def _settings_reference(release_dir):
    dirmailctl = Path(release_dir) / "src" / "tools" / "dirmailctl"
    r = subprocess.run([str(dirmailctl), "config", "reference"], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise RuntimeError(f"dirmailctl config reference failed: {r.stderr}")
    return r.stdout


def setting_defaults(release_dir):
    """{"section.name": default as the reference writes it} for every setting of this build."""
    return dict(re.findall(r"^\| `(\w+\.\w+)` \| [^|]* \| `([^`]*)` \|", _settings_reference(release_dir), re.M))


def services_with_listeners(release_dir):
    """{service: has an `enabled` switch} for every service with a `listen` setting, from
    the build's own settings reference, so that no service is left on its default
    (wildcard) address."""
    reference = _settings_reference(release_dir)
    listening = set(re.findall(r"^\| `(\w+)\.listen` \|", reference, re.M))
    switchable = set(re.findall(r"^\| `(\w+)\.enabled` \|", reference, re.M))
    if not listening:
        raise RuntimeError("dirmailctl config reference lists no listen setting")
    return {service: service in switchable for service in listening}


class DirmailServer:
    name = "dirmail"

    def __init__(self, release_dir, folder, cgroup, ports, user="user@example.test", settings=None):
        """PORTS maps each service to run ("smtp", "pop3", ...) to its loopback port; SETTINGS,
        {"section.name": TOML value}, changes defaults for an experiment."""
        self.release_dir = Path(release_dir)
        self.dirmaild = self.release_dir / "src" / "daemon" / "dirmaild"
        self.dirmailctl = self.release_dir / "src" / "tools" / "dirmailctl"
        self.root = Path(folder)
        self.queue_folder = self.root / "queue"  # where the queue's files are seen (a share's folder for one there)
        self.cgroup = cgroup
        self.ports = dict(ports)
        self.user = user
        self.settings = dict(settings or {})
        self.config = self.root / "dirmail.toml"
        self.proc = None

    @property
    def port(self):
        return self.ports["smtp"]

    def _ctl(self, *args, input=None):
        r = subprocess.run([str(self.dirmailctl), "--config", str(self.config), *args], capture_output=True,
                           text=True, input=input, timeout=60)
        if r.returncode != 0:
            raise RuntimeError(f"dirmailctl {' '.join(args)} failed: {r.stderr}")

    def _services_with_listeners(self):
        return services_with_listeners(self.release_dir)

    def _config_text(self):
        services = self._services_with_listeners()
        unknown = set(self.ports) - set(services)
        if unknown:
            raise RuntimeError(f"this build has no service {sorted(unknown)}")
        sections = {name: dict(values) for name, values in CONFIG.items()}
        for service, switchable in sorted(services.items()):
            if service in self.ports:
                sections.setdefault(service, {})["listen"] = f'["{HOST} {self.ports[service]}"]'
            elif switchable:
                sections.setdefault(service, {})["enabled"] = "false"
            else:
                raise RuntimeError(f"service {service} cannot be disabled: give it a loopback port")
        for key, value in self.settings.items():
            section, name = key.split(".", 1)
            sections.setdefault(section, {})[name] = value
        return "\n".join(f"[{section}]\n" + "".join(f"{name} = {value}\n" for name, value in values.items())
                         for section, values in sections.items())

    def setup(self):
        for binary in (self.dirmaild, self.dirmailctl):
            if not binary.is_file():
                raise RuntimeError(f"{binary} is missing: build the release first (make release)")
        self.root.mkdir(parents=True, exist_ok=True)
        self.config.write_text(self._config_text())
        self._ctl("domain", "add", self.user.split("@")[1])
        self._ctl("user", "add", self.user, "--password-stdin", input="bench-password\n")

    def add_user(self, address, password="bench-password"):
        """One more mailbox (its domain must be the first user's)."""
        self._ctl("user", "add", address, "--password-stdin", input=password + "\n")

    def start(self):
        err = open(self.root / "dirmaild.stderr", "ab")
        self.proc = subprocess.Popen([str(self.dirmaild), "--config", str(self.config)], stdout=err, stderr=err,
                                     stdin=subprocess.DEVNULL, preexec_fn=self.cgroup.enter_from_child)
        err.close()
        alive = lambda: self.proc.poll() is None  # noqa: E731
        for port in self.ports.values():
            wait_port(port, alive=alive, what="dirmaild")

    def restart(self, settings):
        """Stops dirmaild, changes SETTINGS ({"section.name": TOML value}) and starts it again,
        for settings that are read at start only (such as delivery.enabled)."""
        self.stop()
        self.settings.update(settings)
        self.config.write_text(self._config_text())
        self.start()

    def pid(self):
        return self.proc.pid

    @property
    def mail_folder(self):
        return self.root / "mailboxes"

    def delivered(self):
        return count_messages(self.mail_folder)

    def queue_empty(self):
        # Messages live in these folders; the queue's lock and the daemon's pid file do not count.
        return sum(count_files(self.queue_folder / part) for part in ("tmp", "incoming", "hold")) == 0

    def log_excerpt(self, lines=20):
        text = ""
        for path in sorted((self.root / "log").glob("*/*.log")) + [self.root / "dirmaild.stderr"]:
            if path.exists():
                text += f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) + "\n"
        return text

    def log_problems(self):
        """Every log line above info (levels warn and error), and whatever reached stderr."""
        found = []
        for path in sorted((self.root / "log").glob("*/*.log")):
            found += [line for line in path.read_text(errors="replace").splitlines()
                      if line.split(" ", 2)[1:2] not in (["debug"], ["info"])]
        stderr = self.root / "dirmaild.stderr"
        if stderr.exists():
            found += stderr.read_text(errors="replace").splitlines()
        return found

    def stop(self):
        stop_in_cgroup(self.proc, self.cgroup)
