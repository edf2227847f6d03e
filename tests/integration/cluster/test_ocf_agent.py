"""The Pacemaker OCF resource agent cluster/ocf/dirmail: Pacemaker's own conformance
checker (ocf-tester, package resource-agents) passes it, and each action answers with
the OCF exit code Pacemaker acts on, against a real dirmaild the agent starts: 7 not
running, 0 running (unpromoted), 8 running promoted, 9 promoted but failed (a frozen
daemon), 5 and 6 for a missing program or configuration."""
import os
import shutil
import signal
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILCTL, DIRMAILD, DirmailInstance  # noqa: E402

SOURCE = Path(os.environ.get("DIRMAIL_SOURCE_DIR", Path(__file__).resolve().parents[3]))
AGENT = SOURCE / "cluster" / "ocf" / "dirmail"
STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "cluster-ocf"

OCF_SUCCESS, OCF_ERR_GENERIC, OCF_ERR_INSTALLED, OCF_ERR_CONFIGURED = 0, 1, 5, 6
OCF_NOT_RUNNING, OCF_RUNNING_MASTER, OCF_FAILED_MASTER = 7, 8, 9


class AgentTest(unittest.TestCase):
    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        shutil.rmtree(self.folder, ignore_errors=True)
        self.inst = DirmailInstance(self.folder, extra_config="[cluster]\nhealth_timeout = 2\n")
        self.inst.provision()
        self.params = {"config": str(self.inst.config), "dirmaild": str(DIRMAILD), "dirmailctl": str(DIRMAILCTL),
                       "console_log": str(self.folder / "dirmaild.console")}

    def tearDown(self):
        # Whatever a failed test left running is stopped by the agent itself.
        pid = self.daemon_pid()
        if pid:
            os.kill(pid, signal.SIGCONT)
        self.action("stop")

    def env(self, promotable=True, **overrides):
        env = dict(os.environ, OCF_ROOT="/usr/lib/ocf", OCF_RESOURCE_INSTANCE="dirmail-test",
                   OCF_RESKEY_CRM_meta_timeout="30000", OCF_RESKEY_CRM_meta_interval="10000")
        if promotable:
            env["OCF_RESKEY_CRM_meta_promotable"] = "true"
        for key, value in {**self.params, **overrides}.items():
            env[f"OCF_RESKEY_{key}"] = value
        return env

    def action(self, name, **kwargs):
        r = subprocess.run([str(AGENT), name], env=self.env(**kwargs), capture_output=True, text=True, timeout=120)
        return r.returncode

    def daemon_pid(self):
        r = self.inst.ctl("health", check=False)
        for line in r.stdout.splitlines():
            if line.startswith("dirmaild runs (pid "):
                return int(line.split("pid ")[1].rstrip(")"))
        return None

    def role(self):
        return self.inst.ctl("cluster", "role").stdout.strip()


class OcfTester(AgentTest):
    def test_ocf_tester_passes_the_agent(self):
        args = ["ocf-tester", "-n", "dirmail-test"]
        for key, value in self.params.items():
            args += ["-o", f"{key}={value}"]
        r = subprocess.run([*args, str(AGENT)], capture_output=True, text=True, timeout=600,
                           env=dict(os.environ, OCF_ROOT="/usr/lib/ocf"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("passed all tests", r.stdout)


class Actions(AgentTest):
    def test_a_promotable_clone_through_its_life(self):
        self.assertEqual(self.action("monitor"), OCF_NOT_RUNNING)
        self.assertEqual(self.action("start"), OCF_SUCCESS)
        self.assertIsNotNone(self.daemon_pid())
        self.assertEqual(self.role(), "standby")  # started unpromoted
        self.assertEqual(self.action("monitor"), OCF_SUCCESS)

        self.assertEqual(self.action("promote"), OCF_SUCCESS)
        self.assertEqual(self.role(), "active")
        self.assertEqual(self.action("monitor"), OCF_RUNNING_MASTER)

        os.kill(self.daemon_pid(), signal.SIGSTOP)  # hung: runs, greets nobody
        self.assertEqual(self.action("monitor"), OCF_FAILED_MASTER)
        os.kill(self.daemon_pid(), signal.SIGCONT)
        self.assertEqual(self.action("monitor"), OCF_RUNNING_MASTER)

        self.assertEqual(self.action("demote"), OCF_SUCCESS)
        self.assertEqual(self.role(), "standby")
        self.assertEqual(self.action("monitor"), OCF_SUCCESS)

        os.kill(self.daemon_pid(), signal.SIGSTOP)
        self.assertEqual(self.action("monitor"), OCF_ERR_GENERIC)
        # stop ends even a frozen daemon
        self.assertEqual(self.action("stop"), OCF_SUCCESS)
        self.assertIsNone(self.daemon_pid())
        self.assertEqual(self.action("monitor"), OCF_NOT_RUNNING)
        self.assertEqual(self.action("stop"), OCF_SUCCESS)

    def test_a_primitive_is_active_while_it_runs(self):
        self.assertEqual(self.action("start", promotable=False), OCF_SUCCESS)
        self.assertEqual(self.role(), "active")
        self.assertEqual(self.action("monitor", promotable=False), OCF_SUCCESS)
        self.assertEqual(self.action("stop", promotable=False), OCF_SUCCESS)
        self.assertEqual(self.role(), "standby")

    def test_promote_needs_a_running_daemon(self):
        self.assertEqual(self.action("promote"), OCF_NOT_RUNNING)
        self.assertNotEqual(self.role(), "active")

    def test_validate_all_names_what_is_missing(self):
        self.assertEqual(self.action("validate-all"), OCF_SUCCESS)
        self.assertEqual(self.action("validate-all", dirmailctl=str(self.folder / "no-such-dirmailctl")),
                         OCF_ERR_INSTALLED)
        self.assertEqual(self.action("validate-all", config=str(self.folder / "missing.toml")), OCF_ERR_CONFIGURED)
        self.assertEqual(self.action("start", config=str(self.folder / "missing.toml")), OCF_ERR_CONFIGURED)


if __name__ == "__main__":
    unittest.main(verbosity=2)
