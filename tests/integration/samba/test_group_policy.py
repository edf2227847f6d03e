#!/usr/bin/python3
"""Group Policy from the Samba AD DC: dirmaild, a domain member whose computer account
sits in an OU, applies the dirmail values of the GPOs linked to that OU and the OU above
it, read from LDAP (gPLink, gPOptions, the GPOs' flags and security descriptors) and
from SYSVOL (Machine\\Registry.pol over SMB with the service keytab), within its
refresh interval: the computer's OU wins over the OU above unless that link is
enforced; within one OU, link order decides; a damaged Registry.pol is refused and the
policy applied last stays, across a restart too. The administrator's tools: samba-tool
gpo create/setlink/dellink, smbclient to put the Registry.pol, ldapmodify to order the
links. Run by ctest with the samba_dc fixture."""

import os
import re
import secrets
import struct
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
from dirmail_instance import DirmailInstance  # noqa: E402
from polling import wait_for  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]
ADMIN = INFO["admin"]
REFRESH = 5  # seconds: policy.refresh_interval
SMTP_KEY = "Software\\Policies\\dirmail\\smtp"
REG_DWORD = 4


def preg(entries):
    """A Registry.pol ([MS-GPREG] PReg): b"PReg", version 1, then [key;value;type;size;data]
    with UTF-16LE strings and brackets."""
    def text(s):
        return (s + "\0").encode("utf-16-le")
    out = b"PReg" + struct.pack("<I", 1)
    for key, value, kind, data in entries:
        out += ("[".encode("utf-16-le") + text(key) + ";".encode("utf-16-le") + text(value) +
                ";".encode("utf-16-le") + struct.pack("<I", kind) + ";".encode("utf-16-le") +
                struct.pack("<I", len(data)) + ";".encode("utf-16-le") + data + "]".encode("utf-16-le"))
    return out


def max_recipients_pol(n):
    return preg([(SMTP_KEY, "SmtpMaxRecipients", REG_DWORD, struct.pack("<I", n))])


def admin_args():
    return ["-H", INFO["ldap_uri"], "-U", f"{ADMIN['sam_account_name']}%{ADMIN['password']}"]


def tool(*args):
    done = subprocess.run(["samba-tool", *args, *admin_args()], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"samba-tool {' '.join(args)}: {done.stdout}{done.stderr}")
    return done.stdout + done.stderr


def put_registry_pol(guid, data, folder):
    """Writes the GPO's Machine\\Registry.pol into SYSVOL over SMB, as an administrator would."""
    local = Path(folder) / f"{guid}.pol"
    local.write_bytes(data)
    remote = f"{INFO['dns_domain']}/Policies/{guid}/Machine"
    done = subprocess.run(["smbclient", f"//{INFO['address']}/sysvol",
                           "-U", f"{ADMIN['sam_account_name']}%{ADMIN['password']}",
                           "-c", f'mkdir "{remote}"; put "{local}" "{remote}/Registry.pol"'],
                          capture_output=True, text=True, timeout=60)
    if "NT_STATUS" in done.stdout.replace("NT_STATUS_OBJECT_NAME_COLLISION", "") or done.returncode != 0:
        raise RuntimeError(f"smbclient put: {done.stdout}{done.stderr}")


def set_gplink(container, guids):
    """Writes the container's gPLink: `guids` in string order, every link enabled."""
    links = "".join(f"[LDAP://CN={guid},CN=Policies,CN=System,{INFO['base_dn']};0]" for guid in guids)
    ldif = f"dn: {container}\nchangetype: modify\nreplace: gPLink\ngPLink: {links}\n"
    env = dict(os.environ, LDAPTLS_CACERT=INFO["ca_file"], LDAPTLS_REQCERT="demand")
    done = subprocess.run(["ldapmodify", "-x", "-H", INFO["ldaps_uri"], "-D", ADMIN["dn"], "-w", ADMIN["password"]],
                          input=ldif, capture_output=True, text=True, timeout=60, env=env)
    if done.returncode != 0:
        raise RuntimeError(f"ldapmodify gPLink: {done.stdout}{done.stderr}")


def rcpt_codes(port, addresses):
    import smtplib
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.ehlo("client.example.org")
        s.mail("sender@example.org")
        return [s.rcpt(a)[0] for a in addresses]


class GroupPolicyFromSysvol(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-gpo-")
        folder = Path(cls.tmp.name)
        tag = secrets.token_hex(3)
        cls.parent_ou = f"OU=dirmail-gpo-{tag},{INFO['base_dn']}"
        cls.child_ou = f"OU=mail-servers,{cls.parent_ou}"
        cls.computer = f"GPM{tag}".upper()
        cls.gpos = []
        cls.addClassCleanup(cls.tmp.cleanup)
        tool("ou", "create", cls.parent_ou)
        cls.addClassCleanup(subprocess.run, ["samba-tool", "ou", "delete", cls.parent_ou, "--force-subtree-delete",
                                             *admin_args()], capture_output=True, timeout=120)
        tool("ou", "create", cls.child_ou)
        tool("computer", "create", cls.computer, f"--computerou={cls.child_ou}")

        hosts = folder / "hosts"
        hosts.write_text(f"127.0.0.1 localhost\n{INFO['address']} {INFO['dc_hostname']}\n")
        env = samba_dc_info.kerberos_environment(INFO, str(folder / "ccache"))
        wrap = ["unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts)]
        config = "\n".join([
            "[directory]",
            'backend = "ad"',
            f'realm = "{INFO["dns_domain"]}"',
            f'dns_server = "{INFO["dns_server"]}"',
            'bind = "gssapi"',
            f'keytab = "{INFO["keytab"]}"',
            f'principal = "{INFO["service_account"]["name"]}@{INFO["realm"]}"',
            f'ca_file = "{INFO["ca_file"]}"',
            f"mail_domains = {toml_list([DOMAIN])}",
            "",
            "[store]",
            'mailbox_path = "mailboxes/%USERNAME%"',
            "",
            "[policy]",
            'group_policy = "on"',
            f"refresh_interval = {REFRESH}",
            f'computer_account = "{cls.computer}$"',
        ]) + "\n"
        cls.dm = DirmailInstance(folder / "dirmail", extra_config=config, command_prefix=wrap, env=env)
        cls.dm.write_config()
        cls.addClassCleanup(cls.dm.stop)
        try:
            cls.dm.start()
        except RuntimeError as error:
            raise RuntimeError(f"{error}: {cls.dm.stderr_path.read_text(errors='replace')}") from error

    @classmethod
    def tearDownClass(cls):
        for guid in cls.gpos:
            subprocess.run(["samba-tool", "gpo", "del", guid, *admin_args()], capture_output=True, timeout=120)

    def create_gpo(self, name, container, max_recipients, enforce=False):
        out = tool("gpo", "create", name)
        guid = re.search(r"\{[0-9A-Fa-f-]{36}\}", out).group(0).upper()
        self.gpos.append(guid)
        put_registry_pol(guid, max_recipients_pol(max_recipients), self.tmp.name)
        tool("gpo", "setlink", container, guid, *(["--enforce"] if enforce else []))
        return guid

    def policy_show(self):
        return self.dm.ctl("policy", "show").stdout

    def effective_line(self):
        return next((line for line in self.policy_show().splitlines() if line.startswith("smtp.max_recipients =")), "")

    def wait_for_line(self, line):
        ok = wait_for(lambda: self.effective_line() == line, timeout=REFRESH * 6, interval=0.5)
        self.assertTrue(ok, f"wanted {line!r}, have {self.effective_line()!r}; log:\n{self.dm.log_text('daemon')[-3000:]}")

    def test_1_a_gpo_linked_to_the_computers_ou_applies(self):
        self.assertEqual(rcpt_codes(self.dm.smtp_port, [f"alice@{DOMAIN}", f"bob@{DOMAIN}"]), [250, 250])
        self.__class__.child_gpo = f"dirmail child {secrets.token_hex(2)}"
        self.__class__.child_guid = self.create_gpo(self.child_gpo, self.child_ou, 1)
        self.wait_for_line(f'smtp.max_recipients = 1  # GPO "{self.child_gpo}"')
        # What a client sees: the second recipient is over the limit the GPO set.
        self.assertEqual(rcpt_codes(self.dm.smtp_port, [f"alice@{DOMAIN}", f"bob@{DOMAIN}"])[1], 452)
        log = self.dm.log_text("daemon")
        self.assertIn("Group Policy changed a setting", log)
        self.assertRegex(log, rf'setting=smtp.max_recipients.*value=1.*gpo="?{re.escape(self.child_gpo)}')

    def test_2_the_computers_ou_wins_unless_the_parent_link_is_enforced(self):
        parent_gpo = f"dirmail parent {secrets.token_hex(2)}"
        guid = self.create_gpo(parent_gpo, self.parent_ou, 3)
        # Inherited from the OU above, not enforced: the nearer link (the child OU's) wins.
        # No event marks "refreshed and nothing changed": wait two refresh intervals
        # (the daemon has read the new link by then) before judging that it still holds.
        wait_for(lambda: False, timeout=REFRESH * 2 + 1)
        self.assertEqual(self.effective_line(), f'smtp.max_recipients = 1  # GPO "{self.child_gpo}"')
        # Enforced: applied after the child's links, so it wins. (samba-tool changes a
        # link's options only by linking again.)
        tool("gpo", "dellink", self.parent_ou, guid)
        tool("gpo", "setlink", self.parent_ou, guid, "--enforce")
        self.wait_for_line(f'smtp.max_recipients = 3  # GPO "{parent_gpo}"')
        codes = rcpt_codes(self.dm.smtp_port, [f"alice@{DOMAIN}", f"bob@{DOMAIN}", f"erin@{DOMAIN}", f"alice@{DOMAIN}"])
        self.assertEqual(codes[3], 452)
        self.__class__.parent_gpo, self.__class__.parent_guid = parent_gpo, guid

    def test_3_a_damaged_registry_pol_is_refused_and_the_policy_stays(self):
        put_registry_pol(self.parent_guid, max_recipients_pol(7)[:-6], self.tmp.name)
        ok = wait_for(lambda: "is damaged" in self.dm.log_text("daemon"), timeout=REFRESH * 6, interval=0.5)
        self.assertTrue(ok, self.dm.log_text("daemon")[-3000:])
        log = self.dm.log_text("daemon")
        damaged = [line for line in log.splitlines() if "is damaged" in line][0]
        self.assertIn(self.parent_gpo, damaged)
        self.assertIn("Registry.pol", damaged)
        self.assertIn("the policy applied last stays", damaged)
        self.assertEqual(self.effective_line(), f'smtp.max_recipients = 3  # GPO "{self.parent_gpo}"')
        codes = rcpt_codes(self.dm.smtp_port, [f"alice@{DOMAIN}", f"bob@{DOMAIN}", f"erin@{DOMAIN}", f"alice@{DOMAIN}"])
        self.assertEqual(codes[3], 452)

    def test_4_the_policy_applied_last_survives_a_restart(self):
        # The damaged Registry.pol is still in SYSVOL: the fresh read at start fails, and
        # what applies is the policy kept in the data folder.
        self.dm.stop()
        self.dm.start()
        codes = rcpt_codes(self.dm.smtp_port, [f"alice@{DOMAIN}", f"bob@{DOMAIN}", f"erin@{DOMAIN}", f"alice@{DOMAIN}"])
        self.assertEqual(codes[3], 452)
        self.assertIn("Group Policy kept from the last run applied", self.dm.log_text("daemon"))
        self.assertEqual(self.effective_line(), f'smtp.max_recipients = 3  # GPO "{self.parent_gpo}"')

    def test_5_link_order_decides_within_the_computers_ou(self):
        tool("gpo", "dellink", self.parent_ou, self.parent_guid)  # the damaged one goes
        other = f"dirmail second {secrets.token_hex(2)}"
        other_guid = self.create_gpo(other, self.child_ou, 2)
        # gPLink as Group Policy Management writes it: the last link is link order 1 and wins.
        set_gplink(self.child_ou, [other_guid, self.child_guid])
        self.wait_for_line(f'smtp.max_recipients = 1  # GPO "{self.child_gpo}"')
        set_gplink(self.child_ou, [self.child_guid, other_guid])
        self.wait_for_line(f'smtp.max_recipients = 2  # GPO "{other}"')
        codes = rcpt_codes(self.dm.smtp_port, [f"alice@{DOMAIN}", f"bob@{DOMAIN}", f"erin@{DOMAIN}"])
        self.assertEqual(codes, [250, 250, 452])


if __name__ == "__main__":
    unittest.main(verbosity=2)
