"""The README's shell blocks as one script that checks every ``curl`` answer.

Every ```sh block that speaks to ``$API`` is run, in order, as one bash script. ``curl`` is
wrapped: an answer must be 2xx unless the comment line right after the command announces
another (``# → 409 …`` or ``# → 201, or 422 …``); any other status stops the script and
names the command.
"""

from __future__ import annotations

import re
from pathlib import Path

FENCE = re.compile(r"^```sh\n(.*?)^```", re.MULTILINE | re.DOTALL)
STATUS = re.compile(r"\b([1-5]\d\d)\b")

PRELUDE = r"""set -euo pipefail
curl() {
    local body status
    body=$(mktemp)
    status=$(command curl -w '%{http_code}' -o "$body" "$@") || {
        echo "README: curl could not reach the server: curl $*" >&2; rm -f "$body"; return 1; }
    cat "$body"; echo; rm -f "$body"
    echo "$status curl $*" >> "$README_LOG"
    if [[ ! $status =~ ^(${EXPECT:-2[0-9][0-9]})$ ]]; then
        echo "README: status $status, expected ${EXPECT:-2xx}: curl $*" >&2; return 1
    fi
}
"""


def blocks(readme: str) -> list[str]:
    """The sh blocks that call the API, in the order the README gives them."""
    return [block for block in FENCE.findall(readme) if "$API" in block]


def _commands(block: str) -> list[str]:
    """The block's lines with continuation lines joined into one command each."""
    commands: list[str] = []
    pending = ""
    for line in block.splitlines():
        pending += line
        if line.endswith("\\"):
            pending += "\n"
            continue
        commands.append(pending)
        pending = ""
    if pending:
        commands.append(pending)
    return commands


def _expected(following: str) -> str | None:
    """The statuses a ``# → …`` comment announces, as a regular expression."""
    text = following.strip()
    if not text.startswith("# →"):
        return None
    statuses = STATUS.findall(text.split("{", 1)[0])
    return "|".join(statuses) or None


def script(readme: str) -> str:
    """One bash script of every API block, each ``curl`` held to its announced status."""
    lines = [PRELUDE]
    for block in blocks(readme):
        commands = _commands(block)
        for index, command in enumerate(commands):
            following = commands[index + 1] if index + 1 < len(commands) else ""
            expected = _expected(following) if "curl" in command else None
            if expected:
                lines.append(f"export EXPECT='{expected}'")
            lines.append(command)
            if expected:
                lines.append("unset EXPECT")
    return "\n".join(lines) + "\n"


def read(path: Path) -> str:
    return script(path.read_text(encoding="utf-8"))
