from typing import TypeVar

import flask

_T = TypeVar("_T")

class CSRFProtect:
    def __init__(self, app: flask.Flask | None = ...) -> None: ...
    def init_app(self, app: flask.Flask) -> None: ...
    def exempt(self, view: _T) -> _T: ...
    def protect(self) -> None: ...

def generate_csrf(secret_key: str | None = ..., token_key: str | None = ...) -> str: ...
def validate_csrf(
    data: str | None,
    secret_key: str | None = ...,
    time_limit: int | None = ...,
    token_key: str | None = ...,
) -> None: ...

class CSRFError(Exception):
    description: str
