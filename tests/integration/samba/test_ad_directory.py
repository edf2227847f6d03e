#!/usr/bin/python3
"""dirmaild with the ad backend against the real Samba AD DC: an administrator's
workflow with samba-tool (create, IMSUsers, domain group, home folder, remove,
disable), nested groups, proxyAddresses, filter injection, and dirmailctl's view.
Run by ctest with the samba_dc fixture."""

import base64
import imaplib
import json
import poplib
import re
import smtplib
import ssl
import subprocess
import sys
import tempfile
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import ad_config, ad_modify, eventually, samba_tool  # noqa: E402
from dirmail_instance import DIRMAILCTL, DirmailInstance  # noqa: E402
from mail_clients import pop3_login, rcpt, send_tagged, wait_for_messages  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]


def imap_login_refusal(port, user, password):
    """The NO text of an IMAP LOGIN that must fail."""
    with imaplib.IMAP4("127.0.0.1", port, timeout=60) as imap:
        try:
            imap.login(user, password)
        except imaplib.IMAP4.error as e:
            return str(e)
    raise AssertionError(f"IMAP LOGIN as {user} succeeded")





class AdBackend(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-")
        cls.folder = Path(cls.tmp.name)
        cls.homes = cls.folder / "homes"
        cls.homes.mkdir()
        # Passwords are checked with Kerberos (auth.password_check = auto: the realm is
        # set and the keytab readable), verified with the service keytab.
        env = samba_dc_info.kerberos_environment(INFO, str(cls.folder / "ccache"))
        cls.dm = DirmailInstance(cls.folder / "dirmail", extra_config="", env=env)
        cls.dm.folder.mkdir(parents=True, exist_ok=True)
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, [INFO["ldaps_uri"]],
                                        realm=f'"{INFO["dns_domain"]}"', keytab=f'"{INFO["keytab"]}"') + \
            '\n[store]\nmailbox_path = "%HOME%/INETMAIL/INBOX"\n'
        cls.dm.write_config()
        cls.dm.start()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()

    def new_user(self, groups=("IMSUsers", DOMAIN)):
        """A fresh AD user made the way an administrator does it."""
        name = "u" + uuid.uuid4().hex[:10]
        password = "Pw-" + uuid.uuid4().hex[:12] + "!9"
        home = self.homes / name
        samba_tool(INFO, "user", "create", name, password, f"--home-directory={home}",
                   "--given-name=Test", f"--surname={name}", "--use-username-as-cn")
        for group in groups:
            samba_tool(INFO, "group", "addmembers", group, name)
        return name, password, home

    def test_admin_workflow_create_remove_disable(self):
        name, password, home = self.new_user()
        address = f"{name}@{DOMAIN}"
        # Created in AD: mail is accepted and lands in the homeDirectory template.
        self.assertEqual(rcpt(self.dm.smtp_port, address)[0], 250)
        send_tagged(self.dm.smtp_port, address, "workflow-1")
        inbox = home / "INETMAIL" / "INBOX"
        eventually(lambda: inbox.exists() and any(inbox.rglob("*")), what="mailbox under the home folder")
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, name, password, "workflow-1")), 1)
        # Removed from IMSUsers: refused within the cache TTL, without a restart.
        samba_tool(INFO, "group", "removemembers", "IMSUsers", name)
        code, text = eventually(lambda: (lambda r: r if r[0] == 550 else None)(rcpt(self.dm.smtp_port, address)),
                                timeout=15, what="550 after removal from IMSUsers")
        self.assertIn("5.1.1", text)
        eventually(lambda: "Authentication failed" in pop3_login(self.dm.pop3_port, name, password),
                   timeout=15, what="login refused after removal from IMSUsers")
        # Back in, then disabled: the disabled policy (refuse_mail) applies.
        samba_tool(INFO, "group", "addmembers", "IMSUsers", name)
        eventually(lambda: rcpt(self.dm.smtp_port, address)[0] == 250, timeout=15, what="250 after re-adding")
        samba_tool(INFO, "user", "disable", name)
        code, text = eventually(lambda: (lambda r: r if r[0] == 550 else None)(rcpt(self.dm.smtp_port, address)),
                                timeout=15, what="550 for a disabled account")
        self.assertIn("5.2.1", text)
        eventually(lambda: "Authentication failed" in pop3_login(self.dm.pop3_port, name, password),
                   timeout=15, what="login refused for a disabled account")
        self.assertIn("recipient refused by account state", self.dm.log_text("smtp"))

    def test_account_states_follow_their_policies(self):
        # "User must change password at next logon": mail still accepted (the default
        # directory.password_expired_accounts = accept_mail), no login.
        name = "u" + uuid.uuid4().hex[:10]
        password = "Pw-" + uuid.uuid4().hex[:12] + "!9"
        samba_tool(INFO, "user", "create", name, password, "--must-change-at-next-login", "--use-username-as-cn")
        for group in ("IMSUsers", DOMAIN):
            samba_tool(INFO, "group", "addmembers", group, name)
        self.assertEqual(rcpt(self.dm.smtp_port, f"{name}@{DOMAIN}")[0], 250)
        self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, name, password))
        # IMAP says why (RFC 5530), but only to the one who knows the password.
        self.assertIn("[EXPIRED]", imap_login_refusal(self.dm.imap_port, name, password))
        wrong = imap_login_refusal(self.dm.imap_port, name, password + "x")
        self.assertIn("[AUTHENTICATIONFAILED]", wrong)
        self.assertNotIn("EXPIRED", wrong)
        self.assertRegex(self.dm.log_text("directory"),
                         f"user={name} .*login refused: the password is right but has expired")
        self.assertIn("login failed: password expired", self.dm.log_text("pop3"))
        # An expired account: refused (directory.expired_accounts = refuse_mail).
        expired, _, _ = self.new_user()
        samba_tool(INFO, "user", "setexpiry", expired, "--days=0")
        code, text = eventually(lambda: (lambda r: r if r[0] == 550 else None)(
            rcpt(self.dm.smtp_port, f"{expired}@{DOMAIN}")), timeout=15, what="550 for an expired account")
        self.assertIn("5.2.1", text)

    def test_nested_group_member_gets_mail_and_logs_in(self):
        erin = INFO["users"]["erin"]
        self.assertNotIn("IMSUsers", erin["groups"])  # only through MailStaff
        self.assertEqual(rcpt(self.dm.smtp_port, f"erin@{DOMAIN}")[0], 250)
        # erin has no home folder in the fixture; the %HOME% template needs one.
        ad_modify(INFO, erin["dn"], "homeDirectory", [str(self.homes / "erin")])
        eventually(lambda: pop3_login(self.dm.pop3_port, "erin", erin["password"]) == "ok", timeout=15,
                   what="erin logs in once her home folder is set")

    def test_user_outside_imsusers_is_unknown(self):
        code, text = rcpt(self.dm.smtp_port, f"dave@{DOMAIN}")
        self.assertEqual(code, 550)
        self.assertIn("5.1.1", text)
        self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, "dave", INFO["users"]["dave"]["password"]))

    def test_unknown_user_and_foreign_domain(self):
        self.assertEqual(rcpt(self.dm.smtp_port, f"nosuchuser@{DOMAIN}")[0], 550)
        self.assertEqual(rcpt(self.dm.smtp_port, "someone@elsewhere.example")[0], 554)

    def test_password_login_and_wrong_password(self):
        alice = INFO["users"]["alice"]
        name, password, home = self.new_user()
        self.assertEqual(pop3_login(self.dm.pop3_port, name, password), "ok")
        self.assertEqual(pop3_login(self.dm.pop3_port, f"{name}@{DOMAIN}", password), "ok")
        # The second login was answered from the verified-password cache, not the KDC.
        eventually(lambda: re.search(r"^cached_logins [1-9]", self.dm.ctl("directory", "status").stdout, re.M),
                   timeout=15, what="a cached login in the status report")
        self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, name, password + "x"))
        self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, name, ""))
        self.assertIn(f'user={name} method=kerberos reason="bad_password', self.dm.log_text("directory"))
        # A changed password works at once; the old one no longer does.
        samba_tool(INFO, "user", "setpassword", name, f"--newpassword={password}-2")
        self.assertEqual(pop3_login(self.dm.pop3_port, name, password + "-2"), "ok")
        self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, name, password))
        del alice

    def test_proxy_address_reaches_its_user(self):
        name, password, home = self.new_user()
        ad_modify(INFO, f"CN={name},{INFO['users_dn']}", "proxyAddresses",
                  [f"SMTP:{name}@{DOMAIN}", f"smtp:alias-{name}@{DOMAIN}", "X400:c=JP;a= ;p=Corp"])
        send_tagged(self.dm.smtp_port, f"alias-{name}@{DOMAIN}", "proxy-alias")
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, name, password, "proxy-alias")), 1)

    def test_an_address_claimed_by_two_users_is_not_guessed(self):
        first, _, _ = self.new_user()
        second, _, _ = self.new_user()
        # second claims first's address: the directory is inconsistent, the mail waits.
        ad_modify(INFO, f"CN={second},{INFO['users_dn']}", "proxyAddresses", [f"smtp:{first}@{DOMAIN}"])
        code, text = rcpt(self.dm.smtp_port, f"{first}@{DOMAIN}")
        self.assertEqual(code, 451, text)
        log = self.dm.log_text("directory")
        self.assertIn("recipient is ambiguous in the directory", log)
        self.assertIn(f"CN={second}", log)

    def test_user_principal_name_as_login_when_configured(self):
        variant = self.folder / "upn.toml"
        variant.write_text(self.dm.config.read_text().replace(
            "[directory]\n", '[directory]\nlogin_attributes = ["userPrincipalName"]\n', 1))
        shown = subprocess.run([str(DIRMAILCTL), "--config", str(variant), "user", "show", INFO["users"]["alice"]["upn"]],
                               capture_output=True, text=True, timeout=60)
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertIn("name:          alice", shown.stdout)
        # Without the setting a UPN is no login.
        plain = self.dm.ctl("user", "show", INFO["users"]["alice"]["upn"], check=False)
        self.assertNotEqual(plain.returncode, 0)

    def test_filter_injection_finds_nothing(self):
        for login in ["*", "*)(sAMAccountName=*", "alice)(|(objectClass=*", "al*"]:
            with self.subTest(login=login):
                self.assertIn("Authentication failed",
                              pop3_login(self.dm.pop3_port, login, INFO["users"]["alice"]["password"]))
        code, _ = rcpt(self.dm.smtp_port, f'"*)(sAMAccountName=*"@{DOMAIN}')
        self.assertEqual(code, 550)
        code, _ = rcpt(self.dm.smtp_port, f"al*@{DOMAIN}")
        self.assertEqual(code, 550)

    def test_dirmailctl_shows_the_user_and_the_servers(self):
        shown = self.dm.ctl("user", "show", "alice").stdout
        self.assertIn("address:       alice@example.test", shown)
        self.assertIn("IMSUsers", shown)
        self.assertIn("alice.example@example.test", shown)
        self.assertIn("state:         active", shown)
        self.assertIn("answer_from:   live", shown)
        # alice's home is a UNC path: without the smb store or a store.path_map entry it
        # names no local folder, and the admin is told what to set.
        self.assertIn("is on a share: set store.backend = smb", shown)
        status = eventually(lambda: (lambda s: s if "state=healthy" in s else None)(
            self.dm.ctl("directory", "status").stdout), what="a status report")
        self.assertIn(f"dc {INFO['ldaps_uri']} state=healthy", status)
        probed = self.dm.ctl("directory", "status", "--probe").stdout
        self.assertIn(f"probe {INFO['ldaps_uri']} preferred=yes state=healthy", probed)
        users = self.dm.ctl("directory", "users").stdout
        names = [line.split("\t")[0] for line in users.splitlines()]
        self.assertIn("alice", names)
        self.assertIn("erin", names)
        self.assertNotIn("dave", names)
        # The same for scripts.
        listed = json.loads(self.dm.ctl("directory", "users", "--json").stdout)
        self.assertEqual(sorted(u["name"] for u in listed), sorted(names))
        alice = json.loads(self.dm.ctl("directory", "user", "alice", "--json").stdout)
        self.assertIn("IMSUsers", ",".join(alice["groups"]))
        self.assertEqual((alice["state"], alice["answer_from"], alice["may_log_in"]), ("active", "live", True))
        probes = json.loads(self.dm.ctl("directory", "status", "--probe", "--json").stdout)
        self.assertEqual([(p["uri"], p["preferred"], p["healthy"]) for p in probes], [(INFO["ldaps_uri"], True, True)])
        self.assertEqual(self.dm.ctl("directory", "status", "--json", check=False).returncode, 2)  # --json needs --probe


class AdPasswordsOverTls(unittest.TestCase):
    """PLAIN and LOGIN with the AD password over STARTTLS and implicit TLS, on every
    protocol; without TLS the password is refused (plaintext_auth = never)."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-tls-")
        folder = Path(cls.tmp.name)
        env = samba_dc_info.kerberos_environment(INFO, str(folder / "ccache"))
        cls.dm = DirmailInstance(folder / "dirmail", env=env, tls=True, plaintext_auth="never")
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, [INFO["ldaps_uri"]],
                                        realm=f'"{INFO["dns_domain"]}"', keytab=f'"{INFO["keytab"]}"') + \
            '\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n'
        cls.dm.write_config()
        cls.dm.start()
        cls.tls = ssl.create_default_context(cafile=cls.dm.pki["ca"])
        cls.bob = INFO["users"]["bob"]

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()

    def test_pop3(self):
        p = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        with self.assertRaises(poplib.error_proto):  # no password before TLS
            p.user("bob")
            p.pass_(self.bob["password"])
        p.close()
        p = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        p.stls(self.tls)
        p.user("bob")
        self.assertTrue(p.pass_(self.bob["password"]).startswith(b"+OK"))
        p.quit()
        p = poplib.POP3_SSL("127.0.0.1", self.dm.pop3s_port, timeout=60, context=self.tls)
        p.user("bob")
        self.assertTrue(p.pass_(self.bob["password"]).startswith(b"+OK"))
        p.quit()

    def test_pop3_auth_plain_and_login(self):
        user, pw = "bob", self.bob["password"]
        plain = base64.b64encode(f"\0{user}\0{pw}".encode()).decode()
        p = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        self.assertNotIn("PLAIN", " ".join(p.capa().get("SASL", [])))  # not before TLS
        p.stls(self.tls)
        self.assertIn("LOGIN", p.capa().get("SASL", []))
        self.assertTrue(p._shortcmd(f"AUTH PLAIN {plain}").startswith(b"+OK"))
        p.quit()
        p = poplib.POP3_SSL("127.0.0.1", self.dm.pop3s_port, timeout=60, context=self.tls)
        self.assertEqual(p._shortcmd("AUTH LOGIN"), b"+ VXNlcm5hbWU6")
        self.assertEqual(p._shortcmd(base64.b64encode(user.encode()).decode()), b"+ UGFzc3dvcmQ6")
        self.assertTrue(p._shortcmd(base64.b64encode(pw.encode()).decode()).startswith(b"+OK"))
        p.quit()

    def test_imap_authenticate_plain_and_login(self):
        user, pw = "bob", self.bob["password"]

        def login_answers(challenge):
            return user if challenge.startswith(b"User") else pw
        with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=60) as imap:
            imap.starttls(self.tls)
            self.assertIn("AUTH=LOGIN", imap.capabilities)
            self.assertEqual(imap.authenticate("PLAIN", lambda _: f"\0{user}\0{pw}")[0], "OK")
        with imaplib.IMAP4_SSL("127.0.0.1", self.dm.imaps_port, ssl_context=self.tls, timeout=60) as imap:
            self.assertEqual(imap.authenticate("LOGIN", login_answers)[0], "OK")
            self.assertEqual(imap.select("INBOX")[0], "OK")

    def test_imap(self):
        with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=60) as imap:
            self.assertIn("LOGINDISABLED", imap.capabilities)
            imap.starttls(self.tls)
            self.assertEqual(imap.login("bob", self.bob["password"])[0], "OK")
        with imaplib.IMAP4_SSL("127.0.0.1", self.dm.imaps_port, ssl_context=self.tls, timeout=60) as imap:
            self.assertEqual(imap.login("bob", self.bob["password"])[0], "OK")
            self.assertEqual(imap.select("INBOX")[0], "OK")

    def test_submission_plain_and_login(self):
        with smtplib.SMTP("127.0.0.1", self.dm.submission_port, timeout=60) as s:
            s.ehlo("client.example.org")
            self.assertNotIn("auth", s.esmtp_features)  # no password mechanism before TLS
            s.starttls(context=self.tls)
            s.ehlo("client.example.org")
            s.user, s.password = "bob", self.bob["password"]
            self.assertEqual(s.auth("LOGIN", s.auth_login)[0], 235)
        with smtplib.SMTP_SSL("127.0.0.1", self.dm.smtps_port, context=self.tls, timeout=60) as s:
            s.ehlo("client.example.org")
            s.user, s.password = "bob", self.bob["password"]
            self.assertEqual(s.auth("PLAIN", s.auth_plain)[0], 235)
        with smtplib.SMTP_SSL("127.0.0.1", self.dm.smtps_port, context=self.tls, timeout=60) as s:
            s.ehlo("client.example.org")
            s.user, s.password = "bob", self.bob["password"] + "x"
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                s.auth("PLAIN", s.auth_plain)


class ExpiredPasswordOverBind(unittest.TestCase):
    """auth.password_check = bind: AD's bind says 773 (must change) only for the right
    password; IMAP answers [EXPIRED] then, and a plain failure otherwise."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-bind-")
        folder = Path(cls.tmp.name)
        cls.dm = DirmailInstance(folder / "dirmail")
        cls.dm.folder.mkdir(parents=True, exist_ok=True)
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, [INFO["ldaps_uri"]]) + \
            '\n[auth]\npassword_check = "bind"\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n'
        cls.dm.write_config()
        cls.dm.start()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()

    def test_must_change_at_next_logon(self):
        name = "u" + uuid.uuid4().hex[:10]
        password = "Pw-" + uuid.uuid4().hex[:12] + "!9"
        samba_tool(INFO, "user", "create", name, password, "--must-change-at-next-login", "--use-username-as-cn")
        samba_tool(INFO, "group", "addmembers", "IMSUsers", name)
        self.assertIn("[EXPIRED]", imap_login_refusal(self.dm.imap_port, name, password))
        self.assertNotIn("EXPIRED", imap_login_refusal(self.dm.imap_port, name, "Wrong-" + password))
        self.assertRegex(self.dm.log_text("directory"), f"user={name} .*reason=must_change_password")


if __name__ == "__main__":
    unittest.main(verbosity=2)
