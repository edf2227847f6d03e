"""The fenced blocks of the administrator's documentation and their doc-test markers.

A block is marked by an HTML comment on the line right above its opening fence:

    <!-- doc-test: NAME -->                 the test runs (sh), checks (toml, yaml) or
                                             compares with what it sees (console, text) it
    <!-- doc-test: skip (REASON) -->         not runnable here, and why

Every command block (sh, powershell, ...) must carry one of the two, so that no
command in the docs escapes the test unnoticed (on some pages every block must); every
fence must name its language.
"""

import re
from dataclasses import dataclass
from pathlib import Path

MAX_DOC_BYTES = 1 << 20      # a documentation page; anything larger is a mistake
MAX_BLOCK_LINES = 400
COMMAND_LANGUAGES = {"sh", "bash", "shell", "console", "zsh", "powershell", "ps1", "pwsh", "cmd", "bat"}
RUNNABLE_LANGUAGES = {"sh", "bash", "toml", "yaml", "console", "text"}
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")
MARKER = re.compile(r"^<!--\s*doc-test:\s*(.*?)\s*-->\s*$")
SKIP = re.compile(r"^skip\s*\((.+)\)$")
FENCE = re.compile(r"^(`{3,}|~{3,})\s*([^`\s]*)")


@dataclass(frozen=True)
class Block:
    path: str
    line: int          # 1-based line of the opening fence
    language: str
    name: str          # "" when unmarked or skipped
    skip_reason: str   # "" unless skipped
    text: str


class DocError(Exception):
    pass


def is_closing(line, opening):
    stripped = line.strip()
    return stripped.startswith(opening) and stripped.strip(opening[0]) == ""


def read_blocks(path):
    """Every fenced block of one Markdown file, with its marker; raises DocError on a
    file too large, an unclosed fence, or a block too long."""
    data = Path(path).read_bytes()
    if len(data) > MAX_DOC_BYTES:
        raise DocError(f"{path}: {len(data)} bytes, more than {MAX_DOC_BYTES}")
    lines = data.decode("utf-8").splitlines()
    blocks, i = [], 0
    while i < len(lines):
        fence = FENCE.match(lines[i])
        if not fence:
            i += 1
            continue
        opening, language = fence.group(1), fence.group(2).lower()
        start = i
        body = []
        i += 1
        while i < len(lines) and not is_closing(lines[i], opening):
            body.append(lines[i])
            i += 1
            if len(body) > MAX_BLOCK_LINES:
                raise DocError(f"{path}:{start + 1}: block longer than {MAX_BLOCK_LINES} lines")
        if i >= len(lines):
            raise DocError(f"{path}:{start + 1}: fence never closed")
        marker = MARKER.match(lines[start - 1].strip()) if start > 0 else None
        name, reason = "", ""
        if marker:
            skip = SKIP.match(marker.group(1))
            if skip:
                reason = skip.group(1).strip()
            else:
                name = marker.group(1)
        blocks.append(Block(str(path), start + 1, language, name, reason, "\n".join(body) + "\n"))
        i += 1
    return blocks


def marker_problems(path, every_block=False):
    """What is wrong with the markers of one file, as 'FILE:LINE: reason' strings.
    every_block: every fenced block needs a marker, not only the command blocks."""
    problems = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, 1):
        marker = MARKER.match(line.strip())
        if not marker:
            if "doc-test" in line:
                problems.append(f"{path}:{number}: malformed doc-test marker: {line.strip()}")
            continue
        follows = lines[number] if number < len(lines) else ""
        if not FENCE.match(follows):
            problems.append(f"{path}:{number}: doc-test marker not right above a fenced block")
        value = marker.group(1)
        if value.startswith("skip"):
            skip = SKIP.match(value)
            if not skip or not skip.group(1).strip():
                problems.append(f"{path}:{number}: skip needs a reason: <!-- doc-test: skip (why) -->")
        elif not NAME_PATTERN.fullmatch(value):
            problems.append(f"{path}:{number}: bad doc-test name {value!r} (lower case, digits, -)")
    for block in read_blocks(path):
        where = f"{block.path}:{block.line}"
        if not block.language:
            problems.append(f"{where}: fenced block without a language (```sh, ```toml, ```text ...)")
        if block.language in COMMAND_LANGUAGES and not block.name and not block.skip_reason:
            problems.append(f"{where}: {block.language} block not marked: add <!-- doc-test: NAME --> "
                            "and run it in tests/integration/docs, or <!-- doc-test: skip (why) -->")
        elif every_block and not block.name and not block.skip_reason:
            problems.append(f"{where}: {block.language or 'plain'} block not marked: add <!-- doc-test: NAME --> "
                            "and check it in tests/integration/docs, or <!-- doc-test: skip (why) -->")
        if block.name and block.language not in RUNNABLE_LANGUAGES:
            problems.append(f"{where}: doc-test {block.name!r} on a {block.language or 'plain'} block; "
                            f"only {sorted(RUNNABLE_LANGUAGES)} run here")
    return problems


def named_blocks(paths):
    """{name: Block} over several files; raises DocError on a name used twice."""
    found = {}
    for path in paths:
        for block in read_blocks(path):
            if not block.name:
                continue
            if block.name in found:
                first = found[block.name]
                raise DocError(f"{block.path}:{block.line}: doc-test name {block.name!r} also at "
                               f"{first.path}:{first.line}")
            found[block.name] = block
    return found


def shell_variables(block):
    """The NAME=value assignments of a variables block, in order."""
    names = []
    for line in block.text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.fullmatch(r"([A-Z_][A-Z0-9_]*)=\S*", line)
        if not match:
            raise DocError(f"{block.path}:{block.line}: not a NAME=value line: {line!r}")
        names.append(match.group(1))
    return names


def replace_tables(config, replacement):
    """The TOML text with the tables that `replacement` defines replaced by it (the
    administrator editing those tables of the packaged file)."""
    names = set(re.findall(r"(?m)^\[([a-z_.]+)\]\s*$", replacement))
    kept, skipping = [], False
    for line in config.splitlines():
        table = re.match(r"^\[([a-z_.]+)\]\s*$", line)
        if table:
            skipping = table.group(1) in names
        elif re.match(r"^#\s*\[", line):
            skipping = False
        if not skipping:
            kept.append(line)
    return "\n".join(kept).rstrip() + "\n\n" + replacement
