"""dirmaild configurations for the ad and ldap directory backends, and the
administrator's tools (samba-tool) as the tests use them."""
import os
import subprocess
import time
from pathlib import Path

SAMBA_TOOL_TIMEOUT = 120


def write_secret(path, text):
    path = Path(path)
    path.write_text(text + "\n")
    os.chmod(path, 0o600)
    return path


def toml_list(items):
    return "[" + ", ".join(f'"{i}"' for i in items) + "]"


def ad_config(info, folder, servers, **overrides):
    """[directory] and [store] for the ad backend against the Samba DC fixture, bound
    as the service account over LDAPS. overrides: directory settings (key=value)."""
    password_file = write_secret(Path(folder) / "bind.pw", info["service_account"]["password"])
    settings = {
        "backend": '"ad"',
        "servers": toml_list(servers),
        "bind": '"simple"',
        "bind_dn": f'"{info["service_account"]["name"]}@{info["dns_domain"]}"',
        "bind_password_file": f'"{password_file}"',
        "ca_file": f'"{info["ca_file"]}"',
        "mail_domains": toml_list([info["mail_domain"]]),
        "connect_timeout": "1000",
        "search_timeout": "2000",
        "retry_interval": "200",
        "retry_count": "3",
        "cache_ttl": "2",
        "negative_cache_ttl": "1",
        "probe_interval": "1",
        "failback_after": "3",
    }
    settings.update({k: v for k, v in overrides.items()})
    lines = ["[directory]"] + [f"{k} = {v}" for k, v in settings.items()]
    return "\n".join(lines) + "\n"


def samba_tool(info, *args, check=True):
    """samba-tool on the fixture's database, as an administrator on the DC would."""
    done = subprocess.run(["samba-tool", *args, "-s", info["smb_conf"]], capture_output=True, text=True,
                          timeout=SAMBA_TOOL_TIMEOUT, stdin=subprocess.DEVNULL)
    if check and done.returncode != 0:
        raise RuntimeError(f"samba-tool {' '.join(args)}: {done.stdout}{done.stderr}")
    return done


def eventually(check, timeout=20.0, interval=0.2, what="condition"):
    """Polls check() until it returns a true value; returns it, or fails after timeout."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = check()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s (last: {last!r})")


def ldaps_connection(info):
    """An LDAPS connection to the fixture's DC that checks its certificate (python3-ldap),
    not bound yet."""
    import ldap
    conn = ldap.initialize(info["ldaps_uri"])
    conn.set_option(ldap.OPT_X_TLS_CACERTFILE, info["ca_file"])
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    conn.set_option(ldap.OPT_REFERRALS, 0)
    return conn


def admin_connection(info):
    """An LDAPS connection bound as the domain's Administrator."""
    conn = ldaps_connection(info)
    conn.simple_bind_s(info["admin"]["upn"], info["admin"]["password"])
    return conn


def delete_subtree(conn, dn):
    """Deletes an entry and everything below it (an OU a test made); nothing if it is gone."""
    import ldap
    try:
        entries = conn.search_s(dn, ldap.SCOPE_SUBTREE, "(objectClass=*)", ["1.1"])
    except ldap.NO_SUCH_OBJECT:
        return
    for entry_dn, _ in sorted(entries, key=lambda e: -len(e[0])):
        if entry_dn:
            conn.delete_s(entry_dn)


def ldap_text(values):
    """An attribute's values as text (python3-ldap gives bytes); [] when absent."""
    return [v.decode("utf-8") for v in values or []]


def ad_modify(info, dn, attribute, values):
    """Replaces an attribute of an AD entry over LDAPS, as Administrator (python3-ldap)."""
    import ldap
    conn = admin_connection(info)
    conn.modify_s(dn, [(ldap.MOD_REPLACE, attribute, [v.encode() for v in values])])
    conn.unbind_s()
