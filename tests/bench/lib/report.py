"""The printed report: facts about the run, then one table per benchmark."""
import statistics

SMTP_CPU_GOAL = 0.20      # a fifth of Postfix's CPU per accepted message
IDLE_BYTES_GOAL = 8 * 1024  # per idle IMAP connection


def table(headers, rows):
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda row: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


def report_header(title, facts, command, filesystem_description):
    """The lines that say what ran where: command, machine and its load, file system, builds."""
    return [f"# {title}, {facts['date']}",
            f"command: {command}",
            f"machine: {facts['cpus']} CPUs ({facts['cpu_model']}), {facts['memory_gib']} GiB, "
            f"Linux {facts['kernel']}; load average {facts['load_average_at_start']:.1f} at start, "
            f"{facts['load_average_at_end']:.1f} at end (other work on the machine disturbs wall times more "
            "than CPU times)",
            f"servers' file system: {filesystem_description}",
            f"dirmail: commit {facts['dirmail_commit']}, release build {facts['release_dir']} "
            f"(dirmaild built {facts['dirmaild_built']})",
            f"Postfix: {facts['postfix']} (Debian package, private instance; tuning in docs/performance.md)", ""]


def _median(runs, key):
    return statistics.median(r[key] for r in runs)


def smtp_section(params, runs):
    out = ["## SMTP accept + local delivery",
           f"load: {params['load_command']}",
           f"per run: a fresh server, {params['warmup']} warm-up messages (not measured), then "
           f"{params['messages']} measured; CPU = user+sys of the server's cgroup, plus its file system's "
           "journal thread, from the first connection until every message is in the mailbox and the queue "
           "is empty.", ""]
    headers = ["run", "server", "delivered", "accept s", "delivered s", "msg/s", "CPU user s", "CPU sys s",
               "journal s", "CPU s", "CPU us/msg"]
    rows = [[r["run"], r["server"], f"{r['delivered']}/{r['messages']}", f"{r['accept_seconds']:.2f}",
             f"{r['deliver_seconds']:.2f}", f"{r['messages_per_second']:.0f}", f"{r['cpu_user_seconds']:.2f}",
             f"{r['cpu_system_seconds']:.2f}", f"{r['cpu_journal_seconds']:.2f}", f"{r['cpu_seconds']:.2f}",
             f"{r['cpu_us_per_message']:.0f}"]
            for r in runs]
    out.append(table(headers, rows))
    out.append("")
    servers = sorted({r["server"] for r in runs})
    medians = {}
    med_rows = []
    for s in servers:
        mine = [r for r in runs if r["server"] == s]
        medians[s] = {k: _median(mine, k) for k in ("accept_seconds", "deliver_seconds", "messages_per_second",
                                                    "cpu_seconds", "cpu_us_per_message")}
        m = medians[s]
        med_rows.append([s, len(mine), f"{m['accept_seconds']:.2f}", f"{m['deliver_seconds']:.2f}",
                         f"{m['messages_per_second']:.0f}", f"{m['cpu_seconds']:.2f}", f"{m['cpu_us_per_message']:.0f}"])
    out.append("medians:")
    out.append(table(["server", "runs", "accept s", "delivered s", "msg/s", "CPU s", "CPU us/msg"], med_rows))
    summary = {"medians": medians}
    if "dirmail" in medians and "postfix" in medians:
        ratio = medians["dirmail"]["cpu_us_per_message"] / medians["postfix"]["cpu_us_per_message"]
        speed = medians["dirmail"]["messages_per_second"] / medians["postfix"]["messages_per_second"]
        # Each run's pair (dirmail then Postfix, back to back) saw the same machine load.
        pairs = [d["cpu_us_per_message"] / p["cpu_us_per_message"]
                 for d in runs if d["server"] == "dirmail"
                 for p in runs if p["server"] == "postfix" and p["run"] == d["run"]]
        pair_ratio = statistics.median(pairs)
        verdict = "meets" if ratio <= SMTP_CPU_GOAL else "misses"
        out.append("")
        out.append(f"CPU per message, dirmail/Postfix: {ratio:.3f} (ratio of medians; median of the per-run "
                   f"ratios {pair_ratio:.3f}; goal <= {SMTP_CPU_GOAL:.2f}: {verdict} it)")
        out.append(f"throughput, dirmail/Postfix: {speed:.2f}x")
        summary.update(cpu_ratio=ratio, cpu_ratio_per_run=pairs, throughput_ratio=speed)
    return "\n".join(out), summary


def idle_section(results):
    out = ["## Idle connections (dirmail, after the greeting)",
           "bytes per connection = growth of the dirmaild process's VmRSS / Pss over K open idle connections / K", ""]
    headers = ["protocol", "K", "RSS before kB", "RSS after kB", "RSS B/conn", "RSS B/conn 2nd half",
               "PSS B/conn", "goal"]
    rows = []
    for r in results:
        goal = f"< {IDLE_BYTES_GOAL}" if r["protocol"] == "imap" else "-"
        rows.append([r["protocol"], r["connections"], r["rss_before_kb"], r["rss_after_kb"],
                     f"{r['rss_bytes_per_connection']:.0f}", f"{r['rss_bytes_per_connection_second_half']:.0f}",
                     f"{r['pss_bytes_per_connection']:.0f}", goal])
    out.append(table(headers, rows))
    out.append(f"(the goal of {IDLE_BYTES_GOAL} bytes is set for IMAP; SMTP and POP3 are shown for reference)")
    return "\n".join(out)


# Issue 6's targets for tests/bench/smtp, next to the project's goal (SMTP_CPU_GOAL).
ISSUE6_THROUGHPUT_TARGET = 1.5  # at least 1.5 times Postfix's messages per second
ISSUE6_CPU_TARGET = 0.5         # at no more than half its CPU per message


def _verdict(ok):
    return "met" if ok else "MISSED"


def smtp_benchmark_section(params, runs):
    """tests/bench/smtp's section: msgs/s and CPU per 1,000 messages per run, medians, ratios,
    the targets, and the store check of every run."""
    out = ["## SMTP accept + local delivery (issue 6)",
           f"load: {params['load_command']}",
           f"per run: a fresh server, {params['warmup']} warm-up messages (not measured), then "
           f"{params['messages']} measured. accept msg/s = measured messages / smtp-source's run time; "
           "end-to-end msg/s = measured messages / time until the last is in the mailbox and the queue is empty. "
           "CPU = user+sys of the server's cgroup plus its file system's journal thread over that time. "
           "verified = messages in the mailbox (warm-up included) found once each with an intact body.", ""]
    headers = ["run", "server", "verified", "accept s", "delivered s", "accept msg/s", "e2e msg/s",
               "CPU user s", "CPU sys s", "journal s", "CPU s", "CPU s/1000 msg", "log warn+err"]
    rows = [[r["run"], r["server"], f"{r['store']['verified']}/{r['store']['expected']}",
             f"{r['accept_seconds']:.2f}", f"{r['deliver_seconds']:.2f}", f"{r['accept_messages_per_second']:.0f}",
             f"{r['messages_per_second']:.0f}", f"{r['cpu_user_seconds']:.2f}", f"{r['cpu_system_seconds']:.2f}",
             f"{r['cpu_journal_seconds']:.2f}", f"{r['cpu_seconds']:.2f}", f"{r['cpu_us_per_message'] / 1000:.3f}",
             len(r["log_problems"])]
            for r in runs]
    out += [table(headers, rows), ""]
    keys = ("accept_messages_per_second", "messages_per_second", "cpu_seconds", "cpu_us_per_message")
    medians, med_rows = {}, []
    for s in sorted({r["server"] for r in runs}):
        mine = [r for r in runs if r["server"] == s]
        m = medians[s] = {k: _median(mine, k) for k in keys}
        med_rows.append([s, len(mine), f"{m['accept_messages_per_second']:.0f}", f"{m['messages_per_second']:.0f}",
                         f"{m['cpu_us_per_message'] / 1000:.3f}"])
    out += ["medians:", table(["server", "runs", "accept msg/s", "e2e msg/s", "CPU s/1000 msg"], med_rows)]
    summary = {"medians": medians}
    if "dirmail" in medians and "postfix" in medians:
        d, p = medians["dirmail"], medians["postfix"]

        def per_run(key):
            # Each run's pair (back to back) saw the same machine load.
            return statistics.median(a[key] / b[key] for a in runs if a["server"] == "dirmail"
                                     for b in runs if b["server"] == "postfix" and b["run"] == a["run"])

        e2e = d["messages_per_second"] / p["messages_per_second"]
        accept = d["accept_messages_per_second"] / p["accept_messages_per_second"]
        cpu = d["cpu_us_per_message"] / p["cpu_us_per_message"]
        out += ["",
                "dirmail/Postfix (ratio of medians; median of the per-run ratios in brackets):",
                f"  msg/s end to end: {e2e:.2f}x ({per_run('messages_per_second'):.2f}x); "
                f"target >= {ISSUE6_THROUGHPUT_TARGET:.1f}x: {_verdict(e2e >= ISSUE6_THROUGHPUT_TARGET)}",
                f"  msg/s accepted:   {accept:.2f}x ({per_run('accept_messages_per_second'):.2f}x); "
                f"target >= {ISSUE6_THROUGHPUT_TARGET:.1f}x: {_verdict(accept >= ISSUE6_THROUGHPUT_TARGET)}",
                f"  CPU per message:  {cpu:.3f} ({per_run('cpu_us_per_message'):.3f}); "
                f"issue 6 target <= {ISSUE6_CPU_TARGET:.2f}: {_verdict(cpu <= ISSUE6_CPU_TARGET)}; "
                f"project goal <= {SMTP_CPU_GOAL:.2f}: {_verdict(cpu <= SMTP_CPU_GOAL)}"]
        summary.update(throughput_ratio=e2e, accept_ratio=accept, cpu_ratio=cpu)
    out += ["", "store check:"]
    failed = False
    for s in sorted({r["server"] for r in runs}):
        mine = [r for r in runs if r["server"] == s]
        failed |= _verification_lines(out, s, mine, f"{len(mine)} runs of {params['warmup']} + {params['messages']} "
                                      "messages: each stored once, Message-Id of the run, body byte for byte as sent")
    out += first_problems(runs, "log_problems", "server log lines above info", 10, lambda r: r["server"])
    summary["verification_failed"] = failed
    return "\n".join(out), summary


def _verification_lines(out, name, runs, how):
    """Appends the verification line of `runs` (one server, or one variant of it) and the
    problems of each run; True when any run failed."""
    expected = sum(r["store"]["expected"] for r in runs)
    verified = sum(r["store"]["verified"] for r in runs)
    if all(not r["store"]["problems"] for r in runs):
        out.append(f"  {name}: all {verified} verified ({how})")
        return False
    out.append(f"  {name}: VERIFICATION FAILED, {verified} of {expected} verified")
    for r in runs:
        out += [f"    run {r['run']}: {p}" for p in r["store"]["problems"]]
    return True


def first_problems(runs, key, title, most, label):
    """The first `most` lines of every run's `key` list under a heading, or nothing."""
    lines = [(r, line) for r in runs for line in r[key]]
    if not lines:
        return []
    return ["", f"{title} (first {most}):"] + [f"  run {r['run']} {label(r)}: {line[:300]}" for r, line in lines[:most]]


def delivery_benchmark_section(params, runs):
    """tests/bench/delivery's section: delivered msgs/s and CPU per 1,000 messages per run,
    medians and dirmail/Postfix ratios per variant, and the sink check of every run."""
    out = ["## Remote delivery to smtp-sink (issue 7)",
           f"load: {params['load_command']}",
           f"relay: a fresh server per run, {params['warmup']} warm-up messages (not measured), then "
           f"{params['messages']} measured, accepted and delivered at once; send s = smtp-source's run time; "
           "delivered s = from the first measured message sent until the sink holds every message and the "
           "server's queue is empty. CPU over that time covers acceptance, queueing and delivery.",
           f"queued: a fresh server per run, {params['messages']} messages queued while delivery is held "
           "(send s), then delivery started; delivered s and CPU from the start of delivery until the sink holds "
           "every message and the queue is empty: delivery only (dirmaild logs one warning while delivery is "
           "held: delivery is off on this node).",
           "CPU = user+sys of the server's cgroup plus its file system's journal thread (the sink's is not "
           "counted). verified = messages at the sink (warm-up included) found once each with an intact body. "
           "sessions = SMTP sessions the sink saw in the run (warm-up included; messages per session show "
           "connection reuse); sink warn = smtp-sink's warnings (e.g. a connection lost without QUIT).", ""]
    headers = ["run", "variant", "server", "verified", "send s", "delivered s", "msg/s", "CPU user s", "CPU sys s",
               "journal s", "CPU s", "CPU s/1000 msg", "log warn+err", "sessions", "msg/session", "sink warn"]
    rows = [[r["run"], r["variant"], r["server"], f"{r['store']['verified']}/{r['store']['expected']}",
             f"{r['send_seconds']:.2f}", f"{r['deliver_seconds']:.2f}", f"{r['messages_per_second']:.0f}",
             f"{r['cpu_user_seconds']:.2f}", f"{r['cpu_system_seconds']:.2f}", f"{r['cpu_journal_seconds']:.2f}",
             f"{r['cpu_seconds']:.2f}", f"{r['cpu_us_per_message'] / 1000:.3f}", len(r["log_problems"]),
             r["sink_counters"]["sess"], f"{r['sink_counters']['mesg'] / max(1, r['sink_counters']['sess']):.1f}",
             len(r["sink_problems"])]
            for r in runs]
    out += [table(headers, rows), ""]
    variants = [v for v in ("relay", "queued") if any(r["variant"] == v for r in runs)]
    medians, med_rows = {}, []
    for v in variants:
        for s in sorted({r["server"] for r in runs if r["variant"] == v}):
            mine = [r for r in runs if r["variant"] == v and r["server"] == s]
            m = medians.setdefault(v, {})[s] = {k: _median(mine, k) for k in ("messages_per_second", "cpu_us_per_message")}
            med_rows.append([v, s, len(mine), f"{m['messages_per_second']:.0f}", f"{m['cpu_us_per_message'] / 1000:.3f}"])
    out += ["medians:", table(["variant", "server", "runs", "msg/s delivered", "CPU s/1000 msg"], med_rows)]
    summary = {"medians": medians, "ratios": {}}
    ratio_lines = []
    for v in variants:
        if not {"dirmail", "postfix"} <= set(medians[v]):
            continue
        d, p = medians[v]["dirmail"], medians[v]["postfix"]

        def per_run(key):
            # Each run's pair (back to back) saw the same machine load.
            return statistics.median(a[key] / b[key] for a in runs if a["variant"] == v and a["server"] == "dirmail"
                                     for b in runs if b["variant"] == v and b["server"] == "postfix"
                                     and b["run"] == a["run"])

        speed = d["messages_per_second"] / p["messages_per_second"]
        cpu = d["cpu_us_per_message"] / p["cpu_us_per_message"]
        ratio_lines.append(f"  {v:6s}  msg/s delivered: {speed:.2f}x ({per_run('messages_per_second'):.2f}x); "
                           f"CPU per message: {cpu:.3f} ({per_run('cpu_us_per_message'):.3f})")
        summary["ratios"][v] = {"throughput_ratio": speed, "cpu_ratio": cpu}
    if ratio_lines:
        out += ["", "dirmail/Postfix (ratio of medians; median of the per-run ratios in brackets):"] + ratio_lines
    out += ["", "sink check:"]
    failed = False
    for v in variants:
        for s in sorted({r["server"] for r in runs if r["variant"] == v}):
            mine = [r for r in runs if r["variant"] == v and r["server"] == s]
            failed |= _verification_lines(out, f"{v} {s}", mine, f"{len(mine)} runs: each message at the sink once, "
                                          "Message-Id of the run, body byte for byte as sent")
    label = lambda r: f"{r['variant']} {r['server']}"  # noqa: E731
    out += first_problems(runs, "log_problems", "server log lines above info", 10, label)
    out += first_problems(runs, "sink_problems", "smtp-sink warnings", 5, label)
    summary["verification_failed"] = failed
    return "\n".join(out), summary
