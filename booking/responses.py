"""Bodies written in one go: JSON encoded by orjson, and every CSV the service writes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

import orjson
from flask import Response, request

from booking.errors import NotAcceptableError

JSON = "application/json"


def json_response(data: Any) -> Response:
    """``data`` as a JSON response: plain values, or dataclasses of them (aware datetimes
    written in their own zone, with its offset; dates as ``YYYY-MM-DD``)."""
    return Response(orjson.dumps(data), mimetype=JSON)


CSV = "text/csv"
#: What a spreadsheet reads as the start of a formula (OWASP's "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defused(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows as text: a string that would start a
    formula (``=HYPERLINK(…)``) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def csv_response(rows: Iterable[Iterable[Any]], columns: Iterable[str], name: str) -> Response:
    """``rows`` under ``columns`` as a CSV download named ``name``, every cell defused."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([defused(cell) for cell in row] for row in rows)
    response = Response(out.getvalue(), mimetype=CSV)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


#: How the OpenAPI document shows a CSV alternative of a 200.
CSV_DOC: dict[str, Any] = {"schema": {"type": "string"}, "content_type": CSV, "success": True}


def wants_csv(*, csv_too: bool) -> bool:
    """Whether the request's ``Accept`` prefers CSV (offered when ``csv_too``) to JSON;
    a 406 when it takes neither."""
    offered = [JSON, CSV] if csv_too else [JSON]
    chosen = request.accept_mimetypes.best_match(offered) if request.accept_mimetypes else JSON
    if chosen is None:
        raise NotAcceptableError(f"This answer comes as {' or '.join(offered)}.")
    return chosen == CSV
