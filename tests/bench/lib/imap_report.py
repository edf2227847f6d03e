"""tests/bench/imap's report section: throughput, latency and CPU per run, medians and the
dirmail/Dovecot ratios against issue 8's targets, then memory per idle connection."""
import statistics

from report import first_problems, table

THROUGHPUT_TARGET = 1.2          # issue 8: at least 1.2 times Dovecot's operations per second
CPU_PER_SESSION_GOAL = 0.25      # the project: a quarter of Dovecot's CPU per session
IDLE_BYTES_TARGET = 64 * 1024    # issue 8: per idle IMAP connection
COMMANDS = ("login", "select", "fetch_flags", "fetch_envelope", "fetch_body", "store", "search", "logout")


def _verdict(ok):
    return "met" if ok else "MISSED"


def _figures(r):
    """Per-run figures derived from the generator's counts and the server's CPU."""
    seconds = r["seconds"]
    return {"ops_per_second": r["operations"] / seconds, "logins_per_second": r["logins"] / seconds,
            "p99_ms": r["p99_ms"],
            "cpu_ms_per_session": 1000 * r["cpu_seconds"] / max(1, r["logins"]),
            "cpu_us_per_operation": 1e6 * r["cpu_seconds"] / max(1, r["operations"]),
            "server_cores": r["cpu_seconds"] / seconds,
            "generator_cores": r["generator_cgroup_cpu_seconds"] / seconds}


def imap_benchmark_section(params, runs):
    out = ["## IMAP sessions (issue 8)",
           f"mailboxes: {params['users']} users x {params['messages']} messages, {params['bytes'] / 2**20:.1f} MiB in "
           "all, the same for both servers (dirmail: delivered through its SMTP port; Dovecot: Maildir files)",
           f"load: {params['clients']} clients (tests/bench/lib/imap_load.py, one asyncio process in a cgroup of "
           "its own), each running sessions back to back: LOGIN (a user no other client is using), SELECT INBOX, "
           f"{params['rounds']} rounds of [UID FETCH 1:* (FLAGS); FETCH 10 x (UID FLAGS RFC822.SIZE ENVELOPE); FETCH one BODY.PEEK[]; "
           "STORE +/-FLAGS (\\Flagged); SEARCH UNSEEN], LOGOUT.",
           f"per run: a fresh server and file system, {params['warmup']:g} s of load not measured, then "
           f"{params['duration']:g} s measured. ops = every command answered OK in that time (LOGIN and LOGOUT "
           "included), logins = LOGINs answered OK; latency from sending a command to its tagged reply. CPU = "
           "user+sys of the server's cgroup plus its file system's journal thread over the measured time; per "
           "session = CPU / logins. generator = the load generator's own CPU (cores busy) over the same time.", ""]
    headers = ["run", "server", "ops/s", "logins/s", "p50 ms", "p99 ms", "CPU s", "cores busy", "CPU ms/session",
               "CPU us/op", "generator cores", "errors", "log warn+err"]
    rows = []
    for r in runs:
        f = r["figures"] = _figures(r)
        rows.append([r["run"], r["server"], f"{f['ops_per_second']:.0f}", f"{f['logins_per_second']:.1f}",
                     f"{r['p50_ms']:.1f}", f"{r['p99_ms']:.1f}", f"{r['cpu_seconds']:.2f}",
                     f"{f['server_cores']:.2f}", f"{f['cpu_ms_per_session']:.1f}", f"{f['cpu_us_per_operation']:.0f}",
                     f"{f['generator_cores']:.2f}", r["error_count"], len(r["log_problems"])])
    out += [table(headers, rows), ""]

    servers = [s for s in ("dirmail", "dovecot") if any(r["server"] == s for r in runs)]
    medians = {}
    med_rows = []
    for s in servers:
        mine = [r for r in runs if r["server"] == s]
        m = medians[s] = {k: statistics.median(r["figures"][k] for r in mine) for k in mine[0]["figures"]}
        med_rows.append([s, len(mine), f"{m['ops_per_second']:.0f}", f"{m['logins_per_second']:.1f}",
                         f"{m['p99_ms']:.1f}", f"{m['cpu_ms_per_session']:.1f}", f"{m['cpu_us_per_operation']:.0f}",
                         f"{m['generator_cores']:.2f}"])
    out += ["medians:", table(["server", "runs", "ops/s", "logins/s", "p99 ms", "CPU ms/session", "CPU us/op",
                               "generator cores"], med_rows), ""]

    # Latency per command: the median over runs of each run's p50 and p99.
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
            # Each run's pair (back to back) saw the same machine load.
            return statistics.median(a["figures"][key] / b["figures"][key] for a in runs if a["server"] == "dirmail"
                                     for b in runs if b["server"] == "dovecot" and b["run"] == a["run"])

        ops = d["ops_per_second"] / v["ops_per_second"]
        logins = d["logins_per_second"] / v["logins_per_second"]
        cpu_session = d["cpu_ms_per_session"] / v["cpu_ms_per_session"]
        cpu_op = d["cpu_us_per_operation"] / v["cpu_us_per_operation"]
        out += ["", "dirmail/Dovecot (ratio of medians; median of the per-run ratios in brackets):",
                f"  ops/s:           {ops:.2f}x ({per_run('ops_per_second'):.2f}x); "
                f"issue 8 target >= {THROUGHPUT_TARGET:.1f}x: {_verdict(ops >= THROUGHPUT_TARGET)}",
                f"  logins/s:        {logins:.2f}x ({per_run('logins_per_second'):.2f}x)",
                f"  p99 latency:     {d['p99_ms'] / v['p99_ms']:.2f}x ({per_run('p99_ms'):.2f}x)",
                f"  CPU per session: {cpu_session:.3f} ({per_run('cpu_ms_per_session'):.3f}); "
                f"project goal <= {CPU_PER_SESSION_GOAL:.2f}: {_verdict(cpu_session <= CPU_PER_SESSION_GOAL)}",
                f"  CPU per op:      {cpu_op:.3f} ({per_run('cpu_us_per_operation'):.3f})"]
        summary.update(throughput_ratio=ops, logins_ratio=logins, cpu_per_session_ratio=cpu_session,
                       cpu_per_operation_ratio=cpu_op)

    idle = [(r["server"], i) for r in runs for i in r["idle"]]
    if idle:
        out += ["", "## Idle connections (after each server's first run)",
                "greeted = connected, greeting read, nothing sent; selected = LOGIN and SELECT INBOX done. "
                "bytes per connection = growth of the summed VmRSS / Pss of all the server's processes over K "
                "connections / K (PSS: shared pages divided among the processes mapping them, the fair figure "
                "for Dovecot's process per session).", ""]
        rows = [[s, i["kind"], i["connections"], i["processes_after"], i["rss_before_kb"], i["rss_after_kb"],
                 f"{i['rss_bytes_per_connection']:.0f}", f"{i['pss_bytes_per_connection']:.0f}",
                 f"{i['open_seconds']:.1f}",
                 f"<= {IDLE_BYTES_TARGET}: {_verdict(i['pss_bytes_per_connection'] <= IDLE_BYTES_TARGET)}"
                 if s == "dirmail" else "-"]
                for s, i in idle]
        out.append(table(["server", "idle", "K", "processes", "RSS before kB", "RSS after kB", "RSS B/conn",
                          "PSS B/conn", "open s", "issue 8 target (PSS)"], rows))
        summary["idle"] = [{"server": s, **i} for s, i in idle]

    expected = params["users"] * params["messages"]
    out += ["", "mailbox check: before each run, every INBOX's message count over IMAP (SELECT): "
            + "; ".join(f"{r['server']} run {r['run']} {r['verified_messages']}/{expected}" for r in runs)]
    failed = [f"{r['server']} run {r['run']}: {r['error_count']} errors ({r['errors'][0] if r['errors'] else ''})"
              for r in runs if r["error_count"]]
    if failed:
        out += ["", "errors (first per run):"] + [f"  {x}" for x in failed]
    out += first_problems(runs, "log_problems", "server log lines above info", 10, lambda r: r["server"])
    summary["failed"] = "; ".join(failed)
    return "\n".join(out), summary
