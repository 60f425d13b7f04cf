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
visibility timeout; webhook deliveries and source checks do not wait for that, their
sweepers re-queue them from the database after their lease.
"""

from kombu.transport import TRANSPORT_ALIASES
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel


def install() -> None:
    """Use this transport for redis:// and rediss:// broker URLs. Registered under the URL
    schemes (not as Celery's broker_transport) so that rediss:// keeps kombu's TLS set-up."""
    TRANSPORT_ALIASES.update(redis=f"{__name__}:Transport", rediss=f"{__name__}:Transport")
