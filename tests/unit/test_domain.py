"""Pure rules: workflow, change diffs, tags, search planning, cursors, tokens."""
import re

import pytest

from dataclasses import replace

from chalicelib.domain import attempts, cursor, search, secrets, text
from chalicelib.domain.people import Principal, Project
from chalicelib.domain.tickets import STATUSES, Ticket, Workflow, apply_changes, normalise_tags, parse_key
from chalicelib.errors import Forbidden, InvalidCursor, TransitionNotAllowed, ValidationFailed

NOW = "2026-01-01T00:00:00.000Z"
LATER = "2026-01-02T00:00:00.000Z"


def ticket(**fields) -> Ticket:
    base = dict(id="t1", project_id="p1", number=1, key="OPS-1", title="Disk full", description="",
                status="new", severity="high", created_at=NOW, updated_at=NOW, reporter="u1", source="api")
    return Ticket(**(base | fields))


class TestTicketKeys:
    @pytest.mark.parametrize("ref,parsed", [("OPS-42", ("OPS", 42)), ("ops-42", ("OPS", 42)), ("A1-7", ("A1", 7)),
                                            ("ABCDEFGHIJ-1", ("ABCDEFGHIJ", 1))])
    def test_a_key_is_a_project_key_and_a_number_in_any_case(self, ref, parsed):
        assert parse_key(ref) == parsed

    @pytest.mark.parametrize("ref", ["9rzat0e6b6xkttht", "OPS-0", "OPS-042", "OPS", "O-1", "1OPS-1", "OPS-1-1",
                                     "ABCDEFGHIJK-1", "OPS-" + "9" * 17, " OPS-1"])
    def test_ids_and_anything_else_are_no_key(self, ref):
        assert parse_key(ref) is None


class TestWorkflow:
    def test_default_allows_every_other_status(self):
        workflow = Workflow()
        for status in STATUSES:
            assert sorted(workflow.allowed_from(status)) == sorted(s for s in STATUSES if s != status)

    def test_forbidden_move_names_allowed_targets(self):
        workflow = Workflow({"new": ["acknowledged"]})
        with pytest.raises(TransitionNotAllowed) as raised:
            workflow.check("new", "closed")
        assert raised.value.allowed == ["acknowledged"]
        assert workflow.allowed_from("closed") == []

    def test_parse_rejects_unknown_and_self_moves(self):
        for transitions in ({"new": ["nope"]}, {"nope": []}, {"new": ["new"]}):
            with pytest.raises(ValidationFailed):
                Workflow.parse(transitions)


class TestApplyChanges:
    def test_only_real_changes_count(self):
        after, changes = apply_changes(ticket(), {"title": "Disk full", "severity": "low"}, Workflow(), LATER)
        assert changes == {"severity": {"old": "high", "new": "low"}}
        assert after.severity == "low" and after.updated_at == LATER

    def test_noop_keeps_ticket(self):
        original = ticket()
        after, changes = apply_changes(original, {"title": "Disk full", "tags": []}, Workflow(), LATER)
        assert changes == {} and after is original

    def test_entering_resolved_sets_resolved_at_and_leaving_clears_it(self):
        resolved, changes = apply_changes(ticket(), {"status": "resolved"}, Workflow(), LATER)
        assert resolved.resolved_at == LATER and changes["resolved_at"] == {"old": None, "new": LATER}
        closed, _ = apply_changes(resolved, {"status": "closed"}, Workflow(), "2026-01-03T00:00:00.000Z")
        assert closed.resolved_at == LATER
        reopened, changes = apply_changes(closed, {"status": "new"}, Workflow(), "2026-01-04T00:00:00.000Z")
        assert reopened.resolved_at is None and changes["resolved_at"]["new"] is None

    def test_workflow_is_enforced(self):
        with pytest.raises(TransitionNotAllowed):
            apply_changes(ticket(), {"status": "closed"}, Workflow({"new": ["acknowledged"]}), LATER)


def test_tags_are_lowercased_trimmed_and_unique():
    assert normalise_tags(["DB", " db ", "Prod"]) == ("db", "prod")
    with pytest.raises(ValidationFailed):
        normalise_tags(["x"] * 0 + [f"t{n}" for n in range(21)])
    with pytest.raises(ValidationFailed):
        normalise_tags(["   "])


class TestIdentifiers:
    """Tags and other names people type are one name whatever invisible characters or composition
    they were typed with."""

    @pytest.mark.parametrize("invisible", sorted(text.INVISIBLE))
    def test_an_invisible_character_makes_no_other_tag(self, invisible):
        assert normalise_tags([f"{invisible}db", f"d{invisible}b", "db", f"db{invisible}"]) == ("db",)

    def test_the_two_spellings_of_an_accented_letter_are_one_tag(self):
        composed, decomposed = "caf\u00e9", "cafe\u0301"
        assert normalise_tags([decomposed]) == (composed,)
        assert normalise_tags([composed, decomposed, "CAFE\u0301"]) == (composed,)

    def test_bidi_controls_are_dropped_from_the_stored_tag(self):
        assert normalise_tags(["\u202eprod\u202c", "\u2066eu\u2069", "\u200fx\u200e"]) == ("prod", "eu", "x")

    def test_a_tag_of_invisible_characters_only_is_refused_naming_the_field(self):
        with pytest.raises(ValidationFailed) as refused:
            normalise_tags([" \u200b\ufeff "], field="filters.tags")
        assert refused.value.details[0].field == "filters.tags"

    def test_the_length_limit_is_on_what_shows(self):
        assert normalise_tags(["\u200b" * 10 + "x" * 64]) == ("x" * 64,)
        with pytest.raises(ValidationFailed):
            normalise_tags(["x" * 65])

    def test_the_identifier_spelling_is_composed_visible_and_trimmed(self):
        assert text.identifier(" \u200bcpu:web-3\ufeff ") == "cpu:web-3"
        assert text.identifier("Re\u0301sume\u0301") == "R\u00e9sum\u00e9"  # case is left alone

    def test_search_words_ignore_invisible_characters(self):
        assert text.words("d\u200bisk \u202edb\u202c f\u2060ull") == ["disk", "db", "full"]
        assert text.terms("caf\u00e9") == text.terms("cafe\u0301")

    def test_the_schemas_name_the_same_invisible_characters(self):
        from chalicelib.schemas.common import VISIBLE
        every = {chr(c) for c in range(0x10000) if not 0xd800 <= c < 0xe000}
        hidden = {c for c in every if not re.fullmatch(VISIBLE, c)}
        assert hidden == text.INVISIBLE | {c for c in every if not c.strip()}


class TestSearchPlan:
    def test_person_filters_drive_before_tags_and_statuses(self):
        plan = search.plan(search.TicketQuery(status=("new",), tags=("db",), assignee="u2"))
        assert plan.index == "assignee" and plan.partitions == ("u2",) and plan.needs_filter

    def test_multi_value_filter_merges_partitions(self):
        plan = search.plan(search.TicketQuery(status=("new", "acknowledged")))
        assert plan.index == "status" and plan.partitions == ("new", "acknowledged") and not plan.needs_filter

    def test_no_filter_reads_the_project_index(self):
        assert search.plan(search.TicketQuery()).index == "project"

    def test_due_filters_are_checked_on_read(self):
        assert search.plan(search.TicketQuery(due_before=NOW)).needs_filter

    def test_a_cursor_takes_the_tighter_end(self):
        plan = search.plan(search.TicketQuery(created_after=NOW, created_before=LATER))
        assert (plan.lower, plan.upper) == (NOW, LATER)
        resumed = plan.after(f"{NOW}#x")
        assert (resumed.lower, resumed.upper) == (NOW, f"{NOW}#x")
        oldest_first = search.plan(search.TicketQuery(created_after=NOW, sort="-created"))
        assert oldest_first.after(f"{LATER}#x").lower > f"{LATER}#x" > oldest_first.lower

    def test_the_rarest_word_drives_and_an_exact_prefix_needs_no_check(self):
        query = search.TicketQuery(words=("disk", "ful"))
        plan = search.plan(query, {"terms:disk": 90, "terms:ful": 3})
        assert (plan.index, plan.partitions, plan.needs_filter) == ("terms", ("ful",), True)
        alone = search.plan(search.TicketQuery(words=("dis",)))
        assert (alone.index, alone.partitions, alone.needs_filter) == ("terms", ("dis",), False)
        long_word = search.plan(search.TicketQuery(words=("configuration",)))
        assert long_word.partitions == ("configur",) and long_word.needs_filter

    def test_a_repeated_word_is_checked_as_a_whole_word_too(self):
        # Every word but the last must be a whole term: `dis dis` finds no ticket that only has `disk`.
        plan = search.plan(search.TicketQuery(words=("dis", "dis")))
        assert (plan.index, plan.partitions, plan.needs_filter) == ("terms", ("dis",), True)

    def test_a_filter_smaller_than_every_word_drives(self):
        plan = search.plan(search.TicketQuery(words=("disk",), assignee="u2"), {"terms:disk": 90, "assignee": 2})
        assert plan.index == "assignee" and plan.needs_filter

    def test_sort_orders_read_their_own_index(self):
        assert search.plan(search.TicketQuery(sort="-created")).descending is False
        updated = search.plan(search.TicketQuery(sort="updated", status=search.OPEN_STATUSES))
        assert (updated.index, updated.partitions, updated.needs_filter) == ("updated", ("open",), False)
        assert search.plan(search.TicketQuery(sort="updated", status=("new",))).needs_filter
        due = search.plan(search.TicketQuery(sort="due", overdue=True), now=LATER)
        assert (due.index, due.partitions, due.upper, due.descending) == ("due", ("open",), LATER, False)
        severity = search.plan(search.TicketQuery(sort="severity", severity=("critical", "high")))
        assert (severity.lower, severity.upper, severity.needs_filter) == ("2#", "4", False)
        assert search.plan(search.TicketQuery(sort="severity", severity=("critical", "low"))).needs_filter

    def test_overdue_means_open_and_past_due(self):
        query = search.TicketQuery(overdue=True)
        assert search.matches(ticket(due_date=NOW), query, LATER)
        assert not search.matches(ticket(due_date=LATER), query, LATER)
        assert not search.matches(replace(ticket(due_date=NOW), status="resolved"), query, LATER)
        assert search.TicketQuery(overdue=True, status=("closed",)).statuses == ("",)


class TestText:
    def test_case_accents_and_width_fold_away(self):
        assert text.words("Ünïcode ＵＮＩＣＯＤＥ naïve") == ["unicode", "unicode", "naive"]

    def test_punctuation_separates_and_ideographs_are_words(self):
        assert text.words("disk-full on db_1, OPS-42") == ["disk", "full", "on", "db", "1", "ops", "42"]
        assert text.words("東京で障害") == ["東", "京", "で", "障", "害"]
        assert text.words("Ошибка диска") == ["ошибка", "диска"]

    def test_every_word_must_be_there_and_the_last_may_be_a_start(self):
        terms = text.terms("Disk full on db-1")
        assert text.contains_all(terms, ("disk", "ful"))
        assert not text.contains_all(terms, ("dis", "full"))
        assert not text.contains_all(terms, ("disk", "empty"))

    def test_prefixes_are_capped(self):
        assert text.prefixes({"configuration"}) == {"configuration"[:n] for n in range(1, text.PREFIX_LENGTH + 1)}


class TestCursor:
    KEY = b"k"

    def test_round_trip(self):
        token = cursor.encode("pos", "scope", self.KEY)
        assert cursor.decode(token, "scope", self.KEY) == "pos"

    @pytest.mark.parametrize("mutate", [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: "x" + t,
        lambda t: t.replace(".", ""),
        lambda t: "",
        lambda t: "\u00e9.\u00e9",
    ])
    def test_tampering_is_detected(self, mutate):
        token = cursor.encode("pos", "scope", self.KEY)
        with pytest.raises(InvalidCursor):
            cursor.decode(mutate(token), "scope", self.KEY)

    def test_other_scope_or_key_is_refused(self):
        token = cursor.encode("pos", "scope", self.KEY)
        with pytest.raises(InvalidCursor):
            cursor.decode(token, "other", self.KEY)
        with pytest.raises(InvalidCursor):
            cursor.decode(token, "scope", b"other key")


def test_tokens_parse_and_hash():
    token = secrets.format_token("proj", "key1", "se_cr-et")
    parsed = secrets.parse_token(token)
    assert (parsed.project_id, parsed.key_id, parsed.secret) == ("proj", "key1", "se_cr-et")
    assert secrets.secret_matches("se_cr-et", secrets.hash_secret("se_cr-et"))
    assert not secrets.secret_matches("other", secrets.hash_secret("se_cr-et"))
    assert secrets.parse_token("tkt_a_b") is None and secrets.parse_token("xyz_a_b_c") is None


class TestPrincipal:
    PROJECT = Project(id="p1", name="Operations", key="OPS", created_at=NOW)

    def test_a_member_key_knows_its_member(self):
        principal = Principal(self.PROJECT, actor="u1", role="viewer", key_id="k1", user_id="u1")
        assert principal.own_user_id() == "u1"

    def test_error_on_asking_an_automation_key_for_its_member(self):
        principal = Principal(self.PROJECT, actor="automation:pager", role="member", key_id="k1")
        with pytest.raises(Forbidden, match="automation:pager, not to a member"):
            principal.own_user_id()


class TestPlanningBySize:
    QUERY = search.TicketQuery(severity=("high",), status=("canceled",), tags=("db",))

    def test_smallest_index_drives(self):
        assert search.plan(self.QUERY, {"severity": 900, "status": 12, "tags": 300}).index == "status"

    def test_ties_and_unknown_sizes_follow_the_preferred_order(self):
        assert search.plan(self.QUERY, {"severity": 5, "status": 5, "tags": 5}).index == "tags"
        assert search.plan(self.QUERY).index == "tags"

    def test_single_index_needs_no_filter(self):
        assert not search.plan(search.TicketQuery(status=("new", "closed"))).needs_filter


def test_partition_deltas_follow_old_and_new_keys():
    from chalicelib.events.partition_counts import deltas

    def image(**attributes):
        return {name: {"S": value} for name, value in attributes.items()}

    records = [
        {"dynamodb": {"NewImage": image(status_idx="p1#new", severity_idx="p1#high")}},
        {"dynamodb": {"OldImage": image(status_idx="p1#new", severity_idx="p1#high"),
                      "NewImage": image(status_idx="p1#closed", severity_idx="p1#high")}},
        {"dynamodb": {"OldImage": image(tag_idx="p2#db")}},
        {"dynamodb": {"NewImage": image(pk="T#x", sk="EVT#1")}},
    ]
    assert {k: v for k, v in deltas(records).items() if v} == {
        ("p1", "status_idx", "p1#closed"): 1,
        ("p1", "severity_idx", "p1#high"): 1,
        ("p2", "tag_idx", "p2#db"): -1,
    }


class TestSortsHideNoTicket:
    """`due` and `sla` read sparse indexes; the tickets those leave out come after, newest first."""

    def test_due_and_sla_read_the_tickets_their_index_leaves_out_after_it(self):
        for sort, index in (("due", "due"), ("sla", "sla")):
            plan = search.plan(search.TicketQuery(sort=sort, assignee="u1"))
            assert plan.index == index and plan.rest is not None, sort
            rest = plan.rest
            assert (rest.index, rest.partitions, rest.descending, rest.skips) == ("assignee", ("u1",), True, index)
            assert rest.needs_filter and rest.rest is None

    def test_a_filter_that_needs_the_key_leaves_no_rest(self):
        for query in (search.TicketQuery(sort="due", overdue=True), search.TicketQuery(sort="due", due_after=NOW),
                      search.TicketQuery(sort="due", due_before=NOW), search.TicketQuery(sort="sla", sla="breached"),
                      search.TicketQuery(sla="at_risk"), search.TicketQuery(sort="updated")):
            assert search.plan(query, now=NOW).rest is None, query

    def test_a_cursor_in_the_rest_resumes_there_and_one_before_it_keeps_the_rest(self):
        plan = search.plan(search.TicketQuery(sort="due"))
        in_index = plan.after(f"{NOW}#x")
        assert in_index.index == "due" and in_index.lower > f"{NOW}#x" and in_index.rest == plan.rest
        assert in_index.position(f"{NOW}#x") == f"{NOW}#x"
        in_rest = plan.after(plan.rest.position(f"{NOW}#y"))
        assert in_rest.index == "project" and in_rest.upper == f"{NOW}#y" and in_rest.parts() == (in_rest,)

    def test_the_rest_keeps_only_tickets_its_index_does_not_hold(self):
        rest = search.plan(search.TicketQuery(sort="due")).rest
        assert rest.keeps(ticket()) and not rest.keeps(ticket(due_date=NOW))

    def test_every_sort_finds_the_same_tickets(self):
        for sort in search.SORTS:
            assert search.matches(ticket(), search.TicketQuery(sort=sort), NOW), sort


class TestCountedPartitions:
    def test_single_filters_and_the_common_queues_have_exact_counts(self):
        counted = search.counted_partitions
        assert counted(search.TicketQuery()) == (("state_idx", "open"), ("state_idx", "done"))
        assert counted(search.TicketQuery(status=search.OPEN_STATUSES)) == (("state_idx", "open"),)
        assert counted(search.TicketQuery(status=("new", "closed"))) == (("status_idx", "closed"), ("status_idx", "new"))
        assert counted(search.TicketQuery(assignee="none")) == (("assignee_idx", "none"),)
        assert counted(search.TicketQuery(assignee="u1", status=search.OPEN_STATUSES)) == \
            (("assignee_state", "u1#open"),)
        assert counted(search.TicketQuery(severity=("high", "critical"), status=search.OPEN_STATUSES)) == \
            (("severity_state", "critical#open"), ("severity_state", "high#open"))
        assert counted(search.TicketQuery(tags=("db",), sort="updated")) == (("tag_idx", "db"),)
        # A sort hides no ticket, so it changes no count.
        assert counted(search.TicketQuery(assignee="u1", sort="due")) == (("assignee_idx", "u1"),)
        assert counted(search.TicketQuery(sort="sla")) == counted(search.TicketQuery())

    def test_anything_a_count_cannot_say_has_none(self):
        for query in (search.TicketQuery(words=("disk",)), search.TicketQuery(overdue=True),
                      search.TicketQuery(tags=("db", "web")), search.TicketQuery(assignee="u1", severity=("high",)),
                      search.TicketQuery(assignee="u1", status=("new",)), search.TicketQuery(due_before=NOW),
                      search.TicketQuery(sla="breached", sort="sla")):
            assert search.counted_partitions(query) is None, query


def test_a_long_query_is_driven_by_its_longest_words_and_checked_on_all():
    words = tuple(text.words("a bb ccc dddd eeeee ffffff ggggggg hhhhhhhh iiiiiiiii jjjjjjjjjj bb"))
    driving = search.driving_words(words)
    assert len(driving) == text.MAX_QUERY_WORDS
    assert "a" not in driving and "bb" not in driving and "jjjjjjjjjj" in driving
    query = search.TicketQuery(words=words)
    assert len(search.candidates(query)) == text.MAX_QUERY_WORDS
    assert search.plan(query).needs_filter


class TestWrongKeyCounts:
    @pytest.mark.parametrize("address,subject", [
        ("203.0.113.7", "source:203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "source:2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:ffff", "source:2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "source:203.0.113.7"),
        ("", "source:unknown"), (None, "source:unknown"), ("not an address", "source:unknown"),
    ])
    def test_a_source_is_an_ipv4_address_or_an_ipv6_64(self, address, subject):
        assert attempts.source_subject(address) == subject

    def test_a_minute_of_the_clock_and_the_seconds_left_of_it(self):
        window = attempts.window_at(1_900_000_020 + 59.2)
        assert (window.start, window.end) == (1_900_000_020, 1_900_000_080)
        assert window.seconds_left(1_900_000_020 + 15) == 45
        assert window.seconds_left(1_900_000_020 + 59.2) == 1
        assert attempts.window_at(1_900_000_080).start == 1_900_000_080
