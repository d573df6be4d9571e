"""Emailed codes, one-time links and the counts of sign-in emails and wrong codes, in memory, with the same
conditions as adapters/dynamodb/sign_in.py (expiry checked on use, as TTL is not applied)."""
from dataclasses import replace

from chalicelib.adapters.memory.store import MemoryRepository, require
from chalicelib.domain.accounts import MAX_WRONG_CODES, Challenge, OneTimeLink, hashes_match
from chalicelib.domain.attempts import Window
from chalicelib.domain.sign_in import WrongCodeCap
from chalicelib.errors import Conflict, TooManyWrongCodes


class MemorySignIn(MemoryRepository):
    def account_id_by_email(self, email: str) -> str | None:
        return self.store.account_emails.get(email)

    def start_sign_in(self, challenge: Challenge, link: OneTimeLink) -> None:
        store = self.store
        with store.transaction():
            require(challenge.pending_hash not in store.challenges and link.token_hash not in store.links,
                    Conflict("this sign-in was started already"))
            store.challenges[challenge.pending_hash] = challenge
            store.links[link.token_hash] = link

    def challenge(self, pending_hash: str) -> Challenge | None:
        return self.store.challenges.get(pending_hash)

    def use_challenge(self, pending_hash: str, code_hash: str, now: int, cap: WrongCodeCap) -> bool:
        challenge = self.store.challenges.get(pending_hash)
        usable = (challenge is not None and challenge.code_hash == code_hash
                  and challenge.wrong_tries < MAX_WRONG_CODES and challenge.expires_at > now)
        self._check_cap(cap)
        if not usable:
            return False
        del self.store.challenges[pending_hash]
        return True

    def count_wrong_code(self, pending_hash: str, cap: WrongCodeCap) -> bool:
        challenge = self.store.challenges.get(pending_hash)
        countable = challenge is not None and challenge.wrong_tries < MAX_WRONG_CODES
        self._check_cap(cap)
        if not countable:
            return False
        self.store.challenges[pending_hash] = replace(challenge, wrong_tries=challenge.wrong_tries + 1)
        counts = self.store.sign_in_rates
        counts[(cap.subject, cap.window.start)] = counts.get((cap.subject, cap.window.start), 0) + 1
        return True

    def _check_cap(self, cap: WrongCodeCap) -> None:
        """As DynamoDB reports a transaction's failed conditions: the cap's, whatever the other's."""
        if self.store.sign_in_rates.get((cap.subject, cap.window.start), 0) >= cap.allowed:
            raise TooManyWrongCodes()

    def add_link(self, link: OneTimeLink) -> None:
        require(link.token_hash not in self.store.links, Conflict("already exists"))
        self.store.links[link.token_hash] = link

    def use_link(self, token_hash: str, pending_hash: str | None, now: int) -> OneTimeLink | None:
        store = self.store
        link = store.links.get(token_hash)
        if link is None or link.expires_at <= now:
            return None
        if link.pending_hash is not None:
            if pending_hash is None or not hashes_match(link.pending_hash, pending_hash):
                return None
            challenge = store.challenges.get(pending_hash)
            if challenge is None or challenge.expires_at <= now:
                return None
            del store.challenges[pending_hash]
        return store.links.pop(token_hash)

    def count_sign_in_request(self, subject: str, window: Window) -> int:
        counts = self.store.sign_in_rates
        counts[(subject, window.start)] = counts.get((subject, window.start), 0) + 1
        return counts[(subject, window.start)]
