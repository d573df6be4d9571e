"""Serves a chalice.test.Client as a WSGI app, so HTTP tooling can drive the real routes."""
from http import HTTPStatus
from urllib.parse import quote


def as_wsgi(client):
    def application(environ, start_response):
        path = quote(environ.get("PATH_INFO", "/"), safe="/")
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {key[5:].replace("_", "-").lower(): value
                   for key, value in environ.items() if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        response = client.http.request(environ["REQUEST_METHOD"], path, headers=headers, body=body)
        headers = dict(response.headers)
        if response.body and not any(name.lower() == "content-type" for name in headers):
            # What API Gateway (and Chalice's local server) send when a response names no type,
            # as Chalice's own 415 does not.
            headers["Content-Type"] = "application/json"
        start_response(f"{response.status_code} {HTTPStatus(response.status_code).phrase}", list(headers.items()))
        return [response.body or b""]

    return application
