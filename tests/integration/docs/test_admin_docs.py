#!/usr/bin/python3
"""The rest of the administrator's documentation, run: docs/admin-guide.md,
cluster.md, migration.md, relay-rules.md and README.md. Every fenced block of these
pages carries a doc-test marker (a block without one fails); the marked ones are used:

- AdminDocBlocks: each TOML block is written into /etc/dirmail/dirmail.toml (the
  packaged file with the block's tables put in, as an administrator edits it) and must
  pass `dirmailctl config check`, so a setting or value the product does not know fails;
  the Prometheus scrape configuration passes `promtool check config`; the relay-rule
  error messages are the ones dirmailctl prints.
- AdminDocCommands: the command blocks, as written, on a machine of their own (a
  private mount and network namespace, member_server.py) with the package's files in
  place and a real dirmaild on the standard ports: accounts, secrets, dirmaild itself,
  status, reload, metrics, health, the log report, keepalived's configuration,
  ocf-tester, and README's demo (scripts/run-demo) and administration commands.
- AdminDocDirectory (with the Samba AD DC fixture): dirmaild on the ad backend and the
  directory commands; the migration's dry run and export against the DC.

Test-only steps, outside the documented blocks: the package's files are put in place
as `apt install ./dirmail_*.deb` would (binaries from the build tree); dirmaild is
started and stopped by the test where the docs say systemctl; the files a block names
but an administrator makes beforehand (a certificate, a bind password, node2's logs,
the original's account export) are made by the test. Needs root (namespaces,
overlays). DIRMAIL_BUILD_DIR names the build tree."""

import json
import os
import pty
import re
import select
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE.parents[2]
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
sys.path.insert(0, str(HERE))
from dirmail_instance import DIRMAIL_IMPORT, DIRMAILCTL, DIRMAILD, make_test_pki  # noqa: E402
from doc_blocks import marker_problems, named_blocks, replace_tables  # noqa: E402
from member_server import MemberServer, stop  # noqa: E402

ADMIN_DOCS = [SOURCE / "docs" / name for name in
              ("admin-guide.md", "cluster.md", "migration.md", "relay-rules.md")] + [SOURCE / "README.md"]
CONFIG_BLOCKS = {"admin-smb-store", "admin-smb-queue", "admin-path-map", "admin-ad-directory",
                 "admin-secrets-file", "admin-tls", "cluster-settings", "cluster-node-config",
                 "cluster-shared-config", "admin-prometheus", "relay-messages"}
COMMAND_BLOCKS = {"admin-run", "admin-accounts", "admin-secrets", "admin-log-report", "admin-control",
                  "cluster-keepalived", "cluster-health", "cluster-ocf-tester", "readme-demo", "readme-admin"}
DIRECTORY_BLOCKS = {"admin-directory-status", "migration-dry-run", "migration-export"}  # with the Samba AD DC
HOSTNAME = "mail.corp.example.test"   # the host name of the docs' transcripts


def install_package(member):
    """The files `apt install ./dirmail_*.deb` puts in place (packaging/), with the
    build tree's binaries; the host name of the docs' examples."""
    done = member.run_script(f"""
groupadd --system dirmail
useradd --system --gid dirmail --home-dir /var/lib/dirmail --shell /usr/sbin/nologin dirmail
install -d -m 0755 /etc/dirmail
install -d -o dirmail -g dirmail -m 0750 /var/lib/dirmail /var/log/dirmail
install -m 0644 {SOURCE}/packaging/dirmail.toml /etc/dirmail/dirmail.toml
ln -s {DIRMAILCTL} /usr/bin/dirmailctl
ln -s {DIRMAIL_IMPORT} /usr/bin/dirmail-import
ln -s {DIRMAILD} /usr/sbin/dirmaild
mount -t tmpfs tmpfs /srv
mount -t tmpfs tmpfs /mnt
""", label="package")
    if done.returncode != 0:
        raise RuntimeError(f"installing the package's files: {done.stdout}")


class Site:
    """One machine of the docs: a member namespace with the package installed."""

    def __init__(self, test, folder):
        self.test = test
        self.folder = Path(folder)
        self.member = MemberServer(self.folder, {}, network=True)
        self.dirmaild = None

    def open(self):
        self.member.open()
        install_package(self.member)

    def close(self):
        stop(self.dirmaild)
        self.member.close()

    def sh(self, text, stdin="", label="step", status=0):
        done = self.member.run_script(text, stdin=stdin, label=label)
        if status == 0:
            self.test.assertEqual(done.returncode, 0, f"{label} failed:\n{done.stdout}")
        else:
            self.test.assertEqual(done.returncode, status, f"{label}: exit status:\n{done.stdout}")
        return done.stdout

    def tty(self, text, answers, label="step"):
        """Runs shell text at a terminal, as an administrator types it: each prompt for a
        password (dirmailctl asks twice, unseen) gets the next of `answers`. Returns the
        output; fails on a non-zero exit."""
        self.member.count += 1
        path = self.member.scripts / f"{self.member.count:02d}-{label}.sh"
        path.write_text(text)
        master, slave = pty.openpty()
        process = subprocess.Popen(self.member.command(["bash", "-euo", "pipefail", str(path)]), stdin=slave,
                                   stdout=slave, stderr=slave, env=self.member.env(), start_new_session=True)
        os.close(slave)
        output, pending, deadline, answered = b"", list(answers), time.time() + 120, 0
        while time.time() < deadline:
            ready, _, _ = select.select([master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:   # the terminal closed: every process on it ended
                    break
                if not chunk:
                    break
                output += chunk
                if output[answered:].rstrip().lower().endswith(b"password:") and pending:
                    os.write(master, pending.pop(0).encode() + b"\n")
                    answered = len(output)
            elif process.poll() is not None:
                break
        os.close(master)
        process.wait(30)
        text = output.decode(errors="replace").replace("\r\n", "\n")
        self.test.assertEqual(process.returncode, 0, f"{label} failed:\n{text}")
        self.test.assertEqual(pending, [], f"{label}: not every password was asked for:\n{text}")
        return text

    def config(self):
        return self.sh("cat /etc/dirmail/dirmail.toml", label="config-read")

    def write_config(self, text):
        self.sh("cat > /etc/dirmail/dirmail.toml", stdin=text, label="config-write")

    def start(self, argv=("dirmaild", "--config", "/etc/dirmail/dirmail.toml")):
        """dirmaild as systemctl start would run it; returns once `dirmailctl health` passes."""
        self.dirmaild = self.member.start(list(argv), self.folder / "dirmaild.out")
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.dirmaild.poll() is not None:
                break
            if self.member.run_script("dirmailctl health", label="wait").returncode == 0:
                return
            time.sleep(0.3)
        out = (self.folder / "dirmaild.out").read_text(errors="replace")[-4000:]
        self.test.fail(f"dirmaild did not come up:\n{out}")

    def stop(self):
        stop(self.dirmaild)
        self.dirmaild = None


class AdminDocBlocks(unittest.TestCase):
    """Every block marked; the configuration blocks valid for dirmailctl; the Prometheus
    configuration valid for promtool."""

    @classmethod
    def setUpClass(cls):
        cls.blocks = named_blocks(ADMIN_DOCS)
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-admin-docs-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.site = Site(None, cls.tmp.name)
        cls.addClassCleanup(cls.site.close)
        cls.site.open()

    def setUp(self):
        self.site.test = self

    def test_every_block_is_marked(self):
        problems = [p for doc in ADMIN_DOCS for p in marker_problems(doc, every_block=True)]
        self.assertEqual(problems, [], "\n".join(problems))

    def test_every_named_block_has_a_check(self):
        checked = CONFIG_BLOCKS | COMMAND_BLOCKS | DIRECTORY_BLOCKS
        self.assertEqual(sorted(set(self.blocks) - checked), [], "doc-test blocks no test uses")
        self.assertEqual(sorted(checked - set(self.blocks)), [],
                         "blocks the tests use that the docs no longer mark")

    def test_every_config_block_passes_config_check(self):
        site = self.site
        pki = make_test_pki(Path(self.tmp.name) / "pki", host=HOSTNAME)
        # What the blocks name and an administrator has made before: the certificate and
        # key, the bind password, the CA, the secrets file and its key, a mounted home share.
        site.sh(f"""
install -d -m 0755 /etc/dirmail/tls /mnt/home
install -m 0644 {pki['cert']} /etc/dirmail/tls/mail.pem
install -m 0600 {pki['key']} /etc/dirmail/tls/mail.key
install -m 0644 {pki['ca']} /etc/dirmail/corp-ca.pem
(umask 077; echo 'bind password' > /etc/dirmail/bind.pw)
""", label="files")
        packaged = site.config()
        checked = []
        for name in sorted(CONFIG_BLOCKS):
            block = self.blocks[name]
            if block.language != "toml":
                continue
            with self.subTest(block=name):
                text = block.text
                if name == "cluster-node-config":
                    # The shared file the node's file names, here a local copy of the next block.
                    shared = self.blocks["cluster-shared-config"].text
                    site.sh("cat > /srv/shared-dirmail.toml", stdin=shared, label="shared")
                    text = re.sub(r"(?m)^shared_config = .*$", 'shared_config = "/srv/shared-dirmail.toml"', text)
                if name == "admin-secrets-file":   # the files it names, made as §3's commands make them
                    site.write_config(replace_tables(packaged, text))
                    site.sh("printf 'p\\np\\n' | dirmailctl secret set alice", label="secret")
                site.write_config(replace_tables(packaged, text))
                done = site.member.run_script("dirmailctl config check /etc/dirmail/dirmail.toml", label=name)
                self.assertEqual(done.returncode, 0, f"{block.path}:{block.line} ({name}):\n{done.stdout}")
                self.assertIn("/etc/dirmail/dirmail.toml: ok", done.stdout)
                checked.append(name)
        self.assertEqual(len(checked), len([n for n in CONFIG_BLOCKS if self.blocks[n].language == "toml"]))

    def test_the_check_finds_a_wrong_setting(self):
        """The same check, on a block with a setting name that does not exist."""
        site = self.site
        block = self.blocks["admin-smb-store"].text.replace("smb_logon", "smb_login")
        site.write_config(replace_tables(site.sh("cat " + str(SOURCE / "packaging/dirmail.toml")), block))
        out = site.sh("dirmailctl config check /etc/dirmail/dirmail.toml", status=1, label="wrong")
        self.assertIn('unknown setting "store.smb_login"', out)

    def test_prometheus_scrape_config(self):
        block = self.blocks["admin-prometheus"]
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "prometheus.yml"
            path.write_text(block.text)
            done = subprocess.run(["promtool", "check", "config", str(path)], capture_output=True, text=True,
                                  timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertIn("SUCCESS", done.stdout + done.stderr)

    def test_relay_rule_messages(self):
        """relay-rules.md's messages are what dirmailctl says for such a file and list."""
        expected = self.blocks["relay-messages"].text.splitlines()
        with tempfile.TemporaryDirectory() as folder:
            folder = Path(folder)
            # A file whose line 12 has a TAB, and a list whose entry 3 has an unknown action.
            rules = folder / "effect.dat"
            rules.write_text("".join(f"192.168.{n}.0/24 default\n" for n in range(11)) + "10.0.0.1\tnorelay\n")
            file_config = folder / "file.toml"
            file_config.write_text(f'[server]\ndata_dir = "{folder}"\n[smtp]\nrelay_rules_file = "{rules}"\n')
            list_config = folder / "list.toml"
            list_config.write_text(f'[server]\ndata_dir = "{folder}"\n[smtp]\n'
                                   'relay_rules = ["10.0.0.1 true", "10.0.0.2 true", "10.0.0.3 true", '
                                   '"10.0.0.4 norelay,1"]\n')
            said = []
            for config in (file_config, list_config):
                done = subprocess.run([str(DIRMAILCTL), "config", "check", str(config)], capture_output=True,
                                      text=True, timeout=60)
                self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
                said.append((done.stdout + done.stderr).replace(str(rules), "/etc/dirmail/effect.dat"))
        self.assertIn(expected[0], said[0])
        self.assertIn(expected[1], said[1])


class AdminDocCommands(unittest.TestCase):
    """The command blocks in the order an administrator meets them; each step needs the
    ones before."""

    @classmethod
    def setUpClass(cls):
        cls.blocks = named_blocks(ADMIN_DOCS)
        cls.used = set()
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-admin-commands-")
        cls.addClassCleanup(cls.tmp.cleanup)
        cls.site = Site(None, Path(cls.tmp.name) / "mail1")
        cls.addClassCleanup(cls.site.close)
        cls.site.open()
        # The test's edit of the packaged file: the docs' host name, the metrics endpoint.
        config = cls.site.member.run_script("cat /etc/dirmail/dirmail.toml").stdout
        config = config.replace('[server]\n', f'[server]\nhostname = "{HOSTNAME}"\n', 1)
        cls.site.member.run_script("cat > /etc/dirmail/dirmail.toml",
                                   stdin=config + '\n[metrics]\nenabled = true\n')

    def setUp(self):
        self.site.test = self

    def block(self, name):
        self.assertIn(name, self.blocks, f"no <!-- doc-test: {name} --> block in the docs")
        type(self).used.add(name)
        return self.blocks[name]

    def run_block(self, name, stdin="", status=0, site=None):
        block = self.block(name)
        return (site or self.site).sh(block.text, stdin=stdin, label=name, status=status)

    def type_block(self, name, answers, site=None):
        """A block typed at a terminal, answering its password prompts."""
        return (site or self.site).tty(self.block(name).text, answers, label=name)

    # -- admin-guide.md §3, §1, secrets -----------------------------------------------
    def test_1_accounts(self):
        out = self.type_block("admin-accounts", ["alice-pw-1", "alice-pw-1", "alice-pw-2", "alice-pw-2"])
        self.assertIn("added domain example.test", out)
        self.assertIn("added user alice@example.test", out)
        self.assertIn("changed password of alice@example.test", out)
        self.assertIn("disabled alice@example.test", out)
        self.assertRegex(out, r"(?m)^alice@example\.test +disabled +Alice$")
        self.assertRegex(out, r"(?m)^mailbox_limit: +2147483648$")
        self.assertRegex(out, r"(?m)^require_smtp_auth: +yes$")
        self.assertIn("added alias info@example.test", out)
        self.assertIn("added alias *@example.test", out)
        listed = self.site.sh("dirmailctl domain list; dirmailctl alias list", label="lists")
        self.assertRegex(listed, r"(?m)^example\.test\b.*100")
        self.assertRegex(listed, r"(?m)^info@example\.test +alice@example\.test,bob@example\.test$")
        # alice takes mail again for the steps below (the guide's disable was an example).
        self.site.sh("dirmailctl user enable alice@example.test", label="enable")

    def test_2_dirmaild_health_and_control(self):
        site = self.site
        site.start(["bash", "-euo", "pipefail", "-c", self.block("admin-run").text])
        # cluster.md: the health check's transcript, the pid and the CAPABILITY list aside.
        transcript = self.block("cluster-health").text.splitlines()
        self.assertEqual(transcript[0], "$ dirmailctl health")
        out = site.sh(transcript[0][2:], label="cluster-health")
        for line in transcript[1:]:
            pattern = re.escape(line).replace("4242", r"\d+").replace("…", ".*")
            self.assertRegex(out, "(?m)^" + pattern + "$")
        # A message for alice, so that the figures below have something to count.
        sent = site.sh("swaks --server 127.0.0.1:25 --from friend@example.org --to alice@example.test "
                       "--header 'Subject: doc test' --body 'hello'", label="swaks")
        self.assertRegex(sent, r"<-  250 2\.0\.0 Ok: queued as")

        out = self.run_block("admin-control")
        self.assertRegex(out, r"(?i)smtp")
        status, _ = json.JSONDecoder().raw_decode(out[out.index("\n{") + 1:])
        self.assertIn("services", status)
        self.assertIn("dirmaild reloaded its configuration", out)
        self.assertRegex(out, r'(?m)^dirmail_build_info\{.*\} 1$')
        self.assertRegex(out, r'(?m)^dirmail_messages_accepted_total\{service="smtp"\} [1-9]')
        # Every metric the guide's table lists is one dirmaild serves.
        table = self.block("admin-prometheus").path
        guide = Path(table).read_text()
        section = guide.split("### Prometheus metrics", 1)[1].split("## 6.", 1)[0]
        documented = set(re.findall(r"\|\s*`(dirmail_[a-z_]+)`", section))
        documented |= set(re.findall(r"`, `(dirmail_[a-z_]+)`", section))
        documented |= {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds"}
        served = set(re.findall(r"(?m)^# TYPE ([a-z_]+) ", out))
        # The directory's and the cluster's figures come with the ad/ldap backends and on
        # cluster nodes only; this node has neither.
        # Counters with labels show once they count: delivery reports with the first bounce,
        # logins with the first one (password logins need TLS, and this node has no certificate).
        documented = {name for name in documented if not name.startswith(("dirmail_directory_", "dirmail_cluster_"))}
        documented -= {"dirmail_delivery_reports_total", "dirmail_logins_total"}
        self.assertGreater(len(documented), 10)
        self.assertEqual(sorted(documented - served), [], "metrics the guide lists that dirmaild does not serve")

    def test_3_secrets(self):
        self.site.write_config(replace_tables(self.site.config(), self.block("admin-secrets-file").text))
        out = self.type_block("admin-secrets", ["alice-smtp", "alice-smtp", "migrator-pw", "migrator-pw"])
        self.assertIn("made a new key in /var/lib/dirmail/secrets.key", out)
        self.assertIn("added alice (sealed) in /var/lib/dirmail/secrets", out)
        self.assertIn("added migrator (argon2id) in /var/lib/dirmail/secrets", out)
        self.assertRegex(out, r"(?m)^alice\tsealed\tPLAIN LOGIN CRAM-MD5 APOP$")
        self.assertRegex(out, r"(?m)^migrator\targon2id\tPLAIN LOGIN$")
        self.assertIn("deleted alice from /var/lib/dirmail/secrets", out)
        modes = self.site.sh("stat -c '%a %n' /var/lib/dirmail/secrets /var/lib/dirmail/secrets.key", label="modes")
        self.assertEqual(modes.split(), ["600", "/var/lib/dirmail/secrets", "600", "/var/lib/dirmail/secrets.key"])

    def test_4_log_report(self):
        # Node2's logs, as an administrator copies them over to report on both nodes.
        self.site.sh("mkdir -p /mnt/node2-logs && cp -r /var/log/dirmail/. /mnt/node2-logs/", label="node2-logs")
        out = self.run_block("admin-log-report")
        today = time.strftime("%Y-%m-%d", time.gmtime())
        self.assertIn(today, out)
        self.assertRegex(out, r"(?i)received")
        csv = self.site.sh("cat nov.csv", label="csv")
        self.assertEqual(csv.splitlines()[0], "date,figure,name,value")
        html = self.site.sh("cat report.html", label="html")
        self.assertIn("<html", html.lower())
        self.assertIn(today, html)

    def test_5_keepalived_and_ocf_tester(self):
        site = self.site
        # The node of cluster.md §1: its interface, the §2 settings in its file.
        site.sh("ip link add eth0 type veth peer name eth0p && ip link set eth0p up && "
                "ip addr add 192.168.10.200/24 dev eth0 && ip link set eth0 up", label="eth0")
        site.write_config(replace_tables(site.config(), self.block("cluster-settings").text))
        out = self.run_block("cluster-keepalived")
        self.assertIn("keepalived is already the newest version", out)   # apt-get, in this machine's overlay
        self.assertTrue(out.rstrip().endswith("wrote /etc/keepalived/keepalived.conf; check it with keepalived -t -f "
                                              "/etc/keepalived/keepalived.conf"), f"keepalived -t said something:\n{out}")
        rendered = site.sh("cat /etc/keepalived/keepalived.conf", label="rendered")
        self.assertIn("192.168.10.202/24 dev eth0", rendered)
        self.assertIn("priority 150", rendered)
        self.assertRegex(rendered, r"advert_int 1\b")
        self.assertIn("preempt_delay 60", rendered)
        # ocf-tester starts and stops dirmaild itself through the agent.
        site.stop()
        site.sh(f"install -D -m 0755 {SOURCE}/cluster/ocf/dirmail /usr/lib/ocf/resource.d/dirmail/dirmail",
                label="agent")
        out = self.run_block("cluster-ocf-tester")
        self.assertIn("dirmail passed all tests", out)

    # -- README.md ------------------------------------------------------------------
    def test_6_readme(self):
        site = Site(self, Path(self.tmp.name) / "readme")
        self.addCleanup(site.close)
        site.open()
        # make run: the demo the README's next block talks to (its own folder ./var).
        demo = site.member.start(["bash", str(SOURCE / "scripts" / "run-demo"), str(DIRMAILD.parents[2])],
                                 site.folder / "demo.out")
        self.addCleanup(stop, demo)
        deadline = time.time() + 60
        while site.member.run_script("exec 3<>/dev/tcp/127.0.0.1/2143", label="wait").returncode != 0:
            self.assertIsNone(demo.poll(), (site.folder / "demo.out").read_text(errors="replace"))
            self.assertLess(time.time(), deadline, "make run's dirmaild did not come up")
            time.sleep(0.3)
        out = self.run_block("readme-demo", site=site)
        self.assertEqual(len(re.findall(r"<[-~]  250 2\.0\.0 Ok: queued as", out)), 2, out)
        self.assertIn("Subject: hello", out)
        self.assertIn("Hello from swaks", out)
        self.assertIn("<~  235 2.7.0 Authentication successful", out)
        stop(demo)

        # The administration block, on the packaged installation with dirmaild running;
        # the original's account export and mail work folder for the dry run.
        site.start()
        site.sh("mkdir -p /srv/original/mail/inbox/suzuki && printf 'suzuki\\tSuzuki-Pass-1\\tSuzuki Ichiro\\t"
                "example.test\\t\\t0\\t0\\t0\\r\\n' > accounts.tsv && printf 'Subject: old\\r\\n\\r\\nold mail\\r\\n'"
                " > /srv/original/mail/inbox/suzuki/0001.EML", label="export")
        out = self.type_block("readme-admin", ["alice-pw", "alice-pw"], site=site)
        self.assertIn("added domain example.test", out)
        self.assertIn("added user alice@example.test", out)
        self.assertRegex(out, r"(?m)^alice@example\.test +enabled +Alice Example$")
        self.assertIn("added alias postmaster@example.test", out)
        self.assertIn("/etc/dirmail/dirmail.toml: ok", out)
        self.assertIn("dirmaild reloaded its configuration", out)
        self.assertRegex(out, r"would create")
        self.assertIn("suzuki", out)

    def test_7_every_command_block_ran(self):
        self.assertEqual(sorted(COMMAND_BLOCKS - self.used), [],
                         "doc-test command blocks this test did not run")


class AdminDocDirectory(unittest.TestCase):
    """The blocks that need Active Directory, against the Samba AD DC fixture, on a
    member namespace (mount only: the DC is on this machine's loopback): dirmaild on the
    ad backend, the directory commands, the migration's dry run and export."""

    @classmethod
    def setUpClass(cls):
        import samba_dc_info
        from directory_setup import ad_config
        from dirmail_instance import free_port
        cls.info = samba_dc_info.load()
        cls.blocks = named_blocks(ADMIN_DOCS)
        cls.used = set()
        cls.tmp = tempfile.TemporaryDirectory(prefix="dirmail-admin-directory-")
        cls.addClassCleanup(cls.tmp.cleanup)
        folder = Path(cls.tmp.name)
        cls.site = Site(None, folder / "mail1")
        cls.site.member = MemberServer(cls.site.folder, {})
        cls.addClassCleanup(cls.site.close)
        cls.site.open()
        # The site's file: the ad backend bound as the service account over LDAPS, and
        # listeners on free loopback ports (this namespace shares the host's network).
        ports = {service: free_port() for service in ("smtp", "pop3", "imap")}
        listen = "".join(f'\n[{s}]\nlisten = ["127.0.0.1 {p}"]\n' for s, p in ports.items())
        fragment = (f'[server]\nhostname = "{HOSTNAME}"\ndata_dir = "/var/lib/dirmail"\n\n'
                    + ad_config(cls.info, folder, [cls.info["ldaps_uri"]]) + listen)
        config = cls.site.member.run_script("cat /etc/dirmail/dirmail.toml").stdout
        cls.site.member.run_script("cat > /etc/dirmail/dirmail.toml", stdin=replace_tables(config, fragment))
        # The administrator's password file the migration's blocks name.
        cls.site.member.run_script("mount -t tmpfs -o mode=0700 tmpfs /root && (umask 077; cat > /root/admin.pw)",
                                   stdin=cls.info["admin"]["password"] + "\n")

    def setUp(self):
        self.site.test = self

    def run_block(self, name):
        self.assertIn(name, self.blocks, f"no <!-- doc-test: {name} --> block in the docs")
        type(self).used.add(name)
        return self.site.sh(self.blocks[name].text, label=name)

    def test_1_directory_status(self):
        self.site.start()
        out = self.run_block("admin-directory-status")
        self.assertIn("state=healthy", out)
        alice = self.info["users"]["alice"]
        self.assertRegex(out, r"(?m)^groups: +.*IMSUsers")
        self.assertRegex(out, r"(?m)^state: +active$")
        self.assertIn(f"alice\t{alice['mail']}\t", out)
        self.assertNotIn("dave\t", out)   # not in IMSUsers
        self.site.stop()

    def test_2_migration(self):
        # The original's account export and mail work folder (migration.md §1).
        self.site.sh("mkdir -p /srv/original/mail/inbox/suzuki && printf 'suzuki\\tDoc-Test-Migr-9!\\t"
                     "Suzuki Ichiro\\texample.test\\t\\t0\\t0\\t0\\r\\n' > accounts.tsv && "
                     "printf 'Subject: old\\r\\n\\r\\nold mail\\r\\n' > /srv/original/mail/inbox/suzuki/0001.EML",
                     label="export-file")
        out = self.run_block("migration-dry-run")
        self.assertRegex(out, r"line +1 +would create +suzuki")
        self.assertIn("DRY RUN: nothing was changed", out)
        from directory_setup import samba_tool
        self.assertNotEqual(samba_tool(self.info, "user", "show", "suzuki", check=False).returncode, 0,
                            "the dry run made the user")
        self.run_block("migration-export")
        exported = self.site.sh("iconv -f CP932 -t UTF-8 accounts-now.tsv", label="read-export")
        rows = {line.split("\t")[0]: line.split("\t") for line in exported.splitlines() if line}
        self.assertIn("alice", rows)
        self.assertEqual(len(rows["alice"]), 8, rows["alice"])
        self.assertEqual(rows["alice"][3], self.info["mail_domain"])
        self.assertNotIn("dave", rows)

    def test_3_every_directory_block_ran(self):
        self.assertEqual(sorted(DIRECTORY_BLOCKS - self.used), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
