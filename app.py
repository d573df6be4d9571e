"""Ticketry: the Chalice app. Routes and event handlers live in chalicelib; this only wires them."""
from chalice import Chalice

from chalicelib.api import (attachments, comments, inbox, mailbox, oidc, openapi, people, reports, session, sign_in,
                            sla, tickets, ui, views, watchers, webhooks)
from chalicelib.events import attachments as attachment_events
from chalicelib.events import inbound_mail
from chalicelib.events import deliveries, schedule, stream

app = Chalice(app_name="ticketry")
app.experimental_feature_flags.update({"BLUEPRINTS"})
app.register_blueprint(tickets.bp)
app.register_blueprint(comments.bp)
app.register_blueprint(watchers.bp)
app.register_blueprint(attachments.bp)
app.register_blueprint(people.bp)
app.register_blueprint(session.bp)
app.register_blueprint(sign_in.bp)
app.register_blueprint(oidc.bp)
app.register_blueprint(webhooks.bp)
app.register_blueprint(views.bp)
app.register_blueprint(inbox.bp)
app.register_blueprint(sla.bp)
app.register_blueprint(reports.bp)
app.register_blueprint(mailbox.bp)
app.register_blueprint(openapi.bp)
app.register_blueprint(ui.bp)
app.register_blueprint(stream.bp)
app.register_blueprint(deliveries.bp)
app.register_blueprint(schedule.bp)
app.register_blueprint(attachment_events.bp)
app.register_blueprint(inbound_mail.bp)
