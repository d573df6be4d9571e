"""A project's contacts (sk `CONTACT#<email>` in its collection): who writes in by email."""
from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import models
from chalicelib.adapters.dynamodb.keys import contact_sk, project_of_pk, project_pk
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


def to_contact(item: ContactItem) -> Contact:
    return Contact(project_id=project_of_pk(item.pk), email=item.email, name=item.name or "",
                   created_at=item.created_at, last_message_at=item.last_message_at, bounced_at=item.bounced_at,
                   bounce_reason=item.bounce_reason, acknowledged_at=item.acknowledged_at)


def to_item(contact: Contact) -> ContactItem:
    return ContactItem(project_pk(contact.project_id), contact_sk(contact.email), email=contact.email.lower(),
                       name=contact.name, created_at=contact.created_at, last_message_at=contact.last_message_at,
                       bounced_at=contact.bounced_at, bounce_reason=contact.bounce_reason,
                       acknowledged_at=contact.acknowledged_at)
