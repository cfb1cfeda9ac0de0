"""The paging every list endpoint shares: ``limit`` and ``offset`` in the query."""

from flask import current_app
from marshmallow import Schema

from booking.schemas.fields import Count


class PageSchema(Schema):
    """A page of a list: at most ``limit`` items (the ``api.page_size`` setting unless
    given) after skipping ``offset``."""

    limit = Count(
        strict=False,
        minimum=1,
        maximum=5000,
        load_default=lambda: current_app.config["API_PAGE_SIZE"],
        metadata={"description": "Page size; defaults to the api.page_size setting."},
    )
    offset = Count(strict=False, maximum=10_000_000, load_default=0)
