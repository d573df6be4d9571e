"""A browser signing in through the API over chalice's test client: a cookie jar (Set-Cookie in,
Cookie out) and the app's own origin, as the web UI's pages send it. The sign-in benchmark and the
API tests use it; the code and link come from the outbox (chalicelib.local.outbox)."""
import json
import re

SAME_ORIGIN = {"Sec-Fetch-Site": "same-origin"}
SIGN_IN = "/v1/ce/sign-in"


def set_cookie_headers(response) -> list[str]:
    value = response.headers.get("Set-Cookie") or response.headers.get("set-cookie")
    if value is None:
        return []
    # The test client joins a repeated header with ", "; no cookie attribute here holds a comma.
    return value if isinstance(value, list) else [part.strip() for part in re.split(r",\s*(?=ticketry_)", value)]


class Browser:
    def __init__(self, client, origin: dict[str, str] | None = None, user_agent: str = "Firefox/140.0"):
        self.client = client
        self.origin = SAME_ORIGIN if origin is None else origin
        self.user_agent = user_agent
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None):
        sent = {"Content-Type": "application/json", "User-Agent": self.user_agent, **self.origin, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        response = getattr(self.client.http, method.lower())(
            path, headers=sent, body=json.dumps(body) if body is not None else None)
        response.json = json.loads(response.body) if response.body else None
        response.set_cookies = set_cookie_headers(response)
        for header in response.set_cookies:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "Max-Age=0" in header.split("; "):
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def post(self, path: str, body: dict):
        return self.request("POST", path, body)

    def ask_code(self, email: str, **extra):
        return self.request("POST", SIGN_IN + "/email", {"email": email, **extra})

    def send_code(self, code: str):
        return self.request("POST", SIGN_IN + "/code", {"code": code})

    def open_link(self, token: str):
        return self.request("POST", SIGN_IN + "/link", {"token": token})

