"""A ticket's comments without storage: the comment a history entry records, and how the comments
stored on their own and those only their entries record make one list."""
import pytest

from chalicelib.domain import comments
from chalicelib.domain.comments import Comment
from chalicelib.domain.tickets import Events, HistoryEntry


def comment(moment: str, id: str, body: str = "said") -> Comment:
    return Comment(id=id, ticket_id="t1", project_id="p1", author="u1", body=body, created_at=moment)


class TestRecordedBy:
    def test_a_comment_added_entry_records_its_comment(self):
        entry = HistoryEntry(id="e1", ticket_id="t1", project_id="p1", event=Events.COMMENT_ADDED,
                             timestamp="2026-01-01T00:00:00.000Z", changed_by="automation:alerts", comment="hello")
        assert comments.recorded_by(entry) == Comment(
            id="e1", ticket_id="t1", project_id="p1", author="automation:alerts", body="hello",
            created_at="2026-01-01T00:00:00.000Z", edited_at=None, revisions=(), visibility="internal", mentions=())

    def test_a_reply_by_email_is_recorded_public_and_by_email(self):
        entry = HistoryEntry(id="e1", ticket_id="t1", project_id="p1", event=Events.COMMENT_ADDED,
                             timestamp="2026-01-01T00:00:00.000Z", changed_by="contact:ana@example.com",
                             comment="thanks", visibility="public", via="email")
        recorded = comments.recorded_by(entry)
        assert (recorded.visibility, recorded.via) == ("public", "email")

    def test_a_public_comment_needs_a_requester(self):
        comments.check_visibility("internal", None)
        comments.check_visibility("public", "ana@example.com")
        with pytest.raises(comments.NoRequester) as refused:
            comments.check_visibility("public", None)
        assert refused.value.code == "no_requester" and [d.field for d in refused.value.details] == ["visibility"]

    def test_any_other_entry_records_none(self):
        entry = HistoryEntry(id="e1", ticket_id="t1", project_id="p1", event=Events.TICKET_UPDATED,
                             timestamp="2026-01-01T00:00:00.000Z", changed_by="u1")
        with pytest.raises(ValueError):
            comments.recorded_by(entry)


class TestMerged:
    def test_both_lists_make_one_oldest_first(self):
        stored = [comment("2026-01-02", "b"), comment("2026-01-04", "d")]
        recorded = [comment("2026-01-01", "a"), comment("2026-01-03", "c")]
        assert [c.id for c in comments.merged(stored, recorded)] == ["a", "b", "c", "d"]

    def test_a_comment_in_both_is_the_stored_one(self):
        stored = [comment("2026-01-02", "b", body="edited")]
        recorded = [comment("2026-01-01", "a"), comment("2026-01-02", "b", body="as first said")]
        assert [(c.id, c.body) for c in comments.merged(stored, recorded)] == [("a", "said"), ("b", "edited")]

    def test_one_moment_is_ordered_by_id(self):
        stored = [comment("2026-01-01", "b")]
        recorded = [comment("2026-01-01", "a"), comment("2026-01-01", "c")]
        assert [c.id for c in comments.merged(stored, recorded)] == ["a", "b", "c"]
