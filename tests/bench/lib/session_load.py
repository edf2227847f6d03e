"""The driver of tests/bench/imap's load generators (imap_load.py, pop3_load.py): C clients,
each running whole sessions back to back for a fixed time after a warm-up, in one asyncio
process, each command's latency recorded while the measured time runs.

A session takes a user of the users file that no other client is using (when there are at
least as many users as clients), as a person at one mail client would. A SessionError
(a reply other than OK, a closed connection) ends the client's session and is counted.
Prints one JSON object: counts, latencies (ms) per command (median, p99), errors (and
their count per exception class) and the generator's own CPU seconds.
"""
import argparse
import asyncio
import collections
import json
import os
import random
import resource
import time


class SessionError(Exception):
    pass


def percentile(values, p):
    """The P-th percentile (nearest rank) of VALUES, 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, -(-len(ordered) * p // 100) - 1))]


async def _client_loop(index, args, session, free_users, record, errors, error_kinds, sessions, stop_at):
    rng = random.Random(args.seed * 1000 + index)
    while time.monotonic() < stop_at:
        user, password = await free_users.get()
        try:
            await session(args, user, password, rng, record, stop_at)
            sessions[0] += 1
        except (SessionError, OSError, asyncio.IncompleteReadError) as e:
            errors.append(f"client {index}: {e}")
            error_kinds[type(e).__name__] += 1
            if len(errors) > 100:
                return
            await asyncio.sleep(0.1)
        finally:
            free_users.put_nowait((user, password))


async def _main_async(args, users, session, commands):
    latencies = {k: [] for k in commands}
    errors, error_kinds, sessions = [], collections.Counter(), [0]
    measuring = [False]
    # Users come round in random order; with fewer users than clients, one of the least used.
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
    tasks = [asyncio.create_task(_client_loop(i, args, session, free_users, record, errors, error_kinds, sessions,
                                              stop_at)) for i in range(args.clients)]
    await asyncio.sleep(args.warmup)
    measuring[0] = True
    errors_at_start = len(errors)
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
    return {"seconds": elapsed, "clients": args.clients,
            "sessions_completed": sessions_done, "operations": len(every), "logins": len(latencies[commands[0]]),
            "p99_ms": percentile(every, 99), "p50_ms": percentile(every, 50),
            "commands": {k: {"count": len(v), "p50_ms": percentile(v, 50), "p99_ms": percentile(v, 99),
                             "mean_ms": sum(v) / len(v) if v else 0.0} for k, v in latencies.items()},
            "errors": errors[:20],
            "error_count": len(errors),
            "error_kinds": dict(error_kinds),
            "warmup_error_count": errors_at_start,
            "generator_cpu_seconds": (cpu1.ru_utime - cpu0.ru_utime) + (cpu1.ru_stime - cpu0.ru_stime)}


def run_load(description, session, commands, add_arguments=None):
    """The generator's main: SESSION(args, user, password, rng, record, stop_at) is one session,
    calling record(command, seconds) for each command of COMMANDS (the first is the login);
    ADD_ARGUMENTS(parser) adds the protocol's own options."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--users", required=True, help='file of "address password" lines')
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, default=30)
    p.add_argument("--warmup", type=float, default=2, help="seconds of load before the measured time")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--marks", action="store_true",
                   help='print "measuring" and "stopped" lines when the measured time starts and ends')
    if add_arguments:
        add_arguments(p)
    args = p.parse_args()
    users = [tuple(line.split(" ", 1)) for line in open(args.users).read().splitlines() if line]
    result = asyncio.run(_main_async(args, users, session, commands))
    result["pid"] = os.getpid()
    print(json.dumps(result))
