"""Sends one webhook request to a checked address: the host is resolved once, every address is
vetted, and the connection goes to the vetted address (so a DNS answer cannot change between the
check and the request). Redirects are not followed."""
import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from chalicelib.domain.webhooks import never_sent_to, refused_address


class TargetRefused(Exception):
    """The URL is malformed, does not resolve, or points somewhere we do not send to."""


@dataclass(frozen=True)
class Answer:
    status_code: int | None
    latency_ms: int
    error: str | None = None


def check_url(url: str, allow_private: bool) -> tuple[str, str, int]:
    """(scheme, host, port) of a URL we may send to, judged without DNS: an http(s) URL with a
    host, whose host, when it is an IP address, is one we send to. TargetRefused otherwise."""
    try:
        parts = urlsplit(url)
        hostname, port = parts.hostname, parts.port
    except ValueError as error:  # a malformed host or port ("http://[", "http://h:99999")
        raise TargetRefused(f"not a valid URL: {error}") from error
    if parts.scheme not in ("http", "https") or not hostname:
        raise TargetRefused("must be an http(s) URL with a host")
    _check_addresses(_numeric_addresses(hostname), allow_private)
    return parts.scheme, hostname, port or (443 if parts.scheme == "https" else 80)


def resolve_target(url: str, allow_private: bool) -> tuple[str, int, str, str]:
    """(scheme, port, host, address to connect to) or TargetRefused: every address the host
    resolves to is checked, so that a name cannot lead to an address an IP would be refused for."""
    scheme, hostname, port = check_url(url, allow_private)
    try:
        infos = socket.getaddrinfo(hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as error:
        raise TargetRefused(f"host does not resolve: {hostname}") from error
    addresses = [info[4][0] for info in infos]
    _check_addresses(addresses, allow_private)
    return scheme, port, hostname, addresses[0]


def _check_addresses(addresses: list[str], allow_private: bool) -> None:
    if any(never_sent_to(a) for a in addresses):
        raise TargetRefused("points to a link-local, cloud metadata, multicast or reserved address")
    if not allow_private and any(refused_address(a) for a in addresses):
        raise TargetRefused("points to a loopback, private, link-local or reserved address")


def _numeric_addresses(host: str) -> list[str]:
    """The address a host names by itself, without DNS: an IP address, or one of the spellings the
    resolver reads as one (2852039166, 0xa9fea9fe, 0251.0376.0251.0376, 169.254.43518). Empty for
    a name."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, flags=socket.AI_NUMERICHOST)
    except (socket.gaierror, UnicodeError, ValueError):
        return []
    return [info[4][0] for info in infos]


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float, allow_private: bool) -> Answer:
    started = time.monotonic()
    try:
        scheme, port, host, address = resolve_target(url, allow_private)
        parts = urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        connection = _connection(scheme, host, address, port, timeout)
        try:
            connection.request("POST", path, body=body, headers={
                "Host": parts.netloc.rsplit("@", 1)[-1], "Content-Type": "application/json",
                "User-Agent": "Ticketry-Webhooks/1", **headers})
            response = connection.getresponse()
            response.read(64 * 1024)  # the answer's body is not needed; cap what we read
            status = response.status
        finally:
            connection.close()
    except TargetRefused as error:
        return Answer(None, _ms(started), f"refused: {error}")
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, _ms(started), f"{type(error).__name__}: {error}"[:300])
    return Answer(status, _ms(started))


def _connection(scheme: str, host: str, address: str, port: int, timeout: float) -> http.client.HTTPConnection:
    if scheme == "http":
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
        return connection
    context = ssl.create_default_context()

    class PinnedHTTPSConnection(http.client.HTTPSConnection):
        def connect(self):
            sock = socket.create_connection((address, port), timeout)
            self.sock = context.wrap_socket(sock, server_hostname=host)

    return PinnedHTTPSConnection(host, port, timeout=timeout, context=context)


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
