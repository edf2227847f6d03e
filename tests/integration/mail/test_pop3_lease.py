"""The POP3 maildrop's exclusive access across servers sharing one store (RFC 1939 §8,
RFC 3206 [IN-USE]): two dirmaild instances, node1 and node2, keep their mailboxes in
the same folder, as the nodes of a pair keep them on one share. A session on one node
keeps the other node out until it ends; a node that dies (kill -9) keeps the other
node out too, while its own restart takes its lease over at once."""
import os
import poplib
import shutil
import sys
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", "/tmp/dirmail-tests")) / "pop3-lease"
ALICE = "alice@example.test"
NODES = {}


def setUpModule():
    shutil.rmtree(STATE, ignore_errors=True)
    shared = STATE / "share" / "mailboxes"
    shared.mkdir(parents=True)
    store = f'[store]\nmailbox_path = "{shared}/%DOMAIN%/%USERNAME%"\n'
    for node in ("node1", "node2"):
        instance = DirmailInstance(STATE / node, extra_config=store, node_name=node)
        instance.provision()
        instance.start()
        NODES[node] = instance


def tearDownModule():
    for instance in NODES.values():
        instance.stop()


def login(node):
    """A logged-in POP3 session on `node`, or the server's -ERR text."""
    client = poplib.POP3("127.0.0.1", NODES[node].pop3_port, timeout=30)
    client.user(ALICE)
    try:
        client.pass_(USERS[ALICE])
    except poplib.error_proto as error:
        client.close()
        return None, error.args[0].decode()
    return client, ""


class MaildropLease(unittest.TestCase):
    def test_a_session_on_one_node_keeps_the_other_out_until_it_ends(self):
        first, _ = login("node1")
        self.assertIsNotNone(first)
        second, refusal = login("node2")
        self.assertIsNone(second)
        self.assertTrue(refusal.startswith("-ERR [IN-USE]"), refusal)
        self.assertIn("mailbox in use", NODES["node2"].log_text("pop3"))
        first.quit()
        second, refusal = login("node2")
        self.assertIsNotNone(second, refusal)
        again, refusal = login("node1")
        self.assertTrue(refusal.startswith("-ERR [IN-USE]"), refusal)
        second.quit()

    def test_a_dead_node_keeps_the_other_out_and_its_restart_takes_over(self):
        held, _ = login("node1")
        self.assertIsNotNone(held)
        NODES["node1"].kill9()
        held.close()
        other, refusal = login("node2")
        self.assertIsNone(other)
        self.assertTrue(refusal.startswith("-ERR [IN-USE]"), refusal)
        NODES["node1"].start()
        mine, refusal = login("node1")  # the dead process's lease on this node is stale
        self.assertIsNotNone(mine, refusal)
        mine.quit()
        other, refusal = login("node2")
        self.assertIsNotNone(other, refusal)
        other.quit()


if __name__ == "__main__":
    unittest.main()
