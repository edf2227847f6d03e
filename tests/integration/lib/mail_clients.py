"""Real clients used by the tests: Python's smtplib and poplib."""
import poplib

# poplib refuses lines over 2048 octets; RFC 5322 allows 998 and the tests send longer
# lines on purpose (dirmail passes them through unchanged).
poplib._MAXLINE = 1 << 20
import smtplib


def send(port, sender, recipients, message_bytes):
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.org")
        refused = s.sendmail(sender, recipients, message_bytes)
        return refused


def pop3_fetch_all(port, user, password):
    """Returns [(uidl, bytes)] of every message, leaving them on the server."""
    p = poplib.POP3("127.0.0.1", port, timeout=30)
    try:
        p.user(user)
        p.pass_(password)
        out = []
        _, listing, _ = p.uidl()
        for entry in listing:
            num, uidl = entry.decode().split()
            _, lines, _ = p.retr(int(num))
            out.append((uidl, b"\r\n".join(lines) + b"\r\n"))
        p.quit()
        return out
    except Exception:
        p.close()
        raise


def strip_server_headers(raw):
    """The message as the sender wrote it: drop the trace fields dirmail adds on top
    (Return-Path, Delivered-To, Received with its folded lines)."""
    lines = raw.split(b"\r\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith((b"Return-Path:", b"Delivered-To:", b"Received:")):
            i += 1
            while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
                i += 1
            continue
        break
    return b"\r\n".join(lines[i:])


def wait_for_messages(port, user, password, tag, count=1, timeout=30.0):
    """The messages containing `tag`, once at least `count` are there. Delivery runs
    after the 250, and a mailbox may be briefly held by another POP3 session
    ([IN-USE]), so this polls, within a bounded time."""
    import time
    deadline = time.time() + timeout
    found = []
    while time.time() < deadline:
        try:
            found = [raw for _, raw in pop3_fetch_all(port, user, password) if tag.encode() in raw]
        except poplib.error_proto as e:
            if b"[IN-USE]" not in e.args[0]:
                raise
        if len(found) >= count:
            return found
        time.sleep(0.1)
    return found


def rcpt(port, address, timeout=120):
    """The server's answer to MAIL FROM then RCPT TO:<address>, as (code, text)."""
    with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as s:
        s.ehlo("client.example.org")
        s.mail("sender@example.org")
        code, text = s.rcpt(address)
        return code, text.decode(errors="replace")


def send_tagged(port, address, tag, timeout=120):
    """A small message to `address` whose subject and body are `tag`."""
    with smtplib.SMTP("127.0.0.1", port, timeout=timeout) as s:
        s.ehlo("client.example.org")
        s.sendmail("sender@example.org", [address],
                   f"From: sender@example.org\r\nTo: {address}\r\nSubject: {tag}\r\n\r\n{tag}\r\n".encode())


def pop3_login(port, user, password, timeout=120):
    """USER/PASS: "ok", or the server's -ERR line."""
    p = poplib.POP3("127.0.0.1", port, timeout=timeout)
    try:
        p.user(user)
        p.pass_(password)
        p.quit()
        return "ok"
    except poplib.error_proto as e:
        p.close()
        return e.args[0].decode(errors="replace")
