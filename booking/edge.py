"""What text the service accepts, decided once for every request, before any view runs.

- A body over ``MAX_BODY`` is a 413.
- A JSON body that is not JSON is left to the views (a 400 ``malformed_body``), one
  nested deeper than ``MAX_DEPTH`` is a 400 ``too_deep`` (a parser would otherwise
  recurse until it fails with a 500).
- A NUL character, or half of a UTF-16 surrogate pair, in any JSON string (key or
  value), query parameter or form field is a 422 naming the field: PostgreSQL cannot
  store a NUL, no encoder can write a lone surrogate, and neither belongs in a title.

So no field, old or new, can forget these checks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, Response, render_template, request

from booking.errors import problem

#: The largest request body accepted (an .ics file to import fits easily).
MAX_BODY = 2 * 1024 * 1024
#: How deeply JSON may nest (the deepest the API takes is a resource's rules, at 4).
MAX_DEPTH = 32
_BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
_WHY = "Text may not hold a NUL character or half of a UTF-16 surrogate pair."


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string in a parsed JSON value (keys too), with where it is."""
    stack: list[tuple[Any, str, int]] = [(value, path, 1)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _TooDeep
        if isinstance(item, str):
            yield where, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield where, key
                stack.append((inner, f"{where}.{key}" if where else str(key), depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{n}]", depth + 1) for n, inner in enumerate(item))


class _TooDeep(Exception):
    pass


def _refusal(status: int, code: str, title: str, detail: str, **extra: Any) -> Response:
    if request.path.startswith("/api/"):
        return problem(status, code, title, detail, **extra)
    page = render_template("error.html", title=title, message=detail)
    return Response(page, status=status, mimetype="text/html")


def _too_large() -> Response:
    return _refusal(
        413, "too_large", "Too large", f"A request body may hold at most {MAX_BODY} bytes."
    )


def _too_deep() -> Response:
    return _refusal(
        400, "too_deep", "Nested too deeply", f"JSON may nest at most {MAX_DEPTH} levels."
    )


def _bad_fields() -> dict[str, list[str]]:
    bad: dict[str, list[str]] = {}
    for source in (request.args, request.form):
        for name, value in source.items(multi=True):
            if _BAD_TEXT.search(name) or _BAD_TEXT.search(value):
                bad[_BAD_TEXT.sub("?", name)] = [_WHY]
    return bad


def check_request() -> Response | None:
    """Refuse the request here if its text is not text the service accepts."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return _too_large()
    bad = _bad_fields()
    if request.is_json:
        raw = request.get_data(cache=True)
        if len(raw) > MAX_BODY:
            return _too_large()
        try:
            body = json.loads(raw)
        except RecursionError:
            return _too_deep()
        except ValueError:
            body = None  # not JSON: the view answers 400 malformed_body
        try:
            for where, text in _strings(body, ""):
                if _BAD_TEXT.search(text):
                    bad[_BAD_TEXT.sub("?", where) or "body"] = [_WHY]
        except _TooDeep:
            return _too_deep()
    if bad:
        return _refusal(
            422,
            "invalid_fields",
            "Invalid input",
            "Some fields are not valid; see errors.",
            errors=bad,
        )
    return None


def init_app(app: Flask) -> None:
    """Check every request's text before its view (and before authentication) runs."""
    app.config.setdefault("MAX_CONTENT_LENGTH", MAX_BODY)
    app.before_request(check_request)
