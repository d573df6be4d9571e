"""A browser signing in by email through the API, for the API tests (bench.browser), and the code
and link read from the outbox copy of the newest email (chalicelib.local.outbox)."""
from bench.browser import SAME_ORIGIN, SIGN_IN, Browser, set_cookie_headers  # noqa: F401 - the tests' names
from chalicelib.local.outbox import code_and_token, newest_email  # noqa: F401 - the tests' names
