# Types for the part of flask-smorest this project uses. The package ships no annotations,
# so its decorators would make every view untyped; declared here once, each decorator
# hands the view back with its own signature.
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import flask
from marshmallow import Schema
from marshmallow.fields import Field

_F = TypeVar("_F", bound=Callable[..., Any])

class Blueprint(flask.Blueprint):
    def __init__(
        self,
        name: str,
        import_name: str,
        *args: Any,
        description: str | None = ...,
        **kwargs: Any,
    ) -> None: ...
    def route(
        self, rule: str, *, parameters: Iterable[Any] | None = ..., **options: Any
    ) -> Callable[[_F], _F]: ...
    def arguments(
        self,
        schema: Schema | type[Schema],
        *,
        location: str = ...,
        content_type: str | None = ...,
        required: bool = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        **kwargs: Any,
    ) -> Callable[[_F], _F]: ...
    def response(
        self,
        status_code: int | str,
        schema: Schema | type[Schema] | str | None = ...,
        *,
        content_type: str | None = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
    ) -> Callable[[_F], _F]: ...
    def alt_response(
        self,
        status_code: int | str,
        response: str | None = ...,
        *,
        schema: Schema | type[Schema] | str | None = ...,
        content_type: str | None = ...,
        description: str | None = ...,
        example: Any = ...,
        examples: Mapping[str, Any] | None = ...,
        headers: Mapping[str, Any] | None = ...,
        success: bool = ...,
    ) -> Callable[[_F], _F]: ...
    def doc(self, **kwargs: Any) -> Callable[[_F], _F]: ...
    # A view returns what its response schema dumps, not only what Flask could send.
    def get(self, rule: str, **options: Any) -> Callable[[_F], _F]: ...
    def post(self, rule: str, **options: Any) -> Callable[[_F], _F]: ...
    def put(self, rule: str, **options: Any) -> Callable[[_F], _F]: ...
    def patch(self, rule: str, **options: Any) -> Callable[[_F], _F]: ...
    def delete(self, rule: str, **options: Any) -> Callable[[_F], _F]: ...

class Api:
    spec: Any
    ERROR_SCHEMA: Any
    DEFAULT_ERROR_RESPONSE_NAME: str
    def _init_spec(self, **options: Any) -> None: ...
    def _register_responses(self) -> None: ...
    def __init__(
        self, app: flask.Flask | None = ..., *, spec_kwargs: Mapping[str, Any] | None = ...
    ) -> None: ...
    def init_app(
        self, app: flask.Flask, *, spec_kwargs: Mapping[str, Any] | None = ...
    ) -> None: ...
    def register_field(self, field: type[Field[Any]], *args: Any) -> None: ...
    def register_blueprint(
        self, blp: Blueprint, *, parameters: Iterable[Any] | None = ..., **options: Any
    ) -> None: ...

def abort(http_status_code: int, exc: Exception | None = ..., **kwargs: Any) -> Any: ...
