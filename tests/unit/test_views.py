"""Saved views without storage: the form of a view's query, the built-in views, and how a query is
checked against the search."""
import pytest

from chalicelib.domain import views
from chalicelib.domain.people import Principal, Project
from chalicelib.errors import ValidationFailed
from chalicelib.services.tickets.search import TicketSearchService
from chalicelib.services.views import ViewService

# What the ticket search accepts, as agreed for views; TicketSearch grows to all of them.
SEARCH_PARAMETERS = {"status", "severity", "reporter", "assignee", "tags", "created_after", "created_before",
                     "due_after", "due_before", "overdue", "q", "sort", "sla", "watching"}
PROJECT = Project(id="p1", name="Operations", key="OPS", created_at="2026-01-01T00:00:00.000Z")
MEMBER = Principal(project=PROJECT, actor="u1", role="member", key_id="k1", user_id="u1")
AUTOMATION = Principal(project=PROJECT, actor="automation:flows", role="member", key_id="k2")


def query_problem(raw: str) -> str:
    with pytest.raises(ValidationFailed) as raised:
        views.parse_query(raw)
    (detail,) = raised.value.details
    assert detail.field == "query"
    return detail.message


class TestParseQuery:
    def test_keeps_the_parameters_in_their_order(self):
        assert list(views.parse_query("tags=db&status=new,acknowledged&q=disk+full").items()) == [
            ("tags", "db"), ("status", "new,acknowledged"), ("q", "disk full")]

    def test_a_leading_question_mark_and_an_empty_query_are_fine(self):
        assert views.parse_query("?tags=db") == {"tags": "db"}
        assert views.parse_query("") == {}

    def test_blank_values_are_kept_for_the_search_to_judge(self):
        assert views.parse_query("tags=") == {"tags": ""}

    def test_a_repeated_parameter_is_refused(self):
        assert query_problem("tags=a&severity=high&tags=b") == "tags: given more than once"

    @pytest.mark.parametrize("raw", ["limit=5", "cursor=abc", "tags=db&limit=5"])
    def test_paging_is_not_part_of_a_view(self, raw):
        assert "not part of a view" in query_problem(raw)

    @pytest.mark.parametrize("raw", ["status", "a=1&&b=2", "tags=%ff%fe"])
    def test_what_is_not_a_query_string_is_refused(self, raw):
        assert query_problem(raw).startswith("not a query string")

    @pytest.mark.parametrize("raw", ["tags=disk full&assignee=team:t1", "q=50%25+off&severity=critical,high",
                                     "q=%C3%BCber&tags=a%26b"])
    def test_normalising_keeps_the_meaning_and_is_stable(self, raw):
        once = views.normalise_query(views.parse_query(raw))
        assert views.parse_query(once) == views.parse_query(raw)
        assert views.normalise_query(views.parse_query(once)) == once
        assert " " not in once and "+" not in once


class TestBuiltinViews:
    def test_eight_with_distinct_builtin_ids(self):
        assert [v.id for v in views.BUILTIN_VIEWS] == ["builtin:mine", "builtin:unassigned", "builtin:critical",
                                                       "builtin:overdue", "builtin:recent", "builtin:sla_at_risk",
                                                       "builtin:sla_breached", "builtin:watching"]
        assert all(views.is_builtin_id(v.id) and v.kind == views.BUILTIN for v in views.BUILTIN_VIEWS)

    @pytest.mark.parametrize("view", views.BUILTIN_VIEWS, ids=lambda v: v.id)
    def test_each_query_is_in_normal_form_and_names_search_parameters_only(self, view):
        params = views.parse_query(view.query)
        assert params and set(params) <= SEARCH_PARAMETERS
        assert views.normalise_query(params) == view.query

    @pytest.mark.parametrize("view", views.BUILTIN_VIEWS, ids=lambda v: v.id)
    @pytest.mark.parametrize("principal", [MEMBER, AUTOMATION], ids=["member", "automation"])
    def test_the_search_accepts_each_query(self, view, principal):
        assert ViewService(None, TicketSearchService(None, None, None)).checked_query(principal, view.query) == view.query


class FakeSearch:
    """Refuses `me` from a key without a member, as a search run by an automation key would."""

    def __init__(self):
        self.seen = []

    def search_query(self, principal, params):
        self.seen.append((principal, params))
        if "me" in (params.assignee, params.reporter) and principal.user_id is None:
            raise ValidationFailed.on("assignee", "me needs a member's key")
        return object()


class TestCheckedQuery:
    def test_validates_with_the_search_parameters_and_returns_the_normal_form(self):
        search = FakeSearch()
        service = ViewService(repo=None, search=search)
        assert service.checked_query(MEMBER, "tags=disk+full&severity=high") == "tags=disk%20full&severity=high"
        (principal, params), = search.seen
        assert principal == MEMBER and params.tags == "disk full" and params.severity == "high"

    def test_me_is_checked_as_a_member_would_run_it_even_for_an_automation_key(self):
        service = ViewService(repo=None, search=FakeSearch())
        assert service.checked_query(AUTOMATION, "assignee=me") == "assignee=me"

    def test_a_refusal_of_the_search_is_a_problem_of_query_naming_the_parameter(self):
        class Refusing(FakeSearch):
            def search_query(self, principal, params):
                raise ValidationFailed.on("status", "unknown later; use new, acknowledged")

        with pytest.raises(ValidationFailed) as raised:
            ViewService(repo=None, search=Refusing()).checked_query(MEMBER, "status=later")
        assert [(d.field, d.message) for d in raised.value.details] == [
            ("query", "status: unknown later; use new, acknowledged")]

    def test_parameters_unknown_to_the_search_are_named(self):
        with pytest.raises(ValidationFailed) as raised:
            ViewService(repo=None, search=FakeSearch()).checked_query(MEMBER, "tags=db&colour=red")
        assert [(d.field, d.message) for d in raised.value.details] == [("query", "colour: unknown parameter")]
