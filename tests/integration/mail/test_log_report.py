"""dirmailctl log report (issue 14): a generated day of logs in dirmail's exact format,
reported as text, CSV and HTML and checked against the generator's counts; the HTML
rendered in headless Chromium (a screenshot, checked for size and content); then the
logs of a real dirmaild that received, delivered and refused a login."""
import csv
import io
import os
import shutil
import smtplib
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[0] / "lib"))
sys.path.insert(0, str(HERE))
from dirmail_instance import DIRMAILCTL, USERS, DirmailInstance  # noqa: E402
from log_day_generator import generate  # noqa: E402
from mail_clients import wait_for_messages  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "log_report"
CHROMIUM = "/usr/bin/chromium"
WIDTH, HEIGHT = 1200, 1600
SENDER_BLUE = (0x2F, 0x6F, 0xBD)  # the "Top senders" bars (log_report_html.cpp)
FIGURES = ["received", "received_bytes", "received_recipients", "delivered_local", "delivered_remote",
           "failed", "auth_ok", "auth_failed"]


def report(*args, check=True):
    r = subprocess.run([str(DIRMAILCTL), "log", "report", *args], capture_output=True, text=True, timeout=120)
    if check and r.returncode != 0:
        raise AssertionError(f"dirmailctl log report {' '.join(args)}: {r.returncode} {r.stderr}")
    return r


def csv_rows(text):
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["date", "figure", "name", "value"], rows[0]
    return rows[1:]


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + b) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        previous = line
    return width, height, rows


class GeneratedDay(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(STATE, ignore_errors=True)
        cls.logs = STATE / "generated"
        cls.expect = generate(cls.logs, date="2026-11-27", seed=14)
        cls.day = cls.expect["date"]

    def test_csv_counts_match_the_generator(self):
        r = report("--dir", str(self.logs), "--from", self.day, "--to", self.day, "--format", "csv", "--top", "1000")
        rows = csv_rows(r.stdout)
        self.assertEqual({row[0] for row in rows}, {self.day}, "only the day asked for")
        got = {row[1]: int(row[3]) for row in rows if row[2] == ""}
        figures = self.expect["figures"]
        for name in FIGURES:
            self.assertEqual(got.get(name), figures[name], name)
        for table, counts in self.expect["tables"].items():
            got_table = {row[2]: int(row[3]) for row in rows if row[1] == table}
            self.assertEqual(got_table, counts, table)
        self.assertIn(f"{figures['skipped']} damaged lines skipped", r.stderr)

    def test_top_limits_and_orders(self):
        rows = csv_rows(report("--dir", str(self.logs), "--from", self.day, "--format", "csv", "--top", "3").stdout)
        senders = [(row[2], int(row[3])) for row in rows if row[1] == "sender"]
        expected = sorted(self.expect["tables"]["sender"].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        self.assertEqual(senders, expected)

    def test_whole_period_includes_the_day_before(self):
        rows = csv_rows(report("--dir", str(self.logs), "--format", "csv").stdout)
        before = {row[1]: int(row[3]) for row in rows if row[0] == self.expect["previous_date"] and row[2] == ""}
        self.assertEqual(before["received"], 1)

    def test_text(self):
        out = report("--dir", str(self.logs), "--from", self.day, "--to", self.day).stdout
        f = self.expect["figures"]
        self.assertIn(f"{self.day} (UTC)", out)
        self.assertIn(f"received: {f['received']} messages, {f['received_bytes']} bytes, "
                      f"{f['received_recipients']} recipients", out)
        self.assertIn(f"delivered: {f['delivered_local']} local, {f['delivered_remote']} remote", out)
        self.assertIn(f"failed: {f['failed']}\n", out)
        self.assertIn(f"logins: {f['auth_ok']} ok, {f['auth_failed']} failed", out)
        self.assertIn(f"{f['skipped']} damaged lines skipped", out)
        top_sender, n = max(self.expect["tables"]["sender"].items(), key=lambda kv: (kv[1], kv[0]))
        self.assertIn(f"    {n}  {top_sender}\n", out)

    def test_html_renders_in_chromium(self):
        html = STATE / "report.html"
        report("--dir", str(self.logs), "--from", self.day, "--to", self.day, "--format", "html", "--out", str(html))
        text = html.read_text()
        f = self.expect["figures"]
        for name in ("received", "delivered_local", "delivered_remote", "failed", "auth_failed"):
            self.assertIn(f"<b>{f[name]}</b>", text, name)
        self.assertIn("&lt;&gt;", text)  # the null sender, escaped
        self.assertNotIn("<script", text)
        self.assertNotIn("http://", text.replace('xmlns="http://www.w3.org/2000/svg"', ""))
        self.assertTrue(os.access(CHROMIUM, os.X_OK), f"{CHROMIUM} is missing (scripts/install-deps installs it)")
        shot = STATE / "report.png"
        profile = Path(tempfile.mkdtemp(prefix="chromium-", dir=STATE))
        r = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                            "--no-first-run", "--disable-background-networking", "--disable-component-update",
                            "--disable-sync", f"--user-data-dir={profile}", f"--screenshot={shot}",
                            f"--window-size={WIDTH},{HEIGHT}", html.as_uri()],
                           capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertTrue(shot.exists(), r.stderr[-2000:])
        width, height, pixels = png_pixels(shot)
        self.assertEqual((width, height), (WIDTH, HEIGHT))
        colours = {px for row in pixels[::8] for px in row[::8]}
        self.assertGreater(len(colours), 8, "the screenshot is nearly blank")
        blue = sum(1 for row in pixels for px in row if all(abs(px[i] - SENDER_BLUE[i]) <= 8 for i in range(3)))
        self.assertGreater(blue, 500, "no sender bars drawn")
        print(f"screenshot: {shot} ({width}x{height}, {len(colours)} colours sampled, {blue} bar pixels)")


class RealDaemon(unittest.TestCase):
    """The logs of a real dirmaild: what it logged is what the report counts."""

    def setUp(self):
        self.server = DirmailInstance(STATE / "server")
        self.server.provision()
        self.server.start()

    def tearDown(self):
        self.server.stop()

    def test_report_of_a_real_run(self):
        tag = "log-report-tag"
        body = f"Subject: {tag}\r\n\r\n{tag}\r\n"
        with smtplib.SMTP("127.0.0.1", self.server.smtp_port, timeout=30) as s:
            s.sendmail("outsider@remote.test", ["alice@example.test"], "From: outsider@remote.test\r\n" + body)
            s.sendmail("outsider@remote.test", ["alice@example.test", "bob@example.test"],
                       "From: outsider@remote.test\r\n" + body)
        with smtplib.SMTP("127.0.0.1", self.server.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            s.user, s.password = "alice@example.test", "wrong password"
            with self.assertRaises(smtplib.SMTPAuthenticationError):
                s.auth("PLAIN", s.auth_plain)  # one mechanism: login() would try each in turn
        with smtplib.SMTP("127.0.0.1", self.server.submission_port, timeout=30) as s:
            s.ehlo("client.test")
            s.login("alice@example.test", USERS["alice@example.test"])
            s.sendmail("alice@example.test", ["carol@example.test"], "From: alice@example.test\r\n" + body)
        wait_for_messages(self.server.pop3_port, "alice@example.test", USERS["alice@example.test"], tag, count=2)
        wait_for_messages(self.server.pop3_port, "bob@example.test", USERS["bob@example.test"], tag, count=1)
        wait_for_messages(self.server.pop3_port, "carol@example.test", USERS["carol@example.test"], tag, count=1)
        self.server.stop()

        r = self.server.ctl("log", "report", "--format", "csv")  # log.dir from the configuration
        rows = csv_rows(r.stdout)
        total = {}
        for date, figure, name, value in rows:
            key = (figure, name)
            total[key] = total.get(key, 0) + int(value)
        self.assertEqual(total[("received", "")], 3, r.stdout)
        self.assertEqual(total[("received_recipients", "")], 4)
        self.assertEqual(total[("delivered_local", "")], 4)
        self.assertEqual(total[("delivered_remote", "")], 0)
        self.assertEqual(total[("failed", "")], 0)
        self.assertEqual(total[("auth_failed", "")], 1)
        self.assertEqual(total[("auth_failure_reason", "wrong credentials")], 1)
        self.assertGreaterEqual(total[("auth_ok", "")], 1)
        self.assertEqual(total[("sender", "outsider@remote.test")], 2)
        self.assertEqual(total[("sender_domain", "remote.test")], 2)
        self.assertEqual(total[("recipient", "alice@example.test")], 2)
        self.assertEqual(total[("recipient_domain", "example.test")], 4)
        self.assertEqual(total[("user_sent", "alice@example.test")], 1)
        self.assertEqual(total[("user_delivered", "alice@example.test")], 2)
        self.assertNotIn("damaged", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
