"""Database writes that survive a lost connection."""

import logging
from collections.abc import Callable
from typing import TypeVar

from django.db import InterfaceError, OperationalError, connection

logger = logging.getLogger(__name__)
T = TypeVar("T")


def write_on_a_live_connection(write: Callable[[], T], *, what: str) -> T:
    """Run `write`; if it fails because the connection was lost (a terminated backend, a
    restarted or failed-over server), close it and run `write` once more on a new one.

    For writes after a request was sent: not recording its outcome would have it sent again.
    `write` must be whole (one statement or one transaction), so a failed run left nothing.
    """
    try:
        return write()
    except (OperationalError, InterfaceError) as exc:
        logger.warning("%s failed (%r); writing again on a new connection", what, exc)
        connection.close()
        return write()
