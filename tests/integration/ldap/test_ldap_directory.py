#!/usr/bin/python3
"""dirmaild with the generic ldap backend against a real OpenLDAP slapd: StartTLS
with the test CA, a service-account bind, inetOrgPerson users, groupOfNames (memberOf
overlay) and posixGroup (memberUid) membership, paging past the server's size limit,
user binds for passwords, filter injection, and a mailbox limit read from a user
attribute. Run by ctest with the slapd fixture."""

import poplib
import smtplib
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import slapd_info  # noqa: E402
from directory_setup import eventually, toml_list, write_secret  # noqa: E402
from dirmail_instance import DIRMAILCTL, DirmailInstance  # noqa: E402
from mail_clients import pop3_login, rcpt, wait_for_messages  # noqa: E402

INFO = slapd_info.load()
DOMAIN = INFO["mail_domain"]


def ldap_config(folder, group, **overrides):
    password_file = write_secret(Path(folder) / "bind.pw", INFO["service_password"])
    settings = {
        "backend": '"ldap"',
        "servers": toml_list([INFO["ldap_uri"]]),
        "start_tls": "true",
        "bind": '"simple"',
        "bind_dn": f'"{INFO["service_dn"]}"',
        "bind_password_file": f'"{password_file}"',
        "ca_file": f'"{INFO["ca_file"]}"',
        "base_dn": f'"{INFO["base_dn"]}"',
        "mail_domains": toml_list([DOMAIN]),
        "mail_users_group": f'"{group}"',
        "retry_interval": "200",
        "retry_count": "2",
        "cache_ttl": "2",
    }
    settings.update(overrides)
    return "[directory]\n" + "\n".join(f"{k} = {v}" for k, v in settings.items()) + "\n"




def set_user_attribute(uid, attribute, values):
    """Replaces (or with no values removes) an attribute of a user, as the directory's admin."""
    import ldap  # python3-ldap: only in /usr/bin/python3
    conn = ldap.initialize(INFO["ldap_uri"])
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    conn.set_option(ldap.OPT_X_TLS_CACERTFILE, INFO["ca_file"])
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    conn.start_tls_s()
    conn.simple_bind_s(INFO["root_dn"], INFO["root_password"])
    conn.modify_s(INFO["users"][uid]["dn"], [(ldap.MOD_REPLACE, attribute, [v.encode() for v in values] or None)])
    conn.unbind_s()


def pop3_login_bytes(port, user, password):
    """USER and PASS with raw octets (poplib encodes text as UTF-8 only)."""
    p = poplib.POP3("127.0.0.1", port, timeout=60)
    try:
        p._putline(b"USER " + user)
        p._getresp()
        p._putline(b"PASS " + password)
        p._getresp()
        p.quit()
        return "ok"
    except poplib.error_proto as e:
        p.close()
        return e.args[0].decode(errors="replace")


class GenericLdapBackend(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ldap-")
        cls.dm = DirmailInstance(Path(cls.tmp.name) / "dirmail")
        cls.dm.folder.mkdir(parents=True, exist_ok=True)
        # employeeNumber stands in for a site's own mailbox-limit attribute (inetOrgPerson has it).
        cls.dm.extra_config = ldap_config(cls.dm.folder, INFO["mail_group"],
                                          mailbox_limit_attribute='"employeeNumber"') + \
            '\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n'
        cls.dm.write_config()
        cls.dm.start()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()

    def user(self, name):
        return INFO["users"][name]

    def test_group_members_get_mail_and_log_in(self):
        alice = self.user("ldapalice")
        self.assertEqual(rcpt(self.dm.smtp_port, f"ldapalice@{DOMAIN}")[0], 250)
        with smtplib.SMTP("127.0.0.1", self.dm.smtp_port, timeout=60) as s:
            s.sendmail("sender@example.org", [f"ldapalice@{DOMAIN}"],
                       b"Subject: ldap-backend\r\n\r\nldap-backend\r\n")
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, "ldapalice", alice["password"], "ldap-backend")), 1)
        self.assertEqual(pop3_login(self.dm.pop3_port, "ldapbob", self.user("ldapbob")["password"]), "ok")

    def test_mailbox_limit_from_the_directory_attribute(self):
        bob = f"ldapbob@{DOMAIN}"
        with smtplib.SMTP("127.0.0.1", self.dm.smtp_port, timeout=60) as s:
            s.sendmail("sender@example.org", [bob], b"Subject: ldap-limit\r\n\r\n" + b"x" * 500 + b"\r\n")
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, "ldapbob", self.user("ldapbob")["password"],
                                               "ldap-limit")), 1)
        set_user_attribute("ldapbob", "employeeNumber", ["300"])  # bytes: less than Bob holds
        try:
            # The directory cache (cache_ttl = 2 s) may answer with the old entry for a moment.
            def refused():
                reply = rcpt(self.dm.smtp_port, bob)
                return reply if reply[0] == 452 else None
            code, text = eventually(refused, what="452 for a mailbox over the directory's limit")
            self.assertEqual(text, f"4.2.2 <{bob}>: Mailbox full, try again later")
            with smtplib.SMTP("127.0.0.1", self.dm.smtp_port, timeout=60) as s:
                s.ehlo("client.example.org")
                self.assertEqual(s.mail("sender@example.org", ["SIZE=301"])[0], 250)
                self.assertEqual(s.rcpt(bob)[0], 552)
            self.assertIn("mailbox_limit: 300\n", self.dm.ctl("directory", "user", "ldapbob").stdout)
            # Other users have no such attribute: no limit.
            self.assertEqual(rcpt(self.dm.smtp_port, f"ldapalice@{DOMAIN}")[0], 250)
        finally:
            set_user_attribute("ldapbob", "employeeNumber", [])
        eventually(lambda: rcpt(self.dm.smtp_port, bob)[0] == 250, what="no limit once the attribute is gone")

    def test_non_members_and_wrong_passwords_are_refused(self):
        self.assertEqual(rcpt(self.dm.smtp_port, f"ldapcarol@{DOMAIN}")[0], 550)
        self.assertIn("Authentication failed",
                      pop3_login(self.dm.pop3_port, "ldapcarol", self.user("ldapcarol")["password"]))
        self.assertIn("Authentication failed",
                      pop3_login(self.dm.pop3_port, "ldapalice", self.user("ldapalice")["password"] + "x"))
        self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, "ldapalice", ""))

    def test_mail_attribute_is_an_address(self):
        alice = self.user("ldapalice")
        if alice["mail"] and alice["mail"].split("@")[1] == DOMAIN:
            self.assertEqual(rcpt(self.dm.smtp_port, alice["mail"])[0], 250)

    def test_filter_injection_finds_nothing(self):
        for login in ["*", "*)(uid=*", "ldapalice)(|(uid=*", "ldap*"]:
            with self.subTest(login=login):
                self.assertIn("Authentication failed",
                              pop3_login(self.dm.pop3_port, login, self.user("ldapalice")["password"]))
        # NUL and non-UTF-8 octets: refused, whatever the stage that refuses them.
        for login in ["ldapalice\x00", "ldap\udcffalice"]:
            with self.subTest(login=repr(login)):
                try:
                    answer = pop3_login(self.dm.pop3_port, login, self.user("ldapalice")["password"])
                except UnicodeEncodeError:
                    answer = pop3_login_bytes(self.dm.pop3_port, b"ldap\xffalice",
                                              self.user("ldapalice")["password"].encode())
                self.assertTrue(answer.startswith("-ERR"), answer)
        self.assertEqual(rcpt(self.dm.smtp_port, f"ldap*@{DOMAIN}")[0], 550)

    def test_listing_pages_past_the_size_limit(self):
        listed = self.dm.ctl("directory", "users").stdout.splitlines()
        names = {line.split("\t")[0] for line in listed}
        self.assertGreater(INFO["bulk_user_count"], INFO["size_limit"])
        self.assertEqual(len(names), INFO["bulk_user_count"] + 2)
        self.assertIn("ldapalice", names)
        self.assertIn(INFO["bulk_users"]["last"], names)
        self.assertNotIn("ldapcarol", names)

    def test_home_folder_is_asked_for_only_when_the_template_uses_it(self):
        # The original's %USERNAME% optimisation: no homeDirectory lookup without %HOME%.
        def requested_attributes(template):
            config = Path(self.tmp.name) / "home.toml"
            config.write_text(self.dm.config.read_text().replace(
                'mailbox_path = "mailboxes/%USERNAME%"', f'mailbox_path = "{template}"'))
            log = slapd_info.OperationLog(INFO)
            shown = subprocess.run([str(DIRMAILCTL), "--config", str(config), "directory", "user", "ldapbob"],
                                   capture_output=True, text=True, timeout=60)
            self.assertEqual(shown.returncode, 0, shown.stderr)
            searches = [x for x in log.searches() if "ldapbob" in x["filter"]]
            self.assertTrue(searches, "no search for ldapbob in the slapd log")
            return [a.lower() for a in searches[0]["attributes"]]
        self.assertNotIn("homedirectory", requested_attributes("mailboxes/%USERNAME%"))
        self.assertIn("homedirectory", requested_attributes("%HOME%/INETMAIL/INBOX"))

    def test_posix_group_membership_by_member_uid(self):
        other = Path(self.tmp.name) / "posix.toml"
        other.write_text(self.dm.config.read_text().replace(f'mail_users_group = "{INFO["mail_group"]}"',
                                                            f'mail_users_group = "{INFO["posix_group"]}"'))
        shown = subprocess.run([str(DIRMAILCTL), "--config", str(other), "directory", "user", "ldaperin"],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("state:         active", shown.stdout)
        shown = subprocess.run([str(DIRMAILCTL), "--config", str(other), "directory", "user", "ldapalice"],
                               capture_output=True, text=True, timeout=60)
        self.assertIn("state:         not a mail user", shown.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
