"""Signing in by email: the hourly limits on sign-in emails, where a link may send a browser back
to, and the two emails a request for a code sends.

An address no account has gets an email too, sent by the same call as a code would be: the answer
to the request, its storage calls and its mail are the same whether an account has the address or
not, so the request tells nobody which addresses have accounts; only the mailbox's owner learns it.
"""
import html
import math
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from chalicelib.domain import attempts
from chalicelib.domain.notifications import Email

# Sign-in emails are counted per hour of the clock; the limits are settings
# (config.sign_in_emails_per_address, _per_source, _overall).
WINDOW_SECONDS = 3600
OVERALL_SUBJECT = "all"
# Wrong codes are counted per address per day of the UTC clock; the cap is a setting
# (config.sign_in_wrong_codes_per_address_per_day).
WRONG_CODE_WINDOW_SECONDS = 24 * 3600
SIGN_IN_PATH = "/sign-in"
MAX_RETURN_TO = 512


@dataclass(frozen=True)
class Limit:
    subject: str
    allowed: int


def window_at(now: float) -> attempts.Window:
    return attempts.window_at(now, WINDOW_SECONDS)


def limits(email: str, source: str | None, per_address: int, per_source: int, overall: int) -> list[Limit]:
    """The counts one request for a code adds to, in the order they are counted: the source first,
    so that one source past its limit spends neither an address's emails nor everyone's."""
    return [Limit(f"ip:{attempts.source_of(source)}", per_source), Limit(f"email:{email}", per_address),
            Limit(OVERALL_SUBJECT, overall)]


@dataclass(frozen=True)
class WrongCodeCap:
    """The count of an address's wrong codes in one UTC day, and how many it may have: once it has
    that many, no code for the address is checked, right or not, until the next day."""
    subject: str
    window: attempts.Window
    allowed: int


def wrong_code_cap(email: str, now: float, allowed: int) -> WrongCodeCap:
    return WrongCodeCap(f"wrong-codes:{email}", attempts.window_at(now, WRONG_CODE_WINDOW_SECONDS), allowed)


def seconds_left(window: attempts.Window, now: float) -> int:
    """What Retry-After says: whole seconds until the window ends, at least 1."""
    return max(1, math.ceil(window.end - now))


def safe_return_to(value: str | None) -> str | None:
    """A path of this app, or None: after signing in (by email or single sign-on) a browser must
    never be sent to another site. An absolute URL, `//host`, a backslash (which browsers read as a
    slash) and control characters are all refused."""
    if not value or len(value) > MAX_RETURN_TO or not value.startswith("/") or value.startswith("//"):
        return None
    if "\\" in value or any(ord(c) < 0x21 or ord(c) == 0x7F for c in value):
        return None
    parts = urlsplit(value)
    return None if parts.scheme or parts.netloc else value


def link_url(public_url: str, token: str, return_to: str | None = None) -> str:
    """The page that signs in with a link. The token travels in the fragment, which browsers never
    send to a server or in a Referer."""
    query = f"?return_to={quote(return_to, safe='/')}" if return_to else ""
    return f"{public_url}{SIGN_IN_PATH}{query}#link={token}"


def code_email(to: str, code: str, link: str, minutes: int) -> Email:
    subject = f"Your Ticketry sign-in code: {code}"
    text = (f"Your Ticketry sign-in code is {code}\n\n"
            f"Enter it where you asked for it, or open this link in the same browser:\n{link}\n\n"
            f"The code and the link work once, for {minutes} minutes. If you did not ask to sign in, "
            f"ignore this email: nobody can sign in without it.\n")
    body = (f"<p>Your Ticketry sign-in code is</p><p style=\"font-size:24px;letter-spacing:4px\"><b>{code}</b></p>"
            f"<p>Enter it where you asked for it, or <a href=\"{html.escape(link)}\">sign in with this link</a> "
            f"in the same browser.</p><p>The code and the link work once, for {minutes} minutes. If you did "
            f"not ask to sign in, ignore this email: nobody can sign in without it.</p>")
    return Email(to=to, to_name="", subject=subject, text=text, html=body)


def no_account_email(to: str, public_url: str) -> Email:
    """To an address no account has, when nobody may sign up by themselves: no code, no link."""
    subject = "Signing in to Ticketry"
    text = (f"Someone asked to sign in to Ticketry ({public_url}) with this address, but no Ticketry "
            f"account uses it.\n\nTo get one, ask an admin of the project you work in to invite you; "
            f"the invitation comes to this address.\n\nIf you did not ask to sign in, ignore this email.\n")
    body = (f"<p>Someone asked to sign in to Ticketry ({html.escape(public_url)}) with this address, but no "
            f"Ticketry account uses it.</p><p>To get one, ask an admin of the project you work in to invite "
            f"you; the invitation comes to this address.</p><p>If you did not ask to sign in, ignore this "
            f"email.</p>")
    return Email(to=to, to_name="", subject=subject, text=text, html=body)
