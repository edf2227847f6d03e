"""tests/bench/imap's POP3 report section (--pop3): sessions per second, latency per command
and the servers' CPU per session, medians and the dirmail/Dovecot ratios against the
project's goal, then memory per idle POP3 connection."""
import statistics

from imap_report import CPU_PER_SESSION_GOAL
from pop3_load import COMMANDS
from report import first_problems, table


def _figures(r):
    seconds = r["seconds"]
    return {"sessions_per_second": r["sessions_completed"] / seconds, "logins_per_second": r["logins"] / seconds,
            "ops_per_second": r["operations"] / seconds, "p99_ms": r["p99_ms"],
            "cpu_ms_per_session": 1000 * r["cpu_seconds"] / max(1, r["logins"]),
            "server_cores": r["cpu_seconds"] / seconds,
            "generator_cores": r["generator_cgroup_cpu_seconds"] / seconds}


def pop3_benchmark_section(params, runs, top):
    out = ["## POP3 sessions",
           f"mailboxes: the same {params['users']} users x {params['messages']} messages as the IMAP runs",
           f"load: {params['clients']} clients (tests/bench/lib/pop3_load.py, one asyncio process in a cgroup of "
           "its own), each running sessions back to back as a user no other client is using: USER/PASS (one "
           f"'login'), STAT, UIDL, LIST, RETR of one message (checked against its LIST size), TOP n 10 x {top}, "
           "QUIT; no DELE, so every session sees the same maildrop.",
           f"per run: a fresh server and file system, {params['warmup']:g} s of load not measured, then "
           f"{params['duration']:g} s measured. sessions = QUITs answered +OK in that time; CPU = the server's "
           "cgroup plus its file system's journal thread over the measured time; per session = CPU / logins.", ""]
    headers = ["run", "server", "sessions/s", "logins/s", "ops/s", "p99 ms", "CPU s", "cores busy",
               "CPU ms/session", "generator cores", "errors", "IN-USE", "log warn+err"]
    rows = []
    for r in runs:
        f = r["figures"] = _figures(r)
        rows.append([r["run"], r["server"], f"{f['sessions_per_second']:.1f}", f"{f['logins_per_second']:.1f}",
                     f"{f['ops_per_second']:.0f}", f"{r['p99_ms']:.1f}", f"{r['cpu_seconds']:.2f}",
                     f"{f['server_cores']:.2f}", f"{f['cpu_ms_per_session']:.2f}", f"{f['generator_cores']:.2f}",
                     r["error_count"], r["error_kinds"].get("InUse", 0), len(r["log_problems"])])
    out += [table(headers, rows), ""]

    servers = [s for s in ("dirmail", "dovecot") if any(r["server"] == s for r in runs)]
    medians = {}
    for s in servers:
        mine = [r for r in runs if r["server"] == s]
        medians[s] = {k: statistics.median(r["figures"][k] for r in mine) for k in mine[0]["figures"]}
    out += ["medians:", table(["server", "runs", "sessions/s", "logins/s", "p99 ms", "CPU ms/session",
                               "generator cores"],
                              [[s, sum(r["server"] == s for r in runs), f"{m['sessions_per_second']:.1f}",
                                f"{m['logins_per_second']:.1f}", f"{m['p99_ms']:.1f}",
                                f"{m['cpu_ms_per_session']:.2f}", f"{m['generator_cores']:.2f}"]
                               for s, m in medians.items()]), ""]
    lat_rows = []
    for s in servers:
        mine = [r for r in runs if r["server"] == s]
        for c in COMMANDS:
            lat_rows.append([s, c, sum(r["commands"][c]["count"] for r in mine),
                             f"{statistics.median(r['commands'][c]['p50_ms'] for r in mine):.2f}",
                             f"{statistics.median(r['commands'][c]['p99_ms'] for r in mine):.2f}"])
    out += ["latency per command (median over runs):", table(["server", "command", "count", "p50 ms", "p99 ms"],
                                                               lat_rows)]
    summary = {"medians": medians}
    if {"dirmail", "dovecot"} <= set(medians):
        d, v = medians["dirmail"], medians["dovecot"]

        def per_run(key):
            return statistics.median(a["figures"][key] / b["figures"][key] for a in runs if a["server"] == "dirmail"
                                     for b in runs if b["server"] == "dovecot" and b["run"] == a["run"])

        cpu = d["cpu_ms_per_session"] / v["cpu_ms_per_session"]
        verdict = "met" if cpu <= CPU_PER_SESSION_GOAL else "MISSED"
        out += ["", "dirmail/Dovecot (ratio of medians; median of the per-run ratios in brackets):",
                f"  sessions/s:      {d['sessions_per_second'] / v['sessions_per_second']:.2f}x "
                f"({per_run('sessions_per_second'):.2f}x)",
                f"  p99 latency:     {d['p99_ms'] / v['p99_ms']:.2f}x ({per_run('p99_ms'):.2f}x)",
                f"  CPU per session: {cpu:.3f} ({per_run('cpu_ms_per_session'):.3f}); "
                f"project goal <= {CPU_PER_SESSION_GOAL:.2f}: {verdict}"]
        summary.update(sessions_ratio=d["sessions_per_second"] / v["sessions_per_second"],
                       cpu_per_session_ratio=cpu)

    idle = [(r["server"], i) for r in runs for i in r["idle"]]
    if idle:
        out += ["", "## Idle POP3 connections (after each server's first POP3 run)",
                "greeted = connected, greeting read, nothing sent; bytes per connection = growth of the summed "
                "VmRSS / Pss of all the server's processes over K connections / K.", ""]
        out.append(table(["server", "K", "processes", "RSS B/conn", "PSS B/conn", "open s"],
                         [[s, i["connections"], i["processes_after"], f"{i['rss_bytes_per_connection']:.0f}",
                           f"{i['pss_bytes_per_connection']:.0f}", f"{i['open_seconds']:.1f}"] for s, i in idle]))
        summary["idle"] = [{"server": s, **i} for s, i in idle]

    expected = params["users"] * params["messages"]
    out += ["", "mailbox check: before each run, every INBOX's message count over IMAP (SELECT): "
            + "; ".join(f"{r['server']} run {r['run']} {r['verified_messages']}/{expected}" for r in runs)]
    failed = [f"POP3 {r['server']} run {r['run']}: {r['error_count']} errors "
              f"({r['errors'][0] if r['errors'] else ''})" for r in runs if r["error_count"]]
    if failed:
        out += ["", "errors (first per run):"] + [f"  {x}" for x in failed]
    out += first_problems(runs, "log_problems", "server log lines above info (POP3)", 10, lambda r: r["server"])
    summary["failed"] = "; ".join(failed)
    return "\n".join(out), summary
