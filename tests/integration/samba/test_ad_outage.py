#!/usr/bin/python3
"""Directory outages with the ad backend: two domain controllers (two fault proxies in
front of the one Samba DC stand for two DCs), failover when the preferred one is
refused or hung, failback once it is healthy again, and a real SIGSTOP of the DC
(every DC hung): known users keep receiving mail and logging in from the
last-known-good snapshot, unknown users get 4xx, never 5xx, and past the staleness
bound everyone gets 4xx. Run by ctest with the samba_dc fixture, alone (it stops the
DC)."""

import imaplib
import os
import signal
import smtplib
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import ad_config, eventually  # noqa: E402
from dirmail_instance import DirmailInstance  # noqa: E402
from fault_proxy import FaultProxy  # noqa: E402
from mail_clients import pop3_login, rcpt, send_tagged, wait_for_messages  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]
ALICE = INFO["users"]["alice"]
BOB = INFO["users"]["bob"]
# The DC's certificate names every candidate address of the fixture, so proxies on
# other addresses of that range verify as the DC itself does.
PROXY_ADDRESSES = [a for a in (f"127.0.0.{n}" for n in range(29, 10, -1)) if a != INFO["address"]]





def status(dm):
    return dm.ctl("directory", "status").stdout


def dc_line(report, uri):
    return next((line for line in report.splitlines() if line.startswith(f"dc {uri} ")), "")


class TwoDomainControllers(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-outage-")
        folder = Path(cls.tmp.name)
        cls.proxies = [FaultProxy(INFO["address"], 636, listen_host=host).start() for host in PROXY_ADDRESSES[:2]]
        cls.uris = [f"ldaps://{p.address}:{p.port}" for p in cls.proxies]
        cls.dm = DirmailInstance(folder / "dirmail")
        cls.dm.folder.mkdir(parents=True, exist_ok=True)
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, cls.uris, snapshot_max_staleness="30") + \
            '\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n'
        cls.dm.write_config()
        # POP3 waits longer than the other services (the original's per-service
        # ADRetryMSec and ADRetryTime).
        text = cls.dm.config.read_text().replace(
            "[pop3]\n", "[pop3]\ndirectory_retry_interval = 300\ndirectory_retry_count = 5\n", 1)
        cls.dm.config.write_text(text)
        cls.dm.start()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        for p in cls.proxies:
            p.stop()
        cls.tmp.cleanup()

    def setUp(self):
        for p in self.proxies:
            p.forward()

    def wait_active(self, index, timeout=30):
        """Until lookups go to DC `index` (fresh lookups: the cache TTL is 2 s)."""
        def check():
            rcpt(self.dm.smtp_port, f"nosuch-{time.time()}@{DOMAIN}")
            return "active=yes" in dc_line(status(self.dm), self.uris[index])
        eventually(check, timeout=timeout, interval=0.5, what=f"DC {index} active")

    def test_1_failover_on_refused_then_failback(self):
        self.wait_active(0)
        # A stopped DC refuses new connections and its open ones are gone.
        self.proxies[0].refuse()
        self.proxies[0].cut_connections()
        started = time.time()
        self.assertEqual(rcpt(self.dm.smtp_port, f"bob@{DOMAIN}")[0], 250)
        # One lookup: the refused DC is passed over at once, within the retry budget.
        self.assertLess(time.time() - started, 0.2 * 3 + 10)
        self.wait_active(1)
        self.assertIn("state=failed", dc_line(status(self.dm), self.uris[0]))
        self.proxies[0].forward()
        # Probe every 1 s, failback after 3 s of health.
        self.wait_active(0, timeout=30)
        log = self.dm.log_text("directory")
        self.assertIn("directory server failed", log)
        self.assertIn("lookups moved to another directory server", log)

    def test_2_failover_on_a_hung_dc_is_bounded_by_timeouts(self):
        self.wait_active(0)
        self.proxies[0].hang()
        started = time.time()
        code, _ = rcpt(self.dm.smtp_port, f"erin@{DOMAIN}")
        elapsed = time.time() - started
        self.assertEqual(code, 250)
        # search_timeout is 2 s: the hung DC costs about that, not the session timeout.
        self.assertLess(elapsed, 15)
        self.wait_active(1)
        self.proxies[0].forward()
        self.wait_active(0)

    def test_3_all_dcs_down_snapshot_then_staleness_bound(self):
        # Live first: alice logs in (an offline verifier is kept) and gets mail.
        self.assertEqual(pop3_login(self.dm.pop3_port, "alice", ALICE["password"]), "ok")
        self.assertEqual(rcpt(self.dm.smtp_port, f"alice@{DOMAIN}")[0], 250)
        eventually(lambda: "snapshot_users" in status(self.dm) and "snapshot_age_s never" not in status(self.dm),
                   what="a first snapshot")
        samba_pid = int(Path(INFO["state_dir"], "samba.pid").read_text().split()[0])
        os.kill(samba_pid, signal.SIGSTOP)  # hung, not refused: both "DCs" stop answering
        try:
            time.sleep(2.5)  # past the cache TTL
            code, text = rcpt(self.dm.smtp_port, f"alice@{DOMAIN}")
            self.assertEqual(code, 250, text)
            send_tagged(self.dm.smtp_port, f"alice@{DOMAIN}", "during-outage")
            self.assertEqual(pop3_login(self.dm.pop3_port, "alice", ALICE["password"]), "ok")
            self.assertIn("Authentication failed", pop3_login(self.dm.pop3_port, "alice", "wrong-password"))
            code, text = rcpt(self.dm.smtp_port, f"nosuchuser@{DOMAIN}")
            self.assertEqual(code, 451, text)
            self.assertIn("4.4.3", text)
            log = self.dm.log_text("directory")
            self.assertIn("serving stale answer from the snapshot", log)
            self.assertEqual(log.count("no directory server reachable"), 1, log)
            self.assertRegex(status(self.dm), r"stale_answers [1-9]")
            # Past snapshot_max_staleness (30 s: each lookup above waits out both hung DCs,
            # about 6 s on a busy machine, so 15 s could run out before the POP3 login),
            # known users get 4xx too.
            time.sleep(31)
            code, text = rcpt(self.dm.smtp_port, f"alice@{DOMAIN}")
            self.assertEqual(code, 451, text)
            self.assertIn("[SYS/TEMP]", pop3_login(self.dm.pop3_port, "alice", ALICE["password"]))
        finally:
            os.kill(samba_pid, signal.SIGCONT)
        eventually(lambda: "directory reachable again" in self.dm.log_text("directory"), timeout=60,
                   what="the directory back")
        # The message accepted during the outage is delivered.
        self.assertEqual(len(wait_for_messages(self.dm.pop3_port, "alice", ALICE["password"], "during-outage",
                                               timeout=60)), 1)

    def test_4_per_service_retry_then_temporary_failure_everywhere(self):
        self.wait_active(0)
        for p in self.proxies:
            p.refuse()
            p.cut_connections()
        try:
            started = time.time()
            code, text = rcpt(self.dm.smtp_port, f"nosuch-retry@{DOMAIN}")
            smtp_wait = time.time() - started
            self.assertEqual(code, 451, text)
            self.assertIn("4.4.3", text)
            started = time.time()
            answer = pop3_login(self.dm.pop3_port, "nosuch-retry", "whatever")
            pop3_wait = time.time() - started
            self.assertIn("[SYS/TEMP]", answer)
            # Each failed attempt is followed by its wait: 3 x 200 ms for smtp, 5 x 300 ms
            # for pop3 (a lower bound: what the settings promise, whatever the load).
            self.assertGreaterEqual(smtp_wait, 0.6 * 0.9)
            self.assertGreaterEqual(pop3_wait, 1.5 * 0.9)
            self.assertGreater(pop3_wait, smtp_wait)
            with imaplib.IMAP4("127.0.0.1", self.dm.imap_port, timeout=120) as imap:
                with self.assertRaises(imaplib.IMAP4.error) as refused:
                    imap.login("nosuch-retry", "whatever")
                self.assertIn("[UNAVAILABLE]", str(refused.exception))
            with smtplib.SMTP("127.0.0.1", self.dm.submission_port, timeout=120) as sub:
                sub.ehlo("client.example.org")
                with self.assertRaises(smtplib.SMTPAuthenticationError) as refused:
                    sub.login("nosuch-retry", "whatever")
                self.assertEqual(refused.exception.smtp_code, 454)
        finally:
            for p in self.proxies:
                p.forward()


if __name__ == "__main__":
    unittest.main(verbosity=2)
