"""The store lease and the role gate with two real dirmaild nodes on one shared folder
(store and queue), their roles set as the cluster engine's hooks set them (dirmailctl
cluster promote|demote), without keepalived: only one node is active at a time, a
node takes over only after the other's lease expired or was released, and a node that
was frozen while the other took over writes nothing when it resumes (it fences itself:
refused writes, no sessions, a failing health check). The keepalived pair in network
namespaces is test_failover.py."""
import imaplib
import os
import poplib
import shutil
import signal
import smtplib
import socket
import sys
import time
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from mail_clients import send_tagged  # noqa: E402
from metrics_scrape import scrape, value  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "cluster-store-lease"
LEASE_TIME = 3  # s: the node that watches takes over 3 s after the last renewal it saw


def cluster_config(shared):
    return (f'[store]\nroot = "{shared / "mail"}"\n[queue]\ndir = "{shared / "queue"}"\n'
            f'[cluster]\nvirtual_ip = "192.0.2.25/24"\nlease_time = {LEASE_TIME}\n')


def imap_state(client):
    """UIDVALIDITY and each message's UID and flags, as a client caches them (without
    \\Recent, which only the first session to see a message gets, RFC 3501)."""
    _, validity = client.response("UIDVALIDITY")
    _, fetched = client.uid("FETCH", "1:*", "(UID FLAGS)")
    return validity, sorted(f.replace(b"\\Recent ", b"").replace(b" \\Recent", b"") for f in fetched if f)


def state_of(inst):
    path = inst.folder / "cluster" / "state"
    fields = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition(" ")
            fields[key] = value
    return fields


class StoreLease(unittest.TestCase):
    def setUp(self):
        shutil.rmtree(STATE, ignore_errors=True)
        self.shared = STATE / "shared"
        self.shared.mkdir(parents=True)
        self.nodes = []
        for name in ("node1", "node2"):
            inst = DirmailInstance(STATE / name, extra_config=cluster_config(self.shared), node_name=name,
                                   metrics=True)
            inst.provision()
            inst.start()
            self.nodes.append(inst)
        self.node1, self.node2 = self.nodes

    def tearDown(self):
        for inst in self.nodes:
            if inst.proc and inst.proc.poll() is None:
                os.kill(inst.proc.pid, signal.SIGCONT)
            inst.stop()

    def wait_state(self, inst, state, timeout=30):
        ok = wait_for(lambda: state_of(inst).get("state") == state, timeout=timeout, interval=0.05)
        self.assertTrue(ok, f"{inst.node_name} is not {state}: {state_of(inst)}\n{inst.log_text('cluster')[-2000:]}")

    def delivered(self, tag):
        """Copies of the message tagged `tag` in the mailboxes on the shared store."""
        count = 0
        for path in (self.shared / "mail").rglob("*"):
            if path.is_file() and path.parent.name in ("cur", "new"):
                try:
                    count += tag.encode() in path.read_bytes()
                except FileNotFoundError:
                    pass
        return count

    def health(self, inst):
        return inst.ctl("health", check=False).returncode

    def test_one_active_node_then_takeover_after_a_freeze_and_the_resumed_node_fences_itself(self):
        self.wait_state(self.node1, "standby")
        self.assertEqual(self.health(self.node1), 0, "a standby answers the health check")
        self.node1.ctl("cluster", "promote")
        self.wait_state(self.node1, "active")
        send_tagged(self.node1.smtp_port, "alice@example.test", "lease-before")
        self.assertTrue(wait_for(lambda: self.delivered("lease-before") == 1, timeout=30))

        # The engine makes node2 active too (split brain of the engine): node2 waits, since
        # node1 keeps renewing.
        self.node2.ctl("cluster", "promote")
        self.wait_state(self.node2, "acquiring")
        time.sleep(LEASE_TIME * 2)
        self.assertEqual(state_of(self.node2)["state"], "acquiring", self.node2.log_text("cluster")[-1500:])
        self.assertIn("held by node1", state_of(self.node2).get("lease_reason", ""))

        # IMAP state on node1: UIDVALIDITY, UIDs and flags.
        imap1 = imaplib.IMAP4("127.0.0.1", self.node1.imap_port)
        imap1.login("alice@example.test", USERS["alice@example.test"])
        imap1.select("INBOX")
        imap1.uid("STORE", "1:*", "+FLAGS", "(\\Flagged $Label1)")
        imap_before = imap_state(imap1)
        imap1.logout()

        # A POP3 client holds alice's maildrop on node1 (RFC 1939's exclusive lock).
        pop = poplib.POP3("127.0.0.1", self.node1.pop3_port, timeout=60)
        pop.user("alice@example.test")
        pop.pass_(USERS["alice@example.test"])
        uidls_before = pop.uidl()[1]

        # node1 freezes in the middle of a transaction; node2 takes over.
        client = smtplib.SMTP("127.0.0.1", self.node1.smtp_port, timeout=60)
        client.ehlo("client.example.org")
        client.mail("sender@example.org")
        client.rcpt("bob@example.test")
        code, _ = client.docmd("DATA")
        self.assertEqual(code, 354)
        client.send(b"Subject: lease-frozen\r\n\r\nlease-frozen\r\n")
        frozen_at = time.monotonic()
        self.node1.signal(signal.SIGSTOP)
        self.wait_state(self.node2, "active", timeout=30)
        takeover = time.monotonic() - frozen_at
        print(f"takeover after a freeze: {takeover:.1f} s (lease_time {LEASE_TIME} s)", file=sys.stderr)
        self.assertEqual(state_of(self.node2)["epoch"], "2")
        # The maildrop lock of the frozen node's session does not lock alice out on node2
        # (node1 is fenced), and the UIDLs are the ones node1 showed.
        pop2 = poplib.POP3("127.0.0.1", self.node2.pop3_port, timeout=60)
        pop2.user("alice@example.test")
        pop2.pass_(USERS["alice@example.test"])
        self.assertEqual(pop2.uidl()[1], uidls_before)
        pop2.quit()
        imap2 = imaplib.IMAP4("127.0.0.1", self.node2.imap_port)
        imap2.login("alice@example.test", USERS["alice@example.test"])
        imap2.select("INBOX")
        self.assertEqual(imap_state(imap2), imap_before)
        self.assertIn(b"\\Flagged", imap_before[1][0])
        imap2.logout()
        send_tagged(self.node2.smtp_port, "alice@example.test", "lease-after")
        self.assertTrue(wait_for(lambda: self.delivered("lease-after") == 1, timeout=30))

        # node1 resumes: the end of its DATA is not acknowledged, nothing of it is stored.
        self.node1.signal(signal.SIGCONT)
        try:
            client.send(b".\r\n")
            code, reply = client.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as e:
            code, reply = None, str(e).encode()
        self.assertNotEqual(code, 250, reply)
        self.wait_state(self.node1, "fenced", timeout=15)
        # The lease ended at its deadline (its watchdog needs no I/O); then the node looks
        # at the store and says who took over.
        self.assertTrue(wait_for(lambda: "stale epoch 1: epoch 2 was taken by node2" in self.node1.log_text("cluster"),
                                 timeout=15), self.node1.log_text("cluster")[-2000:])
        self.assertIn("store lease lost", self.node1.log_text("cluster"))
        time.sleep(2)  # node2 delivers anything queued meanwhile
        self.assertEqual(self.delivered("lease-frozen"), 0)
        self.assertEqual(self.delivered("lease-before"), 1)

        self.assertEqual(self.node1.ctl("cluster", "status", "--state").stdout, "fenced\n")
        self.assertEqual(self.node2.ctl("cluster", "status", "--state").stdout, "active\n")
        # A fenced node answers nobody, so the engine's health check moves the address.
        self.assertNotEqual(self.health(self.node1), 0)
        with socket.create_connection(("127.0.0.1", self.node1.smtp_port), timeout=10) as s:
            self.assertEqual(s.recv(100), b"", "a fenced node greets nobody")
        # The engine demotes it: standby, healthy again, still not writing.
        self.node1.ctl("cluster", "demote")
        self.wait_state(self.node1, "standby")
        self.assertTrue(wait_for(lambda: self.health(self.node1) == 0, timeout=15))
        pop.close()

        # A planned switch back: node2 releases, node1 (fenced earlier) takes a new epoch
        # at once and serves again: its sessions were stopped, not its services.
        self.node2.ctl("cluster", "demote")
        self.node1.ctl("cluster", "promote")
        self.wait_state(self.node1, "active")
        self.assertEqual(state_of(self.node1)["epoch"], "3")
        send_tagged(self.node1.smtp_port, "alice@example.test", "lease-back")
        self.assertTrue(wait_for(lambda: self.delivered("lease-back") == 1, timeout=30))
        self.node1.ctl("cluster", "demote")
        self.node2.ctl("cluster", "promote")
        self.wait_state(self.node2, "active")

        status = self.node2.ctl("cluster", "status").stdout
        self.assertIn("epoch 4 held by node2", status)
        self.assertIn("node node1", status)
        # The nodes' listeners differ in this test (free ports): status names them.
        self.assertIn("differ between node2 (left) and node1 (right)", status)
        self.assertIn(f'smtp.listen: [ "127.0.0.1 {self.node2.smtp_port}" ] | [ "127.0.0.1 {self.node1.smtp_port}" ]',
                      status)

    def test_a_released_lease_is_taken_at_once_and_a_restart_keeps_the_node_standby(self):
        self.node1.ctl("cluster", "promote")
        self.wait_state(self.node1, "active")
        m1 = scrape(self.node1.metrics_port)
        self.assertEqual(value(m1, "dirmail_cluster_role", role="active"), 1)
        self.assertEqual(value(m1, "dirmail_cluster_role", role="standby"), 0)
        self.assertEqual(value(m1, "dirmail_cluster_lease_held"), 1)
        epoch = value(m1, "dirmail_cluster_lease_epoch")
        self.assertGreaterEqual(epoch, 1)
        self.node2.ctl("cluster", "promote")
        self.wait_state(self.node2, "acquiring")
        self.assertEqual(value(scrape(self.node2.metrics_port), "dirmail_cluster_role", role="acquiring"), 1)
        self.node1.ctl("cluster", "demote")  # failback or a planned switch: node1 releases
        started = time.monotonic()
        self.wait_state(self.node2, "active")
        self.assertLess(time.monotonic() - started, LEASE_TIME, "a released lease needs no wait")
        # The metrics follow: node2 holds the next epoch, node1 is standby without the lease.
        self.assertTrue(wait_for(lambda: value(scrape(self.node1.metrics_port), "dirmail_cluster_role",
                                               role="standby") == 1, timeout=10))
        m1, m2 = scrape(self.node1.metrics_port), scrape(self.node2.metrics_port)
        self.assertEqual(value(m2, "dirmail_cluster_role", role="active"), 1)
        self.assertEqual(value(m2, "dirmail_cluster_lease_held"), 1)
        self.assertEqual(value(m2, "dirmail_cluster_lease_epoch"), epoch + 1)
        self.assertEqual(value(m1, "dirmail_cluster_lease_held"), 0)
        self.assertGreaterEqual(value(m2, "dirmail_cluster_transitions_total", state="active"), 1)
        self.assertRegex(self.node2.ctl("status").stdout,
                         rf"cluster: active for .*; store lease active at epoch {int(epoch) + 1}")
        self.assertIn("store lease released", self.node1.log_text("cluster"))
        send_tagged(self.node2.smtp_port, "carol@example.test", "lease-released")
        self.assertTrue(wait_for(lambda: self.delivered("lease-released") == 1, timeout=30))
        # node1, standby, refuses to write: a message it is given is not acknowledged.
        with self.assertRaises(smtplib.SMTPException):
            send_tagged(self.node1.smtp_port, "carol@example.test", "lease-standby", timeout=30)
        self.assertEqual(self.delivered("lease-standby"), 0)

        # A role file from before a reboot is not the engine's word now: node1 restarted
        # with "active" from an earlier boot stays standby.
        self.node1.stop()
        (self.node1.folder / "cluster" / "role").write_text("active\nboot 00000000-0000-0000-0000-000000000000\n")
        self.node1.start()
        self.wait_state(self.node1, "standby")
        time.sleep(LEASE_TIME)
        self.assertEqual(state_of(self.node1)["state"], "standby")
        self.assertIn("unknown (the role file says active, from before this machine started)",
                      self.node1.ctl("cluster", "status").stdout)

    def test_kill9_of_the_active_node_loses_no_queued_message(self):
        self.node1.ctl("cluster", "promote")
        self.wait_state(self.node1, "active")
        # Killed right after the last 250: some messages are still queued or under way.
        tags = [f"lease-kill-{i:03d}" for i in range(30)]  # no tag inside another
        for tag in tags:
            send_tagged(self.node1.smtp_port, "dave@example.test", tag)
        self.node1.kill9()
        self.node2.ctl("cluster", "promote")
        self.wait_state(self.node2, "active")
        self.assertTrue(wait_for(lambda: all(self.delivered(t) >= 1 for t in tags), timeout=60),
                        [t for t in tags if self.delivered(t) == 0])
        duplicates = sum(self.delivered(t) - 1 for t in tags)
        print(f"kill -9 of the active node: 30 acknowledged, 30 delivered, {duplicates} duplicates", file=sys.stderr)
        # A message is stored under its queue id: one delivered again after the kill (its
        # removal from the queue lost) finds its copy and is not stored twice.
        self.assertEqual(duplicates, 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
