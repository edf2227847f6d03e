"""The printed report: facts about the run, then one table per benchmark."""
import statistics

SMTP_CPU_GOAL = 0.20      # a fifth of Postfix's CPU per accepted message
IDLE_BYTES_GOAL = 8 * 1024  # per idle IMAP connection


def table(headers, rows):
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = lambda row: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))  # noqa: E731
    return "\n".join([line(headers), line(["-" * w for w in widths])] + [line(r) for r in cells])


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
