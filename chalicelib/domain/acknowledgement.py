"""The acknowledgement a project sends to a new request by email (its setting `acknowledge`)."""
import html

from chalicelib.domain.notifications import MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH, Email, header_safe


def acknowledgement_text(template: str, key: str, title: str) -> str:
    """The project's acknowledgement with `{key}` and `{title}` put in; any other brace is text."""
    return template.replace("{key}", key).replace("{title}", title)


def acknowledgement_email(template: str, key: str, title: str, *, to: str, to_name: str, from_address: str,
                          from_name: str, reply_to: str, message_id: str, answered: str | None) -> Email:
    """The answer to a new request by email: the project's text, on the request's thread (it
    answers the request's Message-ID), from the project's address, its replies going to the
    ticket's reply address, and marked as an automatic reply (RFC 3834) so that no autoresponder
    answers it."""
    body = acknowledgement_text(template, key, title)
    paragraphs = "".join(f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>"
                         for part in body.split("\n\n") if part.strip())
    return Email(to=to, to_name=header_safe(to_name, MAX_NAME_LENGTH),
                 subject=header_safe(f"[{key}] {title}", MAX_SUBJECT_LENGTH), text=body + "\n",
                 html=f"<!doctype html><html><body>{paragraphs}</body></html>",
                 from_address=from_address, from_name=header_safe(from_name, MAX_NAME_LENGTH), reply_to=reply_to,
                 message_id=message_id, in_reply_to=answered, references=(answered,) if answered else (),
                 auto_submitted="auto-replied")
