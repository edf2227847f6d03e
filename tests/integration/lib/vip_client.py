#!/usr/bin/python3
"""The mail client of the failover tests, run inside the client's network namespace
(ip netns exec ... vip_client.py MODE ...). It prints one JSON object per line with the
wall-clock time of each event, so that the test (outside the namespace) can line the
events up with the faults it injects.

  vip_client.py send HOST COUNT PREFIX PACE RCPT...  COUNT messages, tags PREFIX-0000...,
        one every PACE seconds at most, each sent until it gets 250 for DATA, as an MTA
        does: 4xx replies, refused or cut connections and timeouts are tried again; a
        5xx is final.
        Events: {"event": "accepted"|"retry"|"failed", "tag", "t", "host", "why"}
  vip_client.py probe HOST  Connects every 0.2 s, reads the greeting, quits, until
        killed. Events: {"event": "greeting"|"no-greeting", "t", "host", "why"}
  vip_client.py pop3 HOST USER PASSWORD  The Message-IDs of the user's messages, read
        over POP3 (TOP n 0): {"event": "message", "id"} each, then {"event": "done"}.
  vip_client.py hold HOST TAG RCPT  One SMTP transaction left open before the final
        dot: prints {"event": "holding"}, waits for a line on stdin, sends the dot and
        prints {"event": "reply", "code", "text"} (code 0: the connection was closed).
"""
import json
import poplib
import re
import smtplib
import socket
import sys
import time

SENDER = "sender@example.org"
TIMEOUT = 5.0  # a frozen node accepts connections but never answers
MESSAGE_LIMIT = 60  # s of retries before a message counts as failed (no failover takes that long)
RUN_LIMIT = 180     # s for the whole run


def emit(**event):
    print(json.dumps({"t": time.time(), **event}), flush=True)


def message(tag, recipients):
    """A small message that TAG identifies (its Subject and Message-ID)."""
    body = ("failover test message body line\r\n" * 20)
    return (f"From: {SENDER}\r\nTo: {', '.join(recipients)}\r\nSubject: {tag}\r\n"
            f"Message-ID: <{tag}@failover.example.org>\r\n\r\n{body}").encode()


def greeting_host(text):
    """The host name in a 220 greeting (server.hostname), which names the node."""
    words = text.split()
    return words[0] if words else ""


def send_one(host, tag, recipients):
    """Returns ("accepted", node) or raises."""
    with smtplib.SMTP(timeout=TIMEOUT) as s:
        code, text = s.connect(host, 25)
        if code != 220:
            raise smtplib.SMTPConnectError(code, text)
        node = greeting_host(text.decode(errors="replace"))
        s.ehlo("client.example.org")
        s.sendmail(SENDER, recipients, message(tag, recipients))
        return node


def send(host, count, prefix, pace, recipients):
    run_deadline = time.time() + RUN_LIMIT
    for i in range(count):
        tag = f"{prefix}-{i:04d}"
        started = time.time()
        while True:
            try:
                node = send_one(host, tag, recipients)
                emit(event="accepted", tag=tag, host=node)
                time.sleep(max(0.0, pace - (time.time() - started)))
                break
            except smtplib.SMTPResponseException as e:
                if 500 <= e.smtp_code < 600:
                    emit(event="failed", tag=tag, why=f"{e.smtp_code} {e.smtp_error!r}")
                    break
                emit(event="retry", tag=tag, why=f"{e.smtp_code} {e.smtp_error!r}")
            except smtplib.SMTPRecipientsRefused as e:
                codes = [code for code, _ in e.recipients.values()]
                if all(500 <= c < 600 for c in codes):
                    emit(event="failed", tag=tag, why=repr(e.recipients))
                    break
                emit(event="retry", tag=tag, why=repr(e.recipients))
            except (OSError, smtplib.SMTPException) as e:
                emit(event="retry", tag=tag, why=f"{type(e).__name__}: {e}")
            if time.time() > run_deadline:
                for j in range(i, count):
                    emit(event="failed", tag=f"{prefix}-{j:04d}", why=f"not sent within {RUN_LIMIT} s")
                return
            if time.time() - started > MESSAGE_LIMIT:
                emit(event="failed", tag=tag, why=f"no 250 within {MESSAGE_LIMIT} s of retries")
                break
            time.sleep(0.2)


def probe(host):
    while True:
        started = time.time()
        try:
            with socket.create_connection((host, 25), timeout=1.0) as s:
                s.settimeout(1.0)
                line = s.makefile("rb").readline().decode(errors="replace").strip()
                if line.startswith("220"):
                    emit(event="greeting", host=greeting_host(line[4:]))
                    s.sendall(b"QUIT\r\n")
                else:
                    emit(event="no-greeting", why=line or "closed")
        except OSError as e:
            emit(event="no-greeting", why=f"{type(e).__name__}: {e}")
        time.sleep(max(0.0, 0.2 - (time.time() - started)))


def hold(host, tag, recipient):
    s = smtplib.SMTP(timeout=120)
    code, text = s.connect(host, 25)
    s.ehlo("client.example.org")
    s.mail(SENDER)
    s.rcpt(recipient)
    code, _ = s.docmd("DATA")
    if code != 354:
        emit(event="reply", code=code, text="DATA refused")
        return
    s.send(message(tag, [recipient]))
    emit(event="holding", host=greeting_host(text.decode(errors="replace")))
    sys.stdin.readline()
    try:
        s.send(b".\r\n")
        code, text = s.getreply()
        emit(event="reply", code=code, text=text.decode(errors="replace"))
    except (OSError, smtplib.SMTPException) as e:
        emit(event="reply", code=0, text=f"{type(e).__name__}: {e}")


def pop3(host, user, password):
    p = poplib.POP3(host, 110, timeout=30)
    p.user(user)
    p.pass_(password)
    count, _ = p.stat()
    for n in range(1, count + 1):
        _, lines, _ = p.top(n, 0)
        for line in lines:
            m = re.match(rb"(?i)message-id:\s*<([^>]*)>", line)
            if m:
                emit(event="message", id=m.group(1).decode(errors="replace"))
    p.quit()
    emit(event="done", count=count)


def main(argv):
    mode, host = argv[0], argv[1]
    if mode == "send":
        send(host, int(argv[2]), argv[3], float(argv[4]), argv[5:])
    elif mode == "probe":
        probe(host)
    elif mode == "pop3":
        pop3(host, argv[2], argv[3])
    elif mode == "hold":
        hold(host, argv[2], argv[3])
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main(sys.argv[1:])
