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


def ad_modify(info, dn, attribute, values):
    """Replaces an attribute of an AD entry over LDAPS, as Administrator (python3-ldap)."""
    import ldap
    conn = ldap.initialize(info["ldaps_uri"])
    conn.set_option(ldap.OPT_X_TLS_CACERTFILE, info["ca_file"])
    conn.set_option(ldap.OPT_X_TLS_REQUIRE_CERT, ldap.OPT_X_TLS_DEMAND)
    conn.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
    conn.set_option(ldap.OPT_NETWORK_TIMEOUT, 10)
    conn.simple_bind_s(info["admin"]["upn"], info["admin"]["password"])
    conn.modify_s(dn, [(ldap.MOD_REPLACE, attribute, [v.encode() for v in values])])
    conn.unbind_s()
