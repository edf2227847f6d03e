#!/usr/bin/python3
"""Kerberos password verification of the ad backend (auth::KerberosPasswordCheck)
against the Samba AD DC fixture's KDC: each answer a user can get (accepted, bad
password, disabled, must change, unknown), the KDC down or silent (temporary, in
bounded time), and a service keytab that cannot verify the KDC's ticket (a clear
configuration error, never a login).

Run by ctest with the samba_dc fixture:
  test_kerberos_password.py PATH/TO/kerberos_login_check"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import samba_tool  # noqa: E402

CHECK = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else sys.exit(
    "usage: test_kerberos_password.py PATH/TO/kerberos_login_check")
INFO = samba_dc_info.load()
REALM = INFO["realm"]
SPN = f"smtp/{INFO['mail_service_host']}@{REALM}"


def krb5_conf_for(folder, kdc):
    path = Path(folder) / f"krb5-{kdc.replace(':', '-')}.conf"
    path.write_text(f"""[libdefaults]
    default_realm = {REALM}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    dns_canonicalize_hostname = false
    rdns = false
[realms]
    {REALM} = {{
        kdc = {kdc}
    }}
""")
    return str(path)


def run_check(*pairs, keytab=None, verify_principal=None, timeout_ms=30000, krb5_conf=None):
    """The check program's result lines as dicts, one per NAME PASSWORD pair. The
    timeout is generous: the fixture's single-process DC sometimes pauses for seconds
    on a busy machine, and only the silent-KDC test measures the bound."""
    env = dict(os.environ)
    env["KRB5_CONFIG"] = krb5_conf or INFO["krb5_conf"]
    env.pop("KRB5_KTNAME", None)
    env.pop("KRB5CCNAME", None)
    args = [CHECK, "--realm", REALM, "--keytab", keytab or INFO["keytab"], "--timeout-ms", str(timeout_ms)]
    if verify_principal is not None:
        args += ["--verify-principal", verify_principal]
    done = subprocess.run(args + list(pairs), capture_output=True, text=True, env=env, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"check program failed ({done.returncode}): {done.stdout}{done.stderr}")
    results = []
    for line in done.stdout.splitlines():
        if not line.startswith("result "):
            continue
        head, _, detail = line.partition(" detail=")
        fields = dict(part.split("=", 1) for part in head.split()[1:])
        fields["detail"] = detail
        results.append(fields)
    if len(results) != len(pairs) // 2:
        raise AssertionError(f"expected {len(pairs) // 2} results: {done.stdout}{done.stderr}")
    return results


def password(name):
    return INFO["users"][name]["password"]


class KerberosPasswordCheck(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-krb-password-")
        cls.folder = cls.tmp.name
        cls.created = []

    @classmethod
    def tearDownClass(cls):
        for name in cls.created:
            samba_tool(INFO, "user", "delete", name, check=False)
        cls.tmp.cleanup()

    def test_right_password_is_accepted_and_verified_with_the_keytab(self):
        [any_spn], [smtp] = run_check("alice", password("alice")), run_check(
            "alice", password("alice"), verify_principal=SPN)
        for result in (any_spn, smtp):
            self.assertEqual(result["outcome"], "accepted", result)
            self.assertEqual(result["principal"], f"alice@{REALM}")
        self.assertIn(SPN, smtp["detail"])

    def test_wrong_password_is_a_bad_password(self):
        [result] = run_check("bob", "Not-Bobs-Password-1")
        self.assertEqual(result["outcome"], "bad_password", result)
        self.assertEqual(result["temporary"], "no")

    def test_disabled_account_is_revoked(self):
        self.assertFalse(INFO["users"]["carol"]["enabled"])
        [result] = run_check("carol", password("carol"))
        self.assertEqual(result["outcome"], "revoked", result)

    def test_unknown_account_is_an_unknown_principal(self):
        [result] = run_check("nobody-here-krb", "Whatever-Pw-1!")
        self.assertEqual(result["outcome"], "unknown_principal", result)

    def test_a_name_cannot_pick_another_principal(self):
        # Samba's KDC reads "alice@REALM" sent as one name component as alice's UPN;
        # "alice/admin" would be another principal. Neither may log in as alice.
        for name in ("alice/admin", f"alice@{REALM}", "alice@corp.example.test", "CORP\\alice"):
            [result] = run_check(name, password("alice"))
            self.assertEqual(result["outcome"], "unknown_principal", result)

    def test_must_change_at_next_logon_is_password_expired(self):
        name = f"krbchg{os.getpid() % 100000}"
        pw = "Fixture-Chg-Pw-7!"
        samba_tool(INFO, "user", "delete", name, check=False)
        samba_tool(INFO, "user", "create", name, pw, "--must-change-at-next-login")
        self.created.append(name)
        [result] = run_check(name, pw)
        self.assertEqual(result["outcome"], "password_expired", result)
        self.assertEqual(result["temporary"], "no")

    def test_one_wrong_password_counts_once_at_the_dc(self):
        # Samba counts bad passwords only where a lockout threshold applies: a
        # password settings object gives one to this test's own user alone.
        name = f"krbcnt{os.getpid() % 100000}"
        pso = f"dirmail-krbcnt-{os.getpid()}"
        pw = "Fixture-Cnt-Pw-7!"
        samba_tool(INFO, "user", "delete", name, check=False)
        samba_tool(INFO, "user", "create", name, pw)
        self.created.append(name)
        samba_tool(INFO, "domain", "passwordsettings", "pso", "delete", pso, check=False)
        samba_tool(INFO, "domain", "passwordsettings", "pso", "create", pso, "1",
                   "--account-lockout-threshold=10", "--account-lockout-duration=30",
                   "--reset-account-lockout-after=30")
        try:
            samba_tool(INFO, "domain", "passwordsettings", "pso", "apply", pso, name)
            self.assertEqual(bad_password_count(name), 0)
            [result] = run_check(name, "Not-The-Password-1!")
            self.assertEqual(result["outcome"], "bad_password", result)
            # Exactly one: the refused password was not tried again (at another KDC
            # or with other settings).
            self.assertEqual(bad_password_count(name), 1)
            [result] = run_check(name, pw)
            self.assertEqual(result["outcome"], "accepted", result)
            self.assertEqual(bad_password_count(name), 0)
        finally:
            samba_tool(INFO, "domain", "passwordsettings", "pso", "delete", pso, check=False)

    def test_empty_password_never_reaches_the_kdc(self):
        # Even with no KDC at all, the answer is the refusal, not "unreachable".
        conf = krb5_conf_for(self.folder, f"127.0.0.1:{closed_port()}")
        [result] = run_check("alice", "", krb5_conf=conf)
        self.assertEqual(result["outcome"], "empty_password", result)

    def test_kdc_refusing_connections_is_temporary_and_fast(self):
        conf = krb5_conf_for(self.folder, f"127.0.0.1:{closed_port()}")
        started = time.monotonic()
        [result] = run_check("alice", password("alice"), krb5_conf=conf)
        self.assertEqual(result["outcome"], "kdc_unreachable", result)
        self.assertEqual(result["temporary"], "yes")
        self.assertLess(time.monotonic() - started, 10)

    def test_silent_kdc_is_temporary_within_the_timeout(self):
        # Accepts on TCP and takes UDP datagrams, never answers: MIT krb5 alone would
        # wait about 27 s.
        udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        udp.bind(("127.0.0.1", 0))
        port = udp.getsockname()[1]
        tcp = socket.socket()
        tcp.bind(("127.0.0.1", port))
        tcp.listen(16)
        try:
            conf = krb5_conf_for(self.folder, f"127.0.0.1:{port}")
            [result] = run_check("alice", password("alice"), krb5_conf=conf, timeout_ms=2000)
        finally:
            udp.close()
            tcp.close()
        self.assertEqual(result["outcome"], "kdc_unreachable", result)
        self.assertEqual(result["temporary"], "yes")
        self.assertGreaterEqual(int(result["elapsed_ms"]), 2000)
        self.assertLess(int(result["elapsed_ms"]), 4000)

    def test_verify_principal_missing_from_the_keytab_is_a_configuration_error(self):
        missing = f"host/{INFO['mail_service_host']}@{REALM}"
        [result] = run_check("alice", password("alice"), verify_principal=missing)
        self.assertEqual(result["outcome"], "configuration_error", result)
        self.assertEqual(result["temporary"], "yes")
        self.assertIn(INFO["keytab"], result["detail"])
        self.assertIn(missing, result["detail"])

    def test_missing_keytab_is_a_configuration_error(self):
        path = os.path.join(self.folder, "no-such.keytab")
        [result] = run_check("alice", password("alice"), keytab=path)
        self.assertEqual(result["outcome"], "configuration_error", result)
        self.assertIn(path, result["detail"])

    def test_ticket_that_our_keytab_cannot_decrypt_is_never_a_login(self):
        # A keytab entry for the SPN with a key the DC does not have: what a spoofed
        # KDC's ticket looks like to us. The right password must not log in.
        spn = f"imap/{INFO['mail_service_host']}@{REALM}"
        keytab = os.path.join(self.folder, "wrong-key.keytab")
        script = (f"addent -password -p {spn} -k 2 -e aes256-cts-hmac-sha1-96\nNot-The-Key-1!\n"
                  f"addent -password -p {spn} -k 1 -e aes256-cts-hmac-sha1-96\nNot-The-Key-1!\n"
                  f"wkt {keytab}\nquit\n")
        subprocess.run(["ktutil"], input=script, capture_output=True, text=True, timeout=30, check=True)
        self.assertTrue(os.path.exists(keytab))
        [result] = run_check("alice", password("alice"), keytab=keytab, verify_principal=spn)
        self.assertEqual(result["outcome"], "configuration_error", result)
        self.assertIn(keytab, result["detail"])
        # With no principal configured, the wrong-key SPN is tried and refused too.
        [result] = run_check("alice", password("alice"), keytab=keytab)
        self.assertEqual(result["outcome"], "configuration_error", result)


def bad_password_count(name):
    text = samba_tool(INFO, "user", "show", name, "--attributes=badPwdCount").stdout
    for line in text.splitlines():
        if line.lower().startswith("badpwdcount:"):
            return int(line.split(":", 1)[1])
    return 0  # not set yet


def closed_port():
    """A loopback port with nothing on it (TCP and UDP)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


if __name__ == "__main__":
    unittest.main(verbosity=2)
