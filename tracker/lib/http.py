"""The one door for outbound HTTP (official sources and webhooks).

Every request here: resolves the host once and refuses loopback, private, link-local,
CGNAT, reserved and multicast addresses (unless OUTBOUND_ALLOWED_NETWORKS lists them),
then connects to
the address it checked, so a DNS answer that changes between check and connect (DNS
rebinding) cannot slip past; has connect and read timeouts and an overall deadline, the
lookup included;
reads at most `max_bytes`; follows at most `max_redirects`, checking each hop again.

The overall deadline (one `Deadline`, given by the caller or set here) covers the whole
request, every redirect hop included: TLS, the status line, the headers and the body. One
mechanism enforces it: a watchdog thread shuts down the socket of any request still running at
its deadline. Socket timeouts cannot (a server sending one byte a second never trips a read
timeout); they stay as idle limits only. Connecting, before there is a socket to watch, may
take at most what remains.
"""

import contextlib
import heapq
import io
import ipaddress
import os
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from tracker.lib.deadline import Deadline

REDIRECT_CODES = {301, 302, 303, 307, 308}
CHUNK_BYTES = 64 * 1024


class OutboundError(Exception):
    """A request that could not be made or completed; the message is for people."""


class BlockedDestination(OutboundError):
    """The URL is not allowed (scheme, or an address in a forbidden range). Permanent."""


class ResponseTooLarge(OutboundError):
    pass


@dataclass
class Response:
    status_code: int
    headers: requests.structures.CaseInsensitiveDict
    body: bytes
    url: str
    elapsed_ms: int
    truncated: bool = False

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def _embedded_ipv4(address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (IPv4-mapped, 6to4), if any.

    NAT64 (64:ff9b::/96) and Teredo need nothing here: they are reserved or private already.
    """
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    return address.ipv4_mapped or address.sixtofour


def _address_refused(address, allowed_networks) -> bool:
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        if _address_refused(embedded, allowed_networks):
            return True
        if address.ipv4_mapped:  # it is that IPv4 address, nothing more
            return False
    if any(address in network for network in allowed_networks):
        return False
    return not address.is_global or address.is_multicast or address.is_reserved


def destination_check(url: str, *, allow_http: bool, allowed_networks=()) -> tuple[str, str]:
    """Return (hostname, address to connect to) for an allowed URL; raise BlockedDestination."""
    parts = urlsplit(url)
    allowed_schemes = {"https", "http"} if allow_http else {"https"}
    if parts.scheme not in allowed_schemes:
        raise BlockedDestination(
            f"URL scheme must be {' or '.join(sorted(allowed_schemes))}: {url}"
        )
    host = parts.hostname
    if not host:
        raise BlockedDestination(f"URL has no host: {url}")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise BlockedDestination(f"URL has a bad port: {url}") from None
    infos = _resolved(host, port)
    # getaddrinfo has already turned numeric forms (0x7f000001, 2130706433, 127.1) into dotted.
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    refused = [str(a) for a in addresses if _address_refused(a, allowed_networks)]
    if refused:
        raise BlockedDestination(
            f"{host} resolves to a non-public address ({', '.join(refused)}); refused"
        )
    return host, str(addresses[0])


# Lookups run here so that a resolver that does not answer is left waiting, not the request:
# getaddrinfo cannot be interrupted, and the system resolver may retry for half a minute.
# Bounded, so a flood of hanging names queues instead of making threads.
def _resolver_new() -> None:
    global _resolver
    _resolver = ThreadPoolExecutor(max_workers=32, thread_name_prefix="http-resolve")


_resolver_new()
# A forked child (a prefork worker) inherits the pool's books but none of its threads: it
# would queue lookups that nothing runs.
os.register_at_fork(after_in_child=_resolver_new)


def _resolved(host: str, port: int) -> list:
    """getaddrinfo within what remains of this thread's deadline (the connect timeout when
    there is none: a URL checked before it is stored)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:  # an address as written: nothing to look up
        return _getaddrinfo(host, port)
    deadline = getattr(_local, "deadline", None)
    wait = deadline.remaining() if deadline else settings.OUTBOUND_CONNECT_TIMEOUT
    lookup = _resolver.submit(_getaddrinfo, host, port)
    try:
        return lookup.result(timeout=max(wait, 0.001))
    except FutureTimeout:
        lookup.cancel()
        raise OutboundError(f"cannot resolve {host}: no answer within {wait:.1f} s") from None


def _getaddrinfo(host: str, port: int) -> list:
    try:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"cannot resolve {host}: {exc}") from None


def destination_allowed(url: str) -> tuple[str, str]:
    """destination_check under the settings' policy: for validating a URL before it is stored."""
    return destination_check(url, **_policy(None))


def destination_validate(url: str) -> None:
    """destination_allowed for a form or a service: a refusal is a ValidationError."""
    try:
        destination_allowed(url)
    except OutboundError as exc:
        raise ValidationError(str(exc)) from None


def _policy(allow_http: bool | None) -> dict:
    return {
        "allow_http": settings.OUTBOUND_ALLOW_HTTP if allow_http is None else allow_http,
        "allowed_networks": settings.OUTBOUND_ALLOWED_NETWORKS,
    }


class _Watchdog:
    """Shuts down the socket of a request that is still running at its deadline.

    One daemon thread for the process; each requesting thread has at most one socket watched.
    It keeps its own duplicate of the socket's descriptor, so shutting it down can never hit a
    descriptor the kernel has since given to another connection, and it works on the raw socket
    even while TLS is being set up over it. A shut-down socket makes the blocked read return at
    once; the request then reports the deadline.
    """

    def __init__(self):
        self._lock = threading.Condition()
        self._watched: dict[int, list] = {}  # thread id -> [deadline, duplicate socket, cut?]
        self._queue: list[tuple[float, int]] = []  # (deadline, thread id), soonest first
        self._thread: threading.Thread | None = None
        self._pid = 0

    def watch(self, sock: socket.socket, deadline: float) -> None:
        duplicate = socket.socket(fileno=os.dup(sock.fileno()))
        thread_id = threading.get_ident()
        with self._lock:
            self._start()
            previous = self._watched.pop(thread_id, None)
            self._watched[thread_id] = [deadline, duplicate, False]
            heapq.heappush(self._queue, (deadline, thread_id))
            # Wake the watchdog only for a new soonest deadline: with one timeout for every
            # request, almost never (a wake-up per request cost a fan-out a fifth of its rate).
            if self._queue[0] == (deadline, thread_id):
                self._lock.notify()
        _closed(previous)

    def release(self) -> bool:
        """Stop watching this thread's socket; True if the deadline cut it."""
        with self._lock:
            entry = self._watched.pop(threading.get_ident(), None)
        return _closed(entry)

    def _start(self) -> None:
        # A forked child inherits the object but not the thread.
        if self._thread is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name="http-deadline", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        with self._lock:
            while True:
                now = time.monotonic()
                while self._queue and self._queue[0][0] <= now:
                    deadline, thread_id = heapq.heappop(self._queue)
                    entry = self._watched.get(thread_id)
                    if entry and entry[0] == deadline and not entry[2]:
                        entry[2] = True
                        with contextlib.suppress(OSError):
                            entry[1].shutdown(socket.SHUT_RDWR)
                self._lock.wait(self._queue[0][0] - now if self._queue else None)


def _closed(entry: list | None) -> bool:
    """Close a watch entry's duplicate socket; True if the deadline had cut it. Outside the
    watchdog's lock (every sending thread takes it twice a request): once an entry is out of
    `_watched` the watchdog can no longer reach its socket."""
    if entry is None:
        return False
    entry[1].close()
    return entry[2]


_watchdog = _Watchdog()


class _WatchedConnection(HTTPConnection):
    """An HTTP connection whose socket the watchdog cuts at the current request's deadline."""

    def _new_conn(self) -> socket.socket:
        deadline = getattr(_local, "deadline", None)
        if deadline is not None:
            # Not zero, which would make the socket non-blocking.
            self.timeout = min(self.timeout, max(deadline.remaining(), 0.001))
        sock = super()._new_conn()
        _watch(sock)
        return sock

    def request(self, *args, **kwargs):
        if self.sock is not None:  # a kept-alive connection, reused for this request
            _watch(self.sock)
        return super().request(*args, **kwargs)


class _WatchedTLSConnection(_WatchedConnection, HTTPSConnection):
    pass


class _WatchedPool(HTTPConnectionPool):
    ConnectionCls = _WatchedConnection


class _WatchedTLSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedTLSConnection


def _watch(sock: socket.socket) -> None:
    deadline = getattr(_local, "deadline", None)
    if deadline is not None:
        _watchdog.watch(sock, deadline.at)


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to the address destination_check approved, not to a fresh DNS answer."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WatchedPool, "https": _WatchedTLSPool}

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        pinned = getattr(request, "pinned_address", None)
        if pinned:
            hostname = host_params["host"]
            host_params["host"] = pinned
            if host_params["scheme"] == "https":
                # TLS still names and verifies the real host.
                pool_kwargs["server_hostname"] = hostname
                pool_kwargs["assert_hostname"] = hostname
        return host_params, pool_kwargs


_local = threading.local()


def _adapter() -> PinnedAddressAdapter:
    """One adapter (its connection pools) per thread: connection reuse without sharing a pool
    across threads. No session: nothing here wants its cookies, proxies from the environment,
    netrc or redirect handling."""
    adapter = getattr(_local, "adapter", None)
    if adapter is None:
        adapter = PinnedAddressAdapter(pool_connections=32, pool_maxsize=32, max_retries=0)
        _local.adapter = adapter
    return adapter


def request(
    method: str,
    url: str,
    *,
    headers: dict | None = None,
    data: bytes | None = None,
    timeout: tuple[float, float] | None = None,
    deadline: Deadline | None = None,
    deadline_seconds: float | None = None,
    max_bytes: int | None = None,
    truncate: bool = False,
    max_redirects: int = 5,
    allow_http: bool | None = None,
) -> Response:
    """Send one request (following redirects up to max_redirects) and read a capped body.

    `deadline` is the caller's, when the request is part of larger work (a source check);
    otherwise one is set for `deadline_seconds` (default OUTBOUND_DEADLINE_SECONDS).
    Over max_bytes: ResponseTooLarge, or with truncate=True the first max_bytes.
    max_redirects=0 returns a 3xx as it is.
    """
    policy = _policy(allow_http)
    timeout = timeout or (settings.OUTBOUND_CONNECT_TIMEOUT, settings.OUTBOUND_READ_TIMEOUT)
    deadline = deadline or Deadline.after(deadline_seconds or settings.OUTBOUND_DEADLINE_SECONDS)
    max_bytes = max_bytes or settings.OUTBOUND_MAX_BYTES
    with _cut_at(deadline):
        return _follow(
            method, url, headers, data, timeout, policy, max_bytes, truncate, max_redirects
        )


@contextlib.contextmanager
def _cut_at(deadline: Deadline):
    """Let the watchdog cut this thread's request at the deadline, and say so if it did.

    A cut socket can look like a response that ended early, so the deadline is reported even
    when the read seemed to succeed; a connection error past the deadline (a cut, or a connect
    given what remained) is the deadline's too. A refused destination or body stays itself.
    """
    _local.deadline = deadline
    late = False
    try:
        yield
    except OutboundError as exc:
        if type(exc) is not OutboundError or not deadline.passed():
            raise
        late = True
    finally:
        _local.deadline = None
        late = _watchdog.release() or late
    if late:
        raise OutboundError(
            f"timed out: no complete response within the {deadline.seconds:g} s overall deadline"
        )


def _follow(method, url, headers, data, timeout, policy, max_bytes, truncate, redirects):
    started = time.monotonic()
    for _hop in range(redirects + 1):
        response = _send_once(method, url, headers, data, timeout, policy)
        location = response.headers.get("Location")
        if response.status_code in REDIRECT_CODES and location and redirects:
            response.close()
            url = urljoin(url, location)
            if response.status_code == 303 or (
                response.status_code in {301, 302} and method == "POST"
            ):
                method, data = "GET", None
            continue
        body, truncated = _read_capped(response, max_bytes, truncate)
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return Response(response.status_code, response.headers, body, url, elapsed_ms, truncated)
    raise OutboundError(f"more than {redirects} redirects")


def _send_once(method, url, headers, data, timeout, policy) -> requests.Response:
    hostname, address = destination_check(url, **policy)
    # Prepared part by part: Request.prepare() would also build a cookie jar and hooks that
    # nothing here uses (no cookies are kept, and the door follows redirects itself).
    prepared = requests.PreparedRequest()
    prepared.prepare_method(method)
    prepared.prepare_url(url, None)
    prepared.prepare_headers(_headers(headers))
    prepared.prepare_body(data, None)
    prepared.prepare_auth(None, url)
    parts = urlsplit(url)
    prepared.headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
    prepared.pinned_address = address
    try:
        # The adapter itself: a session's send would also store cookies and work out the
        # next redirect, which this door does on its own (the webhooks' largest cost here
        # after the request itself). destination_check has allowed only http and https.
        return _adapter().send(prepared, stream=True, timeout=timeout)
    except requests.Timeout as exc:
        raise OutboundError(f"timed out: {exc.__class__.__name__}") from None
    except requests.RequestException as exc:
        raise OutboundError(f"{exc.__class__.__name__}: {exc}") from None


def _headers(extra: dict | None) -> dict:
    return {"User-Agent": settings.OUTBOUND_USER_AGENT, "Accept-Encoding": "gzip", **(extra or {})}


def _read_capped(response, max_bytes: int, truncate: bool) -> tuple[bytes, bool]:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes and not truncate:
        response.close()
        raise ResponseTooLarge(f"response is {int(declared)} bytes, over the {max_bytes}-byte cap")
    # One growing buffer, not a list joined at the end: a body is held once, not twice.
    buffer = io.BytesIO()
    try:
        for chunk in _arriving(response):
            buffer.write(chunk)
            if buffer.tell() > max_bytes:
                if truncate:
                    return buffer.getbuffer()[:max_bytes].tobytes(), True
                raise ResponseTooLarge(f"response exceeded the {max_bytes}-byte cap")
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise OutboundError(f"{exc.__class__.__name__} while reading: {exc}") from None
    finally:
        response.close()
    return buffer.getvalue(), False


def _arriving(response):
    """The body as it arrives, one receive a read (read1): a body that drips is read as it
    comes, and a read the watchdog cuts returns at once."""
    while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
        yield chunk
