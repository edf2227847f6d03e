"""TLS audit (issue 15): testssl.sh, the Debian package, run against every TLS endpoint
of a real dirmaild: SMTP STARTTLS on the port-25 service and on submission, implicit-TLS
submission (465-style), POP3 STLS and POP3S, IMAP STARTTLS and IMAPS, all on loopback,
with the test CA's ECDSA certificate; and SMTP STARTTLS once more on a second dirmaild
with an RSA certificate (what most sites get from AD CS), which brings in the ECDHE-RSA
and DHE-RSA suites and their DH groups.
No finding may be rated HIGH or CRITICAL, apart from a short allow-list of findings
about the throwaway test certificate (each matched by id and text). The counts per
severity and endpoint are printed; the JSON reports stay in the test state folder.

Checks run: protocols (-p), cipher categories (-s), forward secrecy (-f), server
preferences (-P), server defaults and certificate (-S), vulnerabilities (-U). Left
out: client simulation (-c: INFO only, a minute per endpoint), each cipher (-e/-E: the
categories and the forward-secrecy list already name every suite offered), GREASE (-g:
client-side tolerance, no verdict) and HTTP headers (-h: not HTTP). DNS: --nodns min
with an IP address makes no lookup (no rDNS, no CAA); no OCSP or CRL fetch
(--phone-out is off)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
from dirmail_instance import DirmailInstance  # noqa: E402

STATE = Path(os.environ.get("DIRMAIL_TEST_STATE", tempfile.gettempdir())) / "tls_audit"
TESTSSL = shutil.which("testssl") or "/usr/bin/testssl"
CHECKS = ["-p", "-s", "-f", "-P", "-S", "-U"]
SCAN_TIMEOUT = 600  # seconds per endpoint; a scan takes 30 to 60 s on 2 cores
PARALLEL_SCANS = 2  # the machine has 2 cores; testssl mostly waits on sockets

# (what the report calls it, server, DirmailInstance attribute holding the port, --starttls)
ENDPOINTS = [
    ("smtp STARTTLS (25)", "ecdsa", "smtp_port", "smtp"),
    ("submission STARTTLS (587)", "ecdsa", "submission_port", "smtp"),
    ("submissions (465)", "ecdsa", "smtps_port", None),
    ("pop3 STLS (110)", "ecdsa", "pop3_port", "pop3"),
    ("pop3s (995)", "ecdsa", "pop3s_port", None),
    ("imap STARTTLS (143)", "ecdsa", "imap_port", "imap"),
    ("imaps (993)", "ecdsa", "imaps_port", None),
    ("smtp STARTTLS (25), RSA", "rsa", "smtp_port", "smtp"),
]

SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW"]
FAILING = {"CRITICAL", "HIGH"}

# Findings about the test certificate that DirmailInstance makes (a 30-day certificate
# from a throwaway CA, with neither CRL nor OCSP URI), not about dirmail's TLS: a site's
# own certificate decides them. Matched by id and by the finding's text, so that another
# verdict on the same id (say "expired") still fails. The CA itself is trusted through
# --add-ca, so chain-of-trust findings are real findings here.
TEST_CERTIFICATE_FINDINGS = {
    "cert_expirationStatus": r"expires < \d+ days \(\d+\)",  # 30-day test certificate
    "cert_notAfter": r"\d{4}-\d\d-\d\d \d\d:\d\d",            # same fact: the date, rated by nearness
    "cert_revocation": r"Neither CRL nor OCSP URI provided",   # a test CA publishes neither
}

# WARN entries about testssl's own tools, not about the server. The session resumption
# check runs `openssl s_client -sess_out </dev/null`, which often quits before the TLS 1.3
# NewSessionTicket arrives and so saves no session (openssl s_server does the same, half of
# the time; testssl issue #1152). That check only reports whether resumption works, with
# no verdict; a client that waits half a second resumes on every port.
TESTSSL_WARNINGS = {
    "engine_problem": r"No engine or GOST support via engine with your \S+",  # Debian's openssl 3: no GOST
    "sessionresumption_ticket": r"check failed(, pls report| because of connect problem)",
    "sessionresumption_ID": r"check failed(, pls report| because of connect problem)",
}

SERVERS = {}


def issue_rsa_certificate(pki, folder, host="mail.example.test"):
    """An RSA-2048 server certificate for `host` from the test CA in `pki`; returns a pki
    dictionary like make_test_pki's."""
    folder.mkdir(parents=True, exist_ok=True)
    cert, key, csr, ext = (folder / name for name in ("server.pem", "server.key", "server.csr", "server.ext"))
    subprocess.run(["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
                    "-subj", f"/CN={host}"], check=True, capture_output=True)
    ext.write_text(f"subjectAltName=DNS:{host},DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                   "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n")
    ca_key = Path(pki["ca"]).with_suffix(".key")  # make_test_pki keeps it beside ca.pem
    subprocess.run(["openssl", "x509", "-req", "-in", str(csr), "-CA", pki["ca"], "-CAkey", str(ca_key),
                    "-CAcreateserial", "-out", str(cert), "-days", "30", "-extfile", str(ext)],
                   check=True, capture_output=True)
    return {"ca": pki["ca"], "cert": str(cert), "key": str(key)}


def setUpModule():
    shutil.rmtree(STATE, ignore_errors=True)
    SERVERS["ecdsa"] = DirmailInstance(STATE / "server", tls=True)
    rsa = DirmailInstance(STATE / "server-rsa", tls=True)
    rsa.pki = issue_rsa_certificate(rsa.pki, STATE / "server-rsa" / "pki-rsa")  # read by write_config
    SERVERS["rsa"] = rsa
    for server in SERVERS.values():
        server.provision()
        server.start()


def tearDownModule():
    for server in SERVERS.values():
        server.stop()


def allowed(finding, allow_list):
    pattern = allow_list.get(finding["id"])
    return pattern is not None and re.fullmatch(pattern, finding["finding"]) is not None


def run_testssl(name, server, port, starttls):
    """Runs testssl.sh against 127.0.0.1:port; returns (exit code, findings, seconds, its
    text output's path)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    report, log = STATE / f"{slug}.json", STATE / f"{slug}.txt"
    report.unlink(missing_ok=True)  # testssl refuses to overwrite a report
    command = [TESTSSL, "--quiet", "--color", "0", "--warnings", "batch", "--nodns", "min",
               "--connect-timeout", "10", "--openssl-timeout", "10",
               "--add-ca", server.pki["ca"], "--jsonfile", str(report), *CHECKS]
    if starttls:
        command += ["--starttls", starttls]
    command.append(f"127.0.0.1:{port}")
    started = time.monotonic()
    with open(log, "wb") as out:
        # cwd: testssl prints `git log` facts of a checkout it runs in; keep it out of ours
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                              cwd=STATE, timeout=SCAN_TIMEOUT)
    seconds = time.monotonic() - started
    findings = json.loads(report.read_text()) if report.exists() else []
    return done.returncode, findings, seconds, log


class TestsslFindsNothingHighOrCritical(unittest.TestCase):
    def test_every_tls_endpoint(self):
        self.assertTrue(Path(TESTSSL).exists(), "testssl is not installed (Debian package testssl.sh)")
        jobs = [(name, SERVERS[key], getattr(SERVERS[key], attr), starttls)
                for name, key, attr, starttls in ENDPOINTS]
        with ThreadPoolExecutor(PARALLEL_SCANS) as pool:
            results = list(pool.map(lambda job: ((job[0], job[2]), run_testssl(*job)), jobs))

        print(f"\n{'endpoint':28} {'port':>5} " + " ".join(f"{s:>8}" for s in SEVERITIES)
              + "  allowed  seconds", file=sys.stderr)
        for (name, port), (code, findings, seconds, log) in results:
            counts = {s: sum(f["severity"] == s for f in findings) for s in SEVERITIES}
            allow = sum(allowed(f, TEST_CERTIFICATE_FINDINGS) for f in findings)
            print(f"{name:28} {port:>5} " + " ".join(f"{counts[s]:>8}" for s in SEVERITIES)
                  + f"  {allow:>7}  {seconds:7.0f}", file=sys.stderr)
            for f in findings:
                if f["severity"] in SEVERITIES + ["WARN", "FATAL"]:
                    note = (" (test certificate)" if allowed(f, TEST_CERTIFICATE_FINDINGS) else
                            " (testssl's own limit)" if allowed(f, TESTSSL_WARNINGS) else "")
                    print(f"    {f['severity']:8} {f['id']}: {f['finding']}{note}", file=sys.stderr)

        for (name, port), (code, findings, seconds, log) in results:
            with self.subTest(endpoint=name, port=port):
                where = f"{name} on 127.0.0.1:{port} (testssl output: {log})"
                # A scan that did not run to the end or never reached TLS proves nothing.
                self.assertLess(code, 242, f"testssl failed with exit code {code}: {where}")
                by_id = {f["id"]: f for f in findings}
                problems = [f for f in findings if f["severity"] in ("FATAL", "WARN")
                            and not allowed(f, TESTSSL_WARNINGS)]
                self.assertEqual(problems, [], f"the scan reports problems: {where}")
                self.assertEqual(by_id.get("cert_commonName", {}).get("finding"), "mail.example.test", where)
                self.assertEqual(by_id.get("TLS1_3", {}).get("finding"), "offered with final", where)
                self.assertIn("heartbleed", by_id, f"the vulnerability checks did not run: {where}")
                failing = [f"{f['severity']} {f['id']}: {f['finding']}" for f in findings
                           if f["severity"] in FAILING and not allowed(f, TEST_CERTIFICATE_FINDINGS)]
                self.assertEqual(failing, [], where)


if __name__ == "__main__":
    unittest.main(verbosity=2)
