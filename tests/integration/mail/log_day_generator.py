"""Writes a day of dirmail logs in the exact format of src/base/log.cpp, with known counts.

    log_day_generator.py FOLDER [--date YYYY-MM-DD] [--seed N]

writes FOLDER/<service>/<node>.log (two nodes, one rotated copy) and prints the figures
`dirmailctl log report` must find for that day, as JSON. The lines mix in what the report
must not count: a record of the day before, deferrals, delivery-report notes, queue
errors, sessions, logins to mailboxes in use, and damaged lines."""
import argparse
import json
import random
from collections import Counter
from pathlib import Path

SENDERS = ["alice@example.test", "bob@example.test", "news@Lists.Example.ORG", "billing@shop.test",
           "carol@partner.test", ""]  # "": the null sender of a bounce
LOCAL = ["alice@example.test", "bob@example.test", "carol@example.test", "dave@example.test"]
REMOTE = ["x@partner.test", "y@partner.test", "z@far.test", "w@gmail.test"]
FAILURE_REASONS = ["no such user", "mailbox full", "550 5.1.1 <z@far.test>: Recipient address rejected"]
AUTH_FAILURES = [("smtp", "AUTH failed: wrong credentials", "wrong credentials"),
                 ("imap", "login failed: wrong credentials", "wrong credentials"),
                 ("pop3", "login failed: password expired", "password expired"),
                 ("smtp", "AUTH refused: too many failed or pending checks for this account or address",
                  "too many failed or pending checks for this account or address")]


def value(v):
    """LogLine::with's quoting: empty, space, '"', '=' or a control character."""
    v = str(v)
    if v and not any(c in ' "=' or ord(c) < 0x20 for c in v):
        return v
    return '"' + "".join("?" if ord(c) < 0x20 else ("\\" + c if c in '"\\' else c) for c in v) + '"'


def line(time, level, service, rtype, fields, msg):
    text = f"{time} {level} service={service} type={rtype}"
    for key, v in fields:
        text += f" {key}={value(v)}"
    return text + (f' msg="{msg}"' if msg else "") + "\n"


def domain(address):
    return address.rsplit("@", 1)[1].lower() if "@" in address else None


def generate(folder, date="2026-11-27", seed=14):
    rng = random.Random(seed)
    folder = Path(folder)
    files = {}  # (service, file name) -> lines
    expect = {"received": 0, "received_bytes": 0, "received_recipients": 0, "delivered_local": 0,
              "delivered_remote": 0, "failed": 0, "auth_ok": 0, "auth_failed": 0, "skipped": 0}
    tables = {k: Counter() for k in ("failure_reason", "auth_failure_reason", "sender", "recipient",
                                     "sender_domain", "recipient_domain", "user_sent", "user_delivered")}
    second = 0

    def at():
        nonlocal second
        second += rng.randint(1, 20)
        return f"{date}T{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}.{rng.randint(0, 999):03d}Z"

    def emit(service, node, text):
        name = node + ".log" if node != "node1" or rng.random() < 0.8 else "node1.1.log"  # some in the rotated copy
        files.setdefault((service, name), []).append(text)

    for n in range(240):
        node = rng.choice(["node1", "node2"])
        qid = f"{n:04X}{rng.randint(0, 0xFFFF):04X}"
        sender = rng.choice(SENDERS)
        rcpts = rng.sample(LOCAL + REMOTE, rng.randint(1, 4))
        if sender == "" or not sender.endswith("@example.test"):
            rcpts = [r for r in rcpts if r in LOCAL] or [LOCAL[0]]  # no relay for outsiders
        size = rng.randint(300, 90000)
        user = sender if sender.endswith("@example.test") and rng.random() < 0.7 else None
        emit("smtp", node, line(at(), "info", "smtp", "accept",
                                [("session", qid), ("client", "127.0.0.1"), ("helo", "client.test"), ("from", sender)],
                                "MAIL FROM"))
        fields = [("session", qid), ("client", "127.0.0.1"), ("queue_id", qid), ("from", sender), ("size", size),
                  ("nrcpt", len(rcpts)), ("message_id", f'<{n}."quoted" id@client.test>')]
        if user:
            fields.append(("user", user))
        fields += [("to", r) for r in rcpts]
        emit("smtp", node, line(at(), "info", "smtp", "receive", fields, "queued"))
        expect["received"] += 1
        expect["received_bytes"] += size
        expect["received_recipients"] += len(rcpts)
        tables["sender"][sender or "<>"] += 1
        if domain(sender):
            tables["sender_domain"][domain(sender)] += 1
        if user:
            tables["user_sent"][user] += 1
        for r in rcpts:
            tables["recipient"][r] += 1
            tables["recipient_domain"][domain(r)] += 1
            roll = rng.random()
            if roll < 0.12:
                reason = rng.choice(FAILURE_REASONS)
                emit("delivery", node, line(at(), "warning", "delivery", "failure",
                                            [("queue_id", qid), ("to", r), ("reason", reason)], "undeliverable"))
                emit("delivery", node, line(at(), "info", "delivery", "failure",
                                            [("queue_id", qid), ("to", sender or r), ("report_id", qid + "R"),
                                             ("action", "failed")], "delivery report queued"))
                expect["failed"] += 1
                tables["failure_reason"][reason] += 1
                continue
            if roll < 0.16 and r in REMOTE:
                emit("delivery", node, line(at(), "warning", "delivery", "failure",
                                            [("queue_id", qid), ("to", r), ("reason", "The message could not be "
                                             "delivered within 5 days of its arrival; the last failure: timeout")],
                                            "undeliverable: queue lifetime exceeded"))
                expect["failed"] += 1
                tables["failure_reason"]["queue lifetime exceeded"] += 1
                continue
            if r in REMOTE:
                if rng.random() < 0.3:  # a deferral first: not a delivery, not a failure
                    emit("delivery", node, line(at(), "warning", "delivery", "sender",
                                                [("queue_id", qid), ("to", r), ("outcome", "deferred"),
                                                 ("reason", "451 4.7.1 try later"), ("attempts", 1), ("next", 60)],
                                                "deferred"))
                emit("delivery", node, line(at(), "info", "delivery", "send",
                                            [("queue_id", qid), ("to", r), ("host", "mx." + domain(r)),
                                             ("address", "127.0.0.9"), ("reused", "no"), ("tls", "yes"),
                                             ("outcome", "delivered"), ("reply", "250 2.0.0 Ok: queued as X")],
                                            "sent"))
                expect["delivered_remote"] += 1
            else:
                emit("delivery", node, line(at(), "info", "delivery", "sender",
                                            [("queue_id", qid), ("to", r), ("user", r), ("uid", n + 1),
                                             ("size", size)], "delivered"))
                expect["delivered_local"] += 1
                tables["user_delivered"][r] += 1

    for _ in range(60):
        node = rng.choice(["node1", "node2"])
        if rng.random() < 0.6:
            service = rng.choice(["smtp", "pop3", "imap"])
            msg = {"smtp": "AUTH ok", "pop3": "login", "imap": "login"}[service]
            emit(service, node, line(at(), "info", service, "auth", [("session", "s1"), ("client", "127.0.0.1"),
                                                                     ("user", rng.choice(LOCAL))], msg))
            expect["auth_ok"] += 1
        else:
            service, msg, reason = rng.choice(AUTH_FAILURES)
            emit(service, node, line(at(), "warning", service, "auth", [("session", "s2"), ("client", "127.0.0.1"),
                                                                        ("user", "mallory")], msg))
            expect["auth_failed"] += 1
            tables["auth_failure_reason"][reason] += 1

    # Lines the report must not count.
    emit("pop3", "node1", line(at(), "warning", "pop3", "auth", [("error", "held by node2")], "mailbox in use"))
    # A Kerberos login writes "principal accepted" before its "login" (one login, not two).
    emit("imap", "node1", line(at(), "info", "imap", "auth", [("session", "s3"), ("principal", "alice@CORP.TEST")],
                               "Kerberos principal accepted"))
    # Failure lines that give no recipient up: a mail loop (deferred), a limit not checked.
    emit("delivery", "node1", line(at(), "warning", "delivery", "failure",
                                   [("queue_id", "LOOP1"), ("domain", "far.test"), ("result", "the gateway is this server")],
                                   "mail loop"))
    emit("delivery", "node1", line(at(), "warning", "delivery", "failure",
                                   [("queue_id", "LIM1"), ("to", "alice@example.test"), ("error", "index unreadable")],
                                   "mailbox usage unknown; delivering without the limit check"))
    emit("delivery", "node2", line(at(), "error", "delivery", "failure", [("error", "No space left")],
                                   "cannot list the queue"))
    emit("smtp", "node2", line(at(), "info", "smtp", "session", [("session", "s9"), ("client", "127.0.0.1")],
                               "connect"))
    previous = f"{date[:8]}{int(date[8:]) - 1:02d}" if int(date[8:]) > 1 else None
    if previous:
        emit("smtp", "node2", line(f"{previous}T23:59:59.999Z", "info", "smtp", "receive",
                                   [("queue_id", "OLD"), ("from", "old@example.test"), ("size", 5),
                                    ("nrcpt", 1), ("to", "alice@example.test")], "queued"))
    for damaged in ["this is not a log line\n", f"{date}T10:00:00.000Z info service=smtp type=receive from=\"open\n",
                    f"{date} 10:00:00 info service=smtp type=receive\n"]:
        emit("smtp", "node1", damaged)
        expect["skipped"] += 1

    for (service, name), lines in files.items():
        path = folder / service / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(lines))
    return {"date": date, "previous_date": previous, "figures": expect,
            "tables": {k: dict(v) for k, v in tables.items()}}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("folder")
    p.add_argument("--date", default="2026-11-27")
    p.add_argument("--seed", type=int, default=14)
    a = p.parse_args()
    print(json.dumps(generate(a.folder, a.date, a.seed), indent=2, sort_keys=True))
