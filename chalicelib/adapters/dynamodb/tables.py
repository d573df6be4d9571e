"""Each DynamoDB table behind one object, every concern's repository at once: what the registry
hands the services (each through the ports it needs), and what operator commands, the local stack
and benchmarks use."""
from chalicelib.adapters.dynamodb.accounts import DynamoAccounts
from chalicelib.adapters.dynamodb.api_keys import DynamoApiKeys
from chalicelib.adapters.dynamodb.comments import DynamoComments
from chalicelib.adapters.dynamodb.contacts import DynamoContacts
from chalicelib.adapters.dynamodb.counts import DynamoCounts
from chalicelib.adapters.dynamodb.digests import DynamoDigests
from chalicelib.adapters.dynamodb.history import DynamoHistory
from chalicelib.adapters.dynamodb.inbox import DynamoInbox
from chalicelib.adapters.dynamodb.mail_threads import DynamoMailThreads
from chalicelib.adapters.dynamodb.idempotency import DynamoIdempotency
from chalicelib.adapters.dynamodb.markers import DynamoMarkers
from chalicelib.adapters.dynamodb.members import DynamoMembers
from chalicelib.adapters.dynamodb.notified import DynamoNotified
from chalicelib.adapters.dynamodb.numbers import DynamoNumbers
from chalicelib.adapters.dynamodb.oidc_states import DynamoOidcStates
from chalicelib.adapters.dynamodb.mailbox import DynamoMailbox
from chalicelib.adapters.dynamodb.projects import DynamoProjects
from chalicelib.adapters.dynamodb.received import DynamoReceivedMarks
from chalicelib.adapters.dynamodb.search_index import DynamoSearchIndex
from chalicelib.adapters.dynamodb.sign_in import DynamoSignIn
from chalicelib.adapters.dynamodb.teams import DynamoTeams
from chalicelib.adapters.dynamodb.tickets import DynamoTickets
from chalicelib.adapters.dynamodb.watchers import DynamoWatchers


class TicketRepository(DynamoTickets, DynamoHistory, DynamoComments, DynamoSearchIndex, DynamoMarkers,
                       DynamoIdempotency, DynamoNumbers, DynamoNotified, DynamoWatchers, DynamoDigests,
                       DynamoMailThreads, DynamoReceivedMarks):
    """Every repository of the tickets table at once."""


class DirectoryRepository(DynamoProjects, DynamoMembers, DynamoTeams, DynamoApiKeys, DynamoAccounts, DynamoCounts,
                          DynamoSignIn, DynamoOidcStates, DynamoInbox, DynamoContacts, DynamoMailbox):
    """Every repository of the directory's projects, people, accounts, counts and sign-in items
    (OIDC's too), inboxes and the email channel's items at once (views and webhooks have
    repositories of their own)."""
