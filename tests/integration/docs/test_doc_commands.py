#!/usr/bin/python3
"""The administrator's documentation, run: every command block of
docs/install-member-server.md, aduc-workflow.md, group-policy.md and troubleshooting.md
is either marked as run here or marked skip with a reason (unmarked commands fail), and
the marked ones run, as written, on a member server (a private mount namespace over
this machine, member_server.py) against the Samba AD DC fixture: the domain join with
`net ads join`, SPNs and the keytab, LDAPS trust, the configuration, a real dirmaild,
the ADUC steps done with samba-tool, Group Policy, the troubleshooting checks. After
each step the test checks what the administrator or a user would see.

Test-only deviations from the docs, all outside the documented blocks: the package's
files are put in place as `apt install ./dirmail_*.deb` would (binaries from the build
tree); the CA certificate is converted from the fixture's as Windows' certutil would
give it; dirmaild listens on a loopback address of its own (standard ports) instead of
every address, with directory caches of 1-2 s instead of 10-30 s so the test does not
wait; systemctl is replaced by starting, signalling and restarting dirmaild; the GPO's
Registry.pol, which GPMC would write, is put into SYSVOL over SMB.
Run by ctest with the samba_dc fixture; DIRMAIL_BUILD_DIR names the build tree."""

import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2]
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
sys.path.insert(0, str(HERE))
import samba_dc_info  # noqa: E402
from directory_setup import samba_tool  # noqa: E402
from dirmail_instance import DIRMAILCTL, DIRMAILD  # noqa: E402
from doc_blocks import marker_problems, named_blocks, read_blocks, replace_tables, shell_variables  # noqa: E402
from test_admin_docs import ADMIN_DOCS  # noqa: E402
from member_server import MemberServer, stop  # noqa: E402

DOCS = [SOURCE / "docs" / name for name in
        ("install-member-server.md", "aduc-workflow.md", "group-policy.md", "troubleshooting.md")]
COMPUTER = "MAIL1"
GPO_NAME = "dirmail mail servers"
MAIL_OU = "OU=Mail Servers,DC=corp,DC=example,DC=test"
JDOE_PASSWORD = "Doc-Test-Jdoe-7!"
DIRECTORY_TEST_SETTINGS = "cache_ttl = 2\nnegative_cache_ttl = 1\n"


class DocMarkers(unittest.TestCase):
    def test_every_command_block_is_marked(self):
        problems = [p for doc in DOCS for p in marker_problems(doc)]
        # The other admin pages (test_admin_docs.py): every block, not only commands.
        problems += [p for doc in ADMIN_DOCS for p in marker_problems(doc, every_block=True)]
        self.assertEqual(problems, [], "\n".join(problems))

    def test_the_check_finds_an_unmarked_command(self):
        with tempfile.TemporaryDirectory() as folder:
            page = Path(folder) / "page.md"
            page.write_text("text\n\n```sh\nrm -rf /srv/mail\n```\n\n<!-- doc-test: skip () -->\n"
                            "```powershell\nsetspn -L MAIL1\n```\n\n```\nplain\n```\n")
            problems = marker_problems(page)
        self.assertTrue(any(":3: sh block not marked" in p for p in problems), problems)
        self.assertTrue(any(":7: skip needs a reason" in p for p in problems), problems)
        self.assertTrue(any(":12: fenced block without a language" in p for p in problems), problems)


def free_mail_address(dc_address):
    """A loopback address on which the standard mail ports are free."""
    for last in range(100, 200):
        address = f"127.0.0.{last}"
        if address == dc_address:
            continue
        sockets = []
        try:
            for port in (25, 110, 143):
                sockets.append(socket.socket())
                sockets[-1].bind((address, port))
            return address
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no loopback address with ports 25, 110 and 143 free")


def wait_port(address, port, timeout=60, process=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"dirmaild exited with {process.returncode}")
        try:
            with socket.create_connection((address, port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {address}:{port}")


def registry_pol(key, value, number):
    """A Registry.pol ([MS-GPREG]) with one REG_DWORD, as GPMC writes it."""
    def text(s):
        return (s + "\0").encode("utf-16-le")
    semi, data = ";".encode("utf-16-le"), struct.pack("<I", number)
    return (b"PReg" + struct.pack("<I", 1) + "[".encode("utf-16-le") + text(key) + semi + text(value) + semi +
            struct.pack("<I", 4) + semi + struct.pack("<I", len(data)) + semi + data + "]".encode("utf-16-le"))


class DocCommands(unittest.TestCase):
    """The docs in the order an administrator follows them; each step needs the ones before."""

    @classmethod
    def setUpClass(cls):
        cls.info = samba_dc_info.load()
        cls.blocks = named_blocks(DOCS)
        cls.used = set()
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-docs-")
        cls.folder = Path(cls.tmp.name)
        cls.dirmaild = None
        cls.mail_ip = free_mail_address(cls.info["address"])
        cls.variables = {"DC_IP": cls.info["address"], "MAIL_IP": cls.mail_ip}
        cls.member = MemberServer(cls.folder, {
            **cls.variables,
            "PASSWD": cls.info["admin"]["password"],           # what -U Administrator would ask for
            "KRB5CCNAME": f"FILE:{cls.folder / 'admin.ccache'}",
        })
        cls.remove_test_objects()
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.addClassCleanup(cls.remove_test_objects)
        cls.member.open()
        cls.addClassCleanup(cls.member.close)
        cls.addClassCleanup(lambda: stop(cls.dirmaild))
        cls.install_package()

    # -- what the test does around the docs ------------------------------------------
    @classmethod
    def remove_test_objects(cls):
        """What the docs make in the shared DC, gone (also what an aborted run left)."""
        info = cls.info
        admin = f"Administrator%{info['admin']['password']}"
        samba_tool(info, "user", "delete", "jdoe", check=False)
        samba_tool(info, "computer", "delete", COMPUTER, check=False)
        listing = subprocess.run(["samba-tool", "gpo", "listall", "-H", info["ldap_uri"], "-U", admin],
                                 capture_output=True, text=True, timeout=120).stdout
        for guid, name in re.findall(r"GPO\s+: (\{[^}]+\})\s*\ndisplay name : (.*)", listing):
            if name.strip() == GPO_NAME:
                subprocess.run(["samba-tool", "gpo", "del", guid, "-H", info["ldap_uri"], "-U", admin],
                               capture_output=True, timeout=120)
        subprocess.run(["samba-tool", "ou", "delete", MAIL_OU, "--force-subtree-delete", "-H", info["ldap_uri"],
                        "-U", admin], capture_output=True, timeout=120)
        if getattr(cls, "mail_ip", None):
            subprocess.run(["samba-tool", "dns", "delete", info["address"], info["dns_domain"], "mail1", "A",
                            cls.mail_ip, "-U", admin], capture_output=True, timeout=120)

    @classmethod
    def install_package(cls):
        """The files `apt install ./dirmail_*.deb` puts in place (packaging/), with the
        build tree's binaries; and corp-ca.cer as certutil exports it on Windows."""
        done = cls.member.run_script(f"""
groupadd --system dirmail
useradd --system --gid dirmail --home-dir /var/lib/dirmail --shell /usr/sbin/nologin dirmail
install -d -m 0755 /etc/dirmail /usr/share/doc/dirmail
install -d -o dirmail -g dirmail -m 0750 /var/lib/dirmail /var/log/dirmail
install -m 0644 {SOURCE}/packaging/dirmail.toml /etc/dirmail/dirmail.toml
cp -r {SOURCE}/gpo-templates /usr/share/doc/dirmail/gpo-templates
ln -s {DIRMAILCTL} /usr/bin/dirmailctl
ln -s {DIRMAILD} /usr/sbin/dirmaild
openssl x509 -in {cls.info['ca_file']} -outform der -out corp-ca.cer
""", label="package")
        if done.returncode != 0:
            raise RuntimeError(f"installing the package's files: {done.stdout}")

    def block(self, name):
        self.assertIn(name, self.blocks, f"no <!-- doc-test: {name} --> block in the docs")
        self.used.add(name)
        return self.blocks[name]

    def run_block(self, name, stdin="", status=0):
        """Runs one doc block; checks its exit status; returns its output."""
        block = self.block(name)
        done = self.member.run_script(block.text, stdin=stdin, label=name)
        where = f"{block.path}:{block.line} ({name})"
        if status == 0:
            self.assertEqual(done.returncode, 0, f"{where} failed:\n{done.stdout}")
        else:
            self.assertNotEqual(done.returncode, 0, f"{where} should fail:\n{done.stdout}")
        return done.stdout

    def run_until(self, name, expected, stdin="", timeout=30):
        """Runs a read-only doc block until its output matches `expected` (a regex):
        for what dirmaild sees only after its cache or a delivery."""
        deadline, output = time.time() + timeout, ""
        while time.time() < deadline:
            done = self.member.run_script(self.block(name).text, stdin=stdin, label=name)
            output = done.stdout
            if re.search(expected, output):
                return output
            time.sleep(1)
        self.fail(f"{name}: no {expected!r} within {timeout}s; last output:\n{output}")

    def read(self, pattern):
        """Files on the member server, as `cat PATTERN` shows them."""
        done = self.member.run_script(f"cat {pattern}", label="read")
        self.assertEqual(done.returncode, 0, done.stdout)
        return done.stdout

    def edit_config(self, edit):
        """The administrator editing /etc/dirmail/dirmail.toml."""
        current = self.member.run_script("cat /etc/dirmail/dirmail.toml", label="config-read")
        self.assertEqual(current.returncode, 0, current.stdout)
        done = self.member.run_script("cat > /etc/dirmail/dirmail.toml", stdin=edit(current.stdout), label="config-edit")
        self.assertEqual(done.returncode, 0, done.stdout)

    def start_dirmaild(self):
        cls = type(self)
        cls.dirmaild = self.member.start(["dirmaild", "--config", "/etc/dirmail/dirmail.toml"],
                                         self.folder / "dirmaild.out",
                                         {"KRB5CCNAME": f"FILE:{self.folder / 'dirmaild.ccache'}"})
        try:
            for port in (25, 110, 143):
                wait_port(self.mail_ip, port, process=cls.dirmaild)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{(self.folder / 'dirmaild.out').read_text(errors='replace')[-4000:]}")

    # -- install-member-server.md --------------------------------------------------
    def test_1_install_member_server(self):
        documented = shell_variables(self.block("vars"))
        self.assertEqual(sorted(documented), sorted(self.variables),
                         "the docs' variables and the ones this test sets differ")

        out = self.run_block("resolver")
        self.assertIn("has SRV record 0 100 389 dc1.corp.example.test.", out)
        self.assertIn("has SRV record 0 100 88 dc1.corp.example.test.", out)

        out = self.run_block("krb5-conf", stdin=self.info["admin"]["password"] + "\n")
        self.assertIn("krbtgt/CORP.EXAMPLE.TEST@CORP.EXAMPLE.TEST", out)

        self.run_block("smb-conf")
        out = self.run_block("join")
        self.assertIn(f"Joined '{COMPUTER}' to dns domain 'corp.example.test'", out)
        self.assertIn("Join is OK", out)
        self.assertIn(f"mail1.corp.example.test has address {self.mail_ip}", out)

        out = self.run_block("spns")
        for service in ("smtp", "imap", "pop"):
            self.assertIn(f"\t{service}/mail1.corp.example.test", out)

        out = self.run_block("keytab")
        for principal in ("MAIL1$", "smtp/mail1.corp.example.test", "imap/mail1.corp.example.test",
                          "pop/mail1.corp.example.test"):
            self.assertIn(f" {principal}@CORP.EXAMPLE.TEST", out)
        mode = self.member.run_script("stat -c '%a %U:%G' /etc/dirmail/mail.keytab", label="keytab-mode")
        self.assertEqual(mode.stdout.strip(), "640 root:dirmail")

        out = self.run_block("ca")
        self.assertIn("Verify return code: 0 (ok)", out)

        config = self.block("config").text
        self.assertTrue(config.rstrip().split("\n[")[-1].startswith("directory]"),
                        "the config block should end with [directory] (the test adds cache times to it)")
        self.edit_config(lambda text: replace_tables(text, config + DIRECTORY_TEST_SETTINGS) + "\n".join([
            "", f'[pop3]\nlisten = ["{self.mail_ip} 110"]',
            f'[imap]\nlisten = ["{self.mail_ip} 143"]',
            f'[smtp]\nlisten = ["{self.mail_ip} 25"]', ""]))
        self.run_block("config-check")

        out = self.run_block("checks")
        self.assertIn("kerberos check passed", out)
        for service in ("smtp", "imap", "pop"):
            self.assertRegex(out, rf"ok kvno {service}/mail1.corp.example.test@CORP.EXAMPLE.TEST:")
        self.assertIn("dc1.corp.example.test port=389", out)
        self.assertIn("state=healthy", out)

        self.start_dirmaild()
        out = self.run_block("running")
        alice = self.info["users"]["alice"]
        self.assertIn(f"alice\t{alice['mail']}\t", out)
        self.assertNotIn("dave\t", out)  # not in IMSUsers

    # -- aduc-workflow.md, up to a user reading mail -----------------------------------
    def test_2_aduc_create_user_and_read_mail(self):
        out = self.run_block("aduc-create", stdin=f"{JDOE_PASSWORD}\n{JDOE_PASSWORD}\n")
        self.assertIn("User 'jdoe' added successfully", out)
        out = self.run_block("aduc-not-yet")
        self.assertRegex(out, r"(?m)^state: +not a mail user$")
        self.assertRegex(out, r"(?m)^may_receive: +no$")

        out = self.run_block("aduc-groups")
        self.assertRegex(out, r"(?m)^groups: +.*IMSUsers")
        self.assertRegex(out, r"(?m)^groups: +.*example\.test")
        self.assertRegex(out, r"(?m)^domain: +example\.test$")
        self.assertRegex(out, r"(?m)^state: +active$")
        self.assertRegex(out, r"(?m)^may_receive: +yes$")
        out = self.run_block("aduc-home")
        self.assertIn("homeDirectory: \\\\fs1.corp.example.test\\home\\jdoe", out)
        self.assertIn("homeDrive: H:", out)

        self.run_until("aduc-mail", r"<[-~]  250 [\d.]+ Ok: queued")
        self.run_until("aduc-read", r"Subject: Welcome to mail", stdin=JDOE_PASSWORD + "\n")
        imap_log = self.read("/var/log/dirmail/imap/*.log")
        self.assertRegex(imap_log, r"login=jdoe@CORP\.EXAMPLE\.TEST mechanism=gssapi msg=\"Kerberos principal accepted\"")
        self.assertRegex(imap_log, r"user=jdoe@example\.test msg=\"login\"")

    # -- troubleshooting.md, with jdoe and mail in place -------------------------------
    def test_3_troubleshooting(self):
        out = self.run_block("ts-logs")
        self.assertIn('log.dir = "/var/log/dirmail"', out)
        self.assertRegex(out, r"type=receive .*to=jdoe@example\.test")
        self.assertRegex(out, r"type=sender .*delivered")
        self.assertRegex(out, r"(?i)received")

        out = self.run_block("ts-rename-find")
        self.assertIn("mail1.corp.example.test", out)
        self.assertRegex(out, r'(?m)^server\.hostname = "mail1\.corp\.example\.test"  # /etc/dirmail/dirmail\.toml:\d+$')

        out = self.run_block("ts-kerberos", stdin=JDOE_PASSWORD + "\n")
        self.assertIn("kerberos check passed", out)
        self.assertRegex(out, r"ok ticket imap/mail1\.corp\.example\.test@CORP\.EXAMPLE\.TEST:")
        self.assertIn("Server time", out)
        self.assertRegex(out, r"imap/mail1\.corp\.example\.test@CORP\.EXAMPLE\.TEST: kvno = \d+")

        out = self.run_block("ts-tls")
        self.assertIn("DNS:dc1.corp.example.test", out)
        self.assertRegex(out, r"subject=.*")
        out = self.run_block("ts-dc")
        self.assertIn("state=healthy", out)
        self.assertRegex(out, r"(?m)^answer_from: +live")
        self.run_block("ts-queue")

        # Relay by IP: the symptom first, then the documented fix.
        out = self.run_block("ts-relay-test", status=1)
        self.assertRegex(out, r"<\*\* +550 5\.7\.1 <monitor@example\.test>: Sender address rejected: not accepted from this client")
        self.run_block("ts-relay-rules")
        self.assertIn("192.168.10.0/24", self.read("/etc/dirmail/effect.dat"))
        line = self.block("ts-relay-toml").text
        self.edit_config(lambda text: text.rstrip() + "\n" + line)  # [smtp] is the file's last table
        self.run_block("ts-relay-check")
        type(self).dirmaild.send_signal(1)  # systemctl reload dirmail
        out = self.run_until("ts-relay-test", r"RCPT TO:<someone@example\.org>\n<[-~]  250")

        out = self.run_block("ts-rename-spn")
        self.assertIn("kerberos check passed", out)
        self.assertRegex(out, r"ok principal imap/mail2\.corp\.example\.test@CORP\.EXAMPLE\.TEST:")

    # -- group-policy.md --------------------------------------------------------------
    def test_4_group_policy(self):
        self.run_block("gpo-admx")
        out = self.run_block("gpo-link")
        self.assertIn(GPO_NAME, out)
        guid = re.search(r"GPO\s+: (\{[^}]+\})", out)
        self.assertTrue(guid, out)
        # What the Group Policy Management Editor does: Registry.pol in SYSVOL.
        pol = self.folder / "Registry.pol"
        pol.write_bytes(registry_pol("Software\\Policies\\dirmail\\smtp", "SmtpMaxRecipients", 500))
        remote = f"corp.example.test/Policies/{guid.group(1)}/Machine"
        put = subprocess.run(["smbclient", f"//{self.info['address']}/sysvol",
                              "-U", f"Administrator%{self.info['admin']['password']}",
                              "-c", f'mkdir "{remote}"; put "{pol}" "{remote}/Registry.pol"'],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(put.returncode, 0, put.stdout + put.stderr)
        stop(type(self).dirmaild)  # systemctl restart dirmail
        self.start_dirmaild()
        out = self.run_until("gpo-show", r'smtp\.max_recipients = 500  # GPO "dirmail mail servers"')
        self.assertIn("Group Policy", out)
        out = self.run_block("ts-gpo")
        self.assertIn('# GPO "dirmail mail servers"', out)
        self.assertIn(GPO_NAME, out.split("smtp.max_recipients")[-1])

    # -- aduc-workflow.md: disable, remove ----------------------------------------------
    def test_5_aduc_disable_and_remove(self):
        out = self.run_block("aduc-disable")
        self.assertRegex(out, r"(?m)^state: +disabled$")
        self.assertRegex(out, r"(?m)^may_receive: +no$")
        self.run_until("aduc-refused", r"<\*\* +550 5\.2\.1")
        self.run_block("aduc-remove")
        self.run_until("aduc-refused", r"<\*\* +550 5\.1\.1")

    def test_6_every_marked_block_ran(self):
        self.assertEqual(sorted(set(self.blocks) - self.used), [],
                         "doc-test blocks this test does not run")


if __name__ == "__main__":
    unittest.main(verbosity=2)
