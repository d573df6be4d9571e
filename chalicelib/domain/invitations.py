"""What the emails that bring someone into a project say: an invitation to a person who has no
account yet, and word to one who has that they were added. Pure: PeopleService sends them."""
import html
from urllib.parse import quote

from chalicelib.domain.notifications import MAX_NAME_LENGTH, MAX_SUBJECT_LENGTH, Email, header_safe

ROLE_WORDS = {"admin": "an admin", "member": "a member", "viewer": "a viewer"}


def sign_in_link(public_url: str, email: str) -> str:
    """The sign-in page with the address filled in."""
    return f"{public_url.rstrip('/')}/sign-in?email={quote(email, safe='@')}"


def project_link(public_url: str, project_id: str) -> str:
    return f"{public_url.rstrip('/')}/projects/{quote(project_id, safe='')}"


def invitation(project_name: str, admin_name: str, role: str, to: str, to_name: str, public_url: str) -> Email:
    """To a new (invited) account: who invited them where, and the sign-in page to accept from."""
    admin, project = _name(admin_name), _name(project_name)
    link = sign_in_link(public_url, to)
    subject = header_safe(f"{admin} invited you to {project} on Ticketry", MAX_SUBJECT_LENGTH)
    intro = f"{admin} invited you to the project {project} on Ticketry, as {ROLE_WORDS.get(role, role)}."
    how = f"Sign in with this address ({to}): we email you a code, no password needed."
    return _email(to, to_name, subject, [intro, how], link, "Sign in to Ticketry")


def added(project_name: str, project_id: str, admin_name: str, role: str, to: str, to_name: str,
          public_url: str) -> Email:
    """To an account that exists: it is now a member of one more project."""
    admin, project = _name(admin_name), _name(project_name)
    subject = header_safe(f"You were added to {project}", MAX_SUBJECT_LENGTH)
    intro = f"{admin} added you to the project {project} on Ticketry, as {ROLE_WORDS.get(role, role)}."
    return _email(to, to_name, subject, [intro], project_link(public_url, project_id), f"Open {project}")


def _name(value: str) -> str:
    return header_safe(value, MAX_NAME_LENGTH)


def _email(to: str, to_name: str, subject: str, paragraphs: list[str], link: str, action: str) -> Email:
    text = "\n\n".join(paragraphs + [f"{action}: {link}"]) + "\n"
    e = html.escape
    body = "\n".join(["<!DOCTYPE html>", '<html><body style="font-family: sans-serif">',
                      *(f"<p>{e(p)}</p>" for p in paragraphs), f'<p><a href="{e(link)}">{e(action)}</a></p>',
                      "</body></html>"]) + "\n"
    return Email(to=to, to_name=_name(to_name), subject=subject, text=text, html=body)
