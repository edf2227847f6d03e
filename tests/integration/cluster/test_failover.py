"""Failover of the active/standby pair (issue 10): two dirmail nodes with keepalived in
network namespaces the test makes, sharing the mail store and the queue, and a client
that sends mail through the virtual IP without pause, retrying 4xx replies and broken
connections as an MTA does. Each test injects one fault into the active node while mail
flows:

  kill -9 of dirmaild; SIGSTOP of dirmaild, resumed after the other node took over (it
  must not write again: the store lease's epoch refuses it); the node cut off the network
  with the store on an SMB share (it loses the share and fences itself); and failback,
  the primary coming back and taking the VIP again after cluster.failback_delay.

Every message that got 250 must be in each recipient's mailbox on the shared store (none
lost); duplicates are counted and printed, and may be at most the messages in flight at
the fault. The failover times are measured and printed (FAILOVER lines), not asserted.
Needs root and the Debian packages keepalived, samba and iproute2."""
import os
import re
import signal
import subprocess
import sys
import time
import unittest
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from cluster_pair import FAILBACK_DELAY, LEASE_TIME, RECIPIENTS, VIP_ADDRESS, ClusterPair, time_of_first  # noqa: E402
from dirmail_instance import USERS  # noqa: E402
from polling import wait_for  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "cluster-failover"
MESSAGES = 150
FAULT_AFTER = 40  # messages acknowledged before the fault
PACE = 0.1        # s: the client sends at most 10 messages a second, so that mail flows
                  # before, during and well after the failover
HELD = 9999       # the tag number of the transaction held open on the frozen node


def seconds(t, since):
    return f"{t - since:.1f} s" if t is not None else "never"


class Failover(unittest.TestCase):
    def make_pair(self, store="posix"):
        pair = ClusterPair(STATE / self.id().split(".")[-1], store)
        self.addCleanup(pair.close)  # also after a setup that failed half-way
        pair.start()
        return pair

    def start_traffic(self, pair, prefix, count=MESSAGES, fault_after=FAULT_AFTER):
        probe = pair.client_run("probe", VIP_ADDRESS)
        sender = pair.client_run("send", VIP_ADDRESS, count, prefix, PACE, *RECIPIENTS)
        started = wait_for(lambda: len(sender.snapshot("accepted")) >= fault_after or sender.proc.poll() is not None,
                           timeout=180)
        self.assertTrue(started, f"the first {fault_after} messages were not accepted\n{sender.snapshot()[-5:]}\n"
                                 f"{pair.explain()}")
        self.assertGreaterEqual(len(sender.snapshot("accepted")), fault_after,
                                f"the sender stopped: {sender.snapshot()[-5:]} {''.join(sender.stderr)}")
        return probe, sender

    def delivered_everywhere(self, pair, prefix):
        """The tags of the messages in every recipient's mailbox."""
        copies = pair.mailbox_copies(prefix)
        return {tag for tag, _ in copies if all((tag, mailbox(r)) in copies for r in RECIPIENTS)}

    def wait_vip(self, pair, node, timeout=90):
        self.assertTrue(wait_for(node.holds_vip, timeout=timeout, interval=0.05),
                        f"the VIP did not move to {node.name}\n{pair.explain()}")
        return time.time()

    def check_mail(self, pair, name, prefix, sender, probe, t_fault, t_vip, new_node, in_flight_bound, sent=MESSAGES):
        """Waits for the sender and the deliveries, prints the FAILOVER line, asserts none
        lost and at most IN_FLIGHT_BOUND duplicates. Returns the copies."""
        self.assertTrue(sender.wait(240), f"the sender did not finish\n{pair.explain()}")
        accepted = sender.snapshot("accepted")
        acknowledged = {e["tag"] for e in accepted}
        failed = sender.snapshot("failed")
        wait_for(lambda: acknowledged <= self.delivered_everywhere(pair, prefix), timeout=120, interval=1)
        # Let the queue drain so that late duplicates are counted too.
        wait_for(lambda: pair.queued() == [], timeout=60, interval=1)
        time.sleep(2)
        copies = pair.mailbox_copies(prefix)
        delivered = self.delivered_everywhere(pair, prefix)
        lost = sorted(acknowledged - delivered)
        doubled = {tag: max(copies.get((tag, mailbox(r)), 0) for r in RECIPIENTS) - 1
                   for tag in {t for t, _ in copies}}
        doubled = {tag: extra for tag, extra in doubled.items() if extra > 0}
        timing = ""
        if t_vip is not None:  # the fault's times, from the injection (or the primary's restart)
            answering = time_of_first(probe.snapshot("greeting"), t_fault, lambda e: e["host"] == new_node.hostname)
            first_250 = time_of_first(accepted, t_fault, lambda e: e["host"] == new_node.hostname)
            timing = (f"vip moved {seconds(t_vip, t_fault)}, smtp answering {seconds(answering, t_fault)}, "
                      f"first 250 {seconds(first_250, t_fault)}, ")
        retries = len(sender.snapshot("retry"))
        print(f"\nFAILOVER {name}: {timing}sent {sent}, "
              f"acknowledged {len(acknowledged)}, delivered {len(delivered & acknowledged)}, "
              f"duplicates {sum(doubled.values())} (in flight at the fault: {in_flight_bound}), "
              f"delivered unacknowledged {len(delivered - acknowledged)}, client retries {retries}, "
              f"queued at the end {len(pair.queued())}", flush=True)
        if doubled:
            print(f"FAILOVER {name}: duplicated messages (extra copies): {sorted(doubled.items())}", flush=True)
        for e in sender.snapshot("retry")[:8]:  # what the client saw first
            print(f"  retry +{e['t'] - t_fault:.1f} s {e['tag']}: {e['why']}", flush=True)
        stuck = pair.queued()
        if stuck:
            print(f"FAILOVER {name}: still queued after the deliveries: {stuck}", flush=True)
        self.assertEqual(failed, [], f"messages the client could not send (5xx, or no 250 through the VIP)\n"
                                     f"{pair.explain()}")
        self.assertEqual(lost, [], f"acknowledged messages lost\n{pair.explain()}")
        self.assertLessEqual(sum(doubled.values()), in_flight_bound,
                             f"more duplicates than messages in flight at the fault: {sorted(doubled.items())}")
        for r in RECIPIENTS:  # what the users see through the VIP is what the store holds
            on_store = {tag: n for (tag, box), n in copies.items() if box == mailbox(r)}
            self.assertEqual(self.pop3_copies(pair, r, prefix), on_store, f"{r}'s mailbox over POP3")
        return copies

    def pop3_copies(self, pair, address, prefix):
        """{tag: copies} of the user's messages with PREFIX, read over POP3 through the VIP."""
        client = pair.client_run("pop3", VIP_ADDRESS, address, USERS[address])
        self.assertTrue(client.wait(120), "POP3 through the VIP did not finish")
        self.assertTrue(client.snapshot("done"), f"POP3 through the VIP failed: {''.join(client.stderr)[-2000:]}")
        return dict(Counter(e["id"].split("@")[0] for e in client.snapshot("message")
                            if e["id"].startswith(prefix + "-")))

    def look_before_fault(self, pair, prefix):
        """What is on the store just before the fault: the messages delivered to every
        recipient, and how many are in the queue."""
        return self.delivered_everywhere(pair, prefix), len(pair.queued())

    def in_flight(self, pair, prefix, sender, t_fault, before):
        """The messages in flight at the fault: those in the queue (accepted, delivery not
        finished), or acknowledged and not yet delivered, at the last look before it, plus
        the transaction the client had open. Redelivering one of these after a crash is
        the at-least-once window; any other duplicate is a fault."""
        delivered, queued = before
        acked = {e["tag"] for e in sender.snapshot("accepted") if e["t"] <= t_fault}
        return max(queued, len(acked - delivered)) + 1

    # -- the scenarios -------------------------------------------------------------------
    def test_kill9_of_the_active_daemon_under_mail(self):
        pair = self.make_pair()
        prefix = "kill9"
        probe, sender = self.start_traffic(pair, prefix)
        before = self.look_before_fault(pair, prefix)
        t_fault = time.time()
        pair.node1.kill9()
        t_vip = self.wait_vip(pair, pair.node2)
        self.check_mail(pair, "kill9", prefix, sender, probe, t_fault, t_vip, pair.node2,
                        self.in_flight(pair, prefix, sender, t_fault, before))

    def test_frozen_active_daemon_does_not_write_after_it_resumes(self):
        pair = self.make_pair()
        prefix = "sigstop"
        # A transaction on node1's own address, held before its final dot: the dot reaches
        # node1 while it is frozen, so that it tries to commit the message when it resumes.
        held_tag = f"{prefix}-{HELD}"
        held = pair.client_run("hold", pair.node1.address, held_tag, RECIPIENTS[0], stdin=subprocess.PIPE)
        self.assertTrue(wait_for(lambda: held.snapshot("holding") or held.proc.poll() is not None, timeout=30))
        self.assertTrue(held.snapshot("holding"), f"no transaction held: {held.snapshot()} {''.join(held.stderr)}")
        probe, sender = self.start_traffic(pair, prefix)
        before = self.look_before_fault(pair, prefix)
        t_fault = time.time()
        pair.node1.signal(signal.SIGSTOP)
        t_vip = self.wait_vip(pair, pair.node2)
        # node2 has taken over and writes: it acknowledged mail of its own.
        def node2_took_mail():
            return len([e for e in sender.snapshot("accepted") if e["host"] == pair.node2.hostname]) >= 10
        self.assertTrue(wait_for(lambda: node2_took_mail() or sender.proc.poll() is not None, timeout=120),
                        f"node2 did not take mail over\n{pair.explain()}")
        held.proc.stdin.write("\n")
        held.proc.stdin.flush()
        time.sleep(0.5)  # the dot is in node1's socket buffer
        t_resumed = time.time()
        pair.node1.signal(signal.SIGCONT)
        self.assertTrue(held.wait(130), "the held transaction got no answer")
        reply = held.snapshot("reply")
        print(f"\nFAILOVER sigstop: node1 resumed {t_resumed - t_fault:.1f} s after the freeze; its answer to the held "
              f"message: {reply}; node1 state {pair.node1.cluster_state()}", flush=True)
        copies = self.check_mail(pair, "sigstop", prefix, sender, probe, t_fault, t_vip, pair.node2,
                                 self.in_flight(pair, prefix, sender, t_fault, before))
        # What the resumed node must not do: acknowledge or store the held message.
        self.assertEqual(len(reply), 1, f"{held.snapshot()} {''.join(held.stderr)}")
        self.assertNotEqual(reply[0]["code"], 250, "the resumed node acknowledged a message after losing the lease")
        self.assertFalse([key for key in copies if key[0] == held_tag],
                         "the resumed node wrote the held message into the store")
        refused = re.compile(r"store write refused")
        self.assertTrue(wait_for(lambda: refused.search(pair.node1.logs()), timeout=3 * LEASE_TIME),
                        f"node1's log has no 'store write refused' line\n{pair.node1.explain()}")
        # The epoch check: node1 finds the newer epoch node2 took, and says so.
        stale = re.compile(r"stale epoch (\d+): epoch (\d+) was taken by node2")
        self.assertTrue(wait_for(lambda: stale.search(pair.node1.logs()), timeout=3 * LEASE_TIME),
                        f"node1's log does not name the newer epoch of node2\n{pair.node1.explain()}")

    def test_active_node_cut_off_with_the_store_on_a_share(self):
        pair = self.make_pair("smb")
        prefix = "cutoff"
        probe, sender = self.start_traffic(pair, prefix)
        before = self.look_before_fault(pair, prefix)
        t_fault = time.time()
        pair.set_link(pair.node1, up=False)
        t_vip = self.wait_vip(pair, pair.node2)
        # Cut off (keepalived demotes it: no carrier) and away from the share, node1 is no
        # longer active: standby or fenced, it writes nothing (its node-local state says so).
        stopped = wait_for(lambda: pair.node1.cluster_state().get("state") in ("standby", "fenced"),
                           timeout=5 * LEASE_TIME, interval=0.2)
        print(f"\nFAILOVER cutoff: node1 {time.time() - t_fault:.1f} s after the cut: {pair.node1.cluster_state()}",
              flush=True)
        self.assertTrue(stopped, f"node1, cut off from the share, still says it is active\n{pair.node1.explain()}")
        self.check_mail(pair, "cutoff", prefix, sender, probe, t_fault, t_vip, pair.node2,
                        self.in_flight(pair, prefix, sender, t_fault, before))
        # Back on the segment: one node holds the VIP (node1 takes it back after
        # failback_delay if it is healthy) and mail flows through it.
        t_rejoin = time.time()
        pair.set_link(pair.node1, up=True)
        time.sleep(FAILBACK_DELAY + 5)
        holders = [node.name for node in pair.nodes if node.holds_vip()]
        print(f"FAILOVER cutoff: {time.time() - t_rejoin:.1f} s after the rejoin the VIP is on {holders}; "
              f"node1 {pair.node1.cluster_state().get('state')}, node2 {pair.node2.cluster_state().get('state')}",
              flush=True)
        self.assertEqual(len(holders), 1, pair.explain())
        rejoin = pair.client_run("send", VIP_ADDRESS, 20, "rejoin", PACE, *RECIPIENTS)
        self.check_mail(pair, "rejoin", "rejoin", rejoin, probe, time.time(), None, pair.node2, 1, sent=20)

    def test_failback_to_the_primary_under_mail(self):
        pair = self.make_pair()
        prefix = "failback"
        pair.node1.kill9()
        self.wait_vip(pair, pair.node2)
        self.assertTrue(wait_for(lambda: pair.greeting_host() == pair.node2.hostname, timeout=90, interval=0.3),
                        f"node2 did not take over\n{pair.explain()}")
        probe, sender = self.start_traffic(pair, prefix, count=2 * MESSAGES, fault_after=20)
        before = self.look_before_fault(pair, prefix)
        t_back = time.time()
        pair.node1.start_daemon()  # the primary comes back
        t_vip = self.wait_vip(pair, pair.node1, timeout=120)
        self.check_mail(pair, "failback", prefix, sender, probe, t_back, t_vip, pair.node1,
                        self.in_flight(pair, prefix, sender, t_back, before), sent=2 * MESSAGES)
        self.assertFalse(pair.node2.holds_vip(), pair.explain())


def mailbox(address):
    local, domain = address.split("@")
    return f"mailboxes/{domain}/{local}"


if __name__ == "__main__":
    unittest.main(verbosity=2)
