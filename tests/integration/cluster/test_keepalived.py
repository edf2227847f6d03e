"""dirmailctl cluster render-keepalived: keepalived.conf from the cluster.* settings.
keepalived itself checks every rendered file (keepalived -t, in a network namespace
that has the interface); a real keepalived then runs the rendered file beside a real
dirmaild, takes the virtual IP and calls dirmail's hooks: the node becomes active, a
frozen dirmaild fails the health script and the node gives the address up and becomes
standby, and it takes it back once dirmaild answers again."""
import os
import shutil
import signal
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILCTL, DIRMAILD, DirmailInstance  # noqa: E402
from network_namespace import NetworkNamespace, stop_process  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "cluster-keepalived"
VIP = "192.168.77.202/24"


def cluster_section(**settings):
    values = {"virtual_ip": f'"{VIP}"', "interface": '"vrrp0"', "role": '"primary"', **settings}
    return "[cluster]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())


class RenderedConfig(unittest.TestCase):
    """Each rendered file is one keepalived 2.2.7 accepts."""

    @classmethod
    def setUpClass(cls):
        cls.ns = NetworkNamespace("r").__enter__()
        cls.ns.add_veth("vrrp0", "vrrp0p")

    @classmethod
    def tearDownClass(cls):
        cls.ns.__exit__(None, None, None)

    def setUp(self):
        self.folder = STATE / self.id().split(".")[-1]
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)

    def render(self, cluster, folder=None):
        inst = DirmailInstance(folder or self.folder, extra_config=cluster)
        inst.write_config()
        out = inst.folder / "keepalived.conf"
        r = inst.ctl("cluster", "render-keepalived", "--output", str(out), check=False)
        return inst, out, r

    def keepalived_check(self, conf):
        return self.ns.run(["keepalived", "-t", "-f", conf])

    def assert_accepted(self, cluster, folder=None):
        inst, out, r = self.render(cluster, folder)
        self.assertEqual(r.returncode, 0, r.stderr)
        check = self.keepalived_check(out)
        self.assertEqual(check.returncode, 0, f"keepalived -t refused:\n{check.stdout}{check.stderr}\n{out.read_text()}")
        return inst, out.read_text()

    def test_primary_and_secondary(self):
        _, primary = self.assert_accepted(cluster_section())
        self.assertIn("    priority 150", primary)
        self.assertIn(f"        {VIP} dev vrrp0\n", primary)
        self.assertIn(f'script "{DIRMAILCTL} --config {self.folder / "dirmail.toml"} health"', primary)
        _, secondary = self.assert_accepted(cluster_section(role='"secondary"', advert_interval=10, failback_delay=300))
        self.assertIn("    priority 100", secondary)
        self.assertIn("    advert_int 10\n", secondary)
        self.assertIn("    preempt_delay 300\n", secondary)

    def test_no_failback_unicast_and_ipv6(self):
        _, text = self.assert_accepted(cluster_section(failback="false", unicast_peers='["192.168.77.201"]'))
        self.assertIn("    nopreempt\n", text)
        self.assertIn("unicast_peer {\n        192.168.77.201\n", text)
        _, text = self.assert_accepted(cluster_section(virtual_ip='"2001:db8::25/64"',
                                                       unicast_peers='["2001:db8::201"]'))
        self.assertIn("    version 3\n", text)

    def test_a_configuration_path_with_blanks(self):
        # keepalived splits script lines on blanks; the quoting must keep the path whole,
        # which keepalived -t checks by finding the script and its arguments.
        inst, text = self.assert_accepted(cluster_section(), folder=self.folder / "site one")
        self.assertIn(f"--config '{inst.config}' health", text)

    def test_keepalived_check_is_real(self):
        # The check above would catch a value keepalived refuses.
        _, out, r = self.render(cluster_section())
        self.assertEqual(r.returncode, 0, r.stderr)
        out.write_text(out.read_text().replace("preempt_delay 60", "preempt_delay 6000"))
        self.assertNotEqual(self.keepalived_check(out).returncode, 0)

    def test_bad_settings_are_refused_with_the_setting_named(self):
        cases = [
            (cluster_section(virtual_ip='"192.168.77.202"'),
             "cluster.virtual_ip \"192.168.77.202\" has no prefix length: write it as ADDRESS/PREFIX"),
            (cluster_section(interface='"Local Area Connection 2"'),
             "cluster.interface \"Local Area Connection 2\" contains a character an interface name cannot have"),
            (cluster_section(interface='""'), "cluster.interface is empty"),
            (cluster_section(unicast_peers='["2001:db8::201"]'),
             'cluster.unicast_peers entry "2001:db8::201" is an IPv6 address but cluster.virtual_ip is IPv4'),
            ("[cluster]\ninterface = \"vrrp0\"\n", "cluster.virtual_ip is empty"),
        ]
        for cluster, message in cases:
            with self.subTest(message=message):
                shutil.rmtree(self.folder, ignore_errors=True)
                _, out, r = self.render(cluster)
                self.assertEqual(r.returncode, 1, r.stdout)
                self.assertIn("dirmailctl: cannot render keepalived.conf: " + message, r.stderr)
                self.assertFalse(out.exists(), "a refused rendering wrote the file")

    def test_the_loader_refuses_out_of_range_values(self):
        _, _, r = self.render(cluster_section(failback_delay=1001))
        self.assertEqual(r.returncode, 1)
        self.assertIn("cluster.failback_delay", r.stderr)


class KeepalivedRunsTheHooks(unittest.TestCase):
    """A real keepalived with the rendered file, beside a real dirmaild, in a namespace."""

    def setUp(self):
        self.folder = STATE / "hooks"
        shutil.rmtree(self.folder, ignore_errors=True)
        self.ns = NetworkNamespace("k").__enter__()
        self.ns.add_veth("vrrp0", "vrrp0p")
        self.ns.run(["ip", "addr", "add", "192.168.77.200/24", "dev", "vrrp0"], check=True)  # the node's real address
        self.inst = DirmailInstance(self.folder, extra_config=cluster_section(
            failback_delay=0, health_interval=1, health_timeout=1, health_failures=1))
        self.inst.provision()
        with open(self.folder / "dirmaild.stderr", "ab") as err:  # the child keeps its own copy
            self.daemon = self.ns.popen([DIRMAILD, "--config", self.inst.config], stdout=subprocess.DEVNULL,
                                        stderr=err, start_new_session=True)
        self.assertTrue(wait_for(lambda: self.health() == 0, timeout=60), "dirmaild did not come up in the namespace")
        self.conf = self.folder / "keepalived.conf"
        r = self.inst.ctl("cluster", "render-keepalived", "--output", str(self.conf))
        self.assertEqual(r.returncode, 0, r.stderr)
        run = self.folder / "run"
        run.mkdir()
        self.keepalived_log = open(self.folder / "keepalived.log", "wb")
        self.keepalived = self.ns.popen(["keepalived", "-n", "-l", "-G", "-D", "-f", self.conf,
                                         "-p", run / "k.pid", "-r", run / "vrrp.pid", "-c", run / "chk.pid"],
                                        stdout=self.keepalived_log, stderr=subprocess.STDOUT, start_new_session=True)

    def tearDown(self):
        for proc in (self.keepalived, self.daemon):
            stop_process(proc)
        self.keepalived_log.close()
        self.ns.__exit__(None, None, None)

    def health(self):
        return self.ns.run([DIRMAILCTL, "--config", self.inst.config, "health"]).returncode

    def role(self):
        path = self.folder / "cluster" / "role"
        return path.read_text().split("\n")[0] if path.exists() else None  # the word; then the boot id

    def holds_vip(self):
        return VIP in self.ns.addresses("vrrp0")

    def dirmaild_pid(self):
        # `ip netns exec` execs dirmaild in place: the Popen's pid is dirmaild's.
        return self.daemon.pid

    def explain(self):
        return (f"role={self.role()} addresses={self.ns.addresses('vrrp0')}\n"
                + (self.folder / "keepalived.log").read_text(errors="replace")[-3000:])

    def test_active_then_fault_on_a_frozen_daemon_then_active_again(self):
        self.assertTrue(wait_for(lambda: self.holds_vip() and self.role() == "active", timeout=60), self.explain())

        os.kill(self.dirmaild_pid(), signal.SIGSTOP)
        self.assertTrue(wait_for(lambda: not self.holds_vip() and self.role() == "standby", timeout=60),
                        self.explain())
        self.assertIn("dirmail_health", (self.folder / "keepalived.log").read_text(errors="replace"))

        os.kill(self.dirmaild_pid(), signal.SIGCONT)
        self.assertTrue(wait_for(lambda: self.holds_vip() and self.role() == "active", timeout=60), self.explain())

        self.keepalived.terminate()  # notify_stop: the node leaves the pair as standby
        self.keepalived.wait(30)
        self.assertTrue(wait_for(lambda: self.role() == "standby", timeout=30), self.explain())
        self.assertFalse(self.holds_vip(), self.explain())


if __name__ == "__main__":
    unittest.main(verbosity=2)
