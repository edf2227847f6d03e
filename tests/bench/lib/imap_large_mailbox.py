"""tests/bench/imap's large-mailbox phase (issue 8: "a 10,000-message mailbox: SELECT and
UID FETCH 1:* (FLAGS) are answered from the index"): the time of SELECT INBOX, of
UID FETCH 1:* (FLAGS) and of a whole message list's ENVELOPE and BODYSTRUCTURE on one big
INBOX, dirmail against Dovecot, and its report section.

One client, sessions one after another: LOGIN, SELECT INBOX, UID FETCH 1:* (FLAGS), SELECT
INBOX again (the mailbox now warm in the session), UID FETCH 1:* (FLAGS) again, then
UID FETCH 1:* (ENVELOPE) twice and UID FETCH 1:* (BODYSTRUCTURE) twice (the first of each
may have to build what the server keeps of a message), LOGOUT. The first session after a
restart of the server is reported on its own (the server's memory is cold; the page cache
is not). A plain blocking socket reads whole chunks and looks only for
the tagged reply, so that the client costs little next to the server's time."""
import re
import socket
import statistics
import time

from session_load import percentile
from loopback import HOST
from report import table

# step: (command, title in the report)
STEP_COMMANDS = {
    "select": ("SELECT INBOX", "SELECT"),
    "fetch_flags": ("UID FETCH 1:* (FLAGS)", "UID FETCH 1:* (FLAGS)"),
    "select_again": ("SELECT INBOX", "2nd SELECT"),
    "fetch_flags_again": ("UID FETCH 1:* (FLAGS)", "UID FETCH on 2nd SELECT"),
    "fetch_envelope": ("UID FETCH 1:* (ENVELOPE)", "UID FETCH 1:* (ENVELOPE)"),
    "fetch_envelope_again": ("UID FETCH 1:* (ENVELOPE)", "2nd (ENVELOPE)"),
    "fetch_bodystructure": ("UID FETCH 1:* (BODYSTRUCTURE)", "UID FETCH 1:* (BODYSTRUCTURE)"),
    "fetch_bodystructure_again": ("UID FETCH 1:* (BODYSTRUCTURE)", "2nd (BODYSTRUCTURE)"),
}
STEPS = tuple(STEP_COMMANDS)
STEP_TITLES = {step: title for step, (_, title) in STEP_COMMANDS.items()}
# The server's CPU per session is taken for the SELECT and FLAGS steps and for the rest apart.
INDEX_STEPS = STEPS[:4]


class TimedImap:
    def __init__(self, port):
        self.sock = socket.create_connection((HOST, port), timeout=120)
        self.tag = 0
        greeting, _ = self._response(b"* ")
        if not greeting.startswith(b"* OK"):
            raise RuntimeError(f"greeting {greeting[:80]!r}")

    def _response(self, tag):
        """Everything up to the end of the first line that starts with TAG. Searched in the
        whole chunks as they come (the client sends one command at a time, so nothing follows)."""
        data = bytearray()
        marker = b"\r\n" + tag
        searched = 0
        while True:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise RuntimeError("connection closed by the server")
            data += chunk
            at = 0 if data.startswith(tag) else data.find(marker, max(0, searched - len(marker)))
            if at > 0:
                at += 2
            if at >= 0:
                end = data.find(b"\r\n", at)
                if end >= 0:
                    return bytes(data[:end + 2]), bytes(data[at:end])
            searched = len(data)

    def command(self, text):
        """(the whole response, seconds from sending to the tagged reply's end)."""
        self.tag += 1
        tag = b"L%d " % self.tag
        start = time.perf_counter()
        self.sock.sendall(tag + text.encode() + b"\r\n")
        response, tagged = self._response(tag)
        seconds = time.perf_counter() - start
        if not tagged.startswith(tag + b"OK"):
            raise RuntimeError(f"{text}: {tagged[:200]!r}")
        return response, seconds

    def close(self):
        self.sock.close()


def _one_session(port, address, password, messages, cpu_seconds):
    imap = TimedImap(port)
    try:
        imap.command(f'LOGIN "{address}" "{password}"')
        cpu0 = cpu_seconds()
        times = {}
        for step in STEPS:
            text = STEP_COMMANDS[step][0]
            response, times[step] = imap.command(text)
            if step.startswith("select"):
                exists = re.search(rb"^\* (\d+) EXISTS", response, re.M)
                if not exists or int(exists.group(1)) != messages:
                    raise RuntimeError(f"SELECT shows {exists and exists.group(1)} messages, not {messages}")
            elif response.count(b" FETCH (") != messages:
                raise RuntimeError(f"{text} answered {response.count(b' FETCH (')} of {messages}")
            else:
                times[f"{step.removesuffix('_again')}_bytes"] = len(response)
            if step == INDEX_STEPS[-1]:
                cpu1 = cpu_seconds()
        times["cpu_seconds"] = cpu1 - cpu0
        times["cpu_seconds_structure"] = cpu_seconds() - cpu1
        imap.command("LOGOUT")
        return times
    finally:
        imap.close()


def measure_large_mailbox(port, address, password, messages, sessions, restart, cpu_seconds):
    """RESTART() restarts the server (its first session is timed apart); CPU_SECONDS() is the
    server's CPU so far. {"after_restart": {step: s}, step: [s, ...], "cpu_ms_per_session", ...}."""
    restart()
    result = {"after_restart": _one_session(port, address, password, messages, cpu_seconds)}
    samples = {step: [] for step in STEPS}
    cpu = cpu_structure = 0.0
    for _ in range(sessions):
        times = _one_session(port, address, password, messages, cpu_seconds)
        for step in STEPS:
            samples[step].append(times[step])
        cpu += times["cpu_seconds"]
        cpu_structure += times["cpu_seconds_structure"]
        result.update({k: v for k, v in times.items() if k.endswith("_bytes")})
    result["cpu_ms_per_session"] = 1000 * cpu / sessions
    result["cpu_ms_per_session_structure"] = 1000 * cpu_structure / sessions
    result.update(samples)
    result["sessions"] = sessions
    return result


def _ms(seconds):
    return f"{1000 * seconds:.1f}"


def large_mailbox_section(messages, total_bytes, results):
    """RESULTS: {server: measure_large_mailbox()'s dict, plus "verified_messages"}."""
    some = next(iter(results.values()))
    out = ["## A large mailbox: SELECT, UID FETCH 1:* (FLAGS), (ENVELOPE) and (BODYSTRUCTURE) (issue 8)",
           f"mailbox: one INBOX of {messages} messages, {total_bytes / 2**20:.1f} MiB, the same for both servers "
           "(dirmail: delivered through its SMTP port; Dovecot: Maildir files, its index made by a first SELECT "
           "before the timing).",
           f"one client, {some['sessions']} sessions one after another, each: LOGIN, SELECT INBOX, UID FETCH 1:* "
           "(FLAGS), SELECT INBOX again, UID FETCH 1:* (FLAGS) again, UID FETCH 1:* (ENVELOPE) twice, UID FETCH "
           "1:* (BODYSTRUCTURE) twice, LOGOUT; time from sending a command to the end of its tagged reply (the "
           "whole response read). 'after restart' = the first such session after the server was restarted (its "
           "memory cold, the page cache warm). CPU = the server's cgroup per session from the end of LOGIN to "
           "the end of the second UID FETCH (FLAGS) (the password check left out), and apart for the ENVELOPE "
           "and BODYSTRUCTURE fetches.", ""]
    headers = ["server", "step", "after restart ms", "p50 ms", "p99 ms", "mean ms"]
    rows = []
    for server, r in results.items():
        for step in STEPS:
            rows.append([server, STEP_TITLES[step], _ms(r["after_restart"][step]), _ms(percentile(r[step], 50)),
                         _ms(percentile(r[step], 99)), _ms(statistics.fmean(r[step]))])
    out.append(table(headers, rows))
    out += ["", "per server: " + "; ".join(
        f"{s}: {r['verified_messages']} messages checked, responses (FLAGS) {r['fetch_flags_bytes'] / 1024:.0f} "
        f"KiB, (ENVELOPE) {r['fetch_envelope_bytes'] / 1024:.0f} KiB, (BODYSTRUCTURE) "
        f"{r['fetch_bodystructure_bytes'] / 1024:.0f} KiB, CPU {r['cpu_ms_per_session']:.1f} ms/session "
        f"(SELECT and FLAGS), {r['cpu_ms_per_session_structure']:.1f} ms (ENVELOPE and BODYSTRUCTURE)"
        for s, r in results.items())]
    summary = {}
    if {"dirmail", "dovecot"} <= set(results):
        d, v = results["dirmail"], results["dovecot"]
        out += ["", "dirmail/Dovecot time (below 1: dirmail is faster):"]
        for step in STEPS:
            p50 = percentile(d[step], 50) / percentile(v[step], 50)
            p99 = percentile(d[step], 99) / percentile(v[step], 99)
            out.append(f"  {STEP_TITLES[step] + ':':31s} p50 {p50:.2f}x  p99 {p99:.2f}x  after restart "
                       f"{d['after_restart'][step] / v['after_restart'][step]:.2f}x")
            summary[step] = {"p50_ratio": p50, "p99_ratio": p99}
        summary["cpu_per_session_ratio"] = d["cpu_ms_per_session"] / v["cpu_ms_per_session"]
        summary["cpu_structure_ratio"] = d["cpu_ms_per_session_structure"] / v["cpu_ms_per_session_structure"]
        out.append(f"  {'server CPU per session:':31s} {summary['cpu_per_session_ratio']:.2f}x (SELECT and FLAGS), "
                   f"{summary['cpu_structure_ratio']:.2f}x (ENVELOPE and BODYSTRUCTURE)")
    return "\n".join(out), summary
