"""OIDC providers for tests, both real HTTP servers on this machine: oidc-provider-mock (a full
provider: discovery, authorization, token endpoint, users seeded by `PUT /users/{sub}`), and a
provider of the test's own whose ID tokens the test writes (claims a real provider would never
send wrong: another audience, another nonce, an expired token), signed with a key it serves as
its key set."""
import json
import os
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Iterator
from urllib.parse import parse_qs

import requests
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CLIENT_ID = "ticketry-tests"
CLIENT_SECRET = "client-secret-for-tests"


@contextmanager
def mock_provider() -> Iterator[str]:
    """oidc-provider-mock in a thread; yields its issuer. Any client id and secret are accepted."""
    from oidc_provider_mock import run_server_in_thread

    # authlib (inside the mock) refuses plain HTTP unless told it is a test.
    previous = os.environ.get("AUTHLIB_INSECURE_TRANSPORT")
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    try:
        with run_server_in_thread(require_nonce=True) as server:
            yield f"http://localhost:{server.server_port}"
    finally:
        if previous is None:
            os.environ.pop("AUTHLIB_INSECURE_TRANSPORT", None)
        else:
            os.environ["AUTHLIB_INSECURE_TRANSPORT"] = previous


def seed_user(issuer: str, email: str, **claims) -> None:
    """A user of the mock provider, its subject the email; claims beyond email are the test's."""
    response = requests.put(f"{issuer}/users/{email}", json={"email": email, **claims}, timeout=5)
    assert response.status_code == 204, response.text


def authorize(authorization_url: str, subject: str) -> str:
    """What a person does at the mock provider: picks the user and consents. Returns where the
    provider sends the browser back (the app's callback, with code and state)."""
    response = requests.post(authorization_url, data={"sub": subject}, allow_redirects=False, timeout=5)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


class SigningProvider:
    """A provider whose token endpoint answers with the ID token `next_claims` describes, signed by
    `key` (served in its key set unless `serve_key` is false). Records the token requests."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key-1", "alg": "RS256", "use": "sig"})
        self.served_keys = [self.key]
        self.next_claims: dict = {}
        self.signing_key = self.key
        self.token_requests: list[dict] = []
        self.fetches: list[str] = []
        self.auth_methods = ["client_secret_basic", "client_secret_post"]
        self.token_delay = 0.0  # seconds the token endpoint takes to answer
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://localhost:{self._server.server_port}"

    def claims(self, nonce: str, **changes) -> dict:
        now = int(time.time())
        base = {"iss": self.issuer, "aud": CLIENT_ID, "sub": "subject-1", "iat": now, "exp": now + 300,
                "nonce": nonce, "email": "ada@example.com", "email_verified": True, "name": "Ada"}
        return {name: value for name, value in (base | changes).items() if value is not None}

    def __enter__(self) -> "SigningProvider":
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status: int, body: dict):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                provider.fetches.append(self.path)
                if self.path == "/.well-known/openid-configuration":
                    self._json(200, {"issuer": provider.issuer, "authorization_endpoint": provider.issuer + "/authorize",
                                     "token_endpoint": provider.issuer + "/token", "jwks_uri": provider.issuer + "/jwks",
                                     "token_endpoint_auth_methods_supported": provider.auth_methods})
                elif self.path == "/jwks":
                    self._json(200, KeySet(provider.served_keys).as_dict(private=False))
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {name: values[0] for name, values in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append({"form": form, "authorization": self.headers.get("Authorization")})
                time.sleep(provider.token_delay)
                header = {"alg": "RS256", "kid": provider.signing_key.kid}
                token = jwt.encode(header, provider.next_claims, provider.signing_key)
                self._json(200, {"access_token": "at", "token_type": "Bearer", "id_token": token})

        return Handler
