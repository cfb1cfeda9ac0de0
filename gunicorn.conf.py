"""gunicorn's settings for the service, read from the directory gunicorn starts in.

Each worker is a process of its own, so for ``/metrics`` to count every worker's
requests they write their counts to one directory, ``PROMETHEUS_MULTIPROC_DIR``. Set it
yourself to share it with the scheduler process on the same host (its job runs then
appear too); otherwise a fresh directory is made for this server. Everything else is
given on the command line, e.g. ``gunicorn --workers 4 --bind 0.0.0.0:8000
"booking:create_app()"``.
"""

import gc
import os
import tempfile

from prometheus_client import multiprocess

if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="hwic-metrics-")


def child_exit(server: object, worker: object) -> None:
    """A worker that ends leaves its counts to the total; its live values go."""
    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def post_worker_init(worker: object) -> None:
    """The application is loaded in this worker. What it made on loading (modules, the
    app, its routes and schemas: some 170,000 objects) lives as long as the worker, so
    it is moved out of the garbage collector's sight (``gc.freeze``): full collections
    then walk only what requests make. A month's charges (15,000 lines) had spent a
    fifth of its time walking the start-up objects."""
    gc.freeze()
