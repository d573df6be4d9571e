"""The HTTP side of OIDC sign-in: a provider's discovery document and key set (each kept by the
process for a few minutes: every sign-in reads them, and they change rarely) and its token endpoint.
Errors of any kind (network, status, a body that is no JSON object) become SignInFailed."""
import base64
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Callable
from urllib.parse import quote, urlencode

from chalicelib.domain.oidc import OIDC_FAILED, Provider, ProviderMetadata, SignInFailed, discovery_url

CACHE_SECONDS = 300
# A cold instance's sign-in makes three calls (discovery, token, key set) within the API function's
# 10-second timeout: each gets at most this long, so that a slow provider is a redirect with
# oidc_failed, not a timed-out function.
TIMEOUT_SECONDS = 3
MAX_RESPONSE_BYTES = 512 * 1024


class HttpOidcClient:
    def __init__(self, clock: Callable[[], float] = time.monotonic, cache_seconds: float = CACHE_SECONDS):
        self.clock = clock
        self.cache_seconds = cache_seconds
        self._documents: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def metadata(self, provider: Provider) -> ProviderMetadata:
        return ProviderMetadata.from_discovery(provider, self._cached(discovery_url(provider.issuer), refresh=False))

    def key_set(self, metadata: ProviderMetadata, refresh: bool = False) -> dict:
        """The provider's signing keys; `refresh` fetches them again (a token named a key the set
        kept lacks: the provider has rotated its keys)."""
        keys = self._cached(metadata.jwks_uri, refresh=refresh)
        if not isinstance(keys.get("keys"), list):
            raise SignInFailed(OIDC_FAILED, "the provider's key set has no keys")
        return keys

    def exchange_code(self, provider: Provider, metadata: ProviderMetadata, code: str, code_verifier: str,
                      redirect_uri: str, client_secret: str) -> dict:
        """The token endpoint's answer to the authorization code (RFC 6749, 4.1.3), the client
        authenticated as the provider prefers (client_secret_basic unless it takes only _post)."""
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": code_verifier}
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        if metadata.token_auth_method == "client_secret_post":
            form |= {"client_id": provider.client_id, "client_secret": client_secret}
        else:
            # RFC 6749, 2.3.1: each part form-encoded before they are joined.
            pair = f"{quote(provider.client_id, safe='')}:{quote(client_secret, safe='')}"
            headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
        request = urllib.request.Request(metadata.token_endpoint, data=urlencode(form).encode(), headers=headers,
                                         method="POST")
        return _json_from(request)

    def _cached(self, url: str, refresh: bool) -> dict:
        now = self.clock()
        with self._lock:
            kept = self._documents.get(url)
        if kept is not None and not refresh and now - kept[0] < self.cache_seconds:
            return kept[1]
        document = _json_from(urllib.request.Request(url, headers={"Accept": "application/json"}))
        with self._lock:
            self._documents[url] = (now, document)
        return document


def _json_from(request: urllib.request.Request) -> dict:
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            body = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        detail = error.read(2048).decode("utf-8", "replace")
        raise SignInFailed(OIDC_FAILED, f"{request.full_url} answered {error.code}: {detail}") from None
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise SignInFailed(OIDC_FAILED, f"{request.full_url} could not be reached: {error}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise SignInFailed(OIDC_FAILED, f"{request.full_url} answered more than {MAX_RESPONSE_BYTES} bytes")
    try:
        document = json.loads(body)
    except ValueError:
        raise SignInFailed(OIDC_FAILED, f"{request.full_url} answered something other than JSON") from None
    if not isinstance(document, dict):
        raise SignInFailed(OIDC_FAILED, f"{request.full_url} answered JSON other than an object")
    return document
