"""The house rules ARCHITECTURE.md states, checked on the source: areas meet only through
their public surfaces and depend downwards only; modules and functions stay small."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SERVICES = "booking.services"

#: The areas of ``booking/services``, lowest first: an area may use those before it.
LAYERS: list[set[str]] = [
    {"core"},
    {"people"},
    {"catalogue"},
    {"finding"},
    {"reservations"},
    {"visitors"},
    {"reception", "feeds", "operations", "displays", "accounts"},
    {"notifications"},
]
RANK = {area: rank for rank, layer in enumerate(LAYERS) for area in layer}


def source_files(*packages: str) -> list[Path]:
    return sorted(
        path
        for package in packages
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def area_of(path: Path) -> str | None:
    parts = path.relative_to(ROOT).parts
    if parts[:2] == ("booking", "services") and len(parts) > 3:
        return parts[2]
    return None


def imports_of(path: Path) -> list[tuple[str, list[str], int]]:
    """Each ``from X import a, b`` and ``import X`` in the file: (X, names, line)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [alias.name for alias in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, [], node.lineno) for alias in node.names)
    return found


def crossings() -> list[tuple[Path, int, str | None, str, list[str], str]]:
    """Every import of one area from outside it: (file, line, importing area, area
    imported, names, module path)."""
    found = []
    for path in source_files("booking"):
        here = area_of(path)
        for module, names, line in imports_of(path):
            parts = module.split(".")
            if module == SERVICES:
                found.extend((path, line, here, name, [], module) for name in names if name != here)
            elif module.startswith(SERVICES + ".") and parts[2] != here:
                found.append((path, line, here, parts[2], names, module))
    return found


def test_areas_meet_only_through_their_surfaces() -> None:
    reaching_in = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path, line, _, area, _, module in crossings()
        if module.count(".") > 2
    ]
    assert reaching_in == []


def test_what_an_area_offers_is_listed_in_its_surface() -> None:
    unlisted = []
    for path, line, _, area, names, _ in crossings():
        offered = set(importlib.import_module(f"{SERVICES}.{area}").__all__)
        unlisted += [
            f"{path.relative_to(ROOT)}:{line} {area}.{name}"
            for name in names
            if name not in offered
        ]
    assert unlisted == []


def test_areas_depend_downwards_only() -> None:
    upwards = [
        f"{path.relative_to(ROOT)}:{line} ({here}) uses {area}"
        for path, line, here, area, _, _ in crossings()
        if here is not None and RANK[area] >= RANK[here]
    ]
    assert upwards == []


def test_the_api_and_the_pages_are_siblings() -> None:
    """``booking/api`` and ``booking/web`` stand side by side on the services: neither
    imports the other (what both need, such as writing CSV, lives below them)."""
    crossing = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for sibling, other in (("api", "web"), ("web", "api"))
        for path in source_files(f"booking/{sibling}")
        for module, _, line in imports_of(path)
        if module == f"booking.{other}" or module.startswith(f"booking.{other}.")
    ]
    assert crossing == []


def test_every_area_has_a_layer() -> None:
    areas = {path.name for path in (ROOT / "booking" / "services").iterdir() if path.is_dir()}
    assert areas - {"__pycache__"} == set(RANK)


@pytest.mark.parametrize("package", ["booking", "rules", "calendars"])
def test_modules_and_functions_stay_small(package: str) -> None:
    """Modules of at most 300 lines, functions of at most 50 (STYLE.md)."""
    too_big = []
    for path in source_files(package):
        text = path.read_text()
        if len(text.splitlines()) > 300:
            too_big.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > 50:
                    too_big.append(f"{path.relative_to(ROOT)}: {node.name}() {length} lines")
    assert too_big == []
