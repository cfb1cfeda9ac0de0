from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo
from typing import Any

class Job:
    id: str
    name: str
    next_run_time: datetime | None

class BaseScheduler:
    def __init__(
        self,
        gconfig: Mapping[str, Any] = ...,
        *,
        timezone: tzinfo | str | None = ...,
        **options: Any,
    ) -> None: ...
    def add_job(
        self,
        func: Callable[..., Any],
        trigger: str | None = ...,
        args: Iterable[Any] | None = ...,
        kwargs: Mapping[str, Any] | None = ...,
        id: str | None = ...,
        name: str | None = ...,
        misfire_grace_time: int | None = ...,
        coalesce: bool = ...,
        max_instances: int = ...,
        next_run_time: datetime | None = ...,
        **trigger_args: Any,
    ) -> Job: ...
    def get_jobs(self) -> list[Job]: ...
    def start(self, paused: bool = ...) -> None: ...
    def shutdown(self, wait: bool = ...) -> None: ...
