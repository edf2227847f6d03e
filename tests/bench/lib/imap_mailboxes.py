"""The generated mailboxes both IMAP servers serve: U users with M messages each, the same
messages (same seed) for both, put in the way each server takes mail.

dirmail gets them through its SMTP port (its delivery writes the mailbox and the index);
Dovecot gets them as Maildir files in cur/, as its LDA would leave them, with the
Return-Path and Delivered-To lines a delivery adds and the S= and W= sizes in the file name
(so that Dovecot need not read a message for its size). dirmail also adds a Received line,
about 150 bytes more per message. Before a benchmark runs, check_counts() asks each
server over IMAP how many messages every INBOX holds.
"""
import imaplib
import random
import smtplib
import time
from concurrent.futures import ThreadPoolExecutor

from loopback import HOST

DOMAIN = "example.test"
PASSWORD = "bench-password"
SENDER = "sender@example.org"
# Body sizes of ordinary office mail: mostly short text, some longer, a few attachments.
SIZES = [(1500, 30), (4000, 30), (10000, 20), (30000, 12), (100000, 6), (300000, 2)]
WORDS = ("meeting report budget project review draft schedule customer invoice update team plan "
         "offer minutes agenda contract quarter release status question answer thanks").split()


def user_addresses(count):
    return [f"user{i}@{DOMAIN}" for i in range(1, count + 1)]


def _text(rng, size):
    words, length = [], 0
    while length < size:
        line = " ".join(rng.choice(WORDS) for _ in range(11))
        words.append(line)
        length += len(line) + 2
    return "\r\n".join(words)


def generate_messages(address, count, seed):
    """COUNT messages for ADDRESS, as bytes with CRLF line ends; the same for the same seed."""
    rng = random.Random(f"{seed}-{address}")
    sizes, weights = zip(*SIZES)
    out = []
    for n in range(1, count + 1):
        size = rng.choices(sizes, weights)[0]
        subject = " ".join(rng.choice(WORDS) for _ in range(4))
        day = 1 + n % 28
        header = (f"From: Sender {n % 17} <{SENDER}>\r\nTo: <{address}>\r\nSubject: {subject} {n}\r\n"
                  f"Date: Mon, {day:02d} Sep 2026 10:{n % 60:02d}:00 +0900\r\n"
                  f"Message-ID: <{n}.{address}@bench.example.org>\r\nMIME-Version: 1.0\r\n"
                  "Content-Type: text/plain; charset=us-ascii\r\n\r\n")
        out.append((header + _text(rng, size) + "\r\n").encode())
    return out


def deliver_by_smtp(port, mailboxes, sessions=8):
    """MAILBOXES: {address: [message bytes]}, sent to dirmail's SMTP port over SESSIONS connections."""
    jobs = [(address, message) for address, messages in mailboxes.items() for message in messages]

    def send(share):
        with smtplib.SMTP(HOST, port, timeout=120) as smtp:
            for address, message in share:
                smtp.sendmail(SENDER, [address], message)

    with ThreadPoolExecutor(sessions) as pool:
        list(pool.map(send, [jobs[i::sessions] for i in range(sessions)]))


def write_maildirs(server, mailboxes):
    """Maildir files for DovecotServer SERVER, as its LDA would write them."""
    stamp = int(time.time())
    for address, messages in mailboxes.items():
        maildir = server.maildir(address)
        for sub in ("cur", "new", "tmp"):
            (maildir / sub).mkdir(parents=True, exist_ok=True)
        for n, message in enumerate(messages, 1):
            data = f"Return-Path: <{SENDER}>\r\nDelivered-To: {address}\r\n".encode() + message
            size = len(data)  # W=: the size with CRLF line ends, which IMAP and POP3 report
            data = data.replace(b"\r\n", b"\n")  # Maildir files hold LF line ends
            (maildir / "cur" / f"{stamp}.M{n}P1.bench,S={len(data)},W={size}:2,").write_bytes(data)
    server.give_mail_to_owner()


def inbox_count(port, address, password=PASSWORD):
    imap = imaplib.IMAP4(HOST, port)
    try:
        imap.login(address, password)
        status, data = imap.select("INBOX", readonly=True)
        if status != "OK":
            raise RuntimeError(f"{address}: SELECT INBOX answered {status} {data}")
        return int(data[0])
    finally:
        try:
            imap.logout()
        except (imaplib.IMAP4.error, OSError):
            pass


def check_counts(port, mailboxes, what, wait=60):
    """Every INBOX must hold its messages (dirmail delivers from its queue: wait up to WAIT
    seconds); also a first session per user, so that indexes exist before the measurement."""
    deadline = time.monotonic() + wait
    pending = dict(mailboxes)
    while pending:
        with ThreadPoolExecutor(8) as pool:
            counts = dict(zip(pending, pool.map(lambda a: inbox_count(port, a), pending)))
        pending = {a: m for a, m in pending.items() if counts[a] != len(m)}
        wrong = {a: counts[a] for a in pending if counts[a] > len(mailboxes[a])}
        if wrong:
            raise RuntimeError(f"{what}: more messages than delivered in {wrong}")
        if pending and time.monotonic() > deadline:
            some = ", ".join(f"{a} {counts[a]}/{len(m)}" for a, m in list(pending.items())[:5])
            raise RuntimeError(f"{what}: INBOX counts wrong after {wait}s: {some}")
        if pending:
            time.sleep(0.5)
    return sum(len(m) for m in mailboxes.values())
