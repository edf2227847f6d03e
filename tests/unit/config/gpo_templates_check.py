#!/usr/bin/env python3
"""Structural check of the Group Policy templates in gpo-templates/ against the settings table.

    gpo_templates_check.py DIRMAIL_SETTINGS_REFERENCE TEMPLATES_DIR

Reads the table from `dirmail-settings-reference --json`, then checks dirmail.admx and
en-US/ja-JP dirmail.adml: well-formed UTF-8 XML; the ADMX/ADML structure Group Policy
tools load (unique names, every $(string.X) and $(presentation.X) defined in both ADMLs,
every element with one presentation control of the matching kind, categories that
exist); and each setting's registry key, value name, element type and range as
gpo-templates/README.md documents them. Then it breaks copies of the files in several
ways and requires each break to be reported, so that the check cannot pass vacuously.
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

NS = "{http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions}"
ROOT_KEY = "Software\\Policies\\dirmail"
DWORD_MAX = 2**32 - 1
QWORD_MAX = 2**64 - 1
ITEM_NAME = re.compile(r"[^\W]+")  # ADMX itemName: (\p{L}|\p{N}|_)+
STRING_REF = re.compile(r"\$\(string\.([^\W]+)\)")
PRESENTATION_REF = re.compile(r"\$\(presentation\.([^\W]+)\)")
FILES = ("dirmail.admx", "en-US/dirmail.adml", "ja-JP/dirmail.adml")

# ADMX element -> the ADML presentation control that shows it.
CONTROL_OF = {
    "decimal": "decimalTextBox",
    "longDecimal": "longDecimalTextBox",
    "text": "textBox",
    "enum": "dropdownList",
    "list": "listBox",
}
# The order of a policy's children in the ADMX schema.
POLICY_CHILD_ORDER = ["parentCategory", "seeAlso", "keywords", "supportedOn", "enabledValue", "disabledValue",
                      "enabledList", "disabledList", "elements"]


def local(tag):
    return tag[len(NS):] if tag.startswith(NS) else tag


def parse(name, text, errors):
    if not text.startswith('<?xml version="1.0" encoding="utf-8"?>'):
        errors.append(f"{name}: does not start with the UTF-8 XML declaration")
    try:
        return ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        errors.append(f"{name}: not well-formed: {e}")
        return None


def reference(pattern, value, what, errors):
    match = pattern.fullmatch(value or "")
    if not match:
        errors.append(f"{what}: {value!r} is not a well-formed reference")
        return None
    return match.group(1)


class Adml:
    def __init__(self, name, root, errors):
        self.name = name
        self.strings = {}
        self.presentations = {}
        if local(root.tag) != "policyDefinitionResources":
            errors.append(f"{name}: root element is {local(root.tag)}, not policyDefinitionResources")
        for attr in ("revision", "schemaVersion"):
            if root.get(attr) != "1.0":
                errors.append(f"{name}: {attr} is {root.get(attr)!r}, not '1.0'")
        for child in ("displayName", "description"):
            if root.find(NS + child) is None:
                errors.append(f"{name}: no {child}")
        for s in root.iter(NS + "string"):
            self.define(self.strings, s.get("id"), s.text or "", "string", errors)
        for p in root.iter(NS + "presentation"):
            self.define(self.presentations, p.get("id"), p, "presentation", errors)

    def define(self, table, ident, value, what, errors):
        if not ident or not ITEM_NAME.fullmatch(ident):
            errors.append(f"{self.name}: {what} id {ident!r} is not an ADMX item name")
        if ident in table:
            errors.append(f"{self.name}: {what} id {ident} is defined twice")
        table[ident] = value


def check_string(admls, ident, what, errors, used):
    used.add(ident)
    for adml in admls:
        if ident not in adml.strings:
            errors.append(f"{adml.name}: {what} refers to string {ident}, which is not defined")
        elif not adml.strings[ident].strip():
            errors.append(f"{adml.name}: string {ident} ({what}) is empty")


def check_presentation(admls, policy_name, presentation_id, element_ids, elements, errors):
    """Every element has exactly one control of its kind with its refId, and nothing else."""
    for adml in admls:
        presentation = adml.presentations.get(presentation_id)
        if presentation is None:
            errors.append(f"{adml.name}: policy {policy_name} refers to presentation {presentation_id}, "
                          "which is not defined")
            continue
        controls = {}
        for control in presentation:
            ref = control.get("refId")
            if ref in controls:
                errors.append(f"{adml.name}: presentation {presentation_id} has two controls for {ref}")
            controls[ref] = control
        for ident, element in zip(element_ids, elements):
            control = controls.pop(ident, None)
            if control is None:
                errors.append(f"{adml.name}: presentation {presentation_id} has no control with refId {ident}")
            elif local(control.tag) != CONTROL_OF.get(local(element.tag)):
                errors.append(f"{adml.name}: presentation {presentation_id}: {ident} is shown by {local(control.tag)}, "
                              f"not {CONTROL_OF.get(local(element.tag))}")
            elif control.get("defaultValue") is not None:
                default = int(control.get("defaultValue"))
                if not int(element.get("minValue", "0")) <= default <= int(element.get("maxValue", "9999")):
                    errors.append(f"{adml.name}: presentation {presentation_id}: default {default} is out of range")
        for ref in controls:
            errors.append(f"{adml.name}: presentation {presentation_id} has a control for {ref!r}, which is no element")


def expected_registry(row):
    """The registry layout gpo-templates/README.md documents, from one table row."""
    kind = row["type"]
    out = {"key": ROOT_KEY + "\\" + row["section"], "value": row["policy_value"]}
    if kind == "bool":
        out["element"] = None
    elif kind in ("integer", "size", "duration"):
        low, high = (row["min"], row["max"]) if row["has_range"] else (0, 2**63 - 1)
        out["min"], out["max"] = max(low, 0), high
        out["element"] = "decimal" if high <= DWORD_MAX else "longDecimal"
    elif kind in ("string", "path"):
        out["element"] = "text"
    elif kind == "enum":
        out["element"] = "enum"
    elif kind == "string list":
        out["element"] = "list"
    else:
        raise ValueError(f"{row['name']}: unknown type {kind}")
    return out


def value_of(holder):
    """The registry value an enabledValue/disabledValue/item value sets: ('decimal', '1'), ('delete', None), ..."""
    if holder is None or len(holder) != 1:
        return None
    child = holder[0]
    return (local(child.tag), child.get("value") if local(child.tag) != "string" else child.text)


def check_policy_against_row(policy, row, admls, errors):
    name = policy.get("name")
    want = expected_registry(row)
    where = f"dirmail.admx: policy {name} ({row['name']})"
    if policy.get("key") != want["key"]:
        errors.append(f"{where}: key {policy.get('key')!r}, want {want['key']!r}")
    category = policy.find(NS + "parentCategory")
    if category is None or category.get("ref") != "dirmail_" + row["section"]:
        errors.append(f"{where}: not in category dirmail_{row['section']}")
    elements = policy.find(NS + "elements")
    children = list(elements) if elements is not None else []
    enabled = value_of(policy.find(NS + "enabledValue"))
    disabled = value_of(policy.find(NS + "disabledValue"))
    if want["element"] is None:
        if policy.get("valueName") != want["value"] or children:
            errors.append(f"{where}: a bool is the policy's own value {want['value']}, without elements")
        if enabled != ("decimal", "1") or disabled != ("decimal", "0"):
            errors.append(f"{where}: a bool stores 1 when Enabled and 0 when Disabled, not {enabled} / {disabled}")
    else:
        if len(children) != 1 or local(children[0].tag) != want["element"]:
            errors.append(f"{where}: elements {[local(c.tag) for c in children]}, want one {want['element']}")
            return
        element = children[0]
        if want["element"] == "list":
            if policy.get("valueName") != want["value"] or enabled != ("decimal", "1") or disabled != ("delete", None):
                errors.append(f"{where}: a list marks Enabled with {want['value']} = 1 and deletes it when Disabled")
            if element.get("key") != want["key"] + "\\" + want["value"]:
                errors.append(f"{where}: list key {element.get('key')!r}, want {want['key']}\\{want['value']}")
            if element.get("valuePrefix") != "" or element.get("explicitValue") or element.get("additive"):
                errors.append(f"{where}: a list stores its entries as the values 1, 2, ... (valuePrefix=\"\")")
        else:
            if policy.get("valueName") is not None or enabled or disabled:
                errors.append(f"{where}: only its element may store a value")
            if element.get("valueName") != want["value"]:
                errors.append(f"{where}: value name {element.get('valueName')!r}, want {want['value']!r}")
        if want["element"] in ("decimal", "longDecimal"):
            low, high = element.get("minValue"), element.get("maxValue")
            if (low, high) != (str(want["min"]), str(want["max"])):
                errors.append(f"{where}: range {low}..{high}, want {want['min']}..{want['max']}")
            if element.get("required") != "true" or element.get("storeAsText"):
                errors.append(f"{where}: a number is required and stored as a number")
        if want["element"] == "enum":
            values = [value_of(item.find(NS + "value")) for item in element.findall(NS + "item")]
            if values != [("string", v) for v in row["allowed_values"]]:
                errors.append(f"{where}: enum values {values}, want {row['allowed_values']}")
    for adml, description in zip(admls, (row["description_en"], row["description_ja"])):
        display = reference(STRING_REF, policy.get("displayName"), where, [])
        explain = reference(STRING_REF, policy.get("explainText"), where, [])
        if adml.strings.get(display) != row["name"]:
            errors.append(f"{adml.name}: {name} is displayed as {adml.strings.get(display)!r}, not {row['name']!r}")
        if description not in adml.strings.get(explain, ""):
            errors.append(f"{adml.name}: the explain text of {name} lacks the table's description")


def check(texts, table):
    """The errors found in the three files' texts (FILES order), given the table's rows."""
    errors = []
    roots = [parse(name, text, errors) for name, text in zip(FILES, texts)]
    if any(root is None for root in roots):
        return errors
    admx = roots[0]
    admls = [Adml(name, root, errors) for name, root in zip(FILES[1:], roots[1:])]
    used_strings, used_presentations = set(), set()

    if local(admx.tag) != "policyDefinitions":
        errors.append(f"dirmail.admx: root element is {local(admx.tag)}, not policyDefinitions")
    for attr in ("revision", "schemaVersion"):
        if admx.get(attr) != "1.0":
            errors.append(f"dirmail.admx: {attr} is {admx.get(attr)!r}, not '1.0'")
    target = admx.find(f"{NS}policyNamespaces/{NS}target")
    if target is None or target.get("prefix") != "dirmail" or not target.get("namespace"):
        errors.append("dirmail.admx: no policyNamespaces target with prefix dirmail and a namespace")
    resources = admx.find(NS + "resources")
    if resources is None or resources.get("minRequiredRevision") != "1.0":
        errors.append("dirmail.admx: no resources minRequiredRevision=\"1.0\"")

    supported = set()
    for definition in admx.iter(NS + "definition"):
        supported.add(definition.get("name"))
        ident = reference(STRING_REF, definition.get("displayName"), "supportedOn definition", errors)
        if ident:
            check_string(admls, ident, f"supportedOn {definition.get('name')}", errors, used_strings)

    categories = {}
    for category in admx.iter(NS + "category"):
        cname = category.get("name")
        if not cname or not ITEM_NAME.fullmatch(cname) or cname in categories:
            errors.append(f"dirmail.admx: category name {cname!r} is not a new item name")
        categories[cname] = category
        ident = reference(STRING_REF, category.get("displayName"), f"category {cname}", errors)
        if ident:
            check_string(admls, ident, f"category {cname}", errors, used_strings)
    for cname, category in categories.items():
        parent = category.find(NS + "parentCategory")
        if parent is not None and parent.get("ref") not in categories:
            errors.append(f"dirmail.admx: category {cname} has unknown parent {parent.get('ref')}")

    policies_by_value = {}
    names = set()
    for policy in admx.iter(NS + "policy"):
        name = policy.get("name")
        where = f"dirmail.admx: policy {name}"
        if not name or not ITEM_NAME.fullmatch(name) or name in names:
            errors.append(f"dirmail.admx: policy name {name!r} is not a new item name")
        names.add(name)
        if policy.get("class") != "Machine":
            errors.append(f"{where}: class is {policy.get('class')!r}, not Machine")
        for attr in ("displayName", "explainText"):
            ident = reference(STRING_REF, policy.get(attr), f"{where} {attr}", errors)
            if ident:
                check_string(admls, ident, f"{where} {attr}", errors, used_strings)
        order = [POLICY_CHILD_ORDER.index(local(c.tag)) if local(c.tag) in POLICY_CHILD_ORDER else -1 for c in policy]
        if -1 in order or order != sorted(order):
            errors.append(f"{where}: children {[local(c.tag) for c in policy]} are not in schema order")
        parent = policy.find(NS + "parentCategory")
        if parent is None or parent.get("ref") not in categories:
            errors.append(f"{where}: its category does not exist")
        support = policy.find(NS + "supportedOn")
        if support is None or support.get("ref") not in supported:
            errors.append(f"{where}: its supportedOn does not exist")

        elements = policy.find(NS + "elements")
        children = list(elements) if elements is not None else []
        ids = [c.get("id") for c in children]
        if len(set(ids)) != len(ids) or not all(i and ITEM_NAME.fullmatch(i) for i in ids):
            errors.append(f"{where}: element ids {ids} are not unique item names")
        for child in children:
            if local(child.tag) not in CONTROL_OF:
                errors.append(f"{where}: unknown element {local(child.tag)}")
            limit = QWORD_MAX if local(child.tag) == "longDecimal" else DWORD_MAX
            if local(child.tag) in ("decimal", "longDecimal"):
                low, high = int(child.get("minValue", "0")), int(child.get("maxValue", "9999"))
                if not 0 <= low <= high <= limit:
                    errors.append(f"{where}: range {low}..{high} is not within 0..{limit}")
            for item in child.findall(NS + "item"):
                ident = reference(STRING_REF, item.get("displayName"), f"{where} item", errors)
                if ident:
                    check_string(admls, ident, f"{where} item", errors, used_strings)
        if children:
            pid = reference(PRESENTATION_REF, policy.get("presentation"), f"{where} presentation", errors)
            if pid:
                used_presentations.add(pid)
                check_presentation(admls, name, pid, ids, children, errors)
        elif policy.get("presentation") is not None:
            errors.append(f"{where}: has a presentation but no elements")

        value = policy.get("valueName") or next((c.get("valueName") or c.get("id") for c in children), None)
        if value in policies_by_value:
            errors.append(f"{where}: registry value {value} is set by two policies")
        policies_by_value[value] = policy

    for row in table:
        policy = policies_by_value.pop(row["policy_value"], None)
        if policy is None:
            errors.append(f"dirmail.admx: no policy sets {row['policy_value']} ({row['name']})")
        else:
            check_policy_against_row(policy, row, admls, errors)
    for value, policy in policies_by_value.items():
        errors.append(f"dirmail.admx: policy {policy.get('name')} ({value}) is not in the settings table")

    en, ja = admls
    for adml in admls:
        for ident in sorted(set(adml.strings) - used_strings):
            errors.append(f"{adml.name}: string {ident} is not used by the ADMX")
        for ident in sorted(set(adml.presentations) - used_presentations):
            errors.append(f"{adml.name}: presentation {ident} is not used by the ADMX")
    if set(en.strings) != set(ja.strings) or set(en.presentations) != set(ja.presentations):
        errors.append("en-US and ja-JP define different ids")
    return errors


# Each breaks one thing the check must catch: (file index, old text, new text, what).
def mutations(texts):
    admx, en, ja = texts
    decimal = re.search(r'<decimal id="\w+" valueName="\w+" required="true" minValue="\d+" maxValue="(\d+)"', admx)
    list_key = re.search(r'<list id="\w+" key="([^"]+)"', admx)
    help_string = re.search(r'<string id="(\w+_Help)">', ja)
    ref = re.search(r'<decimalTextBox refId="(\w+)"', en)
    item = re.search(r'\s*<item displayName="[^"]+">\s*<value>\s*<string>[^<]*</string>\s*</value>\s*</item>', admx)
    return [
        (0, decimal.group(0), decimal.group(0).replace(f'maxValue="{decimal.group(1)}"', 'maxValue="7"'),
         "a decimal's maximum differs from the table"),
        (0, list_key.group(0), list_key.group(0).replace(list_key.group(1), list_key.group(1) + "s"),
         "a list's key differs"),
        (0, '<longDecimal ', '<decimal ', "a 64-bit number stored as a 32-bit decimal"),
        (0, item.group(0), "", "an enum value is missing"),
        (0, 'class="Machine"', 'class="User"', "a policy is per-user"),
        (0, '<category name="dirmail" ', '<category name="dirmail_root" ', "the root category is renamed"),
        (2, f'<string id="{help_string.group(1)}">', '<string id="Unused">', "a ja-JP explain text is missing"),
        (1, f'<decimalTextBox refId="{ref.group(1)}"', '<decimalTextBox refId="Other"',
         "an en-US control does not match its element"),
        (1, '</stringTable>', '</stringTable', "en-US is not well-formed"),
    ]


def main():
    tool, folder = sys.argv[1], Path(sys.argv[2])
    table = json.loads(subprocess.run([tool, "--json"], check=True, capture_output=True, text=True).stdout)
    texts = [(folder / name).read_bytes().decode("utf-8") for name in FILES]
    errors = check(texts, table)
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} problem(s) in {folder}")
        return 1
    print(f"{len(table)} settings: the templates in {folder} match the table")

    undetected = []
    for index, old, new, what in mutations(texts):
        broken = list(texts)
        if broken[index].count(old) < 1:
            undetected.append(f"{what}: the text to break is not there")
            continue
        broken[index] = broken[index].replace(old, new, 1)
        if not check(broken, table):
            undetected.append(what)
    for what in undetected:
        print(f"self-test: not detected: {what}")
    return 1 if undetected else 0


if __name__ == "__main__":
    sys.exit(main())
