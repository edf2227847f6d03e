#!/usr/bin/python3
"""directory::read_domain_lockout_policy against the Samba AD DC fixture: the values
dirmail reads from the domain head (lockoutThreshold, lockOutObservationWindow,
lockoutDuration) are those samba-tool shows.

Run by ctest with the samba_dc fixture:
  test_domain_lockout_policy.py PATH/TO/domain_lockout_policy_check"""

import os
import re
import subprocess
import sys
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "fixtures"))
sys.path.insert(0, str(HERE.parent / "lib"))
import samba_dc_info  # noqa: E402
from directory_setup import samba_tool  # noqa: E402

CHECK = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else sys.exit(
    "usage: test_domain_lockout_policy.py PATH/TO/domain_lockout_policy_check")
INFO = samba_dc_info.load()


def samba_tool_policy():
    """Threshold and minutes as `samba-tool domain passwordsettings show` prints them."""
    text = samba_tool(INFO, "domain", "passwordsettings", "show").stdout

    def number(label):
        match = re.search(re.escape(label) + r"\s*:\s*(\S+)", text)
        if not match:
            raise AssertionError(f"no '{label}' in samba-tool's output:\n{text}")
        return match.group(1)
    return {"threshold": number("Account lockout threshold (attempts)"),
            "duration_min": number("Account lockout duration (mins)"),
            "window_min": number("Reset account lockout after (mins)")}


def read_policy(**overrides):
    service = INFO["service_account"]
    args = {"--uri": INFO["ldaps_uri"], "--ca-file": INFO["ca_file"],
            "--bind-dn": f"{service['name']}@{INFO['dns_domain']}", "--password": service["password"]}
    args.update(overrides)
    command = [CHECK] + [item for pair in args.items() for item in pair]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise AssertionError(f"check program failed: {done.stdout}{done.stderr}")
    line = done.stdout.strip().splitlines()[-1]
    kind, _, rest = line.partition(" ")
    if kind == "error":
        return {"error": rest}
    return dict(part.split("=", 1) for part in rest.split())


class DomainLockoutPolicy(unittest.TestCase):
    def test_policy_matches_what_samba_tool_shows(self):
        expected = samba_tool_policy()
        for base in (None, INFO["base_dn"]):  # found through the root DSE, and given
            policy = read_policy(**({"--base": base} if base else {}))
            self.assertNotIn("error", policy, policy)
            self.assertEqual(policy["threshold"], expected["threshold"])
            self.assertEqual(int(policy["window_s"]), int(expected["window_min"]) * 60)
            self.assertEqual(int(policy["duration_s"]), int(expected["duration_min"]) * 60)
            self.assertEqual(policy["until_unlocked"], "no")
        # Samba's defaults are 30 minute durations: the conversion from AD's negative
        # 100 ns intervals is checked against a non-zero value.
        self.assertGreater(int(policy["window_s"]), 0)

    def test_wrong_base_is_an_error_not_a_policy(self):
        policy = read_policy(**{"--base": "DC=nowhere," + INFO["base_dn"]})
        self.assertIn("error", policy)
        self.assertIn("code=not found", policy["error"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
