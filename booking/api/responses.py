"""JSON bodies too large for a schema object per value: encoded by orjson in one go."""

from __future__ import annotations

from typing import Any

import orjson
from flask import Response

JSON = "application/json"


def json_response(data: dict[str, Any]) -> Response:
    """``data`` (plain values: str, int, list, dict) as a JSON response."""
    return Response(orjson.dumps(data), mimetype=JSON)
