"""Sign-in's short-lived items on the directory table: emailed codes (pk `SIGNIN#<keyed hash of the
pending cookie>`), one-time links (pk `SIGNINLINK#<keyed hash of the token>`), the hourly counts of
sign-in emails and the daily counts of an address's wrong codes (pk `SIGNINRATE#<subject>`). The
table's TTL removes them, late: every use checks expiry in its condition too."""
import time
from typing import Callable

from pynamodb.exceptions import DeleteError, DoesNotExist, PutError, TransactWriteError
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import (
    ACCOUNT_SK,
    CHALLENGE_SK,
    LINK_SK,
    account_email_pk,
    challenge_pk,
    link_pk,
    sign_in_rate_pk,
    sign_in_rate_sk,
)
from chalicelib.adapters.dynamodb.models import AccountEmailItem, ChallengeItem, LinkItem, SignInRateItem
from chalicelib.domain.accounts import MAX_WRONG_CODES, Challenge, OneTimeLink, hashes_match
from chalicelib.domain.attempts import Window
from chalicelib.domain.sign_in import WrongCodeCap
from chalicelib.errors import Conflict, TooManyWrongCodes

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_ATTEMPTS = 3


class _Spent(Exception):
    """A bound link's transaction found the link or its code gone, expired or not this browser's."""


class DynamoSignIn:
    def __init__(self):
        models.bind()

    def account_id_by_email(self, email: str) -> str | None:
        """The account an address signs in, from the email's guard alone: one GetItem whether an
        account has the address or not (reading the account too would cost a known address one
        more call, and tell it apart by time)."""
        try:
            return AccountEmailItem.get(account_email_pk(email), ACCOUNT_SK, consistent_read=True).account_id
        except DoesNotExist:
            return None

    def start_sign_in(self, challenge: Challenge, link: OneTimeLink) -> None:
        """The code and the link emailed with it, together or not at all (one TransactWriteItems)."""
        with models.Transaction(Conflict("this sign-in was started already")) as tx:
            tx.save(challenge_item(challenge), condition=ChallengeItem.pk.does_not_exist())
            tx.save(link_item(link), condition=LinkItem.pk.does_not_exist())

    def challenge(self, pending_hash: str) -> Challenge | None:
        try:
            return to_challenge(ChallengeItem.get(challenge_pk(pending_hash), CHALLENGE_SK, consistent_read=True))
        except DoesNotExist:
            return None

    def use_challenge(self, pending_hash: str, code_hash: str, now: int, cap: WrongCodeCap) -> bool:
        """Deletes the challenge if `code_hash` is its code, it has fewer wrong tries than the limit
        and it has not expired, and the address has not had its day's wrong codes: one
        TransactWriteItems (the delete, and a ConditionCheck on the day's count), so a code signs in
        once however many requests race with it, and never past the cap. False when the challenge
        fails its conditions; TooManyWrongCodes when the cap does."""
        return _capped(cap, lambda tx: tx.delete(
            ChallengeItem(challenge_pk(pending_hash), CHALLENGE_SK),
            condition=(ChallengeItem.pk.exists() & (ChallengeItem.code_hash == code_hash)
                       & (ChallengeItem.wrong_tries < MAX_WRONG_CODES) & (ChallengeItem.expires_at > now))))

    def count_wrong_code(self, pending_hash: str, cap: WrongCodeCap) -> bool:
        """Adds one to the challenge's wrong tries and to the address's wrong codes of the day, in one
        TransactWriteItems of the same shape as using the code (so that past the cap a right code and
        a wrong one cost the same). False when the challenge is gone (used, or removed by TTL) or
        voided already; TooManyWrongCodes, counting nothing, when the address has had its day's."""
        return _capped(cap, lambda tx: tx.update(
            ChallengeItem(challenge_pk(pending_hash), CHALLENGE_SK), actions=[ChallengeItem.wrong_tries.add(1)],
            condition=ChallengeItem.pk.exists() & (ChallengeItem.wrong_tries < MAX_WRONG_CODES)), count=True)

    def add_link(self, link: OneTimeLink) -> None:
        try:
            link_item(link).save(condition=LinkItem.pk.does_not_exist())
        except PutError as error:
            if error.cause_response_code == CONDITION_FAILED:
                raise Conflict("this link exists already") from error
            raise

    def use_link(self, token_hash: str, pending_hash: str | None, now: int) -> OneTimeLink | None:
        """Deletes the link and returns it, if it has not expired and, when it is bound to a
        browser, `pending_hash` is that browser's. A bound link is deleted with its code in one
        transaction, which needs the code still there: the code or the link signs in, once. Reads
        the link first (GetItem) to learn which; the delete's condition repeats every check."""
        try:
            link = to_link(LinkItem.get(link_pk(token_hash), LINK_SK, consistent_read=True))
        except DoesNotExist:
            return None
        if link.expires_at <= now:
            return None
        if link.pending_hash is None:
            condition = LinkItem.pk.exists() & (LinkItem.expires_at > now) & LinkItem.pending_hash.does_not_exist()
            return link if _delete_returning(LinkItem, link_pk(token_hash), LINK_SK, condition) else None
        if pending_hash is None or not hashes_match(link.pending_hash, pending_hash):
            return None
        try:
            with models.Transaction(_Spent()) as tx:
                tx.delete(LinkItem(link_pk(token_hash), LINK_SK),
                          condition=LinkItem.pk.exists() & (LinkItem.expires_at > now)
                          & (LinkItem.pending_hash == pending_hash))
                tx.delete(ChallengeItem(challenge_pk(pending_hash), CHALLENGE_SK),
                          condition=ChallengeItem.pk.exists() & (ChallengeItem.expires_at > now))
        except _Spent:
            return None
        return link

    def count_sign_in_request(self, subject: str, window: Window) -> int:
        """Adds one to `subject`'s count of sign-in emails asked in `window` and returns the count
        now, in the same UpdateItem; the item expires a window after its own."""
        item = SignInRateItem(sign_in_rate_pk(subject), sign_in_rate_sk(window.start))
        item.update(actions=[SignInRateItem.kind.set(SignInRateItem), SignInRateItem.count.add(1),
                             SignInRateItem.expires_at.set(window.end + window.length)])
        return int(item.count)


def _capped(cap: WrongCodeCap, write_challenge: Callable[[TransactWrite], None], count: bool = False) -> bool:
    """One transaction of, on the address's count of wrong codes this day, either a ConditionCheck
    or (`count`) an ADD of one, each only while the count is below the cap, and a write to a
    challenge. The cap's failed condition wins over the challenge's: past the cap nothing is told
    about the code. A transaction cancelled by a concurrent one on the same count is tried again."""
    pk, sk = sign_in_rate_pk(cap.subject), sign_in_rate_sk(cap.window.start)
    below_cap = SignInRateItem.count.does_not_exist() | (SignInRateItem.count < cap.allowed)
    for attempt in range(TRANSACTION_ATTEMPTS):
        try:
            # The cap's item goes first: TransactWrite sends condition checks before other writes,
            # and writes of one kind in the order given, so the cancellation reasons come cap first.
            with TransactWrite(connection=models.connection()) as tx:
                if count:
                    tx.update(SignInRateItem(pk, sk), condition=below_cap,
                              actions=[SignInRateItem.kind.set(SignInRateItem), SignInRateItem.count.add(1),
                                       SignInRateItem.expires_at.set(cap.window.end + cap.window.length)])
                else:
                    tx.condition_check(SignInRateItem, pk, sk, condition=below_cap)
                write_challenge(tx)
            return True
        except TransactWriteError as error:
            reasons = [reason.code if reason is not None else None for reason in error.cancellation_reasons or ()]
            if reasons[:1] == ["ConditionalCheckFailed"]:
                raise TooManyWrongCodes() from None
            if reasons[1:2] == ["ConditionalCheckFailed"]:
                return False
            if "TransactionConflict" not in reasons or attempt == TRANSACTION_ATTEMPTS - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    return False


def _delete_returning(model: type[Model], pk: str, sk: str, condition) -> Model | None:
    """A conditional DeleteItem that returns the item it deleted (ALL_OLD), or None when the
    condition failed. PynamoDB's Model.delete has no way to ask for the old item."""
    try:
        response = model._get_connection().delete_item(pk, sk, condition=condition, return_values="ALL_OLD")
    except DeleteError as error:
        if error.cause_response_code == CONDITION_FAILED:
            return None
        raise
    return model.from_raw_data(response["Attributes"])


def challenge_item(challenge: Challenge) -> ChallengeItem:
    return ChallengeItem(challenge_pk(challenge.pending_hash), CHALLENGE_SK, email=challenge.email,
                         account_id=challenge.account_id, code_hash=challenge.code_hash,
                         wrong_tries=challenge.wrong_tries, created_at=challenge.created_at,
                         expires_at=challenge.expires_at)


def to_challenge(item: ChallengeItem) -> Challenge:
    return Challenge(pending_hash=item.pk.removeprefix(challenge_pk("")), email=item.email,
                     account_id=item.account_id, code_hash=item.code_hash, wrong_tries=int(item.wrong_tries),
                     created_at=item.created_at, expires_at=int(item.expires_at))


def link_item(link: OneTimeLink) -> LinkItem:
    return LinkItem(link_pk(link.token_hash), LINK_SK, email=link.email, account_id=link.account_id,
                    pending_hash=link.pending_hash, expires_at=link.expires_at)


def to_link(item: LinkItem) -> OneTimeLink:
    return OneTimeLink(token_hash=item.pk.removeprefix(link_pk("")), email=item.email, account_id=item.account_id,
                       expires_at=int(item.expires_at), pending_hash=item.pending_hash)
