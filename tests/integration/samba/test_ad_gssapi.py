#!/usr/bin/python3
"""dirmaild as a domain member would run it: no server list, the domain controllers
found through the DC's own DNS (SRV _ldap._tcp.dc._msdcs), a Kerberos (GSSAPI) bind
with the service keytab, signed and sealed, and users' passwords checked over
StartTLS. The DC's host name must resolve for Kerberos: dirmaild runs in a mount
namespace with a private /etc/hosts (the host's files are untouched). Run by ctest
with the samba_dc fixture."""

import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import toml_list  # noqa: E402
from dirmail_instance import DIRMAILCTL, DirmailInstance  # noqa: E402
from mail_clients import pop3_login, rcpt  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]




class KerberosBindAndDnsDiscovery(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-gssapi-")
        folder = Path(cls.tmp.name)
        hosts = folder / "hosts"
        hosts.write_text(f"127.0.0.1 localhost\n{INFO['address']} {INFO['dc_hostname']}\n")
        env = samba_dc_info.kerberos_environment(INFO, str(folder / "ccache"))
        wrap = ["unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts)]
        cls.config_text = "\n".join([
            "[directory]",
            'backend = "ad"',
            f'realm = "{INFO["dns_domain"]}"',
            f'dns_server = "{INFO["dns_server"]}"',
            'bind = "gssapi"',
            f'keytab = "{INFO["keytab"]}"',
            f'principal = "{INFO["service_account"]["name"]}@{INFO["realm"]}"',
            f'ca_file = "{INFO["ca_file"]}"',
            f"mail_domains = {toml_list([DOMAIN])}",
            "retry_interval = 200",
            "retry_count = 3",
            "",
            "[store]",
            'mailbox_path = "mailboxes/%USERNAME%"',
        ]) + "\n"
        cls.dm = DirmailInstance(folder / "dirmail", extra_config=cls.config_text, command_prefix=wrap, env=env)
        cls.dm.write_config()
        cls.dm.start()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()

    def test_discovery_finds_the_dc_in_dns(self):
        done = subprocess.run([str(DIRMAILCTL), "--config", str(self.dm.config), "directory", "discover"],
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"{INFO['dc_hostname']} port=389", done.stdout)

    def test_lookups_go_through_the_kerberos_bind(self):
        self.assertEqual(rcpt(self.dm.smtp_port, f"alice@{DOMAIN}")[0], 250)
        self.assertEqual(rcpt(self.dm.smtp_port, f"dave@{DOMAIN}")[0], 550)
        log = self.dm.log_text("directory")
        self.assertIn(f"servers=ldap://{INFO['dc_hostname']}:389", log)

    def test_password_check_over_starttls(self):
        alice = INFO["users"]["alice"]
        self.assertEqual(pop3_login(self.dm.pop3_port, "alice", alice["password"]), "ok")
        self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, "alice", alice["password"] + "x"))

    def test_a_keytab_without_the_principal_is_a_clear_error(self):
        # dirmailctl probes with the same settings but a principal the keytab lacks.
        broken = Path(self.tmp.name) / "broken.toml"
        broken.write_text(self.dm.config.read_text().replace(
            f'principal = "{INFO["service_account"]["name"]}@{INFO["realm"]}"',
            f'principal = "nobody@{INFO["realm"]}"').replace(
            f'realm = "{INFO["dns_domain"]}"', f'realm = "{INFO["dns_domain"]}"\nservers = ["ldap://{INFO["address"]}"]'))
        done = subprocess.run([str(DIRMAILCTL), "--config", str(broken), "directory", "status", "--probe"],
                              capture_output=True, text=True, timeout=60, env=self.dm.env)
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        self.assertIn("state=failed", done.stdout)
        self.assertIn("nobody@", done.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
