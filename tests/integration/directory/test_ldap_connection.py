#!/usr/bin/python3
"""LdapConnection (directory/ldap) as the mail server uses it, against the Samba AD DC
fixture: LDAPS and StartTLS simple binds of the service account, a GSSAPI bind with
the fixture keytab (signed and sealed), searches with paging, users' password checks
with AD's refusal reasons; and against servers that refuse, present an untrusted
certificate, or accept TCP and never answer.

Run by ctest with the samba_dc fixture:
  test_ldap_connection.py PATH/TO/ldap_connection_check
The check program prints one line per result (see its source); this script asserts
on them."""

import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import samba_dc_info  # noqa: E402

CHECK = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else sys.exit(
    "usage: test_ldap_connection.py PATH/TO/ldap_connection_check")
INFO = samba_dc_info.load()
RUN_TIMEOUT = 60
# Short timeouts for the fault tests: what they bound is measured against these.
FAULT_TIMEOUT_MS = 1000
UNTRUSTED_CA = "/etc/ssl/certs/ca-certificates.crt"  # does not hold the fixture's CA
USER_FILTER = "(&(objectCategory=person)(objectClass=user))"


def user(name):
    return INFO["users"][name]


def service_bind():
    service = INFO["service_account"]
    return ["--bind", "simple", "--bind-dn", f"{service['name']}@{INFO['dns_domain']}",
            "--password", service["password"]]


class Outcome:
    """The check program's lines, parsed."""

    def __init__(self, stdout, returncode, elapsed, cpu_seconds):
        self.lines = stdout.splitlines()
        self.returncode = returncode
        self.elapsed = elapsed
        self.cpu_seconds = cpu_seconds
        self.results = []   # (kind, fields) for open/search/password lines
        self.searches = []  # per search: {dn: {attribute: [bytes]}}
        current = {}
        entry = None
        for line in self.lines:
            word, _, rest = line.partition(" ")
            if word == "entry":
                entry = current.setdefault(rest, {})
            elif word == "value":
                name, _, value = rest.partition(" ")
                entry.setdefault(name.lower(), []).append(bytes.fromhex(value))
            elif word in ("open", "search", "password"):
                self.results.append((word, parse_fields(rest)))
                if word == "search":
                    self.searches.append(current)
                    current = {}

    def result(self, index):
        return self.results[index]

    def describe(self):
        return "\n".join(self.lines) or "(no output)"


def parse_fields(rest):
    """'ok count=3 elapsed_ms=4' -> {'status': 'ok', 'count': '3', ...}; message= and
    diagnostic= take the rest of the line."""
    status, _, rest = rest.partition(" ")
    fields = {"status": status}
    while rest:
        key, _, rest = rest.partition("=")
        if key in ("message", "diagnostic"):
            fields[key] = rest
            break
        value, _, rest = rest.partition(" ")
        fields[key] = value
    return fields


def run_check(*args, env=None, wrap=None):
    command = (wrap or []) + [CHECK, *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=RUN_TIMEOUT)
    elapsed = time.monotonic() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(command)} exited {done.returncode}:\n"
                             f"{done.stdout}\n{done.stderr}")
    return Outcome(done.stdout, done.returncode, elapsed, cpu)


def texts(values):
    return [value.decode() for value in values]


class LdapsServiceBind(unittest.TestCase):
    def test_search_finds_alice_with_her_attributes(self):
        alice = user("alice")
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"], *service_bind(),
                        "search", INFO["base_dn"], "sub", "(sAMAccountName=alice)",
                        "sAMAccountName,mail,memberOf,proxyAddresses,userPrincipalName,objectSid",
                        "500", "100")
        self.assertEqual(out.result(0)[1]["status"], "ok", out.describe())
        self.assertEqual(out.result(1)[1]["status"], "ok", out.describe())
        self.assertEqual(list(out.searches[0]), [alice["dn"]])
        attrs = out.searches[0][alice["dn"]]
        self.assertEqual(texts(attrs["samaccountname"]), ["alice"])
        self.assertEqual(texts(attrs["mail"]), [alice["mail"]])
        self.assertEqual(texts(attrs["userprincipalname"]), [alice["upn"]])
        self.assertCountEqual(texts(attrs["memberof"]),
                              [INFO["groups"]["IMSUsers"]["dn"],
                               INFO["groups"][INFO["mail_domain"]]["dn"]])
        self.assertCountEqual(texts(attrs["proxyaddresses"]), alice["proxy_addresses"])
        # objectSid is binary: revision 1, five sub-authorities, NT authority (5).
        sid = attrs["objectsid"][0]
        self.assertEqual(len(sid), 28)
        self.assertEqual(sid[:8], bytes([1, 5, 0, 0, 0, 0, 0, 5]))

    def test_root_dse_and_missing_base_and_bad_filter(self):
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"], *service_bind(),
                        "rootdse", "defaultNamingContext,supportedSASLMechanisms",
                        "search", "OU=nowhere," + INFO["base_dn"], "sub", "(objectClass=*)", "-", "0", "10",
                        "search", INFO["base_dn"], "sub", "(((", "-", "0", "10")
        root = out.searches[0][""]
        self.assertEqual(texts(root["defaultnamingcontext"]), [INFO["base_dn"]])
        self.assertIn("GSSAPI", texts(root["supportedsaslmechanisms"]))
        missing = out.result(2)[1]
        self.assertEqual((missing["status"], missing["code"]), ("error", "not_found"), out.describe())
        self.assertIn(INFO["ldaps_uri"], missing["message"])
        bad_filter = out.result(3)[1]
        self.assertEqual((bad_filter["status"], bad_filter["code"]), ("error", "invalid_argument"),
                         out.describe())

    def test_wrong_service_password_is_refused_with_the_server_reason(self):
        service = INFO["service_account"]
        name = f"{service['name']}@{INFO['dns_domain']}"
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"],
                        "--bind", "simple", "--bind-dn", name, "--password", service["password"] + "x")
        fields = out.result(0)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "permission_denied"), out.describe())
        self.assertIn(f"{INFO['ldaps_uri']}: bind as {name} refused: Invalid credentials", fields["message"])
        self.assertIn("data 52e", fields["message"])


class Paging(unittest.TestCase):
    def test_pages_of_two_return_every_user(self):
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"], *service_bind(),
                        "search", INFO["base_dn"], "sub", USER_FILTER, "sAMAccountName", "2", "1000",
                        "search", INFO["base_dn"], "sub", USER_FILTER, "sAMAccountName", "0", "1000")
        self.assertEqual([r[1]["status"] for r in out.results], ["ok", "ok", "ok"], out.describe())
        paged = sorted(texts(a["samaccountname"])[0] for a in out.searches[0].values())
        unpaged = sorted(texts(a["samaccountname"])[0] for a in out.searches[1].values())
        self.assertEqual(paged, unpaged)
        self.assertTrue(set(INFO["users"]) <= set(paged), paged)
        self.assertIn("Administrator", paged)
        self.assertGreater(len(paged), 4)  # several pages of two

    def test_max_entries_is_a_limit(self):
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"], *service_bind(),
                        "search", INFO["base_dn"], "sub", USER_FILTER, "-", "2", "3")
        fields = out.result(1)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "limit_exceeded"), out.describe())
        self.assertIn("more than 3 entries", fields["message"])

    def test_no_attributes_returns_only_the_dn(self):
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"], *service_bind(),
                        "search", INFO["base_dn"], "sub", "(sAMAccountName=bob)", "-", "500", "10")
        self.assertEqual(out.searches[0], {user("bob")["dn"]: {}}, out.describe())


class StartTls(unittest.TestCase):
    def test_service_bind_after_starttls(self):
        out = run_check("--uri", INFO["ldap_uri"], "--start-tls", "--ca-file", INFO["ca_file"],
                        *service_bind(), "search", INFO["base_dn"], "sub", "(sAMAccountName=bob)",
                        "mail", "500", "10")
        self.assertEqual(out.result(0)[1]["status"], "ok", out.describe())
        self.assertEqual(texts(out.searches[0][user("bob")["dn"]]["mail"]), [user("bob")["mail"]])

    def test_cleartext_simple_bind_is_refused(self):
        out = run_check("--uri", INFO["ldap_uri"], *service_bind())
        fields = out.result(0)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "permission_denied"), out.describe())
        self.assertIn("refused: Strong(er) authentication required", fields["message"])


class UntrustedCertificate(unittest.TestCase):
    def assert_certificate_refused(self, out):
        fields = out.result(0)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "permission_denied"), out.describe())
        self.assertIn("TLS certificate of the server not accepted", fields["message"])
        self.assertIn(f"CA file {UNTRUSTED_CA}", fields["message"])

    def test_ldaps_with_an_untrusted_ca(self):
        self.assert_certificate_refused(
            run_check("--uri", INFO["ldaps_uri"], "--ca-file", UNTRUSTED_CA, *service_bind()))

    def test_starttls_with_an_untrusted_ca(self):
        self.assert_certificate_refused(
            run_check("--uri", INFO["ldap_uri"], "--start-tls", "--ca-file", UNTRUSTED_CA, *service_bind()))

    def test_no_verification_when_switched_off(self):
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", UNTRUSTED_CA, "--no-verify",
                        *service_bind(), "rootdse", "dnsHostName")
        self.assertEqual(out.result(0)[1]["status"], "ok", out.describe())


class CheckPassword(unittest.TestCase):
    """Users' passwords through check_password: a new connection per check."""

    def check(self, *pairs):
        args = []
        for name, password in pairs:
            args += ["check-password", name, password]
        out = run_check("--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"], *service_bind(), *args)
        self.assertEqual(out.result(0)[1]["status"], "ok", out.describe())
        return [fields for kind, fields in out.results[1:]], out

    def test_right_wrong_disabled_unknown(self):
        alice, carol = user("alice"), user("carol")
        results, out = self.check((alice["upn"], alice["password"]),
                                  (alice["dn"], alice["password"] + "x"),
                                  (carol["upn"], carol["password"]),
                                  (f"nobody@{INFO['dns_domain']}", "Whatever-1!"))
        self.assertEqual([r["status"] for r in results], ["accepted", "refused", "refused", "refused"],
                         out.describe())
        self.assertEqual(results[1]["refusal"], "bad_credentials")
        self.assertIn("data 52e", results[1]["diagnostic"])
        # Samba answers a disabled account's right password with AD's "data 533".
        self.assertEqual(results[2]["refusal"], "disabled")
        self.assertIn("data 533", results[2]["diagnostic"])
        # Samba, unlike Windows (525), says 52e for an unknown user too.
        self.assertEqual(results[3]["refusal"], "bad_credentials")

    def test_empty_password_is_refused_without_asking(self):
        results, out = self.check((user("alice")["upn"], ""))
        self.assertEqual((results[0]["status"], results[0]["refusal"]), ("refused", "bad_credentials"))
        self.assertIn("without asking the server", results[0]["diagnostic"])


class Gssapi(unittest.TestCase):
    """SASL/GSSAPI with the fixture keytab. The DC's LDAP service principal is
    ldap/<its host name>, so the URI names the host; a private /etc/hosts (in a mount
    namespace of the check program only) maps it to the fixture's address."""

    def setUp(self):
        self.folder = tempfile.TemporaryDirectory(prefix="ldap-connection-gssapi-")
        self.hosts = os.path.join(self.folder.name, "hosts")
        with open(self.hosts, "w") as f:
            f.write(f"127.0.0.1 localhost\n{INFO['address']} {INFO['dc_hostname']}\n")
        self.env = samba_dc_info.kerberos_environment(INFO, os.path.join(self.folder.name, "ccache"))
        self.wrap = ["unshare", "--mount", "--propagation", "private", "--",
                     "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', self.hosts]
        self.uri = f"ldap://{INFO['dc_hostname']}"

    def tearDown(self):
        self.folder.cleanup()

    def gssapi(self, *args, env=None):
        return run_check("--uri", self.uri, "--bind", "gssapi", "--keytab", INFO["keytab"], *args,
                         env=env or self.env, wrap=self.wrap)

    def test_bind_with_the_keytab_reads_alice(self):
        out = self.gssapi("search", INFO["base_dn"], "sub", "(sAMAccountName=alice)", "mail", "500", "10")
        self.assertEqual(out.result(0)[1]["status"], "ok", out.describe())
        self.assertEqual(texts(out.searches[0][user("alice")["dn"]]["mail"]), [user("alice")["mail"]])
        # The ticket went to a MEMORY cache of the connection, not to the default one.
        self.assertFalse(os.path.exists(os.path.join(self.folder.name, "ccache")))

    def test_explicit_principal(self):
        principal = f"{INFO['service_account']['name']}@{INFO['realm']}"
        out = self.gssapi("--principal", principal, "rootdse", "dnsHostName")
        self.assertEqual(out.result(0)[1]["status"], "ok", out.describe())

    def test_session_must_be_sealed(self):
        # GSSAPI seals at 56 (the default minimum, accepted above); a minimum no
        # mechanism reaches is refused, so the minimum is really enforced.
        out = self.gssapi("--min-ssf", "100000")
        fields = out.result(0)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "permission_denied"), out.describe())

    def test_service_principal_is_not_a_client(self):
        spn = INFO["service_account"]["principals"][0]
        out = self.gssapi("--principal", spn)
        fields = out.result(0)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "permission_denied"), out.describe())
        self.assertIn(spn, fields["message"])

    def test_unreachable_kdc_is_temporary(self):
        port = closed_port()
        krb5_conf = os.path.join(self.folder.name, "krb5-dead.conf")
        with open(krb5_conf, "w") as f:
            f.write(f"[libdefaults]\n default_realm = {INFO['realm']}\n dns_lookup_kdc = false\n"
                    f"[realms]\n {INFO['realm']} = {{\n  kdc = 127.0.0.1:{port}\n }}\n")
        out = self.gssapi(env=dict(self.env, KRB5_CONFIG=krb5_conf))
        fields = out.result(0)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "temporary_failure"), out.describe())
        self.assertIn("KDC", fields["message"])


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeServer:
    """Accepts TCP on 127.0.0.1 and never answers; with bind_ok, it answers the first
    request of each connection (the bind) with success and then falls silent."""

    def __init__(self, bind_ok=False):
        self.bind_ok = bind_ok
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(8)
        self.port = self.listener.getsockname()[1]
        self.connections = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)
            if self.bind_ok:
                threading.Thread(target=self.answer_bind, args=(conn,), daemon=True).start()

    def answer_bind(self, conn):
        try:
            request = read_ldap_message(conn)
            message_id = request_message_id(request)
            # BindResponse: success, empty matched DN and diagnostic message.
            body = bytes([0x02, len(message_id)]) + message_id + bytes.fromhex("61070a010004000400")
            conn.sendall(bytes([0x30, len(body)]) + body)
            while conn.recv(4096):
                pass  # the search: read, never answered
        except OSError:
            pass

    def close(self):
        self.listener.close()
        for conn in self.connections:
            conn.close()


def read_exact(conn, count):
    data = b""
    while len(data) < count:
        chunk = conn.recv(count - len(data))
        if not chunk:
            raise OSError("closed")
        data += chunk
    return data


def read_ldap_message(conn):
    head = read_exact(conn, 2)
    length = head[1]
    extra = b""
    if length & 0x80:
        extra = read_exact(conn, length & 0x7F)
        length = int.from_bytes(extra, "big")
    return head + extra + read_exact(conn, length)


def request_message_id(message):
    at = 2 + (message[1] & 0x7F if message[1] & 0x80 else 0)
    assert message[at] == 0x02, message.hex()
    return message[at + 2:at + 2 + message[at + 1]]


class Faults(unittest.TestCase):
    timeouts = ["--connect-timeout-ms", str(FAULT_TIMEOUT_MS), "--timeout-ms", str(FAULT_TIMEOUT_MS)]

    def assert_bounded_temporary(self, out, index=0):
        fields = out.result(index)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "temporary_failure"), out.describe())
        elapsed_ms = int(fields["elapsed_ms"])
        self.assertGreaterEqual(elapsed_ms, FAULT_TIMEOUT_MS * 0.8, out.describe())
        self.assertLess(elapsed_ms, FAULT_TIMEOUT_MS * 3, out.describe())
        return fields

    def test_closed_port_fails_fast(self):
        out = run_check("--uri", f"ldap://127.0.0.1:{closed_port()}", *self.timeouts, *service_bind())
        fields = out.result(0)[1]
        self.assertEqual((fields["status"], fields["code"]), ("error", "temporary_failure"), out.describe())
        self.assertLess(int(fields["elapsed_ms"]), FAULT_TIMEOUT_MS / 2, out.describe())
        self.assertIn("connect failed", fields["message"])

    def test_hung_server_bind_times_out(self):
        server = FakeServer()
        try:
            out = run_check("--uri", f"ldap://127.0.0.1:{server.port}", *self.timeouts, *service_bind())
        finally:
            server.close()
        fields = self.assert_bounded_temporary(out)
        self.assertIn(f"no answer within {FAULT_TIMEOUT_MS} ms", fields["message"])

    def test_hung_server_tls_handshake_times_out_without_spinning(self):
        server = FakeServer()
        try:
            out = run_check("--uri", f"ldaps://127.0.0.1:{server.port}", "--ca-file", INFO["ca_file"],
                            *self.timeouts, *service_bind())
        finally:
            server.close()
        fields = self.assert_bounded_temporary(out)
        self.assertIn("TLS handshake failed: no answer", fields["message"])
        # libldap with GnuTLS busy-loops in a non-blocking handshake; ours blocks.
        self.assertLess(out.cpu_seconds, out.elapsed * 0.5, f"cpu {out.cpu_seconds:.2f} s")

    def test_hung_search_page_times_out(self):
        server = FakeServer(bind_ok=True)
        try:
            out = run_check("--uri", f"ldap://127.0.0.1:{server.port}", *self.timeouts, *service_bind(),
                            "search", INFO["base_dn"], "sub", USER_FILTER, "-", "2", "100")
        finally:
            server.close()
        self.assertEqual(out.result(0)[1]["status"], "ok", out.describe())
        self.assert_bounded_temporary(out, index=1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
