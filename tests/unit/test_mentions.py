"""Mentions in comments and descriptions: which tokens stay, what becomes a token, what is left as
text, and that code is never read for people."""
import pytest

from chalicelib.domain import mentions
from chalicelib.domain.people import Member, Team
from chalicelib.errors import ValidationFailed

NOW = "2026-01-01T00:00:00.000Z"
ANA = Member("ana1", "ana@example.com", "Ana Lima", "member", NOW)
ZOE = Member("zoe1", "zoë@exämple.com", "Zoë Ångström", "viewer", NOW)
BEN = Member("ben1", "ben.o+ops@example.co.uk", "Ben Okafor", "member", NOW)
INFRA = Team("infra", "Infrastructure", None, ("ana1", "ben1"), NOW)
MEMBERS, TEAMS = (ANA, ZOE, BEN), (INFRA,)


def resolve(text: str, **options) -> mentions.Resolved:
    return mentions.resolve(text, MEMBERS, TEAMS, **options)


class TestTokens:
    def test_a_token_of_a_member_or_a_team_stays(self):
        assert resolve("<@ana1> and <@team:infra>, look") == mentions.Resolved(
            "<@ana1> and <@team:infra>, look", ("ana1", "team:infra"))

    def test_a_token_of_no_one_in_the_project_becomes_plain_text(self):
        found = resolve("ping <@stranger> and <@team:elsewhere> and <@ana1>")
        assert found == mentions.Resolved("ping @stranger and @team:elsewhere and <@ana1>", ("ana1",))

    def test_plain_text_from_an_unknown_token_never_mentions_later(self):
        once = resolve("<@stranger>")
        assert mentions.mentioned(once.text) == ()
        assert resolve(once.text) == once

    def test_a_token_may_name_a_member_by_address(self):
        assert resolve("<@ANA@Example.com>").text == "<@ana1>"

    def test_each_id_counts_once_in_first_seen_order(self):
        assert resolve("<@ben1> <@ana1> <@ben1>").ids == ("ben1", "ana1")


class TestAddresses:
    @pytest.mark.parametrize("text, stored", [
        ("@ana@example.com can you look?", "<@ana1> can you look?"),
        ("thanks @ana@example.com.", "thanks <@ana1>."),
        ("(@Ana@EXAMPLE.com)", "(<@ana1>)"),
        ("cc:@ben.o+ops@example.co.uk", "cc:<@ben1>"),
    ])
    def test_at_address_of_a_member_becomes_their_token(self, text, stored):
        assert resolve(text).text == stored

    @pytest.mark.parametrize("text", [
        "mail ana@example.com about it",      # an address in prose
        "x@ana@example.com",                  # after a word character
        "@someone@example.com",               # no member has it
        "@ana",                               # names are not resolved: the UI inserts tokens
    ])
    def test_other_at_signs_are_left_alone(self, text):
        assert resolve(text) == mentions.Resolved(text, ())

    def test_unicode_addresses_and_names_resolve_as_typed_in_either_form(self):
        # "ë" typed as e + combining diaeresis is the same address.
        assert resolve("hej @zoe\u0308@exa\u0308mple.com!").text == "hej <@zoe1>!"
        assert resolve("<@zoe1> Zoë Ångström").ids == ("zoe1",)


class TestCode:
    def test_nothing_in_inline_code_is_resolved_or_counted(self):
        text = "run `notify <@stranger> @ana@example.com` then ask <@ana1>"
        assert resolve(text) == mentions.Resolved(text, ("ana1",))

    def test_nothing_in_a_fenced_block_is_resolved_or_counted(self):
        text = "log:\n```text\n<@ben1> @ana@example.com <@nobody>\n```\n~~~~\n<@ben1>\n~~~\n"
        assert resolve(text) == mentions.Resolved(text, ())

    def test_an_unclosed_fence_runs_to_the_end(self):
        assert resolve("```\n<@ana1>").ids == ()

    def test_double_backtick_spans_and_lone_backticks(self):
        assert resolve("``a ` <@ana1>`` then <@ben1>").ids == ("ben1",)
        assert resolve("a lone ` then <@ben1>").ids == ("ben1",)

    def test_mentioned_skips_code_too(self):
        assert mentions.mentioned("`<@ana1>` <@team:infra>\n```\n<@ben1>\n```") == ("team:infra",)


class TestLimit:
    def test_at_most_twenty_distinct_mentions_naming_the_field(self):
        people = [Member(f"u{n}", f"u{n}@example.com", f"U{n}", "member", NOW) for n in range(21)]
        twenty = " ".join(f"<@u{n}>" for n in range(20))
        assert len(mentions.resolve(twenty + " <@u0>", people, ()).ids) == 20
        with pytest.raises(ValidationFailed) as raised:
            mentions.resolve(twenty + " <@u20>", people, (), field="description")
        assert raised.value.details[0].field == "description"

    def test_tokens_in_code_do_not_count_towards_the_limit(self):
        people = [Member(f"u{n}", f"u{n}@example.com", f"U{n}", "member", NOW) for n in range(30)]
        assert mentions.resolve("`" + " ".join(f"<@u{n}>" for n in range(30)) + "`", people, ()).ids == ()


def test_may_mention_needs_an_at_sign():
    assert not mentions.may_mention("no one here") and not mentions.may_mention(None)
    assert mentions.may_mention("<@ana1>")


def test_newly_mentioned_and_shown():
    assert mentions.newly_mentioned("<@ana1>", "<@ana1> <@ben1>") == ("ben1",)
    assert mentions.newly_mentioned(None, "<@ana1>") == ("ana1",)
    names = {"ana1": "Ana Lima", "team:infra": "Infrastructure"}
    assert mentions.shown("hi <@ana1> `<@ana1>` <@team:infra>", names.__getitem__) == \
        "hi @Ana Lima `<@ana1>` @Infrastructure"
