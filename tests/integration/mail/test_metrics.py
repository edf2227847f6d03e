"""The Prometheus endpoint (metrics.enabled, metrics.listen) of a real dirmaild, scraped
over HTTP: each metric changes when its event happens, the text passes promtool's
lint, a real Prometheus server scrapes it, and malformed requests get HTTP errors.

Remote mail goes through delivery.gateway_table to three smtp-sink peers on loopback:
one accepting (ok.test), one answering 4xx to RCPT (later.test: deferred, stays
queued), one answering 5xx (refuse.test: failed, bounced)."""
import http.client
import imaplib
import json
import os
import poplib
import shutil
import smtplib
import socket
import subprocess
import sys
import time
import unittest
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from directory_setup import eventually  # noqa: E402
from dirmail_instance import USERS, DirmailInstance, free_port  # noqa: E402
from smtp_sink import SmtpSink  # noqa: E402
import metrics_scrape  # noqa: E402
from metrics_scrape import parse, value  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "metrics"
ALICE, BOB = "alice@example.test", "bob@example.test"
SERVER = None
SINKS = {}


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    SINKS["ok"] = SmtpSink(STATE / "sink-ok")
    SINKS["later"] = SmtpSink(STATE / "sink-later", "-r", "RCPT")
    SINKS["refuse"] = SmtpSink(STATE / "sink-refuse", "-f", "RCPT")
    table = ", ".join(f'"{name}.test,127.0.0.1,{sink.port}"' for name, sink in SINKS.items())
    SERVER = DirmailInstance(STATE / "server", metrics=True,
                             delivery_settings=f"gateway_table = [{table}]\nretry_count_refused = 50\n")
    SERVER.provision()
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()
    for sink in SINKS.values():
        sink.stop()


def scrape_text():
    return metrics_scrape.scrape_text(SERVER.metrics_port)


def scrape():
    return parse(scrape_text())


def submit(recipients, subject="metrics", body="hello\r\n"):
    message = f"From: {ALICE}\r\nSubject: {subject}\r\n\r\n{body}"
    with smtplib.SMTP("127.0.0.1", SERVER.submission_port, timeout=30) as s:
        s.login(ALICE, USERS[ALICE])
        s.sendmail(ALICE, recipients, message.encode())
    return len(message.encode())


class MetricsEndpoint(unittest.TestCase):
    def test_sessions_open_and_connections_counted(self):
        before = scrape()
        imap = imaplib.IMAP4("127.0.0.1", SERVER.imap_port)
        try:
            eventually(lambda: value(scrape(), "dirmail_sessions_active", service="imap")
                     >= value(before, "dirmail_sessions_active", service="imap") + 1,
                     timeout=10, what="an IMAP session counted as open")
        finally:
            imap.logout()
        eventually(lambda: value(scrape(), "dirmail_sessions_active", service="imap")
                 == value(before, "dirmail_sessions_active", service="imap"),
                 timeout=10, what="the IMAP session no longer counted")
        after = scrape()
        self.assertGreaterEqual(value(after, "dirmail_connections_total", service="imap", result="accepted"),
                                value(before, "dirmail_connections_total", service="imap", result="accepted") + 1)

    def test_logins_by_service_and_result(self):
        before = scrape()
        pop = poplib.POP3("127.0.0.1", SERVER.pop3_port, timeout=30)
        pop.user(BOB)
        with self.assertRaises(poplib.error_proto):
            pop.pass_("not bob's password")
        pop.quit()
        imap = imaplib.IMAP4("127.0.0.1", SERVER.imap_port)
        imap.login(BOB, USERS[BOB])
        imap.logout()
        after = scrape()
        self.assertEqual(value(after, "dirmail_logins_total", service="pop3", result="wrong_credentials"),
                         value(before, "dirmail_logins_total", service="pop3", result="wrong_credentials") + 1)
        self.assertEqual(value(after, "dirmail_logins_total", service="imap", result="ok"),
                         value(before, "dirmail_logins_total", service="imap", result="ok") + 1)

    def test_messages_accepted_and_delivered_locally(self):
        before = scrape()
        size = submit([BOB], "local one")
        after = eventually(lambda: (lambda s: s if value(s, "dirmail_recipients_total", route="local", outcome="delivered")
                                  > value(before, "dirmail_recipients_total", route="local", outcome="delivered")
                                  else None)(scrape()), timeout=30, what="the local delivery counted")
        self.assertEqual(value(after, "dirmail_messages_accepted_total", service="submission"),
                         value(before, "dirmail_messages_accepted_total", service="submission") + 1)
        # The stored size includes the Received: header the server adds; at least the bytes sent.
        grown = (value(after, "dirmail_message_bytes_accepted_total", service="submission")
                 - value(before, "dirmail_message_bytes_accepted_total", service="submission"))
        self.assertGreaterEqual(grown, size)
        self.assertLess(grown, size + 2000)
        self.assertEqual(value(after, "dirmail_logins_total", service="submission", result="ok"),
                         value(before, "dirmail_logins_total", service="submission", result="ok") + 1)

    def test_remote_delivered_deferred_failed_and_bounced(self):
        before = scrape()
        submit(["someone@ok.test"], "to ok")
        submit(["someone@refuse.test"], "to refuse")

        def counted():
            s = scrape()
            done = (value(s, "dirmail_recipients_total", route="remote", outcome="delivered")
                    > value(before, "dirmail_recipients_total", route="remote", outcome="delivered")
                    and value(s, "dirmail_recipients_total", route="remote", outcome="failed")
                    > value(before, "dirmail_recipients_total", route="remote", outcome="failed")
                    and value(s, "dirmail_delivery_reports_total", action="failed", to="sender")
                    > value(before, "dirmail_delivery_reports_total", action="failed", to="sender"))
            return s if done else None
        eventually(counted, timeout=60, what="remote delivered, failed and bounced counted")

    def test_deferred_message_shows_in_queue_size_and_age(self):
        before = scrape()
        submit(["someone@later.test"], "to later")
        after = eventually(lambda: (lambda s: s if value(s, "dirmail_recipients_total", route="remote", outcome="deferred")
                                  > value(before, "dirmail_recipients_total", route="remote", outcome="deferred")
                                  else None)(scrape()), timeout=60, what="the deferral counted")
        self.assertGreaterEqual(value(after, "dirmail_queue_messages"), 1)
        time.sleep(1.5)
        self.assertGreater(value(scrape(), "dirmail_queue_oldest_message_age_seconds"), 1.0)

    def test_process_and_build_metrics(self):
        s = scrape()
        info = [labels for (name, labels) in s if name == "dirmail_build_info"]
        self.assertEqual(len(info), 1, info)
        self.assertRegex(dict(info[0])["version"], r"^\d+\.\d+\.\d+$")
        self.assertEqual(dict(info[0])["node"], "node1")
        self.assertGreater(value(s, "process_resident_memory_bytes"), 1_000_000)
        self.assertGreater(value(s, "process_open_fds"), 5)
        self.assertAlmostEqual(value(s, "process_start_time_seconds"), time.time(), delta=3600)

    def test_control_socket_metrics_match(self):
        r = SERVER.ctl("metrics")
        samples = parse(r.stdout)
        self.assertEqual([name for (name, labels) in samples if name == "dirmail_build_info"], ["dirmail_build_info"])
        self.assertIn(("dirmail_sessions_active", frozenset({("service", "smtp")})), samples)

    def test_promtool_lint(self):
        r = subprocess.run(["promtool", "check", "metrics"], input=scrape_text(), capture_output=True, text=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_http_errors(self):
        def ask(method, path):
            c = http.client.HTTPConnection("127.0.0.1", SERVER.metrics_port, timeout=10)
            c.request(method, path)
            r = c.getresponse()
            body = r.read()
            c.close()
            return r.status, body
        self.assertEqual(ask("GET", "/")[0], 404)
        self.assertEqual(ask("POST", "/metrics")[0], 405)
        status, body = ask("HEAD", "/metrics")
        self.assertEqual((status, body), (200, b""))
        with socket.create_connection(("127.0.0.1", SERVER.metrics_port), timeout=10) as s:
            s.sendall(b"GARBAGE\r\n\r\n")
            self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 400 "))
        with socket.create_connection(("127.0.0.1", SERVER.metrics_port), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\n" + b"X-Long: " + b"a" * 10000 + b"\r\n\r\n")
            self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 431 "))
        # 64 header fields are served; the 65th is one too many.
        fields = b"".join(b"X-F%d: v\r\n" % i for i in range(64))
        with socket.create_connection(("127.0.0.1", SERVER.metrics_port), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\n" + fields + b"\r\n")
            self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 200 "))
        with socket.create_connection(("127.0.0.1", SERVER.metrics_port), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\n" + fields + b"X-More: v\r\n\r\n")
            self.assertTrue(s.recv(100).startswith(b"HTTP/1.1 431 "))

    def test_a_trickling_client_is_dropped_at_the_deadline(self):
        # One byte every 2 s never finishes a head: the connection is closed 10 s after it
        # opened, not kept as long as bytes keep coming.
        with socket.create_connection(("127.0.0.1", SERVER.metrics_port), timeout=30) as s:
            started = time.monotonic()
            closed = False
            for byte in b"GET /metrics HTTP/1.1\r\nX-Slow: " + b"a" * 20:
                try:
                    s.sendall(bytes([byte]))
                except OSError:
                    closed = True
                    break
                s.settimeout(2)
                try:
                    if s.recv(100) == b"":
                        closed = True
                        break
                except socket.timeout:
                    pass
            elapsed = time.monotonic() - started
        self.assertTrue(closed, "the trickling client was never dropped")
        self.assertLess(elapsed, 16)


class PrometheusScrape(unittest.TestCase):
    """Debian's Prometheus server scraping dirmaild every second."""

    def test_prometheus_scrapes_the_endpoint(self):
        folder = STATE / "prometheus"
        folder.mkdir(parents=True, exist_ok=True)
        port = free_port()
        (folder / "prometheus.yml").write_text(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
            "scrape_configs:\n  - job_name: dirmail\n"
            f"    static_configs:\n      - targets: ['127.0.0.1:{SERVER.metrics_port}']\n")
        with open(folder / "prometheus.log", "wb") as log:  # the child keeps its own copy
            proc = subprocess.Popen(["prometheus", f"--config.file={folder / 'prometheus.yml'}",
                                     f"--storage.tsdb.path={folder / 'data'}", f"--web.listen-address=127.0.0.1:{port}"],
                                    stdout=subprocess.DEVNULL, stderr=log)
        try:
            submit([BOB], "seen by prometheus")

            def query(expr):
                url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
                try:
                    with urllib.request.urlopen(url, timeout=5) as r:
                        result = json.load(r)["data"]["result"]
                except OSError:
                    return None
                return result or None

            up = eventually(lambda: query('up{job="dirmail"} == 1'), timeout=60, what="Prometheus scraping dirmaild")
            self.assertEqual(up[0]["value"][1], "1")
            accepted = eventually(lambda: query('dirmail_messages_accepted_total{service="submission"} >= 1'),
                                timeout=30, what="the accepted messages in Prometheus")
            self.assertGreaterEqual(float(accepted[0]["value"][1]), 1)
        finally:
            proc.terminate()
            proc.wait(30)


if __name__ == "__main__":
    unittest.main(verbosity=2)
