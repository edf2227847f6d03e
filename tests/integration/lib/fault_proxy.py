"""A TCP proxy that injects the faults a directory (or any) server shows, for
failover tests run in-process from Python (the kernel's netem is not available):

    proxy = FaultProxy(dc_host, 636).start()   # then point the code under test at
    ...                                        # proxy.address:proxy.port
    proxy.hang()         # accepts, forwards nothing either way, like a SIGSTOPped peer
    proxy.forward()      # back to normal; what was held back flows on
    proxy.stop()

Modes, settable at any time from any thread (each call returns once it is in effect):
  pass     forward both ways (forward())
  refuse   close the listening socket so new connects are refused; existing ones go on
           forwarding. Any other mode reopens the same port (refuse()).
  hang     accept, but read and write nothing on any connection, old or new; new ones
           are not connected to the target until the mode changes (hang()).
  cut      close every current connection, and every new one right after accepting
           it (cut()). cut_connections() closes the current ones once, mode unchanged.
  delay    forward, each chunk held back `seconds` in each direction (delay(seconds)).

Counters: connections_accepted, peak_open_connections, bytes_to_target, bytes_to_client (bytes delivered),
open_connections. One thread runs a selector loop; it sleeps in select() until a
socket is ready, a delayed chunk falls due or a call arrives, never polling.
"""

import collections
import errno
import selectors
import socket
import struct
import threading
import time

PASS, REFUSE, HANG, CUT, DELAY = "pass", "refuse", "hang", "cut", "delay"
MODES = (PASS, REFUSE, HANG, CUT, DELAY)

CHUNK_SIZE = 64 * 1024
# A direction stops reading once this much waits to be sent: the sender then feels
# the back-pressure of a slow receiver, as it would without the proxy.
MAX_QUEUED_BYTES = 1024 * 1024
CALL_TIMEOUT = 10.0


def _family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _abort(sock):
    """Closes with a reset (RST) instead of an orderly FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


class _Direction:
    """Bytes read from one socket, waiting (until due) to be written to the other."""

    def __init__(self):
        self.chunks = collections.deque()  # (due monotonic time, bytes)
        self.queued = 0
        self.eof = False        # the source has closed its sending side
        self.shut_down = False  # we have passed that EOF on (shutdown SHUT_WR)

    def finished(self):
        return self.shut_down


class _Link:
    """One accepted client connection and its connection to the target."""

    def __init__(self, client):
        self.client = client
        self.upstream = None
        self.connected = False  # upstream connect completed
        self.to_target = _Direction()
        self.to_client = _Direction()
        self.closed = False

    def sockets(self):
        return [s for s in (self.client, self.upstream) if s is not None]


class FaultProxy:
    def __init__(self, target_host, target_port, listen_host="127.0.0.1", listen_port=0):
        self.target = (target_host, target_port)
        self.address = listen_host
        self.port = listen_port
        self.connections_accepted = 0
        self.peak_open_connections = 0
        self.bytes_to_target = 0
        self.bytes_to_client = 0
        self._mode = PASS
        self._delay = 0.0
        self._links = []
        self._listener = None
        self._selector = None
        self._registered = {}  # socket -> events mask currently registered
        self._calls = collections.deque()
        self._calls_lock = threading.Lock()
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_reader.setblocking(False)
        self._wake_writer.setblocking(False)
        self._thread = None
        self._running = False
        self._failure = None

    # --- public API -------------------------------------------------------------------

    def start(self):
        if self._thread is not None:
            raise RuntimeError("FaultProxy already started")
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._wake_reader, selectors.EVENT_READ, None)
        if self._mode != REFUSE:
            self._open_listener()
        else:
            self._reserve_port()
        self._running = True
        self._thread = threading.Thread(target=self._run, name=f"FaultProxy:{self.port}",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self):
        """Closes every socket and ends the thread; raises if the loop had failed."""
        if self._thread is None:
            return
        if self._thread.is_alive():
            self._call(self._stop_in_loop)
            self._thread.join(CALL_TIMEOUT)
        self._thread = None
        for sock in (self._wake_reader, self._wake_writer):
            sock.close()
        if self._failure is not None:
            raise RuntimeError("FaultProxy loop failed") from self._failure

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def url(self, scheme):
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{scheme}://{host}:{self.port}"

    @property
    def mode(self):
        return self._mode

    @property
    def delay_seconds(self):
        return self._delay if self._mode == DELAY else 0.0

    @property
    def open_connections(self):
        return self._call(lambda: len(self._links))

    def stats(self):
        return self._call(lambda: {
            "mode": self._mode, "connections_accepted": self.connections_accepted,
            "open_connections": len(self._links), "peak_open_connections": self.peak_open_connections,
            "bytes_to_target": self.bytes_to_target,
            "bytes_to_client": self.bytes_to_client})

    def set_mode(self, mode, seconds=None):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        if (mode == DELAY) != (seconds is not None):
            raise ValueError("seconds goes with mode 'delay' only")
        if seconds is not None and seconds < 0:
            raise ValueError("delay must be >= 0")
        self._call(lambda: self._apply_mode(mode, float(seconds or 0.0)))

    def forward(self):
        self.set_mode(PASS)

    def refuse(self):
        self.set_mode(REFUSE)

    def hang(self):
        self.set_mode(HANG)

    def cut(self):
        self.set_mode(CUT)

    def delay(self, seconds):
        self.set_mode(DELAY, seconds)

    def cut_connections(self, reset=False):
        """Closes every current connection (with RST when reset), keeping the mode."""
        self._call(lambda: self._close_all(reset))

    # --- calls into the loop thread ---------------------------------------------------

    def _call(self, function):
        """Runs function in the loop thread (or here when no loop runs) and returns
        its result once it has run."""
        if self._thread is None or not self._thread.is_alive():
            if self._failure is not None:
                raise RuntimeError("FaultProxy loop failed") from self._failure
            return function()
        done = threading.Event()
        outcome = {}

        def wrapped():
            try:
                outcome["value"] = function()
            except BaseException as error:  # handed back to the caller
                outcome["error"] = error
            done.set()

        with self._calls_lock:
            self._calls.append(wrapped)
        try:
            self._wake_writer.send(b"\0")
        except BlockingIOError:
            pass  # already awake
        if not done.wait(CALL_TIMEOUT):
            raise RuntimeError("FaultProxy loop did not answer" +
                               (f": {self._failure!r}" if self._failure else ""))
        if "error" in outcome:
            raise outcome["error"]
        return outcome.get("value")

    def _run_calls(self):
        try:
            while self._wake_reader.recv(4096):
                pass
        except BlockingIOError:
            pass
        while True:
            with self._calls_lock:
                if not self._calls:
                    return
                call = self._calls.popleft()
            call()

    def _stop_in_loop(self):
        self._running = False

    # --- mode changes (loop thread) ---------------------------------------------------

    def _apply_mode(self, mode, seconds):
        previous = self._mode
        self._mode, self._delay = mode, seconds
        if mode == REFUSE and self._listener is not None:
            self._close_listener()
        if mode != REFUSE and self._listener is None and self._selector is not None:
            self._open_listener()
        if mode == CUT:
            self._close_all(reset=False)
        if previous == HANG and mode != HANG:
            for link in list(self._links):
                if link.upstream is None:
                    self._connect_upstream(link)

    def _reserve_port(self):
        # A proxy started in refuse mode still needs its port number.
        if self.port == 0:
            with socket.socket(_family(self.address), socket.SOCK_STREAM) as probe:
                probe.bind((self.address, 0))
                self.port = probe.getsockname()[1]

    def _open_listener(self):
        listener = socket.socket(_family(self.address), socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((self.address, self.port))
            listener.listen(128)
            listener.setblocking(False)
        except OSError:
            listener.close()
            raise
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._selector.register(listener, selectors.EVENT_READ, None)

    def _close_listener(self):
        self._selector.unregister(self._listener)
        # Connections queued but not yet accepted are reset by the kernel.
        self._listener.close()
        self._listener = None

    # --- the loop ---------------------------------------------------------------------

    def _run(self):
        try:
            while self._running:
                for key, events in self._selector.select(self._next_timeout()):
                    if key.fileobj is self._wake_reader:
                        self._run_calls()
                    elif isinstance(key.data, _Link):
                        self._on_ready(key.data, key.fileobj, events)
                    elif key.fileobj is self._listener:  # not one closed meanwhile
                        self._accept()
                self._pump()
        except BaseException as error:
            self._failure = error
        finally:
            self._shutdown()

    def _shutdown(self):
        self._running = False
        self._close_all(reset=False)
        if self._listener is not None:
            self._close_listener()
        self._selector.close()
        self._selector = None
        # Calls that raced with the end are answered rather than left waiting.
        with self._calls_lock:
            pending = list(self._calls)
            self._calls.clear()
        for call in pending:
            call()

    def _next_timeout(self):
        """Seconds until the next delayed chunk falls due. A due chunk whose socket
        waits for EVENT_WRITE (its buffer was full) waits for that, not for a timeout;
        one that fell due after _pump() looked (so no EVENT_WRITE was asked for) is
        written on the next turn: timeout 0."""
        if not self._forwarding():
            return None
        now = time.monotonic()
        dues = []
        for link in self._links:
            for direction, destination in ((link.to_target, link.upstream), (link.to_client, link.client)):
                if not direction.chunks:
                    continue
                if self._registered.get(destination, 0) & selectors.EVENT_WRITE:
                    continue
                dues.append(direction.chunks[0][0])
        return max(0.0, min(dues) - now) if dues else None

    def _forwarding(self):
        return self._mode in (PASS, DELAY, REFUSE)

    def _accept(self):
        while self._listener is not None:
            try:
                client, _ = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                if error.errno in (errno.ECONNABORTED, errno.EMFILE, errno.ENFILE):
                    return
                raise
            self.connections_accepted += 1
            if self._mode == CUT:
                client.close()
                continue
            client.setblocking(False)
            client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(client)
            self._links.append(link)
            self.peak_open_connections = max(self.peak_open_connections, len(self._links))
            if self._mode != HANG:
                self._connect_upstream(link)

    def _connect_upstream(self, link):
        upstream = socket.socket(_family(self.target[0]), socket.SOCK_STREAM)
        upstream.setblocking(False)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        link.upstream = upstream
        code = upstream.connect_ex(self.target)
        if code == 0:
            link.connected = True
        elif code not in (errno.EINPROGRESS, errno.EWOULDBLOCK):
            self._close_link(link, reset=True)  # the client sees its peer vanish

    def _on_ready(self, link, sock, events):
        if link.closed:
            return
        try:
            if sock is link.upstream and not link.connected:
                code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if code != 0:
                    self._close_link(link, reset=True)
                    return
                link.connected = True
            if events & selectors.EVENT_READ:
                self._read(link, sock)
        except OSError:
            self._close_link(link, reset=True)

    def _read(self, link, sock):
        direction = link.to_target if sock is link.client else link.to_client
        data = sock.recv(CHUNK_SIZE)
        if not data:
            direction.eof = True
            return
        due = time.monotonic() + (self._delay if self._mode == DELAY else 0.0)
        direction.chunks.append((due, data))
        direction.queued += len(data)

    def _pump(self):
        """Writes what is due, passes EOFs on, closes finished links and sets what each
        socket waits for."""
        now = time.monotonic()
        for link in list(self._links):
            if link.closed:
                continue
            try:
                if self._forwarding() and link.connected:
                    self._write(link, link.to_target, link.upstream, now, "bytes_to_target")
                    self._write(link, link.to_client, link.client, now, "bytes_to_client")
            except OSError:
                self._close_link(link, reset=True)
                continue
            if link.to_target.finished() and link.to_client.finished():
                self._close_link(link, reset=False)
            else:
                self._update_interest(link, now)

    def _write(self, link, direction, destination, now, counter):
        while direction.chunks and direction.chunks[0][0] <= now:
            due, data = direction.chunks[0]
            try:
                sent = destination.send(data)
            except (BlockingIOError, InterruptedError):
                return
            setattr(self, counter, getattr(self, counter) + sent)
            direction.queued -= sent
            if sent < len(data):
                direction.chunks[0] = (due, data[sent:])
                return
            direction.chunks.popleft()
        if direction.eof and not direction.chunks and not direction.shut_down:
            destination.shutdown(socket.SHUT_WR)
            direction.shut_down = True

    def _update_interest(self, link, now):
        active = self._forwarding() and link.connected
        for sock, incoming, outgoing in ((link.client, link.to_target, link.to_client),
                                         (link.upstream, link.to_client, link.to_target)):
            if sock is None:
                continue
            events = 0
            if sock is link.upstream and not link.connected:
                events = selectors.EVENT_WRITE  # connect completion
            elif active:
                if not incoming.eof and incoming.queued < MAX_QUEUED_BYTES:
                    events |= selectors.EVENT_READ
                # Due data still here means the last send hit a full buffer.
                if outgoing.chunks and outgoing.chunks[0][0] <= now:
                    events |= selectors.EVENT_WRITE
            self._register(sock, events, link)

    def _register(self, sock, events, link):
        current = self._registered.get(sock, 0)
        if events == current:
            return
        if current == 0:
            self._selector.register(sock, events, link)
        elif events == 0:
            self._selector.unregister(sock)
        else:
            self._selector.modify(sock, events, link)
        if events:
            self._registered[sock] = events
        else:
            self._registered.pop(sock, None)

    def _close_link(self, link, reset):
        if link.closed:
            return
        link.closed = True
        for sock in link.sockets():
            if self._registered.pop(sock, 0):
                self._selector.unregister(sock)
            if reset:
                _abort(sock)
            else:
                sock.close()
        self._links.remove(link)

    def _close_all(self, reset):
        for link in list(self._links):
            self._close_link(link, reset)
