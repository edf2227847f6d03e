"""Checks that a mailbox (or a relay's destination) holds every message smtp-source sent,
once each and intact.

smtp-source writes `Message-Id: <PID.FD.COUNT@HELO>` into each message, with its own
process id, the session's socket number and a message counter (the counter alone
repeats across sessions; the whole id did not: 20,000 messages over 50 sessions gave
20,000 distinct ids into a plain sink), and the same body in
every message, which depends only on `-l`. So a stored message is verified when its
header keeps the sender's From:/To: lines and a Message-Id of a known smtp-source run
seen nowhere else in the mailbox, and its body is byte for byte the body smtp-source
sends (line ends aside: servers store LF or CRLF). The mailbox passes when every
file is verified and each run has exactly as many ids as it sent messages.
"""
import re
import socket
import subprocess
import threading
from collections import Counter
from pathlib import Path

from loopback import HOST

MESSAGE_ID = re.compile(rb"^message-id:\s*<([0-9a-f]+)\.([0-9a-f]+)\.([0-9a-f]+)@[^>]*>\s*$", re.I | re.M)
SHOWN_PROBLEMS = 10


def _lf(data):
    return data.replace(b"\r\n", b"\n")


def _split(message):
    header, sep, body = _lf(message).partition(b"\n\n")
    return header + b"\n", body if sep else None


def _serve_one_message(listener, found):
    """A minimal SMTP sink for one session; FOUND["message"] gets the DATA, dot-unstuffed."""
    conn, _ = listener.accept()
    with conn, conn.makefile("rwb") as f:
        f.write(b"220 sink\r\n")
        f.flush()
        lines, in_data = [], False
        for line in f:
            if in_data:
                if line == b".\r\n":
                    found["message"] = b"".join(lines)
                    in_data = False
                    f.write(b"250 ok\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                    continue
            elif line[:4].upper() == b"DATA":
                in_data = True
                f.write(b"354 go on\r\n")
            elif line[:4].upper() == b"QUIT":
                f.write(b"221 bye\r\n")
                f.flush()
                return
            else:
                f.write(b"250 ok\r\n")
            f.flush()


def sent_message(source_command):
    """The message SOURCE_COMMAND (an smtp-source command line whose last word is
    host:port) sends, captured once by a sink on loopback with -m 1 -s 1: (header, body)."""
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen(1)
        listener.settimeout(30)
        found = {}
        sink = threading.Thread(target=_serve_one_message, args=(listener, found), daemon=True)
        sink.start()
        cmd = list(source_command[:-1])
        for option, value in (("-m", "1"), ("-s", "1")):
            cmd[cmd.index(option) + 1] = value
        cmd.append(f"{HOST}:{listener.getsockname()[1]}")
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        sink.join(30)
    if r.returncode != 0 or "message" not in found:
        raise RuntimeError(f"could not capture smtp-source's message: {r.stdout}{r.stderr}")
    header, body = _split(found["message"])
    if body is None or not MESSAGE_ID.search(header):
        raise RuntimeError(f"smtp-source's message has no Message-Id of the form <PID.FD.COUNT@...>: {header!r}")
    return header, body


def _mailbox_files(folder):
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and path.parent.name in ("new", "cur"):
            yield path


def verify_mailbox(folder, sends, sent_header, sent_body):
    """SENDS: [(smtp-source pid, messages it sent)] into the maildir folders below FOLDER.
    Returns {"expected", "stored", "verified", "problems"}; passed when problems is empty."""
    return verify_messages(((path.name, path.read_bytes()) for path in _mailbox_files(folder)),
                           sends, sent_header, sent_body)


def verify_messages(messages, sends, sent_header, sent_body):
    """verify_mailbox for stored MESSAGES given as (name, content) pairs, from any store."""
    expected = {pid: count for pid, count in sends}
    keep_lines = [line for line in sent_header.splitlines(keepends=True)
                  if line.lower().startswith((b"from:", b"to:"))]
    problems, ids, per_run = [], Counter(), Counter()
    stored = verified = 0
    for name, content in messages:
        stored += 1
        header, body = _split(content)
        match = MESSAGE_ID.search(header)
        if body is None or match is None:
            problems.append(f"{name}: no header/body separation or no smtp-source Message-Id")
            continue
        pid = int(match.group(1), 16)
        key = (pid, match.group(2), match.group(3))
        ids[key] += 1
        if pid not in expected:
            problems.append(f"{name}: Message-Id of an unknown sender process {pid}")
        elif ids[key] > 1:
            problems.append(f"{name}: Message-Id {match.group(0).decode(errors='replace').strip()} stored twice")
        elif body != sent_body:
            problems.append(f"{name}: body differs from what was sent ({len(body)} bytes, sent {len(sent_body)})")
        elif any(line not in header for line in keep_lines):
            problems.append(f"{name}: the sender's From:/To: header lines are missing or changed")
        else:
            per_run[pid] += 1
            verified += 1
    for pid, count in expected.items():
        if per_run[pid] != count:
            problems.append(f"smtp-source run {pid}: {per_run[pid]} of {count} messages stored and intact")
    total = sum(expected.values())
    if stored != total:
        problems.append(f"{stored} messages stored, {total} sent")
    if len(problems) > SHOWN_PROBLEMS:
        problems = problems[:SHOWN_PROBLEMS] + [f"... and {len(problems) - SHOWN_PROBLEMS} more"]
    return {"expected": total, "stored": stored, "verified": verified, "problems": problems}
