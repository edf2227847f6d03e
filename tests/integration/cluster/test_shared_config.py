"""One configuration for both nodes (cluster.shared_config): each node's own dirmail.toml
names a second file with the settings the pair shares, in a local (mounted) folder or on
the SMB share. What a client and an administrator see: a setting only in the shared file
takes effect in dirmaild (the SMTP greeting and EHLO) and in dirmailctl; a setting in
both files takes the node's own value and start-up says so; a node-local setting in the
shared file, a missing shared file or a share that is down stops the start with the
file, line and reason.

  test_shared_config.py SharedConfigInAFolder   (no server needed)
  test_shared_config.py SharedConfigOnTheShare  (the smbd fixture: DIRMAIL_SMBD_FIXTURE)
"""
import os
import shutil
import signal
import smtplib
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILD, DirmailInstance  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "cluster-shared-config"
EX_CONFIG = 78

# What the pair shares: the name clients see and a message size limit.
SHARED = """# settings both nodes share
[server]
hostname = "shared.example.test"

[smtp]
max_message_size = 1234567
"""
# The pair's virtual IP too (only for dirmailctl: dirmaild with a virtual IP is a
# cluster node, which is not what these tests are about).
SHARED_WITH_VIP = SHARED + """
[cluster]
virtual_ip = "192.0.2.25/24"
router_id = 77
"""


def program_output(stderr):
    """What dirmaild or dirmailctl wrote to standard error, without the summary of
    suppressed leaks the test build's leak checker appends (libsmbclient's talloc)."""
    return stderr.split("-----------------------------------------------------\nSuppressions used:")[0].strip()


def greeting_and_size(port):
    """The SMTP greeting's text and the SIZE EHLO announces."""
    client = smtplib.SMTP(timeout=30)
    try:
        code, banner = client.connect("127.0.0.1", port)
        client.ehlo("client.example.org")
        return code, banner.decode(), client.esmtp_features.get("size")
    finally:
        client.quit()


class SharedConfigCase(unittest.TestCase):
    """A dirmaild per test whose own file (self.inst.config) names the shared file at
    self.shared_setting, which is self.shared_file on this machine's disk."""

    def local_extra(self):
        return ""

    def shared_location(self):
        """(the value of cluster.shared_config, the file on this machine's disk)"""
        raise NotImplementedError

    def setUp(self):
        self.name = self.id().split(".")[-1]
        self.folder = STATE / self.name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.shared_setting, self.shared_file = self.shared_location()
        shutil.rmtree(self.shared_file.parent, ignore_errors=True)
        self.shared_file.parent.mkdir(parents=True)
        # Node-local: this node's name, role and interface; the rest comes from the share.
        self.inst = DirmailInstance(self.folder, extra_config=self.local_extra() + f"""
[cluster]
role = "primary"
interface = "eth0"
shared_config = '{self.shared_setting}'
""")
        self.inst.write_config()
        # The greeting's host name is a shared setting: only the shared file sets it.
        text = self.inst.config.read_text()
        self.assertIn('hostname = "mail.example.test"\n', text)
        self.inst.config.write_text(text.replace('hostname = "mail.example.test"\n', "", 1))

    def tearDown(self):
        self.inst.stop()

    def local_line(self, needle):
        """The line number of `needle` in this node's own file."""
        for number, line in enumerate(self.inst.config.read_text().splitlines(), 1):
            if needle in line:
                return number
        self.fail(f"{needle!r} not in {self.inst.config}")

    def start_refused(self):
        """Runs dirmaild, which must stop before it serves: its exit code and stderr."""
        r = subprocess.run([str(DIRMAILD), "--config", str(self.inst.config)], capture_output=True, text=True,
                           timeout=120)
        return r.returncode, program_output(r.stderr)

    # -- the tests every location runs ------------------------------------------------
    def test_a_setting_only_in_the_shared_file_takes_effect(self):
        self.shared_file.write_text(SHARED)
        self.inst.start()
        code, banner, size = greeting_and_size(self.inst.smtp_port)
        self.assertEqual(code, 220)
        self.assertTrue(banner.startswith("shared.example.test "), banner)
        self.assertEqual(size, "1234567")
        self.assertNotIn("warning", self.inst.stderr_path.read_text(errors="replace"))

    def test_dirmailctl_sees_the_same_settings(self):
        # The shared virtual IP and router id, this node's own role and interface.
        self.shared_file.write_text(SHARED_WITH_VIP)
        r = self.inst.ctl("cluster", "render-keepalived")
        self.assertIn("192.0.2.25/24 dev eth0", r.stdout)
        self.assertIn("virtual_router_id 77", r.stdout)
        self.assertIn("interface eth0", r.stdout)
        self.assertIn("priority 150", r.stdout)  # primary
        self.assertEqual(program_output(r.stderr), "")

    def test_the_nodes_own_value_wins_and_start_up_says_so(self):
        self.shared_file.write_text(SHARED)
        text = self.inst.config.read_text().replace("[smtp]\n", "[smtp]\nmax_message_size = 2000000\n", 1)
        self.inst.config.write_text(text)
        self.inst.start()
        code, banner, size = greeting_and_size(self.inst.smtp_port)
        self.assertEqual(size, "2000000")
        self.assertTrue(banner.startswith("shared.example.test "), banner)
        line = self.local_line("max_message_size = 2000000")
        warning = (f"smtp.max_message_size is set in both {self.inst.config}:{line} and {self.shared_setting}:6; "
                   "the local value is used")
        self.assertTrue(wait_for(lambda: warning in self.inst.stderr_path.read_text(errors="replace")),
                        self.inst.stderr_path.read_text(errors="replace"))
        r = self.inst.ctl("queue", "list")
        self.assertIn("dirmailctl: warning: " + warning, r.stderr)

    def test_a_node_local_setting_in_the_shared_file_stops_the_start(self):
        self.shared_file.write_text(SHARED + '\n[cluster]\nrole = "secondary"\n')
        code, stderr = self.start_refused()
        self.assertEqual(code, EX_CONFIG, stderr)
        self.assertEqual(stderr, f"dirmaild: {self.shared_setting}:9: cluster.role is node-local: "
                                         "set it in each node's own file")
        r = self.inst.ctl("cluster", "render-keepalived", check=False)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(program_output(r.stderr), f"dirmailctl: {self.shared_setting}:9: cluster.role is node-local: "
                                                   "set it in each node's own file")
        # The administrator's check before a reload reads the shared file too.
        r = self.inst.ctl("config", "check", str(self.inst.config), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{self.shared_setting}:9: cluster.role is node-local", program_output(r.stderr))

    def test_a_broken_shared_file_stops_the_start_with_file_and_line(self):
        self.shared_file.write_text(SHARED + "\n[cluster]\nhealth_failures = 0\nno_such = 1\n")
        code, stderr = self.start_refused()
        self.assertEqual(code, EX_CONFIG, stderr)
        self.assertEqual(stderr.splitlines(), [
            f"dirmaild: {self.shared_setting}:9: cluster.health_failures: 0 is out of range 1..100",
            f"{self.shared_setting}:10: unknown setting \"cluster.no_such\""])

    def test_a_missing_shared_file_stops_the_start(self):
        code, stderr = self.start_refused()
        self.assertEqual(code, EX_CONFIG, stderr)
        self.assertIn(f"cluster.shared_config: {self.shared_setting}: cannot open", stderr)
        self.assertFalse((self.folder / "queue").exists(), "nothing may start without the shared settings")


class SharedConfigInAFolder(SharedConfigCase):
    """The shared file in a local folder (a mounted share)."""

    def shared_location(self):
        path = self.folder / "mnt" / "dirmail" / "dirmail.toml"
        return str(path), path

    def test_a_reload_reads_the_shared_file_again(self):
        self.shared_file.write_text(SHARED)
        self.inst.start()
        self.assertEqual(greeting_and_size(self.inst.smtp_port)[2], "1234567")
        self.shared_file.write_text(SHARED.replace("1234567", "7654321"))
        self.inst.signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: greeting_and_size(self.inst.smtp_port)[2] == "7654321"),
                        "a reload did not apply the shared file's new value")
        # A shared file broken later: the reload is refused, the running settings stay.
        self.shared_file.write_text(SHARED + '\n[cluster]\nrole = "secondary"\n')
        self.inst.signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "cluster.role is node-local" in self.inst.log_text("daemon")),
                        self.inst.log_text("daemon"))
        self.assertEqual(greeting_and_size(self.inst.smtp_port)[2], "7654321")


class SharedConfigOnTheShare(SharedConfigCase):
    """The shared file on the smbd fixture's share, read through the smb store's logon;
    the mailboxes on the same share."""

    def fixture(self):
        from smbd_control import fixture
        return fixture()

    def local_extra(self):
        f = self.fixture()
        return f"""
[store]
backend = "smb"
root = '\\\\{f["address"]}\\{f["share"]}\\{self.name}'
smb_credentials_file = "{f["credentials_file"]}"
smb_timeout = 2000
"""

    def shared_location(self):
        f = self.fixture()
        unc = "\\\\" + "\\".join([f["address"], f["share"], self.name + "-config", "dirmail.toml"])
        return unc, Path(f["share_folder"]) / (self.name + "-config") / "dirmail.toml"

    def test_a_share_that_is_down_stops_the_start(self):
        from smbd_control import smbd, stop_smbd
        self.shared_file.write_text(SHARED)
        stop_smbd()
        try:
            code, stderr = self.start_refused()
        finally:
            smbd("restart")
        self.assertEqual(code, EX_CONFIG, stderr)
        self.assertTrue(stderr.startswith(f"dirmaild: cluster.shared_config: {self.shared_setting}: cannot read: "),
                        stderr)
        self.assertNotIn(self.fixture()["password"], stderr)


del SharedConfigCase  # only its subclasses run

if __name__ == "__main__":
    unittest.main(verbosity=2)
