#!/usr/bin/python3
"""Password guessing cannot lock an AD account through dirmail: with the domain's
lockout threshold at 10, 50 wrong passwords for one account, from one client address
and from 25 addresses, in parallel, leave the account's badPwdCount below the
threshold and lockoutTime unset; the right password works once the limiter's window
has passed. Changes the shared domain's lockout policy for its duration, so it runs
alone."""

import concurrent.futures
import socket
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import ad_config, eventually, samba_tool  # noqa: E402
from dirmail_instance import DirmailInstance  # noqa: E402

import ldap  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]
THRESHOLD = 10
WINDOW_S = 60


def pop3_login_from(source, port, user, password):
    """USER/PASS from a given loopback source address; the server's answer line."""
    with socket.create_connection(("127.0.0.1", port), timeout=120, source_address=(source, 0)) as s:
        f = s.makefile("rwb")
        f.readline()
        f.write(f"USER {user}\r\n".encode())
        f.flush()
        f.readline()
        f.write(f"PASS {password}\r\n".encode())
        f.flush()
        answer = f.readline().decode(errors="replace").strip()
        f.write(b"QUIT\r\n")
        f.flush()
        return answer


def account_lockout_state(name):
    conn = ldap.initialize(INFO["ldaps_uri"])
    conn.set_option(ldap.OPT_X_TLS_CACERTFILE, INFO["ca_file"])
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    conn.simple_bind_s(INFO["admin"]["upn"], INFO["admin"]["password"])
    found = conn.search_s(INFO["base_dn"], ldap.SCOPE_SUBTREE, f"(sAMAccountName={name})",
                          ["badPwdCount", "lockoutTime"])
    conn.unbind_s()
    attrs = next(a for dn, a in found if dn)
    return int(attrs.get("badPwdCount", [b"0"])[0]), int(attrs.get("lockoutTime", [b"0"])[0])


class NoLockoutThroughDirmail(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        samba_tool(INFO, "domain", "passwordsettings", "set", f"--account-lockout-threshold={THRESHOLD}",
                   "--reset-account-lockout-after=1", "--account-lockout-duration=1")
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-bruteforce-")
        cls.dm = DirmailInstance(Path(cls.tmp.name) / "dirmail")
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, [INFO["ldaps_uri"]], snapshot_refresh="10") + \
            '\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n' + \
            f"\n[auth]\nlimit_loopback = true\nmax_delay = 1\nfailure_window = {WINDOW_S}\n"
        cls.dm.write_config()
        cls.dm.start()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        cls.tmp.cleanup()
        samba_tool(INFO, "domain", "passwordsettings", "set", "--account-lockout-threshold=0",
                   "--reset-account-lockout-after=30", "--account-lockout-duration=30")

    def test_fifty_wrong_passwords_do_not_lock_the_account(self):
        name = "u" + uuid.uuid4().hex[:10]
        password = "Pw-" + uuid.uuid4().hex[:12] + "!9"
        samba_tool(INFO, "user", "create", name, password, "--use-username-as-cn")
        samba_tool(INFO, "group", "addmembers", "IMSUsers", name)
        # The limiter learns the domain's threshold from the directory at start.
        eventually(lambda: "directory snapshot refreshed" in self.dm.log_text("directory"), what="first refresh")

        sources = ["127.0.0.1"] * 25 + [f"127.0.1.{n}" for n in range(1, 26)]
        with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
            answers = list(pool.map(lambda src: pop3_login_from(src, self.dm.pop3_port, name, "wrong-" + src),
                                    sources))
        self.assertTrue(all(a.startswith("-ERR") for a in answers), answers)
        bad, locked = account_lockout_state(name)
        self.assertLess(bad, THRESHOLD, f"badPwdCount {bad}")
        self.assertEqual(locked, 0, "the account was locked out")
        self.assertIn("login refused: too many failed or pending checks", self.dm.log_text("pop3"))

        # While the budget is spent even the right password is not sent to the DC...
        self.assertTrue(pop3_login_from("127.0.2.1", self.dm.pop3_port, name, password).startswith("-ERR"))
        # ...and once the window has passed it works.
        time.sleep(WINDOW_S + 1)
        self.assertTrue(pop3_login_from("127.0.2.2", self.dm.pop3_port, name, password).startswith("+OK"))
        bad, locked = account_lockout_state(name)
        self.assertEqual(locked, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
