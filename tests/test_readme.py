"""The README's commands, run as a newcomer would: against a served demo, today.

The demo is migrated, seeded and served by the same ``flask`` commands ``make run`` uses,
on today's real date, and every ```sh block that calls the API runs in order as one bash
script (``tests/readme_script.py``). A command whose answer is not the status the README
announces (2xx unless a ``# → …`` comment says otherwise) fails the test, so does one that
cannot run at all: a README that goes stale fails the suite.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.readme_script import read, script

ROOT = Path(__file__).resolve().parent.parent
FLASK = Path(sys.executable).parent / "flask"
DONE = "README walk-through finished"


def _require(tool: str) -> None:
    if shutil.which(tool):
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{tool} is required under CI=true (scripts/test-machine installs it)")
    pytest.skip(f"{tool} is missing; scripts/test-machine installs it")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError("the demo server stopped before it answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.1)  # polling for readiness, not timing anything
    raise AssertionError(f"the demo server did not answer {url} within 30 s")


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[tuple[Path, dict[str, str]]]:
    """A project folder as the README expects it (``.venv/bin/flask``, ``samples/``),
    its demo database seeded, and the demo served on a free port."""
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "flask").symlink_to(FLASK)
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    port = _free_port()
    env = {
        **os.environ,
        "BOOKING_CONFIG": str(ROOT / "config.toml"),
        "BOOKING_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "BOOKING_MAIL_OUTBOX_DIR": str(tmp_path / "mail"),
        "PORT": str(port),
        "README_LOG": str(tmp_path / "statuses.log"),
    }
    for command in (["db", "upgrade"], ["seed"]):
        subprocess.run(
            [str(FLASK), "--app", "booking", *command],
            env=env,
            cwd=tmp_path,
            check=True,
            capture_output=True,
        )
    server = subprocess.Popen(
        [str(FLASK), "--app", "booking", "run", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
        yield tmp_path, env
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_every_readme_command_works_against_the_served_demo_today(folder):
    _require("jq")
    _require("curl")
    where, env = folder
    walk_through = read(ROOT / "README.md") + f"echo '{DONE}'\n"
    ran = subprocess.run(
        ["bash", "-c", walk_through],
        env=env,
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )
    statuses = (where / "statuses.log").read_text() if (where / "statuses.log").exists() else ""
    assert ran.returncode == 0, f"{ran.stderr[-3000:]}\nanswers so far:\n{statuses[-3000:]}"
    assert ran.stdout.rstrip().endswith(DONE)
    answered = statuses.splitlines()
    assert len(answered) >= 25, answered  # every block ran, not just the first
    assert {line.split()[0] for line in answered} >= {"200", "201", "409", "422"}


def test_the_script_holds_each_command_to_the_status_its_comment_announces():
    readme = (
        '```sh\ncurl -s "$API/a"\n# → 409 {"code": 1}\ncurl -s "$API/b" \\\n  -d x\n```\n'
        "```sh\necho no api here\n```\n"
    )
    made = script(readme)
    assert "export EXPECT='409'\ncurl -s \"$API/a\"\nunset EXPECT" in made
    assert 'curl -s "$API/b" \\\n  -d x' in made
    assert "EXPECT='409'\ncurl -s \"$API/b\"" not in made
    assert "no api here" not in made
