"""OIDC sign-ins under way (pk `OIDC#<keyed hash of the state>`, sk `STATE`): written when the
browser leaves for the provider, taken (read and deleted at once) when it comes back."""
from pynamodb.exceptions import DeleteError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import OIDC_STATE_SK, oidc_state_pk
from chalicelib.adapters.dynamodb.models import OidcStateItem
from chalicelib.domain.accounts import OidcState


class DynamoOidcStates:
    def __init__(self):
        models.bind()

    def save_oidc_state(self, state: OidcState) -> None:
        OidcStateItem(oidc_state_pk(state.state_hash), OIDC_STATE_SK, provider_id=state.provider_id, nonce=state.nonce,
                      code_verifier=state.code_verifier, return_to=state.return_to,
                      expires_at=state.expires_at).save(condition=OidcStateItem.pk.does_not_exist())

    def take_oidc_state(self, state_hash: str, now: int) -> OidcState | None:
        """One DeleteItem, conditional on the item being there and unexpired (TTL deletes late),
        returning what it deleted: of two callbacks with the same state, one gets it."""
        try:
            response = OidcStateItem._get_connection().delete_item(
                oidc_state_pk(state_hash), range_key=OIDC_STATE_SK,
                condition=OidcStateItem.pk.exists() & (OidcStateItem.expires_at > now), return_values="ALL_OLD")
        except DeleteError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return None
            raise
        item = OidcStateItem.from_raw_data(response["Attributes"])
        return OidcState(state_hash=state_hash, provider_id=item.provider_id, nonce=item.nonce,
                         code_verifier=item.code_verifier, return_to=item.return_to, expires_at=int(item.expires_at))
