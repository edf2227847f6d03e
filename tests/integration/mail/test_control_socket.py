"""dirmailctl talking to a real dirmaild through its control socket
(server.control_socket): status, reload (applied, and refused with the reason while
the running settings stay), metrics, queue flush; the socket's permissions; and what
an administrator sees when no daemon runs."""
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DIRMAILCTL, DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "control-socket"
SERVER = None


def setUpModule():
    global SERVER
    shutil.rmtree(STATE, ignore_errors=True)
    SERVER = DirmailInstance(STATE / "server")
    SERVER.provision()
    SERVER.start()


def tearDownModule():
    if SERVER:
        SERVER.stop()


def raw(command: bytes):
    with socket.socket(socket.AF_UNIX) as s:
        s.settimeout(15)
        s.connect(str(SERVER.folder / "control.sock"))
        s.sendall(command)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    return json.loads(data)


class ControlSocket(unittest.TestCase):
    def test_socket_mode_is_0660(self):
        st = os.stat(SERVER.folder / "control.sock")
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)

    def test_status_text_and_json(self):
        r = SERVER.ctl("status")
        self.assertRegex(r.stdout, rf"dirmaild \S+ on node node1 \(mail.example.test\), pid {SERVER.pid()}, up ")
        self.assertRegex(r.stdout, rf"imap\s+0 sessions\s+listening on 127.0.0.1 {SERVER.imap_port}")
        self.assertIn("directory: local", r.stdout)
        self.assertIn("delivery: on; 0 messages in hand", r.stdout)
        status = json.loads(SERVER.ctl("status", "--json").stdout)
        self.assertTrue(status["ok"])
        self.assertEqual(status["pid"], SERVER.pid())
        self.assertEqual(status["services"]["smtp"]["listening"], [f"127.0.0.1 {SERVER.smtp_port}"])
        self.assertEqual(status["directory"]["backend"], "local")

    def test_reload_applied_then_refused_with_its_reason(self):
        r = SERVER.ctl("reload")
        self.assertIn("dirmaild reloaded its configuration", r.stdout)
        self.assertTrue(json.loads(SERVER.ctl("config", "reload", "--json").stdout)["ok"])
        good = SERVER.config.read_text()
        try:
            # A file that does not parse: dirmailctl names its line before asking anyone.
            SERVER.config.write_text(good + "\n[imap]\nidle_timeout = 5\n")
            r = SERVER.ctl("reload", check=False)
            self.assertEqual(r.returncode, 1)
            self.assertRegex(r.stderr, r"dirmail.toml:\d+: .*imap")
            # A file that parses but that the daemon cannot use: its refusal, with the reason.
            SERVER.config.write_text(good + "\n[tls]\ncertificate_file = \"/nonexistent/cert.pem\"\n"
                                     "key_file = \"/nonexistent/key.pem\"\n")
            r = SERVER.ctl("reload", check=False)
            self.assertEqual(r.returncode, 1, r.stdout)
            self.assertIn("dirmailctl: reload: ", r.stderr)
            self.assertIn("/nonexistent/cert.pem", r.stderr)
            status = json.loads(SERVER.ctl("status", "--json").stdout)
            self.assertFalse(status["last_reload"]["ok"])
            self.assertIn("/nonexistent/cert.pem", status["last_reload"]["error"])
            self.assertIn("refused: ", SERVER.ctl("status").stdout)
            # Still serving with the running settings.
            with socket.create_connection(("127.0.0.1", SERVER.imap_port), timeout=10) as s:
                self.assertTrue(s.recv(100).startswith(b"* OK"))
        finally:
            SERVER.config.write_text(good)
        self.assertIn("reloaded", SERVER.ctl("reload").stdout)
        self.assertTrue(json.loads(SERVER.ctl("status", "--json").stdout)["last_reload"]["ok"])

    def test_metrics_through_the_socket(self):
        r = SERVER.ctl("metrics")
        self.assertIn("# TYPE dirmail_sessions_active gauge", r.stdout)
        self.assertRegex(r.stdout, r'dirmail_sessions_active\{service="smtp"\} \d+')

    def test_queue_flush_goes_through_the_socket(self):
        r = SERVER.ctl("queue", "flush")
        self.assertRegex(r.stdout, rf"dirmaild \(pid {SERVER.pid()}\) is trying the queue now")

    def test_unknown_and_oversized_commands_are_refused(self):
        reply = raw(b"format c:\n")
        self.assertFalse(reply["ok"])
        self.assertIn("one command expected", reply["error"])
        reply = raw(b"shutdown\n")
        self.assertEqual(reply, {"ok": False, "error": 'unknown command "shutdown"; commands: status, reload, flush, metrics'})
        reply = raw(b"s" * 5000 + b"\n")
        self.assertIn("longer than 1024 bytes", reply["error"])
        self.assertTrue(raw(b"status\r\n")["ok"])

    def test_other_users_may_not_use_it(self):
        # nobody may read the configuration but not connect to the socket (0660, root's).
        r = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", str(DIRMAILCTL),
                            "--config", str(SERVER.config), "status"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("permission denied: run as root or as a member of the daemon's group", r.stderr)


class DeepDataFolder(unittest.TestCase):
    def test_a_socket_path_longer_than_sun_path_works(self):
        # sun_path holds 107 bytes; the data folder may be deeper than that.
        folder = STATE / ("deep-" + "d" * 60) / ("e" * 60)
        server = DirmailInstance(folder)
        server.provision()
        self.assertGreater(len(str(folder / "control.sock")), 107)
        server.start()
        try:
            self.assertEqual(json.loads(server.ctl("status", "--json").stdout)["pid"], server.pid())
            self.assertTrue(stat.S_ISSOCK(os.stat(folder / "control.sock").st_mode))
        finally:
            server.stop()
        self.assertFalse((folder / "control.sock").exists())


class NoDaemon(unittest.TestCase):
    def test_status_says_the_daemon_does_not_run(self):
        folder = STATE / "stopped"
        stopped = DirmailInstance(folder)
        stopped.provision()
        r = stopped.ctl("status", check=False)
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("dirmaild does not run", r.stderr)
        # A socket file left by a daemon killed with -9 does not stop the next start.
        stopped.start()
        pid = stopped.pid()
        os.kill(pid, 9)
        stopped.proc.wait(30)
        self.assertTrue((folder / "control.sock").exists())
        self.assertEqual(stopped.ctl("status", check=False).returncode, 3)
        stopped.start()
        try:
            self.assertEqual(json.loads(stopped.ctl("status", "--json").stdout)["pid"], stopped.pid())
        finally:
            stopped.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
