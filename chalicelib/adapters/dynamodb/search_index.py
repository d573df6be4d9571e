"""Search over the index partitions (ticket GSIs, the tag index, the term index) and the term
index's own items (pk `TX#<ticket id>`: a `TERM#<prefix>` item per word prefix, and `WORDS`, the
words of the ticket's comments), kept by the tickets stream."""
from operator import attrgetter
from typing import Iterator

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import COMMENT_WORDS_SK, TICKET_SK, scoped, term_sk, terms_pk, ticket_pk
from chalicelib.adapters.dynamodb.keys import TERM_SK_PREFIX
from chalicelib.adapters.dynamodb.tickets import to_ticket
from chalicelib.adapters.dynamodb.models import CommentWordsItem, TagItem, TermItem, TicketItem, WatcherItem
from chalicelib.adapters.search_merge import PartitionSearch
from chalicelib.domain.search import SearchPlan

BATCH_GET_LIMIT = 100  # keys per BatchGetItem call


class DynamoSearchIndex(PartitionSearch):
    def __init__(self):
        models.bind()

    # ---- reading partitions ------------------------------------------------------------------

    def _order_key(self, index: str):
        return attrgetter(_ORDER_ATTRIBUTE[index])

    def _partition(self, plan: SearchPlan, project_id: str, value: str, page_size: int) -> Iterator:
        hash_key = project_id if plan.index == "project" else scoped(project_id, value)
        order = _ORDER_ATTRIBUTE[plan.index]
        sort = getattr(_INDEX_MODELS[plan.index], order)
        lower, upper = plan.lower, plan.upper
        if lower is not None and upper is not None:
            if upper <= lower:
                return iter(())
            condition = sort.between(lower, upper)
        elif upper is not None:
            condition = sort < upper
        elif lower is not None:
            condition = sort >= lower
        else:
            condition = None
        results = _INDEXES[plan.index].query(hash_key, range_key_condition=condition,
                                             scan_index_forward=not plan.descending, page_size=page_size)
        # BETWEEN includes its upper end; the upper bound is exclusive.
        return (item for item in results if upper is None or getattr(item, order) < upper)

    def _tickets_of(self, index: str, chunk: list) -> list:
        """Entries of the ticket indexes are the tickets; those of the tag, term and watched-tickets
        indexes name their ticket, which one BatchGetItem per 100 reads."""
        if index not in _NAMING_INDEXES:
            return [(item, to_ticket(item)) for item in chunk]
        found = {}
        for start in range(0, len(chunk), BATCH_GET_LIMIT):
            keys = {(ticket_pk(entry.ticket_id), TICKET_SK) for entry in chunk[start:start + BATCH_GET_LIMIT]}
            found.update({item.ticket_id: item for item in TicketItem.batch_get(list(keys))})
        return [(entry, to_ticket(found[entry.ticket_id])) for entry in chunk
                if entry.ticket_id in found and not found[entry.ticket_id].deleted_at]

    # ---- the term index ----------------------------------------------------------------------

    def comment_words(self, ticket_ids: list[str]) -> dict[str, set[str]]:
        found: dict[str, set[str]] = {}
        for start in range(0, len(ticket_ids), BATCH_GET_LIMIT):
            keys = [(terms_pk(ticket_id), COMMENT_WORDS_SK) for ticket_id in ticket_ids[start:start + BATCH_GET_LIMIT]]
            for item in CommentWordsItem.batch_get(keys):
                found[item.pk.removeprefix(terms_pk(""))] = set(item.words or ())
        return found

    def add_comment_words(self, ticket_id: str, words: set[str]) -> set[str]:
        """Adds to the ticket's comment words (ADD: a repeat is harmless) and returns them all."""
        item = CommentWordsItem(terms_pk(ticket_id), COMMENT_WORDS_SK)
        if not words:
            return self.comment_words([ticket_id]).get(ticket_id, set())
        item.update(actions=[CommentWordsItem.words.add(words), CommentWordsItem.kind.set(CommentWordsItem)])
        return set(item.words or ())

    def replace_comment_words(self, ticket_id: str, words: set[str]) -> set[str]:
        """The ticket's comment words become `words` (after an edit or a deletion took some away)."""
        item = CommentWordsItem(terms_pk(ticket_id), COMMENT_WORDS_SK, words=words or None)
        item.save()
        return set(words)

    def indexed_prefixes(self, ticket_id: str) -> set[str]:
        return {item.sk.removeprefix(TERM_SK_PREFIX) for item in TermItem.query(
            terms_pk(ticket_id), TermItem.sk.startswith(TERM_SK_PREFIX), consistent_read=True,
            attributes_to_get=["pk", "sk", "kind"])}

    def change_terms(self, project_id: str, ticket_id: str, created_key: str, add: set[str],
                     remove: set[str]) -> None:
        """Puts the ticket in the `add` partitions and takes it out of the `remove` ones; each
        write is the same whenever it is repeated."""
        with TermItem.batch_write() as batch:
            for prefix in sorted(add):
                batch.save(term_item(project_id, ticket_id, created_key, prefix))
            for prefix in sorted(remove):
                batch.delete(TermItem(terms_pk(ticket_id), term_sk(prefix)))

    def drop_terms(self, ticket_id: str) -> None:
        """Takes a deleted ticket out of the term index and forgets its comment words."""
        with TermItem.batch_write() as batch:
            for prefix in self.indexed_prefixes(ticket_id):
                batch.delete(TermItem(terms_pk(ticket_id), term_sk(prefix)))
            batch.delete(CommentWordsItem(terms_pk(ticket_id), COMMENT_WORDS_SK))


def term_item(project_id: str, ticket_id: str, created_key: str, prefix: str) -> TermItem:
    return TermItem(terms_pk(ticket_id), term_sk(prefix), ticket_id=ticket_id,
                    term_idx=scoped(project_id, prefix), created_key=created_key)


_INDEXES = {
    "project": TicketItem.by_project,
    "state": TicketItem.by_state,
    "status": TicketItem.by_status,
    "severity": TicketItem.by_severity,
    "reporter": TicketItem.by_reporter,
    "assignee": TicketItem.by_assignee,
    "requester": TicketItem.by_requester,
    "tags": TagItem.by_tag,
    "terms": TermItem.by_term,
    "updated": TicketItem.by_updated,
    "due": TicketItem.by_due_order,
    "severity_order": TicketItem.by_severity_order,
    "sla": TicketItem.by_sla,
    "sla_risk": TicketItem.by_sla_risk,
    "watching": WatcherItem.by_watcher,
}
_INDEX_MODELS = {name: TagItem if name == "tags" else TermItem if name == "terms" else TicketItem for name in _INDEXES}
_INDEX_MODELS["watching"] = WatcherItem
# The indexes whose entries name their ticket rather than hold it.
_NAMING_INDEXES = ("tags", "terms", "watching")
_ORDER_ATTRIBUTE = {name: "created_key" for name in _INDEXES} | {
    "updated": "updated_order", "due": "due_order", "severity_order": "severity_order", "sla": "sla_order",
    "sla_risk": "sla_risk_order"}
