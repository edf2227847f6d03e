"""What the package puts on a system, checked with the tools an administrator has:
the tree `cmake --install` makes from this build folder (DESTDIR, prefix /usr),
systemd-analyze on its unit (verify, and the exposure score of `security`), man
--warnings on its man pages, bash on its completion, dirmailctl on its dirmail.toml;
and the Debian package CPack builds (files, modes, conffiles, computed dependencies);
and that package installed with apt into a clean Debian (debootstrap from the Debian
mirror), booted with systemd-nspawn, where the service starts, answers, reloads, scores
and stops (packaging/check-apt-install)."""
import os
import re
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

BUILD = Path(os.environ.get("DIRMAIL_BUILD_DIR", Path(__file__).resolve().parents[3] / "build" / "debug"))
SOURCE = Path(os.environ.get("DIRMAIL_SOURCE_DIR", Path(__file__).resolve().parents[3]))
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "packaging"

# The unit's exposure must stay in systemd's "OK" band and near what the hardening
# reaches (1.5 when written): what is left is inherent to a mail server (it needs the
# host's network, IPv4/IPv6/UNIX/netlink sockets, the low ports' capability, and no
# user namespace, in which that capability would not count). A loosened sandbox
# (ProtectSystem, the system call filter, a second capability) pushes it over.
MAX_EXPOSURE = 2.0

# Paths below the install root; (path, mode) where the mode matters.
EXPECTED = [
    ("usr/sbin/dirmaild", 0o755),
    ("usr/sbin/dirmail-import", 0o755),
    ("usr/bin/dirmailctl", 0o755),
    ("usr/lib/systemd/system/dirmail.service", 0o644),
    ("usr/lib/sysusers.d/dirmail.conf", 0o644),
    ("usr/lib/tmpfiles.d/dirmail.conf", 0o644),
    ("usr/share/man/man8/dirmaild.8.gz", 0o644),
    ("usr/share/man/man8/dirmailctl.8.gz", 0o644),
    ("usr/share/man/man8/dirmail-import.8.gz", 0o644),
    ("usr/share/man/man5/dirmail.toml.5.gz", 0o644),
    ("usr/share/bash-completion/completions/dirmailctl", 0o644),
    ("usr/share/bash-completion/completions/dirmail-import", 0o644),
    # Pacemaker runs the agent; ocf-tester wants it readable by user nobody.
    ("usr/lib/ocf/resource.d/dirmail/dirmail", 0o755),
    ("etc/dirmail/dirmail.toml", 0o644),
    ("etc/logrotate.d/dirmail", 0o644),
    ("usr/share/doc/dirmail/README.md", 0o644),
    ("usr/share/doc/dirmail/admin-guide.md", 0o644),
    ("usr/share/doc/dirmail/settings.md", 0o644),
]


def run(args, timeout=600, **kwargs):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kwargs)


class InstalledTree(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # Each class its own folder: ctest runs the two at once.
        cls.folder = STATE / "install"
        cls.root = cls.folder / "root"
        shutil.rmtree(cls.folder, ignore_errors=True)
        cls.folder.mkdir(parents=True)
        r = run(["cmake", "--install", BUILD, "--prefix", "/usr"], env=dict(os.environ, DESTDIR=str(cls.root)))
        if r.returncode != 0:
            raise AssertionError("cmake --install failed:\n" + r.stdout + r.stderr)

    def test_files_and_modes(self):
        for path, mode in EXPECTED:
            with self.subTest(path=path):
                st = (self.root / path).stat()
                self.assertEqual(st.st_mode & 0o777, mode, path)

    def test_shipped_configuration_is_valid(self):
        r = run([self.root / "usr/bin/dirmailctl", "config", "check", self.root / "etc/dirmail/dirmail.toml"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(": ok", r.stdout)

    def unit_in_tree(self):
        """The unit with its commands pointing into the installed tree, so that verify
        checks they exist there rather than on this host."""
        folder = self.folder / "unit"
        folder.mkdir(exist_ok=True)
        text = (self.root / "usr/lib/systemd/system/dirmail.service").read_text()
        for program in ("/usr/sbin/dirmaild", "/usr/bin/dirmailctl"):
            self.assertIn(program, text)
            text = text.replace(program, str(self.root) + program)
        unit = folder / "dirmail.service"
        unit.write_text(text)
        return unit

    def test_logrotate_rotates_the_logs_in_place(self):
        # The shipped rules on a copy of a log folder (as root here: without the su line,
        # which names the service's user): the node's file is copied aside and emptied,
        # and stays the file dirmaild appends to.
        logs = self.folder / "logs"
        shutil.rmtree(logs, ignore_errors=True)
        (logs / "smtp").mkdir(parents=True)
        node_log = logs / "smtp" / "node1.log"
        node_log.write_text("2026-11-27T10:00:00.000Z info service=smtp type=session msg=\"connect\"\n")
        with open(node_log, "a") as appender:  # opened for appending, as spdlog's sink is
            rules = (self.root / "etc/logrotate.d/dirmail").read_text()
            self.assertIn("copytruncate", rules)
            conf = self.folder / "logrotate.conf"
            conf.write_text(rules.replace("/var/log/dirmail", str(logs)).replace("\tsu dirmail dirmail\n", ""))
            r = run(["logrotate", "-f", "-s", self.folder / "logrotate.state", conf])
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("connect", (logs / "smtp" / "node1.log.1").read_text())
            self.assertEqual(node_log.stat().st_size, 0)
            appender.write("after\n")
        self.assertEqual(node_log.read_text(), "after\n")

    def test_unit_verifies(self):
        # Documentation=man:... is checked too: man finds the pages in the tree.
        env = dict(os.environ, MANPATH=str(self.root / "usr/share/man"))
        r = run(["systemd-analyze", "verify", self.unit_in_tree()], env=env)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(r.stderr.strip(), "", "systemd-analyze verify complained")

    def test_unit_security_exposure(self):
        unit = self.root / "usr/lib/systemd/system/dirmail.service"
        r = run(["systemd-analyze", "security", "--offline=yes", unit])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        m = re.search(r"Overall exposure level for dirmail\.service: (\d+\.\d+) (\w+)", r.stdout)
        self.assertIsNotNone(m, r.stdout)
        left = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("\u2717")]
        print(f"systemd-analyze security: exposure {m.group(1)} {m.group(2)}; left: {', '.join(left)}")
        self.assertLess(float(m.group(1)), MAX_EXPOSURE)
        # The user and the one capability are what makes the score: check them by name.
        self.assertNotIn("User=/DynamicUser=", left)
        self.assertNotIn("CapabilityBoundingSet=~CAP_SYS_ADMIN", left)

    def test_man_pages_have_no_warnings(self):
        pages = sorted((self.root / "usr/share/man").glob("man*/*.gz"))
        self.assertEqual([p.name for p in pages],
                         ["dirmail.toml.5.gz", "dirmail-import.8.gz", "dirmailctl.8.gz", "dirmaild.8.gz"])
        for page in pages:
            with self.subTest(page=page.name):
                r = run(["man", "--warnings", "-l", page], env=dict(os.environ, MANWIDTH="80"))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(r.stderr.strip(), "", f"{page.name}: warnings")
                self.assertIn("NAME", r.stdout)

    def test_dirmail_toml_page_lists_every_setting(self):
        names = re.findall(r"^\| `([a-z0-9_]+\.[a-z0-9_]+)` \|", (SOURCE / "docs/settings.md").read_text(), re.M)
        self.assertGreater(len(names), 100)
        r = run(["man", "-l", self.root / "usr/share/man/man5/dirmail.toml.5.gz"],
                env=dict(os.environ, MANWIDTH="200"))
        # Each setting heads its own paragraph: the name alone on its line.
        shown = set(re.findall(r"^\s+([a-z0-9_]+\.[a-z0-9_]+)\s*$", r.stdout, re.M))
        self.assertEqual(sorted(set(names) - shown), [])

    def complete(self, command, *words):
        script = self.root / "usr/share/bash-completion/completions" / command
        function = "_" + command.replace("-", "_")
        line = " ".join(f"'{w}'" for w in (command, *words))
        r = run(["bash", "--norc", "--noprofile", "-c",
                 f"source '{script}'; COMP_WORDS=({line}); COMP_CWORD={len(words)}; {function}; "
                 'printf "%s\\n" "${COMPREPLY[@]}"'])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        return [w for w in r.stdout.splitlines() if w]

    def test_bash_completion(self):
        self.assertEqual(self.complete("dirmailctl", "que"), ["queue"])
        self.assertEqual(self.complete("dirmailctl", "--config", "/x", "cl"), ["cluster"])
        self.assertEqual(self.complete("dirmailctl", "queue", "fl"), ["flush"])
        self.assertEqual(self.complete("dirmailctl", "user", "add", "--pass"), ["--password", "--password-stdin"])
        self.assertEqual(self.complete("dirmail-import", "exp"), ["export"])
        self.assertEqual(self.complete("dirmail-import", "--accounts", "a.txt", "--layout", "per"), ["per-domain"])
        self.assertEqual(self.complete("dirmail-import", "export", "--o"), ["--out"])

    def test_completion_knows_every_command(self):
        # The commands `dirmailctl --help` lists, each completed from its first letters.
        r = run([self.root / "usr/bin/dirmailctl", "--help"])
        commands = sorted(set(re.findall(r"^  ([a-z][a-z-]+) ", r.stdout, re.M)))
        self.assertIn("queue", commands)
        offered = self.complete("dirmailctl", "")
        self.assertEqual(sorted(set(commands) - set(offered)), [], "commands the completion does not offer")


class DebianPackage(unittest.TestCase):
    """The package CPack builds from this build folder (`make deb` builds it from the
    release build; the files and rules are the same)."""

    @classmethod
    def setUpClass(cls):
        cls.out = STATE / "deb"
        shutil.rmtree(cls.out, ignore_errors=True)
        cls.out.mkdir(parents=True)
        r = run(["cpack", "-G", "DEB", "--config", BUILD / "CPackConfig.cmake", "-B", cls.out])
        if r.returncode != 0:
            raise AssertionError("cpack failed:\n" + r.stdout + r.stderr)
        debs = list(cls.out.glob("dirmail_*.deb"))
        if len(debs) != 1:
            raise AssertionError(f"expected one dirmail_*.deb in {cls.out}, found {debs}")
        cls.deb = debs[0]

    def field(self, name):
        r = run(["dpkg-deb", "--field", self.deb, name])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_control_fields(self):
        self.assertEqual(self.field("Package"), "dirmail")
        self.assertEqual(self.field("Section"), "mail")
        depends = self.field("Depends")
        # dpkg-shlibdeps computed the libraries' packages.
        for package in ("libc6", "libldap-2.5-0", "libsmbclient", "libssl3", "libsqlite3-0", "adduser", "procps"):
            self.assertIn(package, depends)
        description = self.field("Description")
        self.assertTrue(description.startswith("mail server (SMTP, POP3, IMAP)"), description)
        self.assertNotIn(";", description)

    def test_files_and_modes(self):
        r = run(["dpkg-deb", "--contents", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        listed = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            listed[parts[5].removeprefix("./")] = (parts[0], parts[1])
        for path, mode in EXPECTED:
            with self.subTest(path=path):
                self.assertIn(path, listed)
                perms, owner = listed[path]
                self.assertEqual(perms, "-" + "".join(
                    c if mode & (1 << (8 - i)) else "-" for i, c in enumerate("rwxrwxrwx")))
                self.assertEqual(owner, "root/root")

    def test_control_files(self):
        folder = self.out / "control"
        r = run(["dpkg-deb", "--control", self.deb, folder])
        self.assertEqual(r.returncode, 0, r.stderr)
        # dpkg keeps the administrator's edits of the configuration on upgrade.
        self.assertEqual((folder / "conffiles").read_text().split(), ["/etc/dirmail/dirmail.toml", "/etc/logrotate.d/dirmail"])
        for script in ("postinst", "prerm", "postrm"):
            with self.subTest(script=script):
                self.assertEqual((folder / script).stat().st_mode & 0o777, 0o755)
                r = run(["sh", "-n", folder / script])
                self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("systemd-sysusers dirmail.conf", (folder / "postinst").read_text())


class CleanSystemInstall(unittest.TestCase):
    """`apt install ./dirmail_*.deb` on a fresh Debian booted as a container: the package
    the DebianPackage test built (ctest runs that first)."""

    def test_apt_install_then_the_service_runs(self):
        debs = list((STATE / "deb").glob("dirmail_*.deb"))
        self.assertEqual(len(debs), 1, "the DebianPackage test makes the package first")
        root = STATE / "apt-root"
        try:
            r = run([SOURCE / "packaging" / "check-apt-install", debs[0], root], timeout=1200)
            report = r.stdout
            print(report[-3000:], r.stderr[-2000:], file=sys.stderr)
            self.assertEqual(r.returncode, 0, r.stderr[-3000:])
            for line in ("postinst rc=0", "enabled: enabled", "ActiveState=active", "health rc=0", "status rc=0",
                         "ctl reload rc=0", "reload rc=0", "after reload: ActiveState=active",
                         "after stop: Result=success"):
                self.assertIn(line, report.splitlines())
            # dirmailctl status through the control socket as the service's user; the
            # journal got structured entries (log.journal auto under systemd).
            self.assertRegex(report, r"(?m)^dirmaild \S+ on node ")
            entries = re.search(r"(?m)^structured entries: (\d+)$", report)
            self.assertIsNotNone(entries, report)
            self.assertGreater(int(entries.group(1)), 0)
            # Not root, no capability but the low ports', no new privileges, a seccomp filter.
            self.assertNotRegex(report, r"(?m)^Uid:\s+0\s")
            self.assertRegex(report, r"(?m)^CapEff:\s+0000000000000400$")
            self.assertRegex(report, r"(?m)^NoNewPrivs:\s+1$")
            self.assertRegex(report, r"(?m)^Seccomp:\s+2$")
            score = re.search(r"Overall exposure level for dirmail.service: ([0-9.]+) (\w+)", report)
            self.assertIsNotNone(score, report)
            print(f"systemd-analyze security in the booted system: {score.group(1)} {score.group(2)}", file=sys.stderr)
            self.assertLess(float(score.group(1)), MAX_EXPOSURE)
        finally:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v", *sys.argv[1:]])
