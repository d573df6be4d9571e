"""A project's contacts (sk `CONTACT#<email>` in its collection): who writes in by email."""
from pynamodb.exceptions import DoesNotExist, UpdateError

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.failures import failed_condition
from chalicelib.adapters.dynamodb.keys import CONTACT_SK_PREFIX, contact_sk, project_of_pk, project_pk
from chalicelib.adapters.dynamodb.models import ContactItem
from chalicelib.domain.contacts import Contact


class DynamoContacts:
    def __init__(self):
        models.bind()

    def contact(self, project_id: str, email: str) -> Contact | None:
        try:
            item = ContactItem.get(project_pk(project_id), contact_sk(email), consistent_read=True)
        except DoesNotExist:
            return None
        return to_contact(item)

    def contact_page(self, project_id: str, limit: int, after: str | None) -> tuple[list[Contact], str | None]:
        """Contacts by address; returns the address to continue after, if more exist."""
        condition = (ContactItem.sk > contact_sk(after)) if after else ContactItem.sk.startswith(CONTACT_SK_PREFIX)
        items = ContactItem.query(project_pk(project_id), range_key_condition=condition, limit=limit + 1,
                                  page_size=limit + 1, consistent_read=True)
        page = [to_contact(item) for item in items if item.sk.startswith(CONTACT_SK_PREFIX)]
        more = page[limit - 1].email if len(page) > limit else None
        return page[:limit], more

    def save_contact_message(self, project_id: str, email: str, name: str, at: str) -> None:
        """Records a message from `email`: the contact made if new, its name (when the message
        gave one) and the moment of its latest message."""
        actions = [ContactItem.kind.set(ContactItem), ContactItem.email.set(email.lower()),
                   ContactItem.created_at.set(ContactItem.created_at | at),
                   ContactItem.last_message_at.set(at)]
        if name:
            actions.append(ContactItem.name.set(name))
        else:
            actions.append(ContactItem.name.set(ContactItem.name | ""))
        ContactItem(project_pk(project_id), contact_sk(email)).update(actions=actions)

    def record_bounce(self, project_id: str, email: str, at: str, reason: str) -> bool:
        """Notes that mail to a contact bounced; False when the project has no such contact."""
        try:
            ContactItem(project_pk(project_id), contact_sk(email)).update(
                actions=[ContactItem.bounced_at.set(at), ContactItem.bounce_reason.set(reason)],
                condition=ContactItem.pk.exists())
        except UpdateError as error:
            if failed_condition(error):
                return False
            raise
        return True

    def claim_acknowledgement(self, project_id: str, email: str, at: str, not_since: str) -> bool:
        """Takes the contact's turn for an acknowledgement: True (and `acknowledged_at` set) unless
        one was sent at `not_since` or later."""
        try:
            ContactItem(project_pk(project_id), contact_sk(email)).update(
                actions=[ContactItem.acknowledged_at.set(at)],
                condition=ContactItem.pk.exists() & (ContactItem.acknowledged_at.does_not_exist()
                                                     | (ContactItem.acknowledged_at < not_since)))
        except UpdateError as error:
            if failed_condition(error):
                return False
            raise
        return True


def to_contact(item: ContactItem) -> Contact:
    return Contact(project_id=project_of_pk(item.pk), email=item.email, name=item.name or "",
                   created_at=item.created_at, last_message_at=item.last_message_at, bounced_at=item.bounced_at,
                   bounce_reason=item.bounce_reason, acknowledged_at=item.acknowledged_at)


def to_item(contact: Contact) -> ContactItem:
    return ContactItem(project_pk(contact.project_id), contact_sk(contact.email), email=contact.email.lower(),
                       name=contact.name, created_at=contact.created_at, last_message_at=contact.last_message_at,
                       bounced_at=contact.bounced_at, bounce_reason=contact.bounce_reason,
                       acknowledged_at=contact.acknowledged_at)
