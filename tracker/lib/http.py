"""The one door for outbound HTTP (official sources and webhooks).

Every request here: resolves the host once and refuses loopback, private, link-local,
CGNAT, reserved and multicast addresses (unless OUTBOUND_ALLOWED_NETWORKS lists them),
then connects to
the address it checked, so a DNS answer that changes between check and connect (DNS
rebinding) cannot slip past; has connect and read timeouts and an overall deadline;
reads at most `max_bytes`; follows at most `max_redirects`, checking each hop again.
"""

import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from requests.adapters import HTTPAdapter

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
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"cannot resolve {host}: {exc}") from None
    # getaddrinfo has already turned numeric forms (0x7f000001, 2130706433, 127.1) into dotted.
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    refused = [str(a) for a in addresses if _address_refused(a, allowed_networks)]
    if refused:
        raise BlockedDestination(
            f"{host} resolves to a non-public address ({', '.join(refused)}); refused"
        )
    return host, str(addresses[0])


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


class PinnedAddressAdapter(HTTPAdapter):
    """Connects to the address destination_check approved, not to a fresh DNS answer."""

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


def _session() -> requests.Session:
    """One session per thread: connection reuse without sharing a pool across threads."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        session.trust_env = False  # no proxies or netrc from the environment
        adapter = PinnedAddressAdapter(pool_connections=32, pool_maxsize=32, max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        _local.session = session
    return session


def request(
    method: str,
    url: str,
    *,
    headers: dict | None = None,
    data: bytes | None = None,
    timeout: tuple[float, float] | None = None,
    deadline_seconds: float | None = None,
    max_bytes: int | None = None,
    truncate: bool = False,
    max_redirects: int = 5,
    allow_http: bool | None = None,
) -> Response:
    """Send one request (following redirects up to max_redirects) and read a capped body.

    Over max_bytes: ResponseTooLarge, or with truncate=True the first max_bytes.
    max_redirects=0 returns a 3xx as it is.
    """
    policy = _policy(allow_http)
    timeout = timeout or (settings.OUTBOUND_CONNECT_TIMEOUT, settings.OUTBOUND_READ_TIMEOUT)
    deadline = time.monotonic() + (deadline_seconds or settings.OUTBOUND_DEADLINE_SECONDS)
    max_bytes = max_bytes or settings.OUTBOUND_MAX_BYTES
    started = time.monotonic()
    for _hop in range(max_redirects + 1):
        response = _send_once(method, url, headers, data, timeout, policy)
        location = response.headers.get("Location")
        if response.status_code in REDIRECT_CODES and location and max_redirects:
            response.close()
            url = urljoin(url, location)
            if response.status_code == 303 or (
                response.status_code in {301, 302} and method == "POST"
            ):
                method, data = "GET", None
            continue
        body, truncated = _read_capped(response, max_bytes, deadline, truncate)
        elapsed_ms = int((time.monotonic() - started) * 1000)
        return Response(response.status_code, response.headers, body, url, elapsed_ms, truncated)
    raise OutboundError(f"more than {max_redirects} redirects")


def _send_once(method, url, headers, data, timeout, policy) -> requests.Response:
    hostname, address = destination_check(url, **policy)
    prepared = requests.Request(method, url, headers=_headers(headers), data=data).prepare()
    parts = urlsplit(url)
    prepared.headers["Host"] = parts.netloc.rsplit("@", 1)[-1]
    prepared.pinned_address = address
    try:
        return _session().send(prepared, stream=True, timeout=timeout, allow_redirects=False)
    except requests.Timeout as exc:
        raise OutboundError(f"timed out: {exc.__class__.__name__}") from None
    except requests.RequestException as exc:
        raise OutboundError(f"{exc.__class__.__name__}: {exc}") from None


def _headers(extra: dict | None) -> dict:
    return {"User-Agent": settings.OUTBOUND_USER_AGENT, "Accept-Encoding": "gzip", **(extra or {})}


def _read_capped(response, max_bytes: int, deadline: float, truncate: bool) -> tuple[bytes, bool]:
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes and not truncate:
        response.close()
        raise ResponseTooLarge(f"response is {int(declared)} bytes, over the {max_bytes}-byte cap")
    chunks, size = [], 0
    try:
        for chunk in _arriving(response):
            chunks.append(chunk)
            size += len(chunk)
            if size > max_bytes:
                if truncate:
                    return b"".join(chunks)[:max_bytes], True
                raise ResponseTooLarge(f"response exceeded the {max_bytes}-byte cap")
            if time.monotonic() > deadline:
                raise OutboundError("response took longer than the overall deadline")
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise OutboundError(f"{exc.__class__.__name__} while reading: {exc}") from None
    finally:
        response.close()
    return b"".join(chunks), False


def _arriving(response):
    """The body as it arrives. Each read returns after one receive (read1), so a server that
    drips a byte at a time cannot hold a read past the deadline, as a 64 KB read would."""
    while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
        yield chunk
