"""Chalice's local HTTP server, made to answer as API Gateway does where Chalice's differs.

API Gateway (a REST API as Chalice deploys it: one method per route, no ANY) answers every request
whose path and method match no deployed method with 403 `{"message": "Missing Authentication
Token"}`, before any Lambda runs. Chalice's local server instead answers a method the path lacks
with its own 405 and a method it has no handler for at all (TRACE, CONNECT, PROPFIND...) with an
HTML 501 page. Here both get API Gateway's answer.
"""
from chalice import Chalice
from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    LocalDevServer,
    RouteMatcher,
)

MISSING_TOKEN = b'{"message": "Missing Authentication Token"}'
# Chalice answers OPTIONS itself (CORS preflight), as API Gateway does with CORS configured.
ANSWERED_BY_GATEWAY = frozenset({"OPTIONS"})


class GatewayRequestHandler(ChaliceRequestHandler):
    """Routes only what API Gateway would route to the app."""

    routes: dict[str, dict] = {}
    matcher: RouteMatcher | None = None

    def _generic_handle(self) -> None:
        if self.command not in ANSWERED_BY_GATEWAY and not self._deployed():
            self._missing_token()
            return
        super()._generic_handle()

    def _deployed(self) -> bool:
        try:
            route = self.matcher.match_route(self.path)
        except ValueError:
            return True  # no such path: Chalice already answers as API Gateway does
        return self.command in self.routes.get(route.route, {})

    def _missing_token(self) -> None:
        # The body may still be on the wire; read it so the connection stays usable.
        length = int(self.headers.get("content-length") or 0)
        if length > 0:
            self.rfile.read(length)
        self._send_http_response(403, {"Content-Type": "application/json",
                                       "x-amzn-ErrorType": "MissingAuthenticationTokenException"}, MISSING_TOKEN)

    def __getattr__(self, name: str):
        # BaseHTTPRequestHandler looks up do_<METHOD> for every method a client sends.
        if name.startswith("do_") and name[3:].isalpha() and name[3:].isupper():
            return self._generic_handle
        raise AttributeError(name)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _generic_handle


def create_local_server(app: Chalice, config: Config, host: str, port: int) -> LocalDevServer:
    """As chalice.local.create_local_server, with the handler above."""
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    handler = type("AppGatewayRequestHandler", (GatewayRequestHandler,),
                   {"routes": app.routes, "matcher": RouteMatcher(list(app.routes))})
    return LocalDevServer(app, config, host, port, handler_cls=handler)

