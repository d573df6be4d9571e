"""Hourly digests on the tickets table: the lines waiting for each hour (`DIGEST#<hour>`) and whom
that hour's digest went to (`DIGESTSENT#<hour>`)."""
from pynamodb.exceptions import UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import DIGEST_SENT_SK, digest_line_sk, digest_pk, digest_sent_pk
from chalicelib.adapters.dynamodb.models import DigestLineItem, DigestSentItem
from chalicelib.domain.digest import Line

CONDITION_FAILED = "ConditionalCheckFailedException"


class DynamoDigests:
    def __init__(self):
        models.bind()

    def queue_digest_line(self, hour: str, address: str, line: Line, expires_at: int) -> None:
        DigestLineItem(digest_pk(hour), digest_line_sk(address, line.event_id), address=address, line=line.as_dict(),
                       expires_at=expires_at).save()

    def digest_lines(self, hour: str) -> list[tuple[str, Line]]:
        return [(item.address, Line.from_dict(item.line)) for item in DigestLineItem.query(digest_pk(hour))]

    def digest_hours_done(self, hours: list[str]) -> set[str]:
        """One BatchGetItem for the hours' records."""
        done = set()
        by_pk = {digest_sent_pk(hour): hour for hour in hours}
        for item in DigestSentItem.batch_get([(pk, DIGEST_SENT_SK) for pk in by_pk], consistent_read=True):
            if item.done:
                done.add(by_pk[item.pk])
        return done

    def claim_digest(self, hour: str, address: str, expires_at: int) -> bool:
        try:
            DigestSentItem(digest_sent_pk(hour), DIGEST_SENT_SK).update(
                actions=[DigestSentItem.sent_to.add({address.lower()}), DigestSentItem.expires_at.set(expires_at),
                         DigestSentItem.kind.set(DigestSentItem)],
                condition=~DigestSentItem.sent_to.contains(address.lower()))
        except UpdateError as error:
            if error.cause_response_code == CONDITION_FAILED:
                return False
            raise
        return True

    def release_digest(self, hour: str, address: str) -> None:
        DigestSentItem(digest_sent_pk(hour), DIGEST_SENT_SK).update(
            actions=[DigestSentItem.sent_to.delete({address.lower()})])

    def finish_digest_hour(self, hour: str, expires_at: int) -> None:
        DigestSentItem(digest_sent_pk(hour), DIGEST_SENT_SK).update(
            actions=[DigestSentItem.done.set(True), DigestSentItem.expires_at.set(expires_at),
                     DigestSentItem.kind.set(DigestSentItem)])
