"""Marshmallow schemas: shape and field checks only — no database, no policy."""
