#!/usr/bin/env python3
"""The fixture generator (tests/integration/fixtures/soft_accounts.py) against dirmail's
reader of the original's account export.

    soft_accounts_fixture_check.py SOFT_ACCOUNT_REPORT GENERATOR

Generates exports in each encoding and line end, clean and with damaged and
conflicting rows, and requires the reader (through the soft_account_report binary) to
report exactly what the generator's expected-reader.tsv says: every account with its
eight fields decoded (Python's cp932 codec against glibc's CP932), every damaged row
by line and kind, every conflict. Also checks the mailbox tree against the manifest.
"""
import json
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

REPORT = GENERATOR = None


class SoftAccountFixture(unittest.TestCase):
    def generate(self, *options):
        out = Path(self.tmp.name) / "fixture"
        subprocess.run([sys.executable, GENERATOR, "--out", str(out), *options], check=True,
                       stdout=subprocess.DEVNULL)
        return out

    def report(self, out):
        run = subprocess.run([REPORT, str(out / "accounts.tsv")], capture_output=True, check=True)
        return run.stdout.decode("utf-8").splitlines(), run.stderr.decode("utf-8")

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def check(self, *options):
        out = self.generate(*options)
        expected = (out / "expected-reader.tsv").read_text(encoding="utf-8").splitlines()
        got, encoding = self.report(out)
        self.assertEqual(got, expected)
        return out, expected, encoding

    def test_clean_cp932_export_reads_without_problems(self):
        out, expected, encoding = self.check("--accounts", "200", "--domains", "3", "--seed", "11")
        self.assertIn("Shift_JIS (CP932)", encoding)
        self.assertEqual(sum(1 for line in expected if line.startswith("account\t")), 200)
        self.assertFalse([line for line in expected if line.startswith(("problem", "conflict"))])
        raw = (out / "accounts.tsv").read_bytes()
        self.assertIn(b"\r\n", raw)
        self.assertIn("山田".encode("cp932"), raw)

    def test_utf8_with_bom_and_lf(self):
        out, expected, encoding = self.check("--accounts", "50", "--encoding", "utf-8", "--bom", "--lf", "--seed", "2")
        self.assertIn("UTF-8 byte order mark", encoding)
        self.assertTrue((out / "accounts.tsv").read_bytes().startswith(b"\xef\xbb\xbf"))

    def test_damaged_rows_and_conflicts_are_reported_by_line(self):
        for encoding in ("cp932", "utf-8"):
            with self.subTest(encoding=encoding):
                out, expected, _ = self.check("--accounts", "120", "--domains", "4", "--encoding", encoding,
                                              "--bad-rows", "12", "--conflicts", "3", "--blank-domains", "5",
                                              "--weak-passwords", "2", "--seed", "5")
                manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
                kinds = sorted({b["kind"] for b in manifest["bad_rows"]})
                self.assertEqual(kinds, sorted(["field_count", "nul_byte", "encoding", "invalid_flag",
                                                "invalid_limit", "empty_account"]))
                self.assertEqual(len([line for line in expected if line.startswith("problem")]), 12)
                self.assertEqual(len([line for line in expected if line.startswith("conflict")]), 3)

    def test_mailbox_tree_matches_the_manifest(self):
        for layout in ("common", "per-domain", "home"):
            with self.subTest(layout=layout):
                out = self.generate("--accounts", "30", "--layout", layout, "--seed", "3")
                manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
                messages = 0
                for a in manifest["accounts"]:
                    folder = out / a["mailbox"]
                    self.assertTrue(folder.is_dir(), folder)
                    names = {p.name for p in folder.iterdir() if p.name.endswith(manifest["message_suffix"])}
                    self.assertEqual(names, {m["file"] for m in a["messages"] if m.get("folder", "INBOX") == "INBOX"})
                    for m in a["messages"]:
                        self.assertEqual(m["file"], m["uidl"] + manifest["message_suffix"])
                        self.assertEqual((folder / m["file"]).stat().st_size, m["size"])
                    messages += len(a["messages"])
                self.assertGreater(messages, 0)
                if layout == "home":
                    self.assertTrue(all(a["mailbox"].endswith("/INETMAIL/INBOX") for a in manifest["accounts"]))
                    self.assertTrue(all(a["home_folder"] == "\\\\FS1\\home\\" + a["account"] for a in manifest["accounts"]))

    def test_flags_folders_and_dates_leave_the_rest_as_it_was(self):
        plain = self.generate("--accounts", "40", "--seed", "4")
        plain_tsv = (plain / "accounts.tsv").read_bytes()
        plain_manifest = json.loads((plain / "manifest.json").read_text(encoding="utf-8"))
        out = self.generate("--accounts", "40", "--seed", "4", "--flags", "--folders", "--dates")
        self.assertEqual((out / "accounts.tsv").read_bytes(), plain_tsv)
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        letters = {"R": "\\Seen", "A": "\\Answered", "F": "\\Flagged", "T": "\\Draft"}
        flagged = folders = 0
        for a, p in zip(manifest["accounts"], plain_manifest["accounts"]):
            inbox = [m for m in a["messages"] if m["folder"] == "INBOX"]
            self.assertEqual([m["uidl"] for m in inbox], [m["uidl"] for m in p["messages"]])
            self.assertEqual(sorted({m["folder"] for m in a["messages"]} - {"INBOX"}), sorted(a["folders"]))
            folders += len(a["folders"])
            for m in a["messages"]:
                place = out / a["mailbox"] / ("" if m["folder"] == "INBOX" else m["folder"]) / m["file"]
                data = place.read_bytes()
                self.assertEqual(len(data), m["size"])
                self.assertEqual(int(place.stat().st_mtime), m["modified"])
                header = data.split(b"\r\n\r\n")[0].decode("ascii").split("\r\n")
                given = "".join(line.split(":", 1)[1] for line in header if line.startswith(("Status:", "X-Status:")))
                self.assertEqual(sorted(m["flags"]), sorted({letters[c] for c in given if c in letters}))
                flagged += bool(m["flags"])
        self.assertGreater(flagged, 0)
        self.assertGreater(folders, 0)

    def test_same_seed_same_bytes(self):
        a = (self.generate("--accounts", "40", "--seed", "9", "--bad-rows", "3") / "accounts.tsv").read_bytes()
        b = (self.generate("--accounts", "40", "--seed", "9", "--bad-rows", "3") / "accounts.tsv").read_bytes()
        self.assertEqual(a, b)


if __name__ == "__main__":
    REPORT, GENERATOR = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1])
