"""The whole tickets table behind one object, for operator commands, benchmarks and tests that
reach every concern at once. Services receive each concern's repository (adapters/dynamodb/)
through their ports instead."""
from chalicelib.adapters.dynamodb.comments import DynamoComments, to_comment_item
from chalicelib.adapters.dynamodb.history import DynamoHistory, history_from_stream_image, to_history, to_history_item
from chalicelib.adapters.dynamodb.idempotency import DynamoIdempotency
from chalicelib.adapters.dynamodb.keys import HISTORY_SK_PREFIX, dedup_pk, number_pk, ticket_pk
from chalicelib.adapters.dynamodb.markers import DynamoMarkers, due_item
from chalicelib.adapters.dynamodb.notified import DynamoNotified
from chalicelib.adapters.dynamodb.numbers import DynamoNumbers, number_guard
from chalicelib.adapters.dynamodb.search_index import DynamoSearchIndex, term_item
from chalicelib.adapters.dynamodb.tickets import DynamoTickets, facts_from_stream_image, tag_item, to_item, to_ticket
from chalicelib.domain.idempotency import CommentMark, StoredResponse
from chalicelib.domain.tickets import StaleTicket

__all__ = ["TicketRepository", "CommentMark", "StaleTicket", "StoredResponse", "HISTORY_SK_PREFIX", "dedup_pk",
           "due_item", "facts_from_stream_image", "history_from_stream_image", "number_guard", "number_pk",
           "tag_item", "term_item", "ticket_pk", "to_comment_item", "to_history", "to_history_item", "to_item",
           "to_ticket"]


class TicketRepository(DynamoTickets, DynamoHistory, DynamoComments, DynamoSearchIndex, DynamoMarkers,
                       DynamoIdempotency, DynamoNumbers, DynamoNotified):
    """Every repository of the tickets table at once."""
