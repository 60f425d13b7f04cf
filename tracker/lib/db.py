"""Database work that survives a lost connection."""

import logging
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)
T = TypeVar("T")


def write_on_a_live_connection(
    write: Callable[[], T], *, what: str, pauses: Iterable[float] = (0.0,)
) -> T:
    """Run `write`; each time it fails because the connection was lost (a terminated
    backend, a restarted or failed-over server), close this thread's connections and, after
    the next of `pauses` (seconds), run it again on a new one. Once they run out, the last
    try's error is raised; by default `write` runs once more, at once.

    For writes after a request was sent (not recording its outcome would have it sent
    again) and for whole Celery tasks. `write` must be whole (one statement, one transaction,
    or a task that may run twice), so a failed run left nothing behind.
    """
    for pause in pauses:
        try:
            return write()
        except (OperationalError, InterfaceError) as exc:
            # Whether the connection still works says little: a failed transaction has
            # already closed it and the next statement opens a new one.
            logger.warning("%s failed (%r); running it again on a new connection", what, exc)
            for conn in connections.all(initialized_only=True):
                conn.close()
            time.sleep(pause)
    return write()
