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

One asyncio process with raw sockets: cheap per command, so that the generator is not
what limits the rate (its CPU is reported next to the servers').
"""
import argparse
import asyncio
import json
import os
import random
import re
import resource
import time

LITERAL = re.compile(rb"\{(\d+)\}\r\n$")
EXISTS = re.compile(rb"^\* (\d+) EXISTS", re.M)
COMMANDS = ("login", "select", "fetch_flags", "fetch_envelope", "fetch_body", "store", "search", "logout")


class ImapError(Exception):
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


async def session(port, user, password, rounds, rng, record, stop_at):
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
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
        for r in range(rounds):
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


async def client_loop(index, args, free_users, record, errors, sessions, stop_at):
    rng = random.Random(args.seed * 1000 + index)
    while time.monotonic() < stop_at:
        user, password = await free_users.get()
        try:
            await session(args.port, user, password, args.rounds, rng, record, stop_at)
            sessions[0] += 1
        except (ImapError, OSError, asyncio.IncompleteReadError) as e:
            errors.append(f"client {index}: {e}")
            if len(errors) > 100:
                return
            await asyncio.sleep(0.1)
        finally:
            free_users.put_nowait((user, password))


def percentile(values, p):
    """The P-th percentile (nearest rank) of VALUES, 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))]


async def main_async(args, users):
    latencies = {k: [] for k in COMMANDS}
    errors, sessions = [], [0]
    measuring = [False]
    # A session takes a user nobody else is using (or, with fewer users than clients, one of
    # the least used), as a person at one mail client would; users come round in random order.
    pool = users * -(-args.clients // len(users))
    random.Random(args.seed).shuffle(pool)
    free_users = asyncio.Queue()
    for user in pool:
        free_users.put_nowait(user)

    def record(kind, seconds):
        if measuring[0]:
            latencies[kind].append(seconds * 1000)

    start = time.monotonic()
    stop_at = start + args.warmup + args.duration
    tasks = [asyncio.create_task(client_loop(i, args, free_users, record, errors, sessions, stop_at))
             for i in range(args.clients)]
    await asyncio.sleep(args.warmup)
    measuring[0] = True
    if args.marks:
        print("measuring", flush=True)
    sessions_at_start = sessions[0]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.monotonic()
    await asyncio.sleep(max(0.0, stop_at - time.monotonic()))
    measuring[0] = False
    if args.marks:
        print("stopped", flush=True)
    elapsed = time.monotonic() - t0
    sessions_done = sessions[0] - sessions_at_start
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    # Sessions still running finish their current command and stop; their logins count already.
    await asyncio.wait(tasks, timeout=60)
    every = [x for v in latencies.values() for x in v]
    return {"seconds": elapsed, "clients": args.clients, "rounds": args.rounds,
            "sessions_completed": sessions_done, "operations": len(every), "logins": len(latencies["login"]),
            "p99_ms": percentile(every, 99), "p50_ms": percentile(every, 50),
            "commands": {k: {"count": len(v), "p50_ms": percentile(v, 50), "p99_ms": percentile(v, 99),
                             "mean_ms": sum(v) / len(v) if v else 0.0} for k, v in latencies.items()},
            "errors": errors[:20],
            "error_count": len(errors),
            "generator_cpu_seconds": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--users", required=True, help='file of "address password" lines')
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--warmup", type=float, default=2, help="seconds of load before the measured time")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--marks", action="store_true",
                   help='print "measuring" and "stopped" lines when the measured time starts and ends')
    args = p.parse_args()
    users = [tuple(line.split(" ", 1)) for line in open(args.users).read().splitlines() if line]
    result = asyncio.run(main_async(args, users))
    result["pid"] = os.getpid()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
