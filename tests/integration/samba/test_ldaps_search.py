#!/usr/bin/python3
"""The Samba AD DC fixture answers as the mail server will use it: LDAPS simple binds
by ordinary users with the test CA trusted, group membership (direct and nested),
mail attributes, refusal of cleartext simple binds, Kerberos logons and the exported
service keytab. Run by ctest with the samba_dc fixture (DIRMAIL_SAMBA_DC_FIXTURE)."""

import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import samba_dc_info  # noqa: E402

import ldap  # noqa: E402  (python3-ldap: only in /usr/bin/python3)

INFO = samba_dc_info.load()
COMMAND_TIMEOUT = 60
LDAP_TIMEOUT = 10
# userAccountControl bit for a disabled account.
ACCOUNTDISABLE = 0x2
# Active Directory's transitive membership rule (LDAP_MATCHING_RULE_IN_CHAIN).
IN_CHAIN = "1.2.840.113556.1.4.1941"


def user(name):
    return INFO["users"][name]


def group_dn(name):
    return INFO["groups"][name]["dn"]


def connect(uri, ca_file=INFO["ca_file"]):
    conn = ldap.initialize(uri)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, LDAP_TIMEOUT)
    conn.set_option(ldap.OPT_TIMEOUT, LDAP_TIMEOUT)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
    if ca_file:
        conn.set_option(ldap.OPT_X_TLS_CACERTFILE, ca_file)
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    return conn


def bound_as(name, uri=INFO["ldaps_uri"]):
    conn = connect(uri)
    conn.simple_bind_s(user(name)["dn"], user(name)["password"])
    return conn


def search_users(conn, filter_text, attributes):
    entries = conn.search_st(INFO["base_dn"], ldap.SCOPE_SUBTREE, filter_text, attributes,
                             timeout=LDAP_TIMEOUT)
    # Samba appends search references (dn None) for the other partitions.
    return {dn: attrs for dn, attrs in entries if dn}


def texts(values):
    return [value.decode() for value in values]


def run(command, env=None, stdin_text=None):
    return subprocess.run(command, input=stdin_text, capture_output=True, text=True,
                          env=env, timeout=COMMAND_TIMEOUT)


class LdapsAsUser(unittest.TestCase):
    def test_user_bind_reads_alice(self):
        conn = bound_as("bob")
        found = search_users(conn, "(sAMAccountName=alice)",
                             ["sAMAccountName", "memberOf", "mail", "homeDirectory",
                              "homeDrive", "proxyAddresses", "userPrincipalName"])
        conn.unbind_s()
        self.assertEqual(list(found), [user("alice")["dn"]])
        attrs = found[user("alice")["dn"]]
        self.assertEqual(texts(attrs["sAMAccountName"]), ["alice"])
        self.assertEqual(texts(attrs["mail"]), [user("alice")["mail"]])
        self.assertEqual(texts(attrs["userPrincipalName"]), [user("alice")["upn"]])
        self.assertCountEqual(texts(attrs["memberOf"]),
                              [group_dn("IMSUsers"), group_dn(INFO["mail_domain"])])
        self.assertEqual(texts(attrs["homeDirectory"]), [user("alice")["home_directory"]])
        self.assertEqual(texts(attrs["homeDrive"]), ["H:"])
        self.assertCountEqual(texts(attrs["proxyAddresses"]), user("alice")["proxy_addresses"])

    def test_every_enabled_user_binds_with_its_password(self):
        for name, entry in INFO["users"].items():
            if not entry["enabled"]:
                continue
            with self.subTest(user=name):
                conn = bound_as(name)
                # AD refuses anonymous searches of the domain: finding oneself shows
                # the bind took effect (Samba has no WhoAmI operation).
                found = search_users(conn, f"(sAMAccountName={name})", ["sAMAccountName"])
                conn.unbind_s()
                self.assertEqual(list(found), [entry["dn"]])

    def test_disabled_user_cannot_bind(self):
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            bound_as("carol")

    def test_wrong_password_is_refused(self):
        conn = connect(INFO["ldaps_uri"])
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            conn.simple_bind_s(user("alice")["dn"], user("alice")["password"] + "x")

    def test_bind_by_user_principal_name(self):
        conn = connect(INFO["ldaps_uri"])
        conn.simple_bind_s(user("alice")["upn"], user("alice")["password"])
        found = search_users(conn, "(sAMAccountName=alice)", ["sAMAccountName"])
        conn.unbind_s()
        self.assertEqual(list(found), [user("alice")["dn"]])

    def test_nested_membership_and_disabled_flag(self):
        conn = bound_as("alice")
        in_chain = search_users(
            conn, f"(&(objectCategory=person)(memberOf:{IN_CHAIN}:={group_dn('IMSUsers')}))",
            ["sAMAccountName"])
        carol = search_users(conn, "(sAMAccountName=carol)", ["userAccountControl"])
        conn.unbind_s()
        # Other tests add users of their own to IMSUsers while the DC runs: only the
        # fixture's users are compared.
        members = sorted(name for name in (texts(attrs["sAMAccountName"])[0] for attrs in in_chain.values())
                         if name in INFO["users"])
        expected = sorted(name for name, entry in INFO["users"].items()
                          if "IMSUsers" in entry["effective_groups"])
        self.assertEqual(members, expected)
        self.assertIn("erin", members)       # only through MailStaff
        self.assertNotIn("dave", members)
        uac = int(carol[user("carol")["dn"]]["userAccountControl"][0])
        self.assertTrue(uac & ACCOUNTDISABLE)

    def test_untrusted_ca_is_rejected(self):
        # The system bundle does not contain the fixture's CA: verification must fail.
        conn = connect(INFO["ldaps_uri"], ca_file="/etc/ssl/certs/ca-certificates.crt")
        with self.assertRaises(ldap.SERVER_DOWN):
            conn.simple_bind_s(user("alice")["dn"], user("alice")["password"])


class LdapsearchCommandLine(unittest.TestCase):
    def ldapsearch(self, uri, bind_name, password, *args):
        env = dict(os.environ, LDAPTLS_CACERT=INFO["ca_file"], LDAPTLS_REQCERT="demand")
        return run(["ldapsearch", "-LLL", "-x", "-o", f"nettimeout={LDAP_TIMEOUT}",
                    "-l", str(LDAP_TIMEOUT), "-H", uri, "-D", bind_name, "-w", password,
                    "-b", INFO["base_dn"], *args], env=env)

    def test_ldaps_search_as_user(self):
        alice = user("alice")
        done = self.ldapsearch(INFO["ldaps_uri"], alice["upn"], alice["password"],
                               "(sAMAccountName=alice)", "sAMAccountName", "memberOf", "mail")
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertIn(f"dn: {alice['dn']}", lines)
        self.assertIn("sAMAccountName: alice", lines)
        self.assertIn(f"mail: {alice['mail']}", lines)
        self.assertIn(f"memberOf: {group_dn('IMSUsers')}", lines)
        self.assertIn(f"memberOf: {group_dn(INFO['mail_domain'])}", lines)

    def test_cleartext_simple_bind_is_refused(self):
        alice = user("alice")
        done = self.ldapsearch(INFO["ldap_uri"], alice["upn"], alice["password"],
                               "(sAMAccountName=alice)", "dn")
        # LDAP result 8: strongerAuthRequired, Samba's default for simple binds on ldap://.
        self.assertEqual(done.returncode, 8, done.stdout + done.stderr)
        self.assertIn("Strong(er) authentication required", done.stderr)


class CleartextLdap(unittest.TestCase):
    def test_simple_bind_without_tls_is_refused(self):
        conn = connect(INFO["ldap_uri"])
        with self.assertRaises(ldap.STRONG_AUTH_REQUIRED):
            conn.simple_bind_s(user("alice")["dn"], user("alice")["password"])


class SysvolOverSmb(unittest.TestCase):
    def test_user_lists_the_domain_policies_folder(self):
        # Group Policy is read from SYSVOL over SMB; an empty smb.conf keeps the host's
        # /etc/samba/smb.conf out of the client.
        with tempfile.NamedTemporaryFile("w", suffix=".conf") as empty_conf:
            alice = user("alice")
            done = run(["smbclient", f"//{INFO['address']}/sysvol", "-s", empty_conf.name,
                        "-U", f"{INFO['netbios_domain']}\\alice%{alice['password']}",
                        "--option=client use kerberos=off",
                        "-c", f"ls {INFO['dns_domain']}/Policies/*"])
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        # The Default Domain Policy, created by every provisioning.
        self.assertIn("{31B2F340-016D-11D2-945F-00C04FB984F9}", done.stdout)


class Kerberos(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.TemporaryDirectory(prefix="samba-dc-krb5-")
        self.env = samba_dc_info.kerberos_environment(
            INFO, os.path.join(self.folder.name, "ccache"))

    def tearDown(self):
        self.folder.cleanup()

    def kinit(self, name):
        return run(["kinit", user(name)["principal"]], env=self.env,
                   stdin_text=user(name)["password"] + "\n")

    def test_kinit_alice(self):
        done = self.kinit("alice")
        self.assertEqual(done.returncode, 0, done.stderr)
        listed = run(["klist"], env=self.env)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(f"Default principal: {user('alice')['principal']}", listed.stdout)
        self.assertIn(f"krbtgt/{INFO['realm']}@{INFO['realm']}", listed.stdout)

    def test_kinit_disabled_carol_is_revoked(self):
        done = self.kinit("carol")
        self.assertNotEqual(done.returncode, 0)
        self.assertIn("revoked", done.stderr)

    def test_keytab_holds_the_mail_service_principals(self):
        done = run(["klist", "-k", "-e", INFO["keytab"]], env=self.env)
        self.assertEqual(done.returncode, 0, done.stderr)
        for principal in INFO["service_account"]["principals"]:
            self.assertIn(principal, done.stdout)
        self.assertIn(f"imap/{INFO['mail_service_host']}@{INFO['realm']}", done.stdout)
        self.assertIn("aes256-cts", done.stdout)

    def test_keytab_decrypts_a_service_ticket(self):
        # kvno -k fetches a ticket for the service and decrypts it with the keytab:
        # what a GSSAPI acceptor in the mail server will do.
        self.assertEqual(self.kinit("alice").returncode, 0)
        done = run(["kvno", "-k", INFO["keytab"], f"imap/{INFO['mail_service_host']}"],
                   env=self.env)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("keytab entry valid", done.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
