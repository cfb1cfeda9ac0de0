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


#: Collect cyclic garbage once this many more container objects are alive than at the
#: last collection (CPython's default is 700). See ``post_worker_init``.
YOUNG_COLLECTION_THRESHOLD = 50_000


def post_worker_init(worker: object) -> None:
    """The application is loaded in this worker. What it made on loading (modules, the
    app, its routes and schemas: some 170,000 objects) lives as long as the worker, so
    it is moved out of the garbage collector's sight (``gc.freeze``): full collections
    then walk only what requests make. A month's charges (15,000 lines) had spent a
    fifth of its time walking the start-up objects.

    A request's objects (a week's search of the building makes some 40,000: bookings,
    intervals, the answer) are freed by reference counting when it ends. At the default
    threshold the collector walked them about 30 times per search first, and promoted
    them to walk them again: 3-4 ms, a tenth of the search. At ``YOUNG_COLLECTION_THRESHOLD``
    it runs only when garbage that reference counting cannot free (cycles) builds up,
    which costs at most that many objects' memory."""
    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
