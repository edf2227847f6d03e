"""delivery.enabled: a node with delivery off (a cluster's standby) accepts and queues
mail without delivering it; started with delivery on, it delivers what was queued."""
import os
import shutil
import sys
import tempfile
import time
import unittest
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import USERS, DirmailInstance  # noqa: E402
from mail_clients import send_tagged, wait_for_messages  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "delivery_switch"


class DeliverySwitch(unittest.TestCase):
    def test_standby_queues_and_active_delivers(self):
        shutil.rmtree(STATE, ignore_errors=True)
        server = DirmailInstance(STATE / "server", delivery_settings="enabled = false")
        server.provision()
        server.start()
        try:
            tag = "switch-" + uuid.uuid4().hex
            send_tagged(server.smtp_port, "alice@example.test", tag)
            time.sleep(1)  # what a worker would need to deliver it
            self.assertEqual(len(server.queue_files()), 1, server.queue_files())
            self.assertEqual(wait_for_messages(server.pop3_port, "alice@example.test", USERS["alice@example.test"],
                                               tag, timeout=0.5), [])
            self.assertIn("delivery is off on this node", server.log_text("daemon"))
        finally:
            server.stop()
        server.delivery_settings = "enabled = true"
        server.write_config()
        server.start()
        try:
            found = wait_for_messages(server.pop3_port, "alice@example.test", USERS["alice@example.test"], tag)
            self.assertEqual(len(found), 1)
        finally:
            server.stop()


if __name__ == "__main__":
    unittest.main()
