"""A malformed configuration stops start-up with FILE:LINE and the reason; the
same check is `dirmailctl config check`."""
import os
import shutil
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILCTL, DIRMAILD  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "config-errors"

CASES = {
    # name: (file text, line, words the reason must contain)
    "unknown_key": ('[server]\ndata_dir = "."\n\n[smtp]\nmax_recipient = 10\n', 5, ["unknown setting", "smtp.max_recipient"]),
    "bad_type": ('[server]\ndata_dir = "."\n[smtp]\nmax_recipients = "many"\n', 4, ["smtp.max_recipients", "integer"]),
    "out_of_range": ('[server]\ndata_dir = "."\n[smtp]\n\nmax_recipients = 0\n', 5, ["smtp.max_recipients", "out of range"]),
    "bad_enum": ('[pop3]\nplaintext_auth = "sometimes"\n', 2, ["pop3.plaintext_auth", "sometimes"]),
    "bad_listen": ('[smtp]\nlisten = ["127.0.0.1 99999"]\n', 2, ["smtp.listen"]),
    "syntax": ('[smtp\nlisten = []\n', 1, []),
}


class ConfigErrors(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        shutil.rmtree(STATE, ignore_errors=True)
        STATE.mkdir(parents=True)

    def check_case(self, name):
        text, line, words = CASES[name]
        path = STATE / f"{name}.toml"
        path.write_text(text)
        for argv in ([str(DIRMAILD), "--config", str(path)], [str(DIRMAILCTL), "config", "check", str(path)]):
            r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            self.assertNotEqual(r.returncode, 0, argv)
            self.assertIn(f"{path}:{line}:", r.stderr, r.stderr)
            for w in words:
                self.assertIn(w, r.stderr)
        self.assertFalse((STATE / "queue").exists(), "a refused configuration must change nothing")

    def test_unknown_key(self):
        self.check_case("unknown_key")

    def test_bad_type(self):
        self.check_case("bad_type")

    def test_out_of_range(self):
        self.check_case("out_of_range")

    def test_bad_enum(self):
        self.check_case("bad_enum")

    def test_bad_listen(self):
        self.check_case("bad_listen")

    def test_syntax_error(self):
        self.check_case("syntax")

    def test_directory_settings_that_do_not_fit_together(self):
        path = STATE / "ad_incomplete.toml"
        path.write_text('[server]\ndata_dir = "."\n[directory]\nbackend = "ad"\n'
                        'servers = ["ldap://dc1.corp.example.test"]\nbind_dn = "svc-mail@corp.example.test"\n')
        for argv in ([str(DIRMAILD), "--config", str(path)], [str(DIRMAILCTL), "config", "check", str(path)]):
            r = subprocess.run(argv, capture_output=True, text=True, timeout=30)
            self.assertNotEqual(r.returncode, 0, argv)
            self.assertIn(f"{path}: directory.mail_domains", r.stderr)
            self.assertIn("directory.bind_password_file", r.stderr)
            self.assertIn("sends the password in the clear", r.stderr)
        r = subprocess.run([str(DIRMAILD), "--config", str(path)], capture_output=True, text=True, timeout=30)
        self.assertEqual(r.returncode, 78)
        self.assertFalse((STATE / "queue").exists(), "a refused configuration must change nothing")

    def test_good_file_passes_check(self):
        path = STATE / "good.toml"
        path.write_text('[server]\ndata_dir = "."\n[smtp]\nlisten = ["127.0.0.1 2525"]\n')
        r = subprocess.run([str(DIRMAILCTL), "config", "check", str(path)], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)


if __name__ == "__main__":
    unittest.main(verbosity=2)
