#!/usr/bin/python3
"""The directory's metrics with the ad backend, scraped from the Prometheus endpoint:
two domain controllers (two fault proxies in front of the Samba DC fixture), each
with its health, requests, failures and answer times; the answer cache; the snapshot's
stale answers and failed lookups while no DC answers. Lookups are RCPTs on port 25, as
a peer MTA makes them."""

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
from mail_clients import rcpt  # noqa: E402
from metrics_scrape import scrape, value  # noqa: E402

INFO = samba_dc_info.load()
DOMAIN = INFO["mail_domain"]
# Addresses the DC's certificate names (as test_ad_outage.py's), other than the ones
# that test uses.
PROXY_ADDRESSES = [a for a in (f"127.0.0.{n}" for n in range(29, 10, -1)) if a != INFO["address"]][2:4]


class DirectoryMetrics(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-ad-metrics-")
        folder = Path(cls.tmp.name)
        cls.proxies = [FaultProxy(INFO["address"], 636, listen_host=host).start() for host in PROXY_ADDRESSES]
        cls.uris = [f"ldaps://{p.address}:{p.port}" for p in cls.proxies]
        cls.dm = DirmailInstance(folder / "dirmail", metrics=True)
        cls.dm.folder.mkdir(parents=True, exist_ok=True)
        # cache_ttl 5 s: the second lookup below surely meets the cached answer.
        cls.dm.extra_config = ad_config(INFO, cls.dm.folder, cls.uris, snapshot_max_staleness="300",
                                        cache_ttl="5") + \
            '\n[store]\nmailbox_path = "mailboxes/%USERNAME%"\n'
        cls.dm.write_config()
        cls.dm.start()

    @classmethod
    def tearDownClass(cls):
        cls.dm.stop()
        for p in cls.proxies:
            p.stop()
        cls.tmp.cleanup()

    def scrape(self):
        return scrape(self.dm.metrics_port)

    def dc(self, samples, name, index):
        return value(samples, name, dc=self.uris[index])

    def test_dc_health_cache_and_stale_answers(self):
        for p in self.proxies:
            p.forward()
        # Both DCs up, lookups on the preferred one.
        def active(index):
            rcpt(self.dm.smtp_port, f"nosuch-{time.time()}@{DOMAIN}")  # a fresh lookup picks the DC
            return self.dc(self.scrape(), "dirmail_directory_dc_active", index) == 1
        eventually(lambda: active(0), what="DC 0 active")
        s = self.scrape()
        self.assertEqual([self.dc(s, "dirmail_directory_dc_up", i) for i in (0, 1)], [1, 1])
        self.assertEqual(value(s, "dirmail_directory_outage"), 0)

        # A live lookup: the DC's requests and answer time grow; then the same lookup from the cache.
        before = self.scrape()
        self.assertEqual(rcpt(self.dm.smtp_port, f"alice@{DOMAIN}")[0], 250)
        after = self.scrape()
        self.assertGreater(self.dc(after, "dirmail_directory_dc_requests_total", 0),
                           self.dc(before, "dirmail_directory_dc_requests_total", 0))
        self.assertGreater(self.dc(after, "dirmail_directory_dc_answers_total", 0),
                           self.dc(before, "dirmail_directory_dc_answers_total", 0))
        self.assertGreater(value(after, "dirmail_directory_answers_total", source="live"),
                           value(before, "dirmail_directory_answers_total", source="live"))
        self.assertEqual(rcpt(self.dm.smtp_port, f"alice@{DOMAIN}")[0], 250)  # within cache_ttl
        cached = self.scrape()
        self.assertEqual(value(cached, "dirmail_directory_answers_total", source="cache"),
                         value(after, "dirmail_directory_answers_total", source="cache") + 1)
        self.assertIn(("dirmail_directory_dc_answer_seconds_total", frozenset({("dc", self.uris[0])})), cached)

        # The preferred DC refuses: its failures grow, it is down, the other takes the lookups.
        self.proxies[0].refuse()
        self.proxies[0].cut_connections()
        before = self.scrape()
        self.assertEqual(rcpt(self.dm.smtp_port, f"bob@{DOMAIN}")[0], 250)
        failed = eventually(lambda: (lambda s: s if self.dc(s, "dirmail_directory_dc_up", 0) == 0 and
                                     self.dc(s, "dirmail_directory_dc_active", 1) == 1 else None)(self.scrape()),
                            what="DC 0 down and DC 1 active")
        self.assertGreater(self.dc(failed, "dirmail_directory_dc_failures_total", 0),
                           self.dc(before, "dirmail_directory_dc_failures_total", 0))
        self.assertGreater(self.dc(failed, "dirmail_directory_dc_requests_total", 1),
                           self.dc(before, "dirmail_directory_dc_requests_total", 1))

        # No DC answers: an outage; alice (known to the snapshot) is answered stale, an
        # unknown name is a failed lookup (a 4xx for the client).
        self.proxies[1].refuse()
        self.proxies[1].cut_connections()
        time.sleep(5.5)  # past the cache TTL
        before = self.scrape()
        self.assertEqual(rcpt(self.dm.smtp_port, f"alice@{DOMAIN}")[0], 250)
        self.assertEqual(rcpt(self.dm.smtp_port, f"nobody-{time.time()}@{DOMAIN}")[0], 451)
        outage = eventually(lambda: (lambda s: s if value(s, "dirmail_directory_outage") == 1 else None)(self.scrape()),
                            what="the outage shown")
        self.assertGreater(value(outage, "dirmail_directory_answers_total", source="stale"),
                           value(before, "dirmail_directory_answers_total", source="stale"))
        self.assertGreater(value(outage, "dirmail_directory_failed_lookups_total"),
                           value(before, "dirmail_directory_failed_lookups_total"))

        # Back: the probe finds them, and after failback_after the preferred DC takes lookups again.
        for p in self.proxies:
            p.forward()
        eventually(lambda: active(0) and value(self.scrape(), "dirmail_directory_outage") == 0,
                   timeout=30, interval=0.5, what="failback to DC 0")


if __name__ == "__main__":
    unittest.main(verbosity=2)
