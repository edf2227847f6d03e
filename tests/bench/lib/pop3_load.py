#!/usr/bin/python3
"""POP3 load generator: C clients, each running whole sessions back to back for a fixed time.

  python3 pop3_load.py --port P --users FILE --clients C --duration S [--top T] [--seed N]

A session, as a mail client that leaves mail on the server checks for new mail: connect,
USER and PASS as a user of FILE (lines "address password") that no other client is using
(a POP3 maildrop admits one session at a time), then
  STAT                   the maildrop's count and size
  UIDL                   every message's unique id (what the client has seen before)
  LIST                   every message's size
  RETR n                 one whole message, checked against its LIST size
  TOP m 10               headers and 10 lines, of T messages (default 3)
  QUIT                   no DELE: the maildrop stays the same for the next session
Each command is an operation; its latency is from sending it to the end of its reply.
"login" is USER and PASS together (PASS's reply includes the server's password check).
A reply other than +OK is an error and ends the client's session; a PASS refused with
[IN-USE] is counted apart (error_kinds), since it says the maildrop was still locked.
"""
import asyncio
import time

from session_load import SessionError, run_load

COMMANDS = ("login", "stat", "uidl", "list", "retr", "top", "quit")


class Pop3Error(SessionError):
    pass


class InUse(Pop3Error):
    pass


class Client:
    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer

    async def _status(self, text):
        line = await self.reader.readline()
        if not line:
            raise Pop3Error(f"{text.split()[0]}: connection closed by the server")
        if not line.startswith(b"+OK"):
            reply = line.strip()[:200].decode(errors="replace")
            raise (InUse if b"[IN-USE]" in line else Pop3Error)(f"{text.split()[0]}: {reply}")
        return line

    async def command(self, text, multiline=False):
        """The status line, and for a multi-line reply its lines up to the final "." line
        (still dot-stuffed) as one bytes."""
        self.writer.write(text.encode() + b"\r\n")
        status = await self._status(text)
        if not multiline:
            return status, b""
        # The data ends at the first "\r\n.\r\n"; readuntil takes whole chunks, not line by line.
        data = await self.reader.readuntil(b".\r\n")
        while data != b".\r\n" and not data.endswith(b"\r\n.\r\n"):
            data += await self.reader.readuntil(b".\r\n")
        return status, data[:-3]


def _listing(data):
    """{message number: second field} of a UIDL or LIST listing."""
    return {int(n): rest for n, rest in (line.split(b" ", 1) for line in data.split(b"\r\n") if line)}


async def session(args, user, password, rng, record, stop_at):
    reader, writer = await asyncio.open_connection("127.0.0.1", args.port, limit=1 << 22)
    try:
        greeting = await reader.readline()
        if not greeting.startswith(b"+OK"):
            raise Pop3Error(f"greeting {greeting[:80]!r}")
        c = Client(reader, writer)

        async def timed(kind, *texts, multiline=False):
            start = time.perf_counter()
            for text in texts:
                out = await c.command(text, multiline)
            record(kind, time.perf_counter() - start)
            return out

        await timed("login", f"USER {user}", f"PASS {password}")
        status, _ = await timed("stat", "STAT")
        count = int(status.split()[1])
        if count == 0:
            raise Pop3Error(f"{user}: STAT shows no message")
        _, uidl = await timed("uidl", "UIDL", multiline=True)
        _, scan = await timed("list", "LIST", multiline=True)
        sizes = _listing(scan)
        if len(_listing(uidl)) != count or len(sizes) != count:
            raise Pop3Error(f"{user}: UIDL or LIST does not list the {count} messages of STAT")
        n = rng.randint(1, count)
        _, message = await timed("retr", f"RETR {n}", multiline=True)
        size = len(message.replace(b"\r\n..", b"\r\n.")) + (0 if message[:2] != b".." else -1)
        if size != int(sizes[n]):
            raise Pop3Error(f"{user}: RETR {n} gave {size} octets, LIST said {int(sizes[n])}")
        for _ in range(args.top):
            await timed("top", f"TOP {rng.randint(1, count)} 10", multiline=True)
        await timed("quit", "QUIT")
    finally:
        writer.close()


def main():
    run_load(__doc__, session, COMMANDS,
             lambda p: p.add_argument("--top", type=int, default=3, help="TOP commands per session (default 3)"))


if __name__ == "__main__":
    main()
