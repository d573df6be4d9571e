"""Exits 0 when this interpreter can run Ticketry, and 1 saying why not otherwise: Python 3.11 or
newer whose email package keeps encoded line breaks out of headers (the fix for CVE-2024-6923,
in 3.13.0, 3.12.5, 3.11.10 and distributions' patched builds such as Debian's 3.11.2-6+deb12u5).

Standard library only: `make` runs it with each candidate interpreter before it builds .venv."""
import sys
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import SMTP

MINIMUM = (3, 11)
# An encoded CR LF, short and past the folding width: unfixed versions write both back raw.
PROBES = ("=?utf-8?q?hi=0D=0ABcc:_probe@example.com?=", "x " * 40 + "=?utf-8?q?hi=0D=0A=0D=0Abody?=")


def email_headers_are_safe() -> bool:
    for subject in PROBES:
        message = EmailMessage(policy=SMTP)
        message["To"] = "to@example.com"
        message["Subject"] = subject
        message.set_content("text")
        if BytesParser(policy=SMTP).parsebytes(message.as_bytes()).keys() != message.keys():
            return False
    return True


def main() -> int:
    version = ".".join(map(str, sys.version_info[:3]))
    if sys.version_info < MINIMUM:
        print(f"{sys.executable} is Python {version}; Ticketry needs 3.11 or newer", file=sys.stderr)
        return 1
    if not email_headers_are_safe():
        print(f"{sys.executable} (Python {version}) lacks the fix for CVE-2024-6923: its email package lets an "
              "encoded line break in a ticket title write a header. Use Python 3.12.5+, 3.11.10+ or 3.13+, "
              "or a distribution's patched build such as Debian's python3, and pass it as "
              "PYTHON=/path/to/python", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
