#!/usr/bin/python3
"""IMAP load generator: C clients, each running whole sessions back to back for a fixed time.

  python3 imap_load.py --port P --users FILE --clients C --duration S [--rounds R] [--seed N]

A session: connect, LOGIN as a user of FILE (lines "address password") that no other
client is using (when there are at least as many users as clients), SELECT INBOX, then
R rounds of
  UID FETCH 1:* (FLAGS)                            the whole mailbox's flags (from the index)
  FETCH n:n+9 (UID FLAGS RFC822.SIZE ENVELOPE)     a page of a message list
  FETCH m BODY.PEEK[]                              one whole message
  STORE m +FLAGS/-FLAGS (\\Flagged)                 a flag change (alternating)
  SEARCH UNSEEN                                    a search
and LOGOUT. Each command is an operation; its latency is from sending it to its tagged
reply (a LOGIN's includes the server's password check). A reply other than OK is an
error and ends the client's session. Prints one JSON object: counts, latencies (ms)
per command (median, p99), and the generator's own CPU seconds.

One asyncio process with raw sockets (lib/session_load.py runs the clients): cheap per
command, so that the generator is not what limits the rate (its CPU is reported next to
the servers').
"""
import asyncio
import re
import time

from session_load import SessionError, run_load

LITERAL = re.compile(rb"\{(\d+)\}\r\n$")
EXISTS = re.compile(rb"^\* (\d+) EXISTS", re.M)
COMMANDS = ("login", "select", "fetch_flags", "fetch_envelope", "fetch_body", "store", "search", "logout")


class ImapError(SessionError):
    pass


class Client:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.tag = 0

    async def _response_line(self):
        """One response line with any literals it carries, as bytes."""
        parts = []
        while True:
            line = await self.reader.readline()
            if not line:
                raise ImapError("connection closed by the server")
            parts.append(line)
            m = LITERAL.search(line)
            if not m:
                return b"".join(parts)
            parts.append(await self.reader.readexactly(int(m.group(1))))

    async def command(self, text):
        self.tag += 1
        tag = b"a%d" % self.tag
        self.writer.write(tag + b" " + text.encode() + b"\r\n")
        untagged = []
        while True:
            line = await self._response_line()
            if line.startswith(tag + b" "):
                if not line[len(tag) + 1:].startswith(b"OK"):
                    raise ImapError(f"{text.split()[0]}: {line.strip()[:200].decode(errors='replace')}")
                return b"".join(untagged)
            untagged.append(line)


async def session(args, user, password, rng, record, stop_at):
    reader, writer = await asyncio.open_connection("127.0.0.1", args.port, limit=1 << 22)
    try:
        greeting = await reader.readline()
        if not greeting.startswith(b"* OK"):
            raise ImapError(f"greeting {greeting[:80]!r}")
        c = Client(reader, writer)

        async def timed(kind, text):
            start = time.perf_counter()
            out = await c.command(text)
            record(kind, time.perf_counter() - start)
            return out

        await timed("login", f'LOGIN "{user}" "{password}"')
        selected = await timed("select", "SELECT INBOX")
        m = EXISTS.search(selected)
        exists = int(m.group(1)) if m else 0
        if exists == 0:
            raise ImapError(f"{user}: SELECT INBOX shows no message")
        for r in range(args.rounds):
            if time.monotonic() >= stop_at:
                break
            await timed("fetch_flags", "UID FETCH 1:* (FLAGS)")
            first = rng.randint(1, max(1, exists - 9))
            await timed("fetch_envelope", f"FETCH {first}:{min(exists, first + 9)} (UID FLAGS RFC822.SIZE ENVELOPE)")
            n = rng.randint(1, exists)
            await timed("fetch_body", f"FETCH {n} BODY.PEEK[]")
            await timed("store", f"STORE {n} {'+' if r % 2 == 0 else '-'}FLAGS (\\Flagged)")
            await timed("search", "SEARCH UNSEEN")
        await timed("logout", "LOGOUT")
    finally:
        writer.close()


def main():
    run_load("IMAP sessions back to back", session, COMMANDS,
             lambda p: p.add_argument("--rounds", type=int, default=5))


if __name__ == "__main__":
    main()
