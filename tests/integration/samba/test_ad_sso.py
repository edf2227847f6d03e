#!/usr/bin/python3
"""Kerberos single sign-on against the real Samba AD DC and its KDC: a user kinits,
then logs in to IMAP, POP3 and SMTP submission with SASL GSSAPI (RFC 4752) and
GSS-SPNEGO (raw SPNEGO tokens around Kerberos), with Python's python3-gssapi driving
the exchange by hand and with curl (--login-options AUTH=GSSAPI). dirmaild accepts
with the service keytab (imap/, pop/ and smtp/ on the mail service host). A ticket
for another service is refused with a clear log line; a user who is not a mail user
(dave) is refused although his ticket is valid. And an administrator who adds the
keytab after the start (or renews it) makes dirmaild offer single sign-on with a
SIGHUP. Run by ctest with the samba_dc fixture."""

import base64
import imaplib
import os
import poplib
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import ad_config, eventually  # noqa: E402
from dirmail_instance import DirmailInstance  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]
REALM = INFO["realm"]
MAIL_HOST = INFO["mail_service_host"]
# MIT reads KRB5_CONFIG when the first context is made: set before gssapi is used.
os.environ["KRB5_CONFIG"] = INFO["krb5_conf"]
import gssapi  # noqa: E402

SPNEGO = gssapi.OID.from_int_seq("1.3.6.1.5.5.2")


def kinit(user, ccache):
    env = samba_dc_info.kerberos_environment(INFO, ccache)
    done = subprocess.run(["kinit", INFO["users"][user]["principal"]], input=INFO["users"][user]["password"] + "\n",
                          capture_output=True, text=True, env=env, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"kinit {user}: {done.stdout}{done.stderr}")
    return env


class SaslGssapiClient:
    """The client side of RFC 4752 for one login, as a callable that takes the
    server's decoded challenge and returns the raw response (imaplib, smtplib)."""

    def __init__(self, ccache, service, authzid=b"", mutual=True):
        creds = gssapi.Credentials(usage="initiate", store={"ccache": "FILE:" + ccache})
        name = gssapi.Name(f"{service}/{MAIL_HOST}@{REALM}", gssapi.NameType.kerberos_principal)
        flags = gssapi.RequirementFlag.out_of_sequence_detection
        if mutual:
            flags |= gssapi.RequirementFlag.mutual_authentication
        self.ctx = gssapi.SecurityContext(name=name, creds=creds, usage="initiate", flags=flags)
        self.authzid = authzid
        self.layer_offer = None

    def __call__(self, challenge=None):
        if not self.ctx.complete:
            return self.ctx.step(challenge or None) or b""
        self.layer_offer = self.ctx.unwrap(challenge).message
        # No security layer, maximum buffer 0: the only thing the server offers.
        return self.ctx.wrap(b"\x01\x00\x00\x00" + self.authzid, False).message


class SaslSpnegoClient:
    """The client side of SASL GSS-SPNEGO: raw SPNEGO tokens (python3-gssapi with the
    SPNEGO mechanism, which offers Kerberos), no security layer round. The server's
    last token completes the context and is answered with an empty response."""

    def __init__(self, ccache, service, mutual=True):
        creds = gssapi.Credentials(usage="initiate", store={"ccache": "FILE:" + ccache})
        name = gssapi.Name(f"{service}/{MAIL_HOST}@{REALM}", gssapi.NameType.kerberos_principal)
        flags = gssapi.RequirementFlag.out_of_sequence_detection
        if mutual:
            flags |= gssapi.RequirementFlag.mutual_authentication
        self.ctx = gssapi.SecurityContext(name=name, creds=creds, usage="initiate", mech=SPNEGO, flags=flags)
        self.tokens_sent = 0

    def __call__(self, challenge=None):
        if self.ctx.complete:
            raise AssertionError("the server sent a challenge after the SPNEGO context was complete")
        self.tokens_sent += 1
        return self.ctx.step(challenge or None) or b""


def imap_gssapi(port, client, mechanism="GSSAPI"):
    """'ok' and the IMAP connection, or the server's NO text and None."""
    imap = imaplib.IMAP4("127.0.0.1", port, timeout=60)
    try:
        imap.authenticate(mechanism, client)
        return "ok", imap
    except imaplib.IMAP4.error as e:
        imap.logout()
        return str(e), None


def pop3_gssapi(port, client, mechanism="GSSAPI"):
    """'ok' and the POP3 connection (logged in), or the -ERR line and None."""
    p = poplib.POP3("127.0.0.1", port, timeout=60)
    p._putcmd("AUTH " + mechanism)
    while True:
        line, _ = p._getline()
        if line.startswith(b"+OK"):
            return "ok", p
        if not line.startswith(b"+"):
            p.close()
            return line.decode(errors="replace"), None
        p._putcmd(base64.b64encode(client(base64.b64decode(line[2:]))).decode())


def b64(data):
    return base64.b64encode(data).decode()


def smtp_gssapi(s, client, initial_response=True, mechanism="GSSAPI"):
    """The AUTH GSSAPI (or GSS-SPNEGO) exchange by hand (smtplib.auth handles text
    responses only); returns the final reply code."""
    code, text = s.docmd("AUTH", f"{mechanism} {b64(client())}" if initial_response else mechanism)
    while code == 334:
        code, text = s.docmd(b64(client(base64.b64decode(text))))
    return code


class KerberosSingleSignOn(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-sso-")
        cls.folder = Path(cls.tmp.name)
        cls.alice_cache = str(cls.folder / "alice.ccache")
        cls.dave_cache = str(cls.folder / "dave.ccache")
        cls.alice_env = kinit("alice", cls.alice_cache)
        kinit("dave", cls.dave_cache)
        env = samba_dc_info.kerberos_environment(INFO, str(cls.folder / "server.ccache"))
        cls.dm = DirmailInstance(cls.folder / "dirmail", extra_config="", env=env)
        cls.dm.folder.mkdir(parents=True, exist_ok=True)
        # server.hostname stays mail.example.test: the principals' host name is its own
        # setting. auth.gssapi = on: a principal missing from the keytab stops the start.
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, [INFO["ldaps_uri"]],
                                        realm=f'"{INFO["dns_domain"]}"', keytab=f'"{INFO["keytab"]}"') + \
            f'\n[auth]\ngssapi = "on"\ngssapi_hostname = "{MAIL_HOST}"\n' + \
            '\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n'
        cls.dm.write_config()
        try:
            cls.dm.start()
        except RuntimeError:
            print(cls.dm.stderr_path.read_text(errors="replace"), file=sys.stderr)
            cls.tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()

    def auth_log(self, service):
        return self.dm.log_text(service)

    # -- Python clients (python3-gssapi), both with and without mutual authentication

    def test_imap_gssapi_login_is_alices_session(self):
        with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=60) as imap:
            self.assertIn("AUTH=GSSAPI", imap.capabilities)
        client = SaslGssapiClient(self.alice_cache, "imap")
        result, imap = imap_gssapi(self.dm.imap_port, client)
        self.assertEqual(result, "ok")
        self.assertEqual(client.layer_offer, b"\x01\x00\x00\x00")
        typ, _ = imap.select("INBOX")
        self.assertEqual(typ, "OK")
        imap.logout()
        log = self.auth_log("imap")
        self.assertIn(f"login={INFO['users']['alice']['principal']}", log)
        self.assertIn(f"user=alice@{DOMAIN}", log)

    def test_imap_authorization_identity_of_another_user_is_refused(self):
        client = SaslGssapiClient(self.alice_cache, "imap", authzid=f"bob@{DOMAIN}".encode())
        result, _ = imap_gssapi(self.dm.imap_port, client)
        self.assertIn("AUTHENTICATIONFAILED", result)
        eventually(lambda: "asked to act as bob@" in self.auth_log("imap"), timeout=10, what="authzid log line")

    def test_imap_ticket_for_the_smtp_service_is_refused(self):
        client = SaslGssapiClient(self.alice_cache, "smtp")
        result, _ = imap_gssapi(self.dm.imap_port, client)
        self.assertIn("AUTHENTICATIONFAILED", result)
        log = eventually(lambda: (lambda t: t if "login failed: Kerberos" in t else None)(self.auth_log("imap")),
                         timeout=10, what="Kerberos failure log line")
        self.assertIn(f"the ticket is for smtp/{MAIL_HOST}@{REALM}, not for imap/{MAIL_HOST}@{REALM}", log)

    def test_user_outside_imsusers_is_refused_despite_a_valid_ticket(self):
        result, _ = imap_gssapi(self.dm.imap_port, SaslGssapiClient(self.dave_cache, "imap"))
        self.assertIn("AUTHENTICATIONFAILED", result)
        result, _ = pop3_gssapi(self.dm.pop3_port, SaslGssapiClient(self.dave_cache, "pop"))
        self.assertIn("-ERR [AUTH]", result)
        eventually(lambda: "login failed: not a mail user who may log in" in self.auth_log("imap"),
                   timeout=10, what="dave refused in the IMAP log")
        self.assertIn(f"login=dave@{REALM}", self.auth_log("pop3"))

    def test_pop3_gssapi_login(self):
        p = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        self.assertEqual(p.capa().get("SASL")[:3], ["GSSAPI", "GSS-SPNEGO", "PLAIN"])
        p.quit()
        result, p = pop3_gssapi(self.dm.pop3_port, SaslGssapiClient(self.alice_cache, "pop", mutual=False))
        self.assertEqual(result, "ok")
        count, _ = p.stat()
        self.assertGreaterEqual(count, 0)
        p.quit()

    def test_pop3_plain_with_the_ad_password(self):
        p = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        secret = base64.b64encode(b"\0alice\0" + INFO["users"]["alice"]["password"].encode()).decode()
        self.assertTrue(p._shortcmd("AUTH PLAIN " + secret).startswith(b"+OK"))
        p.quit()
        p = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        wrong = base64.b64encode(b"\0alice\0wrong").decode()
        with self.assertRaises(poplib.error_proto):
            p._shortcmd("AUTH PLAIN " + wrong)
        p.close()

    def test_submission_gssapi_then_mail(self):
        with smtplib.SMTP("127.0.0.1", self.dm.submission_port, timeout=60) as s:
            s.ehlo("client.example.org")
            self.assertIn("GSSAPI", s.esmtp_features.get("auth", ""))
            self.assertEqual(smtp_gssapi(s, SaslGssapiClient(self.alice_cache, "smtp")), 235)
            code, _ = s.mail(f"alice@{DOMAIN}")
            self.assertEqual(code, 250)
            code, _ = s.rcpt(f"bob@{DOMAIN}")
            self.assertEqual(code, 250)
            s.rset()
        self.assertIn("mechanism=gssapi", self.auth_log("submission"))

    def test_submission_ticket_for_the_imap_service_is_refused(self):
        with smtplib.SMTP("127.0.0.1", self.dm.submission_port, timeout=60) as s:
            s.ehlo("client.example.org")
            self.assertEqual(smtp_gssapi(s, SaslGssapiClient(self.alice_cache, "imap"), initial_response=False), 535)
            code, _ = s.mail(f"alice@{DOMAIN}")
            self.assertEqual(code, 530)  # still not authenticated
        eventually(lambda: f"not for smtp/{MAIL_HOST}@{REALM}" in self.auth_log("submission"),
                   timeout=10, what="Kerberos failure in the submission log")

    # -- GSS-SPNEGO: the same tickets in SPNEGO tokens, Kerberos only ---------------

    def test_imap_gss_spnego_login_is_alices_session(self):
        with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=60) as imap:
            self.assertIn("AUTH=GSS-SPNEGO", imap.capabilities)
        client = SaslSpnegoClient(self.alice_cache, "imap")
        result, imap = imap_gssapi(self.dm.imap_port, client, "GSS-SPNEGO")
        self.assertEqual(result, "ok")
        self.assertTrue(client.ctx.complete)
        self.assertEqual(client.tokens_sent, 2)  # the NegTokenInit, then the empty answer to the last token
        typ, _ = imap.select("INBOX")
        self.assertEqual(typ, "OK")
        imap.logout()
        log = eventually(lambda: (lambda t: t if "mechanism=gss-spnego" in t else None)(self.auth_log("imap")),
                         timeout=10, what="GSS-SPNEGO login in the IMAP log")
        self.assertIn(f"login={INFO['users']['alice']['principal']}", log)

    def test_imap_gss_spnego_ticket_for_the_smtp_service_is_refused(self):
        result, _ = imap_gssapi(self.dm.imap_port, SaslSpnegoClient(self.alice_cache, "smtp"), "GSS-SPNEGO")
        self.assertIn("AUTHENTICATIONFAILED", result)
        wanted = f"the ticket is for smtp/{MAIL_HOST}@{REALM}, not for imap/{MAIL_HOST}@{REALM}"
        line = eventually(lambda: next((l for l in self.auth_log("imap").splitlines()
                                        if "mechanism=gss-spnego" in l and wanted in l), None),
                          timeout=10, what="GSS-SPNEGO refusal in the IMAP log")
        self.assertIn("login failed: Kerberos", line)

    def test_pop3_gss_spnego_login(self):
        result, p = pop3_gssapi(self.dm.pop3_port, SaslSpnegoClient(self.alice_cache, "pop", mutual=False),
                                "GSS-SPNEGO")
        self.assertEqual(result, "ok")
        count, _ = p.stat()
        self.assertGreaterEqual(count, 0)
        p.quit()
        eventually(lambda: "mechanism=gss-spnego" in self.auth_log("pop3"), timeout=10,
                   what="GSS-SPNEGO login in the POP3 log")

    def test_submission_gss_spnego_then_mail(self):
        with smtplib.SMTP("127.0.0.1", self.dm.submission_port, timeout=60) as s:
            s.ehlo("client.example.org")
            self.assertIn("GSS-SPNEGO", s.esmtp_features.get("auth", "").split())
            client = SaslSpnegoClient(self.alice_cache, "smtp")
            # The NegTokenInit in base64 is longer than an SMTP command line may be: as
            # RFC 4954 §4 asks, the client sends it after the 334 instead.
            self.assertEqual(smtp_gssapi(s, client, initial_response=False, mechanism="GSS-SPNEGO"), 235)
            code, _ = s.mail(f"alice@{DOMAIN}")
            self.assertEqual(code, 250)
            s.rset()
        line = eventually(lambda: next((l for l in self.auth_log("submission").splitlines()
                                        if "mechanism=gss-spnego" in l and "AUTH ok" in l), None),
                          timeout=10, what="GSS-SPNEGO login in the submission log")
        self.assertIn(f"user=alice@{DOMAIN}", line)

    def test_submission_gss_spnego_ticket_for_the_imap_service_is_refused(self):
        with smtplib.SMTP("127.0.0.1", self.dm.submission_port, timeout=60) as s:
            s.ehlo("client.example.org")
            client = SaslSpnegoClient(self.alice_cache, "imap")
            self.assertEqual(smtp_gssapi(s, client, initial_response=False, mechanism="GSS-SPNEGO"), 535)
            code, _ = s.mail(f"alice@{DOMAIN}")
            self.assertEqual(code, 530)
        wanted = f"the ticket is for imap/{MAIL_HOST}@{REALM}, not for smtp/{MAIL_HOST}@{REALM}"
        eventually(lambda: any("mechanism=gss-spnego" in l and wanted in l
                               for l in self.auth_log("submission").splitlines()),
                   timeout=10, what="GSS-SPNEGO refusal in the submission log")

    def test_a_bare_kerberos_token_is_not_gss_spnego(self):
        # A GSSAPI client token sent under the GSS-SPNEGO name: refused before MIT sees it.
        result, _ = imap_gssapi(self.dm.imap_port, SaslGssapiClient(self.alice_cache, "imap"), "GSS-SPNEGO")
        self.assertIn("AUTHENTICATIONFAILED", result)
        eventually(lambda: "the mechanism is Kerberos 5, not SPNEGO" in self.auth_log("imap"),
                   timeout=10, what="bare Kerberos refusal in the IMAP log")

    # -- curl, a real client, resolving the mail host name to this server ------------

    def curl(self, url, *extra):
        hosts = self.folder / "hosts"
        hosts.write_text(f"127.0.0.1 localhost {MAIL_HOST}\n")
        wrap = ["unshare", "--mount", "--propagation", "private", "--",
                "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts)]
        return subprocess.run(wrap + ["curl", "-sS", "--max-time", "60", "--login-options", "AUTH=GSSAPI",
                                      "-u", f"alice@{REALM}:", url, *extra],
                              capture_output=True, text=True, env=self.alice_env, timeout=90)

    def test_curl_imap_pop3_and_smtp(self):
        done = self.curl(f"imap://{MAIL_HOST}:{self.dm.imap_port}/", "-X", "LIST \"\" *")
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("INBOX", done.stdout)
        done = self.curl(f"pop3://{MAIL_HOST}:{self.dm.pop3_port}/")
        self.assertEqual(done.returncode, 0, done.stderr)
        message = f"From: alice@{DOMAIN}\r\nTo: bob@{DOMAIN}\r\nSubject: sso\r\n\r\nsent with a ticket\r\n"
        message_file = self.folder / "message.eml"
        message_file.write_text(message)
        done = self.curl(f"smtp://{MAIL_HOST}:{self.dm.submission_port}", "--mail-from", f"alice@{DOMAIN}",
                         "--mail-rcpt", f"bob@{DOMAIN}", "-T", str(message_file))
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn(f"user=alice@{DOMAIN}", self.auth_log("submission"))


def imap_capabilities(port):
    with imaplib.IMAP4("127.0.0.1", port, timeout=60) as imap:
        return imap.capabilities


def submission_auth_mechanisms(port):
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as s:
        s.ehlo("client.example.org")
        return s.esmtp_features.get("auth", "").split()


class KeytabAddedAfterTheStart(unittest.TestCase):
    """auth.gssapi = "auto" with auth.keytab naming a file that is not there yet: no
    single sign-on at the start; the administrator copies the keytab in place (or a
    renewed one over it, after a password change of the service account) and sends
    SIGHUP; from then on GSSAPI is offered and logins work, without a restart."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-sso-reload-")
        cls.folder = Path(cls.tmp.name)
        cls.alice_cache = str(cls.folder / "alice.ccache")
        kinit("alice", cls.alice_cache)
        cls.keytab = cls.folder / "keytab-later" / "mail.keytab"
        env = samba_dc_info.kerberos_environment(INFO, str(cls.folder / "server.ccache"))
        cls.dm = DirmailInstance(cls.folder / "dirmail", extra_config="", env=env)
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, [INFO["ldaps_uri"]], realm=f'"{INFO["dns_domain"]}"') + \
            f'\n[auth]\ngssapi = "auto"\nkeytab = "{cls.keytab}"\ngssapi_hostname = "{MAIL_HOST}"\n' + \
            '\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n'
        cls.dm.write_config()
        try:
            cls.dm.start()
        except RuntimeError:
            print(cls.dm.stderr_path.read_text(errors="replace"), file=sys.stderr)
            cls.tmp.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()

    def test_sighup_reads_the_keytab_that_was_added(self):
        # Before: nothing offered, and the daemon log says why.
        self.assertNotIn("AUTH=GSSAPI", imap_capabilities(self.dm.imap_port))
        self.assertNotIn("GSSAPI", submission_auth_mechanisms(self.dm.submission_port))
        p = poplib.POP3("127.0.0.1", self.dm.pop3_port, timeout=60)
        self.assertNotIn("GSSAPI", p.capa().get("SASL", []))
        p.quit()
        result, _ = imap_gssapi(self.dm.imap_port, SaslGssapiClient(self.alice_cache, "imap"))
        self.assertNotEqual(result, "ok")
        self.assertIn("single sign-on (GSSAPI, GSS-SPNEGO) not offered", self.dm.log_text("daemon"))

        self.keytab.parent.mkdir()
        shutil.copyfile(INFO["keytab"], self.keytab)
        self.keytab.chmod(0o600)
        self.dm.signal(signal.SIGHUP)
        eventually(lambda: "AUTH=GSSAPI" in imap_capabilities(self.dm.imap_port), timeout=20,
                   what="AUTH=GSSAPI after SIGHUP")
        log = self.dm.log_text("daemon")
        self.assertIn(f"principal=imap/{MAIL_HOST}@{REALM}", log)
        self.assertNotIn("reload refused", log)

        # After: offered by every service, and logins work.
        self.assertIn("AUTH=GSS-SPNEGO", imap_capabilities(self.dm.imap_port))
        self.assertIn("GSSAPI", submission_auth_mechanisms(self.dm.submission_port))
        result, imap = imap_gssapi(self.dm.imap_port, SaslGssapiClient(self.alice_cache, "imap"))
        self.assertEqual(result, "ok")
        self.assertEqual(imap.select("INBOX")[0], "OK")
        imap.logout()
        result, p = pop3_gssapi(self.dm.pop3_port, SaslSpnegoClient(self.alice_cache, "pop"), "GSS-SPNEGO")
        self.assertEqual(result, "ok")
        p.quit()
        with smtplib.SMTP("127.0.0.1", self.dm.submission_port, timeout=60) as s:
            s.ehlo("client.example.org")
            self.assertEqual(smtp_gssapi(s, SaslGssapiClient(self.alice_cache, "smtp")), 235)
        self.assertIn(f"login={INFO['users']['alice']['principal']}", self.dm.log_text("imap"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
