"""dirmailctl health, the check keepalived's track script and the Pacemaker agent run:
exit 0 while the node's dirmaild greets on every enabled service, 3 when it does not
run, 1 when it runs but does not answer (frozen, or a service that turns clients away)."""
import os
import shutil
import signal
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "cluster-health"


class Health(unittest.TestCase):
    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        shutil.rmtree(self.folder, ignore_errors=True)
        self.inst = DirmailInstance(self.folder, extra_config="[cluster]\nhealth_timeout = 2\n")
        self.inst.provision()

    def tearDown(self):
        if self.inst.proc and self.inst.proc.poll() is None:
            self.inst.signal(signal.SIGCONT)
        self.inst.stop()

    def health(self):
        return self.inst.ctl("health", check=False)

    def test_a_stopped_daemon_is_not_running(self):
        r = self.health()
        self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        self.assertIn("dirmaild does not run on this node", r.stderr)

    def test_a_running_daemon_greets_on_every_service(self):
        self.inst.start()
        r = self.health()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(f"dirmaild runs (pid {self.inst.pid()})", r.stdout)
        self.assertIn(f"smtp 127.0.0.1 {self.inst.smtp_port}: 220 ", r.stdout)
        self.assertIn(f"submission 127.0.0.1 {self.inst.submission_port}: 220 ", r.stdout)
        self.assertIn(f"pop3 127.0.0.1 {self.inst.pop3_port}: +OK", r.stdout)
        self.assertIn(f"imap 127.0.0.1 {self.inst.imap_port}: * OK", r.stdout)

    def test_a_frozen_daemon_is_unhealthy(self):
        # It still holds its pid file, but greets nobody: what a hung node looks like.
        self.inst.start()
        self.inst.signal(signal.SIGSTOP)
        r = self.health()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("unhealthy: smtp does not answer", r.stderr)
        self.assertIn("no greeting before the health timeout", r.stderr)
        self.inst.signal(signal.SIGCONT)
        self.assertEqual(self.health().returncode, 0)

    def test_a_service_that_turns_clients_away_is_unhealthy(self):
        # The real-address refusal (hidden*.dat) set on the only address IMAP listens on.
        text = self.inst.config.read_text().replace("[imap]\n", '[imap]\nrefuse_on_addresses = ["127.0.0.1"]\n', 1)
        self.inst.config.write_text(text)
        self.inst.start()
        r = self.health()
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("unhealthy: imap does not answer", r.stderr)
        self.assertIn("closed without a greeting", r.stderr)
        self.assertNotIn("smtp does not answer", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
