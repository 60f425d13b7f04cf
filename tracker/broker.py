"""Kombu's Redis transport with one fix, so a worker survives a Redis restart.

When Redis goes away while a worker holds unacknowledged (acks_late) messages and a BRPOP
is in flight, Celery first collects the broken connection, which detaches the transport
from it (`transport.client = None`), then closes it. That close reaches the channel again:
it tries to put its unacknowledged messages back, needs a new connection pool, and builds
its parameters from the detached `client` -> `AttributeError: 'NoneType' object has no
attribute 'hostname'`. An AttributeError is not a connection error, so Celery does not
retry: the worker exits ("Unrecoverable error"). Seen with kombu 5.7.0 and redis-py 8.1.0,
and the same path is in earlier kombu releases.

Here a channel whose connection is already detached raises a connection error instead,
which kombu and Celery handle as what it is (a lost connection): the worker reconnects.
The unacknowledged messages stay in Redis's unacked set and are delivered again after the
visibility timeout; webhook deliveries do not wait for that: once reconnected, the worker
has their sweeper re-queue what the broker lost (tracker.celery.BrokerReconnected), and
source checks are queued again after their lease.

The errors Celery and kombu log on such a restart, though harmless, come at ERROR and
CRITICAL; in a worker they are logged as warnings (reconnection_noise_quiet).
"""

import logging

from kombu.exceptions import OperationalError as KombuOperationalError
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# What a broker restart raises where the worker recovers by itself.
CONNECTION_ERRORS = (OSError, RedisConnectionError, RedisTimeoutError, KombuOperationalError)


# Where Celery and kombu log such errors above WARNING, and the format of those lines: an
# acknowledgement lost with the connection (the message comes back, and the work it stood
# for is claimed in the database), a step such as Gossip failing to restart on the dead
# connection, and a reconnection attempt that will be tried again.
def _reconnection_noise() -> dict[str, set[str]]:
    from celery.worker.consumer.consumer import CONNECTION_ERROR  # the worker's modules only

    return {
        "celery.worker.request": {"Couldn't ack %r, reason:%r", "Couldn't reject %r, reason: %r"},
        "celery.bootsteps": {"Error on %s %s: %r"},
        "celery.worker.consumer.consumer": {CONNECTION_ERROR},
    }


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel


class ReconnectionNoise(logging.Filter):
    """Logs the errors of a broker restart that the worker recovers from at WARNING, without
    their tracebacks: at ERROR and CRITICAL they paged an operator for nothing. The worker
    says once that it reconnected (tracker.celery.BrokerReconnected)."""

    def __init__(self, formats: set[str]):
        super().__init__()
        self.formats = formats

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args if isinstance(record.args, tuple) else ()
        if (
            record.levelno > logging.WARNING
            and record.msg in self.formats
            and (_restarting(args) or any(isinstance(arg, CONNECTION_ERRORS) for arg in args))
        ):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = record.exc_text = None
        return True


def _restarting(args: tuple) -> bool:
    """A consumer step failing to restart ("Error on restarting Gossip: AttributeError(…)"):
    it happens only while the worker reconnects, on the connection just lost, and the step
    starts again with the consumer."""
    return bool(args) and args[0] == "restarting"


def install() -> None:
    """Use this transport for redis:// and rediss:// broker URLs. Registered under the URL
    schemes (not as Celery's broker_transport) so that rediss:// keeps kombu's TLS set-up."""
    TRANSPORT_ALIASES.update(redis=f"{__name__}:Transport", rediss=f"{__name__}:Transport")


def reconnection_noise_quiet() -> None:
    """In a worker: log the harmless errors of a broker restart as warnings."""
    for name, formats in _reconnection_noise().items():
        logging.getLogger(name).addFilter(ReconnectionNoise(formats))
