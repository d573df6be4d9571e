"""What the emails that bring people into a project say (domain/invitations.py)."""
from chalicelib.adapters.mailer import mime
from chalicelib.domain import invitations


def test_an_invitation_names_who_invited_whom_where_and_links_to_sign_in():
    email = invitations.invitation("Operations", "Ada Admin", "viewer", "bob+ops@example.com", "Bob",
                                   "https://tickets.example.com/")
    assert email.subject == "Ada Admin invited you to Operations on Ticketry"
    link = "https://tickets.example.com/sign-in?email=bob%2Bops@example.com"
    assert email.text.startswith("Ada Admin invited you to the project Operations on Ticketry, as a viewer.\n")
    assert link in email.text and f'href="{link}"' in email.html


def test_added_links_to_the_project():
    email = invitations.added("Operations", "p1", "Ada", "member", "bob@example.com", "Bob", "https://t.example.com")
    assert email.subject == "You were added to Operations"
    assert "https://t.example.com/projects/p1" in email.text and "as a member" in email.text


def test_names_people_chose_stay_on_one_line_and_out_of_the_markup():
    hostile = "Eve\r\nBcc: attacker@evil.example <script>"
    email = invitations.invitation(hostile, hostile, "member", "bob@example.com", hostile, "https://t.example.com")
    assert "\n" not in email.subject and "\r" not in email.subject and "\n" not in email.to_name
    assert "<script>" not in email.html and "&lt;script&gt;" in email.html
    raw = mime(email, "n@t.example.com").decode()
    assert "\r\nBcc:" not in raw
