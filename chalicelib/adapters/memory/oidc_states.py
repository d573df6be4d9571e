"""OIDC sign-ins under way, in memory: taken once, and never once expired (as DynamoDB's condition)."""
from chalicelib.adapters.memory.store import ConditionFailed, MemoryRepository
from chalicelib.domain.accounts import OidcState


class MemoryOidcStates(MemoryRepository):
    def save_oidc_state(self, state: OidcState) -> None:
        if state.state_hash in self.store.oidc_states:
            raise ConditionFailed("the state exists")
        self.store.oidc_states[state.state_hash] = state

    def take_oidc_state(self, state_hash: str, now: int) -> OidcState | None:
        state = self.store.oidc_states.get(state_hash)
        if state is None or state.expires_at <= now:
            return None
        del self.store.oidc_states[state_hash]
        return state
