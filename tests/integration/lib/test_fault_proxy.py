#!/usr/bin/python3
"""FaultProxy in front of a small echo server: what a client sees in each mode
(pass, refuse, hang, cut, delay), the counters, and a clean stop without busy loops."""

import os
import socket
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fault_proxy import FaultProxy  # noqa: E402

# How long a client waits before it decides that nothing is coming.
QUIET = 0.4
TIMEOUT = 5.0


class EchoServer:
    """Echoes every byte back; one thread per connection. Counts connections."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        self.threads = []
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._echo, args=(conn,), daemon=True)
            self.threads.append(thread)
            thread.start()

    @staticmethod
    def _echo(conn):
        with conn:
            try:
                while data := conn.recv(65536):
                    conn.sendall(data)
            except OSError:
                pass

    def close(self):
        if self.listener.fileno() >= 0:
            self.listener.shutdown(socket.SHUT_RDWR)
            self.listener.close()
        self.accepting.join(TIMEOUT)


def nothing_arrives(sock, wait=QUIET):
    """True when the socket stays silent (no data, no EOF) for wait seconds."""
    sock.settimeout(wait)
    try:
        sock.recv(1)
    except socket.timeout:
        return True
    except OSError:
        return False
    return False


def connection_ends(sock, timeout=TIMEOUT):
    """True when the peer closes (EOF) or resets the connection."""
    sock.settimeout(timeout)
    try:
        while sock.recv(4096):
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


class FaultProxyTest(unittest.TestCase):
    def setUp(self):
        self.echo = EchoServer()
        self.proxy = FaultProxy("127.0.0.1", self.echo.port).start()
        self.clients = []

    def tearDown(self):
        for client in self.clients:
            client.close()
        self.proxy.stop()
        self.echo.close()

    def connect(self):
        client = socket.create_connection((self.proxy.address, self.proxy.port), TIMEOUT)
        self.clients.append(client)
        return client

    def receive_exactly(self, sock, count):
        sock.settimeout(TIMEOUT)
        data = b""
        while len(data) < count:
            try:
                chunk = sock.recv(count - len(data))
            except socket.timeout:
                self.fail(f"received {len(data)} of {count} bytes, then nothing for "
                          f"{TIMEOUT} s; proxy: {self.proxy.stats()}")
            if not chunk:
                break
            data += chunk
        return data

    def round_trip(self, client, payload=b"ping"):
        client.sendall(payload)
        return self.receive_exactly(client, len(payload))

    def wait_for(self, condition, what):
        deadline = time.monotonic() + TIMEOUT
        while not condition():
            if time.monotonic() > deadline:
                self.fail(f"timed out waiting for {what}")
            time.sleep(0.02)

    def test_pass_forwards_both_ways_and_counts(self):
        self.assertEqual(self.proxy.address, "127.0.0.1")
        self.assertNotEqual(self.proxy.port, 0)
        client = self.connect()
        payload = os.urandom(300_000)  # several chunks, both ways
        client.sendall(payload)
        self.assertEqual(self.receive_exactly(client, len(payload)), payload)
        stats = self.proxy.stats()
        self.assertEqual(stats["connections_accepted"], 1)
        self.assertEqual(stats["bytes_to_target"], len(payload))
        self.assertEqual(stats["bytes_to_client"], len(payload))
        self.assertEqual(self.proxy.bytes_to_client, len(payload))

    def test_half_close_is_passed_on(self):
        client = self.connect()
        client.sendall(b"last words")
        client.shutdown(socket.SHUT_WR)
        self.assertEqual(self.receive_exactly(client, 10), b"last words")
        # The echo server sees EOF, closes, and the proxy passes that on too.
        self.assertTrue(connection_ends(client))
        self.wait_for(lambda: self.proxy.open_connections == 0, "the link to close")

    def test_refuse_closes_the_port_and_reopens_it(self):
        kept = self.connect()
        self.assertEqual(self.round_trip(kept), b"ping")
        self.proxy.refuse()
        self.assertEqual(self.proxy.mode, "refuse")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection((self.proxy.address, self.proxy.port), TIMEOUT).close()
        # A connection made before still works.
        self.assertEqual(self.round_trip(kept, b"still"), b"still")
        port = self.proxy.port
        self.proxy.forward()
        self.assertEqual(self.proxy.port, port)
        self.assertEqual(self.round_trip(self.connect(), b"again"), b"again")
        self.assertEqual(self.proxy.connections_accepted, 2)

    def test_hang_holds_old_and_new_connections_until_resumed(self):
        old = self.connect()
        self.assertEqual(self.round_trip(old), b"ping")
        self.proxy.hang()
        old.sendall(b"held")
        self.assertTrue(nothing_arrives(old))
        new = self.connect()  # the connect itself succeeds, like a stopped server's
        new.sendall(b"queued")
        self.assertTrue(nothing_arrives(new))
        self.assertEqual(self.proxy.connections_accepted, 2)
        self.assertEqual(self.echo.connections, 1, "a hung connection reached the target")
        self.assertEqual(self.proxy.bytes_to_target, 4)
        self.proxy.forward()
        self.assertEqual(self.receive_exactly(old, 4), b"held")
        self.assertEqual(self.receive_exactly(new, 6), b"queued")
        self.assertEqual(self.echo.connections, 2)

    def test_hang_applies_back_pressure(self):
        client = self.connect()
        self.proxy.hang()
        client.setblocking(False)
        sent = 0
        deadline = time.monotonic() + TIMEOUT
        # With nothing read, the kernel buffers fill and sending stops.
        while time.monotonic() < deadline:
            try:
                sent += client.send(b"x" * 65536)
            except BlockingIOError:
                break
        else:
            self.fail("sending never blocked while the proxy hung")
        self.assertEqual(self.proxy.bytes_to_target, 0)
        client.setblocking(True)
        self.proxy.forward()
        self.assertEqual(len(self.receive_exactly(client, sent)), sent)

    def test_cut_closes_current_connections_and_keeps_accepting(self):
        first, second = self.connect(), self.connect()
        self.assertEqual(self.round_trip(first), b"ping")
        self.assertEqual(self.round_trip(second), b"ping")
        self.proxy.cut()
        self.assertTrue(connection_ends(first))
        self.assertTrue(connection_ends(second))
        # New connects are accepted, then closed at once.
        late = self.connect()
        self.assertTrue(connection_ends(late))
        self.assertEqual(self.proxy.connections_accepted, 3)
        self.proxy.forward()
        self.assertEqual(self.round_trip(self.connect(), b"back"), b"back")

    def test_cut_connections_once_keeps_the_mode(self):
        client = self.connect()
        self.assertEqual(self.round_trip(client), b"ping")
        self.proxy.cut_connections(reset=True)
        self.assertTrue(connection_ends(client))
        self.assertEqual(self.proxy.mode, "pass")
        self.assertEqual(self.round_trip(self.connect(), b"fresh"), b"fresh")

    def test_delay_adds_latency_each_way(self):
        client = self.connect()
        began = time.monotonic()
        self.assertEqual(self.round_trip(client), b"ping")
        undelayed = time.monotonic() - began
        self.proxy.delay(0.3)
        self.assertEqual(self.proxy.delay_seconds, 0.3)
        began = time.monotonic()
        self.assertEqual(self.round_trip(client, b"slow"), b"slow")
        elapsed = time.monotonic() - began
        # 0.3 s towards the target and 0.3 s back.
        self.assertGreaterEqual(elapsed, 0.6)
        self.assertLess(elapsed, 0.6 + 1.0 + undelayed)
        self.proxy.forward()
        began = time.monotonic()
        self.assertEqual(self.round_trip(client, b"fast"), b"fast")
        self.assertLess(time.monotonic() - began, 0.3)

    def test_delay_keeps_order_across_many_writes(self):
        client = self.connect()
        self.proxy.delay(0.05)
        pieces = [f"{i:04d}".encode() for i in range(200)]
        for piece in pieces:
            client.sendall(piece)
        self.assertEqual(self.receive_exactly(client, 800), b"".join(pieces))

    def test_target_down_resets_the_client(self):
        self.echo.close()
        # The proxy accepts, fails to reach the target and resets the client; on
        # loopback the reset may arrive before connect() has even returned.
        try:
            client = self.connect()
        except ConnectionResetError:
            return
        self.assertTrue(connection_ends(client))
        self.assertEqual(self.proxy.open_connections, 0)

    def test_idle_modes_use_no_cpu(self):
        # Data held back in hang, and chunks waiting in a long delay, must leave the
        # loop asleep in select().
        held = self.connect()
        self.proxy.hang()
        held.sendall(b"x" * 1000)
        began = time.process_time()
        time.sleep(0.5)
        hang_cpu = time.process_time() - began
        self.proxy.delay(5.0)
        delayed = self.connect()
        delayed.sendall(b"y" * 1000)
        began = time.process_time()
        time.sleep(0.5)
        delay_cpu = time.process_time() - began
        self.assertLess(hang_cpu, 0.1)
        self.assertLess(delay_cpu, 0.1)

    def test_stop_closes_everything(self):
        client = self.connect()
        self.assertEqual(self.round_trip(client), b"ping")
        port = self.proxy.port
        self.proxy.stop()
        self.assertTrue(connection_ends(client))
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), TIMEOUT).close()
        self.assertFalse(any(t.name == f"FaultProxy:{port}" for t in threading.enumerate()))
        self.proxy.stop()  # a second stop is harmless

    def test_start_in_refuse_mode_and_unknown_modes(self):
        proxy = FaultProxy("127.0.0.1", self.echo.port)
        proxy.refuse()
        proxy.start()
        try:
            with self.assertRaises(ConnectionRefusedError):
                socket.create_connection(("127.0.0.1", proxy.port), TIMEOUT).close()
            proxy.forward()
            client = socket.create_connection(("127.0.0.1", proxy.port), TIMEOUT)
            self.clients.append(client)
            self.assertEqual(self.round_trip(client), b"ping")
            with self.assertRaises(ValueError):
                proxy.set_mode("drop")
            with self.assertRaises(ValueError):
                proxy.set_mode("delay")
        finally:
            proxy.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
