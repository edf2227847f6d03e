#!/usr/bin/python3
"""The slapd fixture answers as the generic-LDAP backend will use it: a service bind
that finds users with their mail attributes and memberOf, user binds (and refusal of
a wrong password), no anonymous searches, a size limit that only paging gets past,
posixGroup membership by memberUid, a live memberof overlay, StartTLS and LDAPS that
verify against the fixture CA only, and an operation log that shows what a search
asked for. Run by ctest with the slapd fixture (DIRMAIL_SLAPD_FIXTURE)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
import slapd_info  # noqa: E402

import ldap  # noqa: E402  (python3-ldap: only in /usr/bin/python3)
from ldap.controls import SimplePagedResultsControl  # noqa: E402

INFO = slapd_info.load()
LDAP_TIMEOUT = 10
PAGE_SIZE = 500


def user(name):
    return INFO["users"][name]


def group_dn(name):
    return INFO["groups"][name]


def connect(uri=INFO["ldap_uri"], ca_file=INFO["ca_file"]):
    conn = ldap.initialize(uri)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, LDAP_TIMEOUT)
    conn.set_option(ldap.OPT_TIMEOUT, LDAP_TIMEOUT)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    conn.set_option(ldap.OPT_PROTOCOL_VERSION, 3)
    conn.set_option(ldap.OPT_X_TLS_CACERTFILE, ca_file)
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    return conn


def as_service(uri=INFO["ldap_uri"]):
    conn = connect(uri)
    conn.simple_bind_s(INFO["service_dn"], INFO["service_password"])
    return conn


def as_root():
    conn = connect()
    conn.simple_bind_s(INFO["root_dn"], INFO["root_password"])
    return conn


def texts(values):
    return [value.decode() for value in values]


def whoami(conn):
    return conn.whoami_s().removeprefix("dn:")


def paged_search(conn, base, filter_text, attributes, page_size=PAGE_SIZE):
    """All entries of a search, fetched in pages; returns (entries, pages)."""
    control = SimplePagedResultsControl(True, size=page_size, cookie=b"")
    entries, pages = [], 0
    while True:
        msgid = conn.search_ext(base, ldap.SCOPE_SUBTREE, filter_text, attributes,
                                serverctrls=[control])
        _, data, _, reply_controls = conn.result3(msgid, timeout=LDAP_TIMEOUT)
        entries += [(dn, attrs) for dn, attrs in data if dn]
        pages += 1
        cookie = next((c.cookie for c in reply_controls
                       if c.controlType == SimplePagedResultsControl.controlType), b"")
        if not cookie:
            return entries, pages
        control.cookie = cookie


class ServiceAccount(unittest.TestCase):
    def test_finds_alice_with_mail_attributes_and_groups(self):
        log = slapd_info.OperationLog(INFO)
        conn = as_service()
        attributes = ["uid", "mail", "displayName", "homeDirectory", "memberOf"]
        found = conn.search_st(INFO["people_base"], ldap.SCOPE_SUBTREE, "(uid=ldapalice)",
                               attributes, timeout=LDAP_TIMEOUT)
        conn.unbind_s()
        self.assertEqual([dn for dn, _ in found], [user("ldapalice")["dn"]])
        attrs = found[0][1]
        self.assertEqual(texts(attrs["mail"]), [user("ldapalice")["mail"]])
        self.assertEqual(texts(attrs["displayName"]), [user("ldapalice")["display_name"]])
        self.assertEqual(texts(attrs["homeDirectory"]), [user("ldapalice")["home_directory"]])
        self.assertCountEqual(texts(attrs["memberOf"]),
                              [group_dn(name) for name in user("ldapalice")["groups"]])
        self.assertIn(group_dn(INFO["mail_group"]), texts(attrs["memberOf"]))
        # The stats log tells tests which attributes a client asked for.
        searches = [s for s in log.searches() if s["filter"] == "(uid=ldapalice)"]
        self.assertEqual(len(searches), 1, searches)
        self.assertEqual(searches[0]["attributes"], attributes)
        self.assertEqual((searches[0]["err"], searches[0]["entries"]), (0, 1))

    def test_memberof_matches_each_users_groups(self):
        conn = as_service()
        for name, entry in INFO["users"].items():
            with self.subTest(user=name):
                found = conn.search_st(entry["dn"], ldap.SCOPE_BASE, "(objectClass=*)",
                                       ["memberOf"], timeout=LDAP_TIMEOUT)
                of_names = [g for g in entry["groups"]
                            if INFO["group_object_classes"][g] == "groupOfNames"]
                self.assertCountEqual(texts(found[0][1].get("memberOf", [])),
                                      [group_dn(g) for g in of_names])
        conn.unbind_s()

    def test_posix_group_lists_erin_by_memberuid(self):
        conn = as_service()
        found = conn.search_st(INFO["groups_base"], ldap.SCOPE_SUBTREE,
                               "(&(objectClass=posixGroup)(memberUid=ldaperin))", ["cn"],
                               timeout=LDAP_TIMEOUT)
        conn.unbind_s()
        self.assertEqual([dn for dn, _ in found], [group_dn(INFO["posix_group"])])
        self.assertEqual(user("ldaperin")["groups"], [INFO["posix_group"]])


class Binds(unittest.TestCase):
    def test_every_user_binds_with_its_password(self):
        for name, entry in INFO["users"].items():
            with self.subTest(user=name):
                conn = connect()
                conn.simple_bind_s(entry["dn"], entry["password"])
                self.assertEqual(whoami(conn), entry["dn"])
                # Users may read the directory.
                found = conn.search_st(INFO["people_base"], ldap.SCOPE_SUBTREE,
                                       f"(uid={name})", ["mail"], timeout=LDAP_TIMEOUT)
                conn.unbind_s()
                self.assertEqual(texts(found[0][1]["mail"]), [entry["mail"]])

    def test_bulk_user_binds(self):
        conn = as_service()
        last = slapd_info.bulk_uid(INFO, INFO["bulk_user_count"] - 1)
        self.assertEqual(last, INFO["bulk_users"]["last"])
        found = conn.search_st(INFO["people_base"], ldap.SCOPE_SUBTREE, f"(uid={last})",
                               ["uid"], timeout=LDAP_TIMEOUT)
        conn.unbind_s()
        conn = connect()
        conn.simple_bind_s(found[0][0], INFO["bulk_users"]["password"])
        self.assertEqual(whoami(conn), found[0][0])
        conn.unbind_s()

    def test_wrong_password_is_refused(self):
        conn = connect()
        with self.assertRaises(ldap.INVALID_CREDENTIALS):
            conn.simple_bind_s(user("ldapalice")["dn"], user("ldapalice")["password"] + "x")

    def test_passwords_are_stored_salted(self):
        conn = as_root()
        found = conn.search_st(user("ldapbob")["dn"], ldap.SCOPE_BASE, "(objectClass=*)",
                               ["userPassword"], timeout=LDAP_TIMEOUT)
        conn.unbind_s()
        self.assertTrue(found[0][1]["userPassword"][0].startswith(b"{SSHA}"))

    def test_users_cannot_read_passwords(self):
        conn = as_service()
        found = conn.search_st(user("ldapbob")["dn"], ldap.SCOPE_BASE, "(objectClass=*)",
                               ["userPassword", "uid"], timeout=LDAP_TIMEOUT)
        conn.unbind_s()
        self.assertNotIn("userPassword", found[0][1])
        self.assertEqual(texts(found[0][1]["uid"]), ["ldapbob"])


class Anonymous(unittest.TestCase):
    def test_anonymous_bind_works_but_search_is_refused(self):
        conn = connect()
        conn.simple_bind_s("", "")
        with self.assertRaises(ldap.UNWILLING_TO_PERFORM):
            conn.search_st(INFO["base_dn"], ldap.SCOPE_SUBTREE, "(uid=ldapalice)", ["uid"],
                           timeout=LDAP_TIMEOUT)
        conn.unbind_s()

    def test_root_dse_is_readable_anonymously(self):
        conn = connect()
        found = conn.search_st("", ldap.SCOPE_BASE, "(objectClass=*)", ["namingContexts"],
                               timeout=LDAP_TIMEOUT)
        conn.unbind_s()
        self.assertEqual(texts(found[0][1]["namingContexts"]), [INFO["base_dn"]])


class SizeLimit(unittest.TestCase):
    FILTER = f"(memberOf={INFO['groups'][INFO['mail_group']]})"

    def test_unpaged_search_stops_at_the_limit(self):
        conn = as_service()
        with self.assertRaises(ldap.SIZELIMIT_EXCEEDED):
            conn.search_st(INFO["base_dn"], ldap.SCOPE_SUBTREE, self.FILTER, ["uid"],
                           timeout=LDAP_TIMEOUT)
        conn.unbind_s()

    def test_paged_search_returns_every_member(self):
        conn = as_service()
        entries, pages = paged_search(conn, INFO["base_dn"], self.FILTER, ["uid"])
        conn.unbind_s()
        expected = {user(name)["dn"] for name, entry in INFO["users"].items()
                    if INFO["mail_group"] in entry["groups"]}
        expected |= {f"uid={slapd_info.bulk_uid(INFO, i)},{INFO['people_base']}"
                     for i in range(INFO["bulk_user_count"])}
        self.assertEqual(len(entries), INFO["mail_group_member_count"])
        self.assertEqual(len(entries), 1502)
        self.assertEqual({dn for dn, _ in entries}, expected)
        self.assertGreaterEqual(pages, -(-len(entries) // PAGE_SIZE))

    def test_group_entry_lists_every_member(self):
        conn = as_service()
        found = conn.search_st(group_dn(INFO["mail_group"]), ldap.SCOPE_BASE,
                               "(objectClass=groupOfNames)", ["member"], timeout=LDAP_TIMEOUT)
        conn.unbind_s()
        self.assertEqual(len(found[0][1]["member"]), INFO["mail_group_member_count"])


class MemberOfOverlay(unittest.TestCase):
    """Group changes made while slapd runs update memberOf (and deleting a member
    updates the group). Works in its own ou so that other tests see no change."""

    def test_memberof_follows_group_changes(self):
        conn = as_root()
        ou = f"ou=scratch-{os.getpid()},{INFO['base_dn']}"
        person = f"uid=scratchuser,{ou}"
        group = f"cn=scratchgroup,{ou}"
        conn.add_s(ou, [("objectClass", [b"organizationalUnit"]),
                        ("ou", [f"scratch-{os.getpid()}".encode()])])
        try:
            conn.add_s(person, [("objectClass", [b"inetOrgPerson"]), ("uid", [b"scratchuser"]),
                                ("cn", [b"Scratch"]), ("sn", [b"User"])])
            conn.add_s(group, [("objectClass", [b"groupOfNames"]), ("cn", [b"scratchgroup"]),
                               ("member", [person.encode()])])
            self.assertEqual(self.member_of(conn, person), [group])
            conn.modify_s(group, [(ldap.MOD_REPLACE, "member", [INFO["root_dn"].encode()])])
            self.assertEqual(self.member_of(conn, person), [])
            conn.modify_s(group, [(ldap.MOD_ADD, "member", [person.encode()])])
            self.assertEqual(self.member_of(conn, person), [group])
            conn.delete_s(person)
            members = conn.search_st(group, ldap.SCOPE_BASE, "(objectClass=*)", ["member"],
                                     timeout=LDAP_TIMEOUT)[0][1]["member"]
            self.assertNotIn(person.encode(), members)
        finally:
            for dn in (person, group, ou):
                try:
                    conn.delete_s(dn)
                except ldap.NO_SUCH_OBJECT:
                    pass
            conn.unbind_s()

    @staticmethod
    def member_of(conn, dn):
        found = conn.search_st(dn, ldap.SCOPE_BASE, "(objectClass=*)", ["memberOf"],
                               timeout=LDAP_TIMEOUT)
        return texts(found[0][1].get("memberOf", []))


class Tls(unittest.TestCase):
    def test_start_tls_with_the_fixture_ca(self):
        conn = connect(INFO["ldap_uri"])
        conn.start_tls_s()
        conn.simple_bind_s(user("ldapbob")["dn"], user("ldapbob")["password"])
        self.assertEqual(whoami(conn), user("ldapbob")["dn"])
        self.assertTrue(conn.get_option(ldap.OPT_X_TLS_CIPHER))
        conn.unbind_s()

    def test_ldaps_with_the_fixture_ca(self):
        conn = as_service(INFO["ldaps_uri"])
        self.assertEqual(whoami(conn), INFO["service_dn"])
        conn.unbind_s()

    def test_ldaps_with_an_untrusted_ca_fails(self):
        # libldap (GnuTLS) reports a failed verification only as a connect error; the
        # same connection trusting the fixture CA binds (test_ldaps_with_the_fixture_ca).
        conn = connect(INFO["ldaps_uri"], ca_file=INFO["untrusted_ca_file"])
        with self.assertRaises((ldap.SERVER_DOWN, ldap.CONNECT_ERROR)):
            conn.simple_bind_s(INFO["service_dn"], INFO["service_password"])

    def test_start_tls_with_an_untrusted_ca_fails(self):
        conn = connect(INFO["ldap_uri"], ca_file=INFO["untrusted_ca_file"])
        with self.assertRaises((ldap.CONNECT_ERROR, ldap.SERVER_DOWN)):
            conn.start_tls_s()


if __name__ == "__main__":
    unittest.main(verbosity=2)
