"""Webhook subscription routes (member role; managing one is for its owner and admins, see
WebhookService.managed)."""
from chalice import Blueprint

from chalicelib.api.routing import Call, Reply, endpoint, services
from chalicelib.schemas import webhooks as s
from chalicelib.services.webhooks import public_delivery, public_subscription

bp = Blueprint(__name__)
WEBHOOKS = "/v1/ce/projects/{project_id}/webhooks"
WEBHOOK = WEBHOOKS + "/{webhook_id}"


@endpoint(bp, "POST", WEBHOOKS, summary="Subscribe a URL to ticket events", status=201, role="member",
          body=s.WebhookCreate, response=s.WebhookCreated, tag="webhooks")
def create_webhook(call: Call, project_id: str):
    return public_subscription(services().webhooks.create(call.principal, call.body), call.principal,
                               with_secret=True)


@endpoint(bp, "GET", WEBHOOKS, summary="List webhook subscriptions", role="member", response=s.WebhookList,
          tag="webhooks")
def list_webhooks(call: Call, project_id: str):
    return {"data": [public_subscription(w, call.principal)
                     for w in services().webhooks.subscriptions(call.principal)]}


@endpoint(bp, "GET", WEBHOOK, summary="A webhook subscription", role="member", response=s.WebhookOut,
          tag="webhooks")
def get_webhook(call: Call, project_id: str, webhook_id: str):
    return public_subscription(services().webhooks.get(call.principal, webhook_id), call.principal)


@endpoint(bp, "DELETE", WEBHOOK, summary="Unsubscribe; deliveries stop at once (its owner or an admin)", status=204,
          role="member", tag="webhooks")
def delete_webhook(call: Call, project_id: str, webhook_id: str):
    services().webhooks.delete(call.principal, webhook_id)
    return Reply(None)


@endpoint(bp, "GET", WEBHOOK + "/deliveries", summary="The delivery log, newest first", role="member",
          query=s.DeliveryQuery, response=s.DeliveryPage, tag="webhooks")
def list_deliveries(call: Call, project_id: str, webhook_id: str):
    return services().webhooks.deliveries(call.principal, webhook_id, call.query.limit, call.query.cursor)


@endpoint(bp, "POST", WEBHOOK + "/deliveries/{delivery_id}/redeliver",
          summary="Send a delivery again (its owner or an admin)", status=202, role="member", response=s.DeliveryOut,
          tag="webhooks")
def redeliver(call: Call, project_id: str, webhook_id: str, delivery_id: str):
    return public_delivery(services().webhooks.redeliver(call.principal, webhook_id, delivery_id))


@endpoint(bp, "POST", WEBHOOK + "/test", summary="Send a signed PING now and report the answer (its owner or an admin)",
          role="member", response=s.PingResult, tag="webhooks")
def test_webhook(call: Call, project_id: str, webhook_id: str):
    return services().webhooks.test(call.principal, webhook_id)


@endpoint(bp, "POST", WEBHOOK + "/rotate-secret",
          summary="New secret; the old one keeps signing alongside it for 24 h (its owner or an admin)", role="member",
          response=s.WebhookCreated, tag="webhooks")
def rotate_secret(call: Call, project_id: str, webhook_id: str):
    return public_subscription(services().webhooks.rotate_secret(call.principal, webhook_id), call.principal,
                               with_secret=True)
