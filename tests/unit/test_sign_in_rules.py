"""The pure rules of signing in by email: hourly windows, which counts a request adds to and in
what order, where a link may send a browser back to, and what each email holds."""
import pytest

from chalicelib.domain import sign_in

NOW = 1_800_000_000 + 1234.5   # 20 minutes and a bit into an hour


def test_a_window_is_the_hour_of_the_clock_and_retry_after_counts_to_its_end():
    window = sign_in.window_at(NOW)
    assert (window.start, window.end) == (1_800_000_000, 1_800_003_600)
    assert sign_in.seconds_left(window, NOW) == 2366
    assert sign_in.seconds_left(window, window.end - 0.2) == 1


def test_the_source_is_counted_first_and_an_ipv6_source_is_its_64():
    limits = sign_in.limits("ada@example.com", "2001:db8:1:2:3::9", 5, 30, 1000)
    assert [(limit.subject, limit.allowed) for limit in limits] == [
        ("ip:2001:db8:1:2::/64", 30), ("email:ada@example.com", 5), ("all", 1000)]


@pytest.mark.parametrize("value, kept", [
    ("/projects/p1/tickets?status=open", True), ("/", True), ("//evil.example/x", False),
    ("https://evil.example/", False), ("/\\evil.example", False), ("/a b", False), ("", False), (None, False),
    ("/" + "a" * 600, False)])
def test_a_link_returns_only_to_a_path_of_this_app(value, kept):
    assert sign_in.safe_return_to(value) == (value if kept else None)


def test_the_link_carries_its_token_in_the_fragment():
    assert sign_in.link_url("https://t.example", "tok") == "https://t.example/sign-in#link=tok"
    assert sign_in.link_url("https://t.example", "tok", "/projects/p 1") == (
        "https://t.example/sign-in?return_to=/projects/p%201#link=tok")


def test_the_code_email_and_the_no_account_email():
    email = sign_in.code_email("ada@example.com", "012345", "https://t.example/sign-in#link=tok", 15)
    assert email.subject == "Your Ticketry sign-in code: 012345"
    assert "012345" in email.text and "https://t.example/sign-in#link=tok" in email.text and "15 minutes" in email.text
    told = sign_in.no_account_email("nobody@example.com", "https://t.example")
    assert "no Ticketry account uses it" in told.text and "invite" in told.html
    assert "#link=" not in told.text + told.html
