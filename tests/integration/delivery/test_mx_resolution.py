"""MX resolution against a real DNS server (dnsmasq on loopback), as an administrator
sees it with `dirmailctl dns mx DOMAIN`: MX hosts by preference with their IPv6 and IPv4
addresses, the implicit MX, the null MX (RFC 7505), NXDOMAIN, a dead DNS server, the
failover to the next server, an IPv6 server address, and delivery.dns_servers checks.
DC discovery shares the c-ares code: `dirmailctl directory discover` reads SRV records
from the same server."""
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILCTL  # noqa: E402
from dns_server import DnsServer, dead_dns_entry  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "mx-resolution"

RECORDS = dict(
    mx=[("example.test", "mx1.example.test", 10), ("example.test", "mx2.example.test", 20),
        ("example.test", "mx3.example.test", 20), ("example.test", "backup.example.test", 90),
        ("gone.test", "nowhere.gone.test", 10)],
    hosts={"mx1.example.test": ["127.0.0.2", "::1"], "mx2.example.test": ["127.0.0.3"],
           "mx3.example.test": ["127.0.0.4"], "backup.example.test": ["127.0.0.9"],
           "plain.test": ["127.0.0.5"], "dc1.corp.test": ["127.0.0.10"]},
    cnames={"alias.test": "example.test"},
    null_mx=["nomail.test"],
    srv=[("_ldap._tcp.dc._msdcs.corp.test", "dc1.corp.test", 389, 0, 100)],
)


class MxResolution(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(STATE, ignore_errors=True)
        STATE.mkdir(parents=True)
        cls.dns = DnsServer(STATE / "dns", ttl=600, **RECORDS).start()

    @classmethod
    def tearDownClass(cls):
        cls.dns.stop()

    def ctl(self, *args, servers=None, delivery="", extra=""):
        servers = [self.dns.entry] if servers is None else servers
        config = STATE / f"dirmail-{self.id().split('.')[-1]}.toml"
        quoted = ", ".join(f'"{s}"' for s in servers)
        config.write_text(f'[server]\ndata_dir = "."\n\n[delivery]\ndns_servers = [{quoted}]\n'
                          f"dns_timeout = 300\ndns_tries = 1\n{delivery}\n{extra}")
        return subprocess.run([str(DIRMAILCTL), "--config", str(config), *args], capture_output=True, text=True,
                              timeout=60)

    def mx(self, domain, **kw):
        r = self.ctl("dns", "mx", domain, **kw)
        lines = [line.split() for line in r.stdout.splitlines() if not line.startswith("#")]
        return r, lines

    def test_hosts_by_preference_with_their_addresses(self):
        r, lines = self.mx("example.test")
        self.assertEqual(r.returncode, 0, r.stderr + self.dns.log_text())
        self.assertIn("# example.test: 4 hosts (MX), ttl 600 s", r.stdout)
        self.assertEqual([line[:2] for line in lines][0], ["10", "mx1.example.test"])
        # Equal preferences may come in either order (shuffled to spread the load).
        self.assertEqual(sorted(tuple(line) for line in lines[1:3]),
                         [("20", "mx2.example.test", "127.0.0.3"), ("20", "mx3.example.test", "127.0.0.4")])
        self.assertEqual(lines[3], ["90", "backup.example.test", "127.0.0.9"])

    def test_ipv6_and_ipv4_addresses_in_the_preferred_order(self):
        _, lines = self.mx("example.test")
        self.assertEqual(lines[0], ["10", "mx1.example.test", "::1", "127.0.0.2"])
        _, lines = self.mx("example.test", delivery='address_preference = "ipv4"')
        self.assertEqual(lines[0], ["10", "mx1.example.test", "127.0.0.2", "::1"])
        _, lines = self.mx("example.test", delivery='address_preference = "ipv4_only"')
        self.assertEqual(lines[0], ["10", "mx1.example.test", "127.0.0.2"])
        r, lines = self.mx("example.test", delivery='address_preference = "ipv6_only"')
        self.assertEqual(lines, [["10", "mx1.example.test", "::1"]], r.stdout)

    def test_no_mx_means_the_domains_own_address(self):
        r, lines = self.mx("plain.test")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("no MX record: the domain's own addresses", r.stdout)
        self.assertEqual(lines, [["0", "plain.test", "127.0.0.5"]])

    def test_alias_domain_uses_the_mx_of_its_target(self):
        r, lines = self.mx("alias.test")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(lines[0][:2], ["10", "mx1.example.test"])

    def test_null_mx_is_a_permanent_refusal(self):
        r, _ = self.mx("nomail.test")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nomail.test does not accept mail (null MX, RFC 7505)", r.stderr)
        self.assertIn("permanent", r.stderr)

    def test_unknown_domain_is_permanent(self):
        r, _ = self.mx("nowhere.test")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nowhere.test: no such domain", r.stderr)
        self.assertIn("permanent", r.stderr)

    def test_mx_host_without_address_is_permanent(self):
        r, _ = self.mx("gone.test")
        self.assertEqual(r.returncode, 1)
        self.assertIn("no MX host has an address", r.stderr)
        self.assertIn("nowhere.gone.test", r.stderr)
        self.assertIn("permanent", r.stderr)

    def test_dead_dns_server_is_temporary(self):
        r, _ = self.mx("example.test", servers=[dead_dns_entry()])
        self.assertEqual(r.returncode, 1)
        self.assertIn("MX lookup failed", r.stderr)
        self.assertIn("temporary", r.stderr)

    def test_next_server_answers_when_the_first_is_dead(self):
        r, lines = self.mx("example.test", servers=[dead_dns_entry(), self.dns.entry])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(lines[0][:2], ["10", "mx1.example.test"])

    def test_ipv6_server_address(self):
        r, lines = self.mx("example.test", servers=[self.dns.entry6])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(lines[0][:2], ["10", "mx1.example.test"])

    def test_server_list_is_checked(self):
        four = [self.dns.entry] * 4
        r, _ = self.mx("example.test", servers=four)
        self.assertEqual(r.returncode, 1)
        self.assertIn("delivery.dns_servers", r.stderr)
        config = STATE / "bad-servers.toml"
        config.write_text('[server]\ndata_dir = "."\n[delivery]\ndns_servers = ["dns.example.test"]\n')
        r = subprocess.run([str(DIRMAILCTL), "config", "check", str(config)], capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 1)
        self.assertIn("delivery.dns_servers", r.stderr)
        self.assertIn("dns.example.test", r.stderr)

    def test_dc_discovery_reads_srv_records_through_the_same_code(self):
        extra = f'[directory]\nbackend = "ad"\nrealm = "corp.test"\ndns_server = "{self.dns.entry}"\n'
        r = self.ctl("directory", "discover", extra=extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stdout.strip(), "dc1.corp.test port=389 priority=0 weight=100")


if __name__ == "__main__":
    unittest.main(verbosity=2)
