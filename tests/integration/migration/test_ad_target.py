#!/usr/bin/python3
"""The importer's Active Directory target (dirmail::migration, ad_account_target.hpp)
against the real Samba AD DC: a user created as spec §22.7 says (names, home, groups,
enabled, the importer's mark) who can then log on with the password; a password the
domain's policy refuses gives the original's message and leaves no user behind; a
generated password makes the user change it at the first logon; users AD has already
are found as they are; mail domain groups are made and found; a run cut short is
completed; every mail user is listed with its domain.

The test works in an OU of its own with its own mail users group, removed at the end,
so that the other tests sharing the DC see nothing of it. It does not change the
domain's password policy: Samba's default (complexity on, 7 characters) is required.

Run by ctest with the samba_dc fixture:
  test_ad_target.py PATH/TO/ad_target_check"""

import atexit
import json
import os
import subprocess
import sys
import tempfile
import unittest
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import admin_connection, delete_subtree, ldap_text as text, ldaps_connection  # noqa: E402

import ldap  # noqa: E402  (python3-ldap: only in /usr/bin/python3)
import ldap.filter  # noqa: E402

CHECK = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else sys.exit(
    "usage: test_ad_target.py PATH/TO/ad_target_check")
INFO = samba_dc_info.load()
RUN_TIMEOUT = 120
POLICY_MESSAGE = ("The password is too short or does not meet complexity requirements. "
                  "You must enter a complex password.")
SUFFIX = uuid.uuid4().hex[:6]
OU = f"OU=import-{SUFFIX},{INFO['base_dn']}"
MAIL_USERS = f"ImpUsers-{SUFFIX}"
MAIL_USERS_DN = f"CN={MAIL_USERS},{OU}"
DOMAIN_A = f"a{SUFFIX}.import.test"   # made by the target in setUpClass
DOMAIN_B = f"b{SUFFIX}.import.test"   # made by python-ldap, as an administrator would
LIMIT_ATTRIBUTE = "maxStorage"        # an integer attribute of AD's user class
GOOD_PASSWORD = "Imp-Pw-4711!"


def admin_password_file():
    """The administrator's password in a file of mode 0600 (mkstemp's), removed at exit:
    ad_target_check takes it from there, not from its command line."""
    fd, path = tempfile.mkstemp(prefix="ad-target-check-")
    with os.fdopen(fd, "w") as f:
        f.write(INFO["admin"]["password"] + "\n")
    atexit.register(os.unlink, path)
    return path


PASSWORD_FILE = admin_password_file()


def name(tag):
    return f"t{SUFFIX}{tag}"  # 8 characters: within sAMAccountName's 20


def user_dn(tag):
    return f"CN={name(tag)},{OU}"


def bind_as(upn, password):
    """An LDAP simple bind as the user: None when accepted, else the server's message."""
    conn = ldaps_connection(INFO)
    try:
        conn.simple_bind_s(upn, password)
        return None
    except ldap.INVALID_CREDENTIALS as refused:
        return refused.args[0].get("info", "invalid credentials")
    finally:
        conn.unbind_s()


def run_check(*steps, limit_attribute=LIMIT_ATTRIBUTE):
    """Runs the check program with the steps; returns its results, one dict per line."""
    command = [CHECK, "--uri", INFO["ldaps_uri"], "--ca-file", INFO["ca_file"],
               "--bind-dn", INFO["admin"]["upn"], "--password-file", PASSWORD_FILE,
               "--base-dn", INFO["base_dn"], "--user-container", OU, "--group-container", OU,
               "--mail-users-group", MAIL_USERS]
    if limit_attribute:
        command += ["--limit-attribute", limit_attribute]
    done = subprocess.run(command + [str(s) for s in steps], capture_output=True, text=True,
                          timeout=RUN_TIMEOUT)
    if done.returncode != 0:
        raise AssertionError(f"ad_target_check exited with {done.returncode}:\n{done.stdout}{done.stderr}")
    results = [json.loads(line) for line in done.stdout.splitlines()]
    if not results or results[0] != {"step": "open", "ok": True}:
        raise AssertionError(f"the target did not open: {done.stdout}{done.stderr}")
    return results[1:]


def complete(tag, domain, password=GOOD_PASSWORD, must_change=False):
    return ["complete", name(tag), domain, password, 1 if must_change else 0]


def create(tag, password=GOOD_PASSWORD, full_name="", domain="", home="", limit=0, must_change=False,
           origin="accounts.tsv line 1"):
    return ["create", name(tag), password, full_name, domain, home, limit, 1 if must_change else 0, origin]


class AdTarget(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = admin_connection(INFO)
        head = cls.conn.search_s(INFO["base_dn"], ldap.SCOPE_BASE, "(objectClass=*)",
                                 ["minPwdLength", "pwdProperties"])[0][1]
        cls.min_length = int(head["minPwdLength"][0])
        complex_on = int(head["pwdProperties"][0]) & 1
        if not complex_on or cls.min_length < 7:
            raise AssertionError(f"the domain's password policy is not Samba's default (complexity "
                                 f"{'on' if complex_on else 'off'}, minimum length {cls.min_length}): "
                                 "another test changed it and did not restore it")
        cls.conn.add_s(OU, [("objectClass", [b"top", b"organizationalUnit"])])
        cls.conn.add_s(MAIL_USERS_DN, [("objectClass", [b"top", b"group"]),
                                       ("sAMAccountName", [MAIL_USERS.encode()]),
                                       ("groupType", [b"-2147483644"])])
        cls.conn.add_s(f"CN={DOMAIN_B},{OU}", [("objectClass", [b"top", b"group"]),
                                               ("sAMAccountName", [DOMAIN_B.encode()]),
                                               ("groupType", [b"-2147483646"])])  # a global one
        results = run_check("create-domain", DOMAIN_A)
        if results != [{"step": "create-domain", "ok": True}]:
            raise AssertionError(f"create-domain {DOMAIN_A}: {results}")

    @classmethod
    def tearDownClass(cls):
        try:
            delete_subtree(cls.conn, OU)
        finally:
            cls.conn.unbind_s()

    def entry(self, dn, attributes):
        try:
            found = self.conn.search_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", attributes)
        except ldap.NO_SUCH_OBJECT:
            return None
        return found[0][1]

    def users_named(self, account):
        """DNs of the entries with that sAMAccountName (search references left out)."""
        found = self.conn.search_s(INFO["base_dn"], ldap.SCOPE_SUBTREE,
                                   f"(sAMAccountName={ldap.filter.escape_filter_chars(account)})", ["1.1"])
        return [dn for dn, _ in found if dn]

    def ou_users(self):
        return sorted(dn for dn, _ in self.conn.search_s(OU, ldap.SCOPE_ONELEVEL, "(objectClass=user)", ["1.1"]))

    def add_user(self, tag, groups=(), info=None, display_name=None, home=None, disabled=True):
        """A user made by hand (no password: disabled), in the given groups."""
        attributes = [("objectClass", [b"top", b"person", b"organizationalPerson", b"user"]),
                      ("sAMAccountName", [name(tag).encode()]),
                      ("userAccountControl", [b"514" if disabled else b"544"])]
        if info is not None:
            attributes.append(("info", [info.encode()]))
        if display_name is not None:
            attributes.append(("displayName", [display_name.encode()]))
        if home is not None:
            attributes.append(("homeDirectory", [home.encode()]))
        self.conn.add_s(user_dn(tag), attributes)
        for group_dn in groups:
            self.conn.modify_s(group_dn, [(ldap.MOD_ADD, "member", [user_dn(tag).encode()])])

    # -- create ---------------------------------------------------------------------
    def test_create_makes_the_user_of_spec_22_7_who_can_log_on(self):
        home = f"\\\\fs1\\home\\{name('a')}"
        results = run_check(*create("a", full_name="山田 太郎", domain=DOMAIN_A, home=home, limit=1048576,
                                    origin="accounts.tsv line 7"))
        self.assertEqual(results, [{"step": "create", "ok": True}])
        entry = self.entry(user_dn("a"), ["sAMAccountName", "userPrincipalName", "displayName", "homeDirectory",
                                          "memberOf", "userAccountControl", "info", "pwdLastSet",
                                          LIMIT_ATTRIBUTE])
        self.assertIsNotNone(entry, "no user in the OU")
        self.assertEqual(text(entry["sAMAccountName"]), [name("a")])
        self.assertEqual(text(entry["userPrincipalName"]), [f"{name('a')}@{INFO['dns_domain']}"])
        self.assertEqual(text(entry["displayName"]), ["山田 太郎"])
        self.assertEqual(text(entry["homeDirectory"]), [home])
        self.assertEqual(sorted(g.lower() for g in text(entry["memberOf"])),
                         sorted([MAIL_USERS_DN.lower(), f"CN={DOMAIN_A},{OU}".lower()]))
        self.assertEqual(text(entry["userAccountControl"]), ["512"])  # enabled
        self.assertEqual(text(entry["info"]), ["dirmail-import: accounts.tsv line 7"])
        self.assertNotEqual(text(entry["pwdLastSet"]), ["0"])
        self.assertEqual(text(entry[LIMIT_ATTRIBUTE]), ["1048576"])
        # The password works: an LDAP logon as the user, by UPN.
        self.assertIsNone(bind_as(f"{name('a')}@{INFO['dns_domain']}", GOOD_PASSWORD))
        self.assertIsNotNone(bind_as(f"{name('a')}@{INFO['dns_domain']}", GOOD_PASSWORD + "x"))

        # The same name again: AD has it.
        again = run_check(*create("a", domain=DOMAIN_A))
        self.assertEqual(again[0]["ok"], False)
        self.assertEqual(again[0]["kind"], "already exists", again)

    def test_create_without_a_domain_joins_only_the_mail_users_group(self):
        results = run_check(*create("n"))
        self.assertEqual(results, [{"step": "create", "ok": True}])
        entry = self.entry(user_dn("n"), ["memberOf", "displayName", "homeDirectory"])
        self.assertEqual([g.lower() for g in text(entry["memberOf"])], [MAIL_USERS_DN.lower()])
        self.assertNotIn("displayName", entry)
        self.assertNotIn("homeDirectory", entry)

    def test_a_password_the_policy_refuses_gives_the_message_and_no_user(self):
        # The spec's example (lower case and digits only), and one too short.
        for tag, weak in (("w", "pass1234"), ("s", "Ab1!x")):
            with self.subTest(password=weak):
                results = run_check("check-password", name(tag), weak, *create(tag, password=weak, domain=DOMAIN_A))
                self.assertEqual(results[0], {"step": "check-password", "objection": POLICY_MESSAGE})
                self.assertEqual(results[1], {"step": "create", "ok": False, "kind": "password policy",
                                              "message": POLICY_MESSAGE})
                self.assertEqual(self.users_named(name(tag)), [], "the half-made user is still there")
                members = self.entry(f"CN={DOMAIN_A},{OU}", ["member"]).get("member", [])
                self.assertNotIn(user_dn(tag).lower(), [m.lower() for m in text(members)])

    def test_check_password_passes_what_the_policy_takes(self):
        results = run_check("check-password", name("p"), GOOD_PASSWORD, "check-password", name("p"), "",
                            "check-password", name("p"), f"X-{name('p').upper()}-1")
        self.assertEqual(results[0], {"step": "check-password", "objection": None})
        self.assertEqual(results[1], {"step": "check-password", "objection": "the password is empty"})
        # Spec §11's first rule: not the account name. Windows DCs refuse it; Samba 4.17
        # takes it, so only the pre-check is asserted (the DC stays the judge).
        self.assertEqual(results[2], {"step": "check-password", "objection": POLICY_MESSAGE})

    def test_must_change_sets_pwd_last_set_0(self):
        results = run_check(*create("m", domain=DOMAIN_B, must_change=True))
        self.assertEqual(results, [{"step": "create", "ok": True}])
        entry = self.entry(user_dn("m"), ["pwdLastSet", "userAccountControl", "memberOf"])
        self.assertEqual(text(entry["pwdLastSet"]), ["0"])
        self.assertEqual(text(entry["userAccountControl"]), ["512"])
        self.assertIn(f"CN={DOMAIN_B},{OU}".lower(), [g.lower() for g in text(entry["memberOf"])])
        # AD refuses the logon until the password is changed: data 773.
        refusal = bind_as(f"{name('m')}@{INFO['dns_domain']}", GOOD_PASSWORD)
        self.assertIsNotNone(refusal)
        self.assertIn("data 773", refusal)

    def test_create_into_a_domain_without_its_group_writes_nothing(self):
        results = run_check(*create("g", domain=f"none{SUFFIX}.import.test"))
        self.assertEqual(results[0]["kind"], "refused", results)
        self.assertIn("does not exist", results[0]["message"])
        self.assertEqual(self.users_named(name("g")), [])

    def test_names_ad_cannot_take_are_refused_before_writing(self):
        before = self.ou_users()
        results = run_check("create", "a,b", GOOD_PASSWORD, "", "", "", 0, 0, "x",
                            "create", "abcdefghijklmnopqrstu", GOOD_PASSWORD, "", "", "", 0, 0, "x")
        self.assertEqual(results[0]["kind"], "refused")
        self.assertEqual(results[0]["message"],
                         "the account name has ',', which Active Directory does not take in a logon name")
        self.assertEqual(results[1]["kind"], "refused")
        self.assertEqual(results[1]["message"],
                         "the account name has 21 characters; Active Directory takes at most 20")
        self.assertEqual(self.users_named("a,b") + self.users_named("abcdefghijklmnopqrstu"), [])
        self.assertEqual(self.ou_users(), before)

    # -- find -----------------------------------------------------------------------
    def test_find_reads_an_existing_user_as_it_is(self):
        self.add_user("e", groups=(MAIL_USERS_DN, f"CN={DOMAIN_B},{OU}"), display_name="Existing User",
                      home="C:\\home\\existing")
        results = run_check("find", name("e"), "find", name("e").upper(), "find", f"nobody{SUFFIX}")
        expected = {"step": "find", "found": True, "account": name("e"), "display_name": "Existing User",
                    "home_folder": "C:\\home\\existing", "domains": [DOMAIN_B], "mail_user": True,
                    "imported": False, "mailbox_limit": 0, "enabled": False}
        self.assertEqual(results[0], expected)
        self.assertEqual(results[1], expected)  # sAMAccountName ignores case
        self.assertEqual(results[2], {"step": "find", "found": False})

    def test_find_after_create_sees_what_create_wrote(self):
        run_check(*create("f", full_name="Full Name", domain=DOMAIN_A, home="D:\\f", limit=4096))
        results = run_check("find", name("f"))
        self.assertEqual(results[0], {"step": "find", "found": True, "account": name("f"),
                                      "display_name": "Full Name", "home_folder": "D:\\f", "domains": [DOMAIN_A],
                                      "mail_user": True, "imported": True, "mailbox_limit": 4096,
                                      "enabled": True})

    # -- domains ----------------------------------------------------------------------
    def test_create_domain_then_has_domain(self):
        domain = f"c{SUFFIX}.import.test"
        results = run_check("has-domain", domain, "create-domain", domain, "has-domain", domain,
                            "has-domain", DOMAIN_B, "create-domain", domain)
        self.assertEqual(results[0], {"step": "has-domain", "exists": False})
        self.assertEqual(results[1], {"step": "create-domain", "ok": True})
        self.assertEqual(results[2], {"step": "has-domain", "exists": True})
        self.assertEqual(results[3], {"step": "has-domain", "exists": True})  # made by hand
        self.assertEqual(results[4]["ok"], False)
        self.assertEqual(results[4]["code"], "already exists", results[4])
        group = self.entry(f"CN={domain},{OU}", ["sAMAccountName", "groupType", "description", "objectClass"])
        self.assertIsNotNone(group)
        self.assertEqual(text(group["sAMAccountName"]), [domain])
        self.assertEqual(text(group["groupType"]), ["-2147483644"])
        self.assertEqual(text(group["description"]), [domain])
        self.assertIn("group", text(group["objectClass"]))

    # -- complete ---------------------------------------------------------------------
    def upn(self, tag):
        return f"{name(tag)}@{INFO['dns_domain']}"

    def test_complete_makes_the_user_a_run_cut_short_left_usable(self):
        # What a run stopped between the add and the password leaves: the mark, disabled
        # (514), no password, no groups.
        self.add_user("c", info="dirmail-import: accounts.tsv line 9", display_name="Cut Short")
        before = run_check("find", name("c"))[0]
        self.assertEqual((before["mail_user"], before["domains"], before["imported"], before["enabled"]),
                         (False, [], True, False))
        self.assertIsNotNone(self.bind_refusal("c", GOOD_PASSWORD))
        results = run_check(*complete("c", DOMAIN_A), "find", name("c"))
        self.assertEqual(results[0], {"step": "complete", "ok": True})
        self.assertEqual((results[1]["mail_user"], results[1]["domains"], results[1]["enabled"]),
                         (True, [DOMAIN_A], True))
        self.assertEqual(results[1]["display_name"], "Cut Short")
        entry = self.entry(user_dn("c"), ["memberOf", "userAccountControl", "pwdLastSet", "info"])
        self.assertEqual(sorted(g.lower() for g in text(entry["memberOf"])),
                         sorted([MAIL_USERS_DN.lower(), f"CN={DOMAIN_A},{OU}".lower()]))
        self.assertEqual(text(entry["userAccountControl"]), ["512"])
        self.assertNotEqual(text(entry["pwdLastSet"]), ["0"])
        self.assertEqual(text(entry["info"]), ["dirmail-import: accounts.tsv line 9"])
        # The user can log on with the password the run was to set.
        self.assertIsNone(self.bind_refusal("c", GOOD_PASSWORD))

        # Again, with another password: the user is enabled now, so the password stays.
        again = run_check(*complete("c", DOMAIN_A, password="Other-Pw-0815!"))
        self.assertEqual(again, [{"step": "complete", "ok": True}])
        self.assertIsNone(self.bind_refusal("c", GOOD_PASSWORD))
        self.assertIsNotNone(self.bind_refusal("c", "Other-Pw-0815!"))

    def bind_refusal(self, tag, password):
        return bind_as(self.upn(tag), password)

    def test_complete_with_a_generated_password_makes_the_user_change_it(self):
        self.add_user("k", info="dirmail-import: accounts.tsv line 3")
        results = run_check(*complete("k", DOMAIN_B, must_change=True))
        self.assertEqual(results, [{"step": "complete", "ok": True}])
        entry = self.entry(user_dn("k"), ["userAccountControl", "pwdLastSet", "memberOf"])
        self.assertEqual(text(entry["userAccountControl"]), ["512"])
        self.assertEqual(text(entry["pwdLastSet"]), ["0"])
        self.assertIn(f"CN={DOMAIN_B},{OU}".lower(), [g.lower() for g in text(entry["memberOf"])])
        self.assertIn("data 773", self.bind_refusal("k", GOOD_PASSWORD))

    def test_complete_with_a_password_the_policy_refuses_leaves_the_user_disabled(self):
        self.add_user("q", info="dirmail-import: accounts.tsv line 4")
        results = run_check(*complete("q", DOMAIN_A, password="pass1234"))
        self.assertEqual(results, [{"step": "complete", "ok": False, "kind": "password policy",
                                    "message": POLICY_MESSAGE}])
        entry = self.entry(user_dn("q"), ["userAccountControl", "memberOf"])
        self.assertEqual(text(entry["userAccountControl"]), ["514"])
        self.assertNotIn("memberOf", entry)

    def test_complete_adds_only_the_missing_groups_of_an_enabled_user(self):
        run_check(*create("o", domain=DOMAIN_A))
        self.conn.modify_s(MAIL_USERS_DN, [(ldap.MOD_DELETE, "member", [user_dn("o").encode()])])
        results = run_check(*complete("o", DOMAIN_A, password="Other-Pw-0815!"))
        self.assertEqual(results, [{"step": "complete", "ok": True}])
        entry = self.entry(user_dn("o"), ["memberOf", "userAccountControl"])
        self.assertEqual(sorted(g.lower() for g in text(entry["memberOf"])),
                         sorted([MAIL_USERS_DN.lower(), f"CN={DOMAIN_A},{OU}".lower()]))
        self.assertEqual(text(entry["userAccountControl"]), ["512"])
        self.assertIsNone(self.bind_refusal("o", GOOD_PASSWORD))  # unchanged

    def test_complete_refuses_a_change_of_domain(self):
        run_check(*create("x", domain=DOMAIN_A))
        self.conn.modify_s(MAIL_USERS_DN, [(ldap.MOD_DELETE, "member", [user_dn("x").encode()])])
        results = run_check(*complete("x", DOMAIN_B))
        self.assertEqual(results[0]["kind"], "refused", results)
        self.assertEqual(results[0]["message"],
                         f'the user "{name("x")}" is in the mail domain "{DOMAIN_A}", not "{DOMAIN_B}": '
                         "a change of domain is a conflict, not something to complete")
        self.assertEqual([g.lower() for g in text(self.entry(user_dn("x"), ["memberOf"])["memberOf"])],
                         [f"CN={DOMAIN_A},{OU}".lower()])  # nothing added

    def test_complete_leaves_a_user_the_importer_did_not_make(self):
        self.add_user("h", display_name="Hand Made")
        results = run_check(*complete("h", DOMAIN_A))
        self.assertEqual(results[0]["kind"], "refused")
        self.assertIn("was not created by dirmail-import", results[0]["message"])
        entry = self.entry(user_dn("h"), ["memberOf", "userAccountControl"])
        self.assertNotIn("memberOf", entry)
        self.assertEqual(text(entry["userAccountControl"]), ["514"])

    # -- groups that are no mail domain ---------------------------------------------------
    def test_a_builtin_group_is_never_a_mail_domain(self):
        for tag, group in (("ba", "Administrators"), ("bd", "Domain Admins"), ("bn", "DnsAdmins")):
            with self.subTest(group=group):
                problem = f'"{group}" is not a domain name with a dot, so it cannot name a mail domain group'
                results = run_check("check-row", name(tag), group, "has-domain", group,
                                    *create(tag, domain=group), "create-domain", group)
                self.assertEqual(results[0], {"step": "check-row", "ok": False, "kind": "refused",
                                              "message": problem})
                self.assertEqual(results[1], {"step": "has-domain", "ok": False, "code": "invalid argument",
                                              "message": problem})
                self.assertEqual(results[2], {"step": "create", "ok": False, "kind": "refused",
                                              "message": problem})
                self.assertEqual(results[3]["ok"], False)
                self.assertEqual(self.users_named(name(tag)), [], "the user was created")
        members = self.conn.search_s(INFO["base_dn"], ldap.SCOPE_SUBTREE, "(sAMAccountName=Administrators)",
                                     ["member"])
        listed = [m.lower() for dn, e in members if dn for m in text(e.get("member", []))]
        self.assertFalse([m for m in listed if OU.lower() in m], listed)

    def test_a_marked_user_is_not_completed_into_a_builtin_group(self):
        self.add_user("bc", info="dirmail-import: accounts.tsv line 5")
        results = run_check(*complete("bc", "Administrators"))
        self.assertEqual(results[0]["kind"], "refused", results)
        entry = self.entry(user_dn("bc"), ["memberOf", "userAccountControl"])
        self.assertNotIn("memberOf", entry)
        self.assertEqual(text(entry["userAccountControl"]), ["514"])  # nothing written

    def test_a_dotted_group_with_admin_rights_is_refused(self):
        # adminCount 1: AD's mark of a group that protects privileged accounts.
        domain = f"p{SUFFIX}.import.test"
        self.conn.add_s(f"CN={domain},{OU}", [("objectClass", [b"top", b"group"]),
                                              ("sAMAccountName", [domain.encode()]),
                                              ("groupType", [b"-2147483646"]), ("adminCount", [b"1"])])
        problem = (f'the group "{domain}" is a builtin or privileged group of the domain, not a mail domain '
                   "group: no user is added to it")
        results = run_check("check-row", name("pa"), domain, "has-domain", domain, *create("pa", domain=domain))
        self.assertEqual(results[0], {"step": "check-row", "ok": True})  # the name is a mail domain's
        self.assertEqual(results[1], {"step": "has-domain", "ok": False, "code": "invalid argument",
                                      "message": problem})
        self.assertEqual(results[2], {"step": "create", "ok": False, "kind": "refused", "message": problem})
        self.assertEqual(self.users_named(name("pa")), [])

    def test_check_row_refuses_names_ad_cannot_take(self):
        results = run_check("check-row", name("r"), DOMAIN_A, "check-row", name("r"), "",
                            "check-row", "", DOMAIN_A, "check-row", "a*b", DOMAIN_A,
                            "check-row", "abcdefghijklmnopqrstu", "")
        self.assertEqual(results[0], {"step": "check-row", "ok": True})
        self.assertEqual(results[1], {"step": "check-row", "ok": True})
        self.assertEqual(results[2], {"step": "check-row", "ok": False, "kind": "refused",
                                      "message": "the account name is empty"})
        self.assertEqual(results[3]["message"],
                         "the account name has '*', which Active Directory does not take in a logon name")
        self.assertEqual(results[4]["message"], "the account name has 21 characters; Active Directory takes at most 20")

    # -- list -------------------------------------------------------------------------
    def test_list_gives_every_direct_and_nested_mail_user_with_its_domain(self):
        nested = f"ImpNested-{SUFFIX}"
        nested_dn = f"CN={nested},{OU}"
        self.conn.add_s(nested_dn, [("objectClass", [b"top", b"group"]), ("sAMAccountName", [nested.encode()]),
                                    ("groupType", [b"-2147483644"])])
        self.conn.modify_s(MAIL_USERS_DN, [(ldap.MOD_ADD, "member", [nested_dn.encode()])])
        self.add_user("l1", groups=(MAIL_USERS_DN, f"CN={DOMAIN_B},{OU}"), display_name="List One",
                      home="C:\\home\\l1")
        self.add_user("l2", groups=(nested_dn,), display_name="List Two")
        self.add_user("l3", groups=(f"CN={DOMAIN_A},{OU}",))  # in a domain group but no mail user
        self.add_user("l4", groups=(MAIL_USERS_DN, f"CN={DOMAIN_A},{OU}", f"CN={DOMAIN_B},{OU}"))
        results = run_check("list")
        rows = {r["account"]: r for r in results[0]["rows"] if r["account"].startswith(f"t{SUFFIX}l")}
        self.assertEqual(sorted(rows), [name("l1"), name("l2"), name("l4")])
        self.assertEqual(rows[name("l1")], {"account": name("l1"), "password": "", "full_name": "List One",
                                            "domain": DOMAIN_B, "home_folder": "C:\\home\\l1",
                                            "smtp_auth": False, "apop": False, "mailbox_limit": 0})
        self.assertEqual(rows[name("l2")]["domain"], "")  # spec §16: blank when in no domain group
        self.assertEqual(rows[name("l4")]["domain"], DOMAIN_A)  # the first of two
        # Only this test's mail users: every row is a user of the OU.
        for row in results[0]["rows"]:
            self.assertTrue(row["account"].startswith(f"t{SUFFIX}"), row)

    def test_description(self):
        results = run_check("describe")
        self.assertEqual(results[0], {"step": "describe", "description": f"Active Directory {INFO['ldaps_uri']} ({OU})",
                                      "one_namespace": True})


class AdTargetOpen(unittest.TestCase):
    """What open_ad_account_target refuses before any user is written."""

    def run_raw(self, *options):
        done = subprocess.run([CHECK, "--ca-file", INFO["ca_file"], "--bind-dn", INFO["admin"]["upn"],
                               "--password-file", PASSWORD_FILE, "--base-dn", INFO["base_dn"], *options],
                              capture_output=True, text=True, timeout=RUN_TIMEOUT)
        self.assertEqual(done.returncode, 0, done.stderr)
        return json.loads(done.stdout.splitlines()[0])

    def test_a_missing_mail_users_group_is_named(self):
        result = self.run_raw("--uri", INFO["ldaps_uri"], "--mail-users-group", f"NoSuchGroup-{SUFFIX}")
        self.assertEqual(result["code"], "not found")
        self.assertEqual(result["message"], f'the mail users group "NoSuchGroup-{SUFFIX}" does not exist in '
                                            f'{INFO["base_dn"]}: dirmail-import does not create it')

    def test_a_cleartext_connection_is_refused(self):
        result = self.run_raw("--uri", INFO["ldap_uri"], "--mail-users-group", "IMSUsers")
        self.assertEqual(result["code"], "invalid argument")
        self.assertIn("only over an encrypted connection", result["message"])

    def test_a_missing_container_is_named(self):
        result = self.run_raw("--uri", INFO["ldaps_uri"], "--mail-users-group", "IMSUsers",
                              "--user-container", f"OU=gone-{SUFFIX},{INFO['base_dn']}")
        self.assertEqual(result["code"], "not found")
        self.assertEqual(result["message"], f"the user container OU=gone-{SUFFIX},{INFO['base_dn']} does not exist")

    def test_starttls_works_too(self):
        result = self.run_raw("--uri", INFO["ldap_uri"], "--start-tls", "--mail-users-group", "IMSUsers")
        self.assertEqual(result, {"step": "open", "ok": True})


if __name__ == "__main__":
    unittest.main(verbosity=2)
