import { createPiece } from '@activepieces/pieces-framework';
import { PieceCategory } from '@activepieces/shared';
import { ticketryAuth } from './lib/auth';
import { addCommentAction } from './lib/actions/add-comment';
import { bulkUpdateTicketsAction } from './lib/actions/bulk-update-tickets';
import { createTicketAction } from './lib/actions/create-ticket';
import { createTicketAndWaitAction } from './lib/actions/create-ticket-and-wait';
import { customApiCallAction } from './lib/actions/custom-api-call';
import { getTicketAction } from './lib/actions/get-ticket';
import { replyToRequesterAction } from './lib/actions/reply-to-requester';
import { searchTicketsAction } from './lib/actions/search-tickets';
import { updateTicketAction } from './lib/actions/update-ticket';
import { commentAdded } from './lib/triggers/comment-added';
import { slaBreached } from './lib/triggers/sla-breached';
import { ticketAssigned } from './lib/triggers/ticket-assigned';
import { ticketCreated } from './lib/triggers/ticket-created';
import { ticketOverdue } from './lib/triggers/ticket-overdue';
import { ticketStatusChanged } from './lib/triggers/ticket-status-changed';
import { ticketUpdated } from './lib/triggers/ticket-updated';

export { ticketryAuth };

// Inline, so a private install needs no image host: a ticket with a check mark.
const LOGO =
  'data:image/svg+xml;base64,' +
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect x="4" y="12" width="56" height="40" rx="6" fill="#2563eb"/>' +
      '<circle cx="4" cy="32" r="7" fill="#fff"/><circle cx="60" cy="32" r="7" fill="#fff"/>' +
      '<path d="M22 32l7 7 14-14" stroke="#fff" stroke-width="6" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>',
  ).toString('base64');

export const ticketry = createPiece({
  displayName: 'Ticketry',
  description: 'Tickets and incidents: create them from alerts and forms, react when they change, and pause a flow until a person resolves one',
  auth: ticketryAuth,
  minimumSupportedRelease: '0.82.0',
  logoUrl: LOGO,
  categories: [PieceCategory.PRODUCTIVITY],
  authors: ['ticketry'],
  actions: [
    createTicketAction,
    createTicketAndWaitAction,
    updateTicketAction,
    addCommentAction,
    replyToRequesterAction,
    getTicketAction,
    searchTicketsAction,
    bulkUpdateTicketsAction,
    customApiCallAction,
  ],
  triggers: [ticketCreated, ticketUpdated, ticketStatusChanged, commentAdded, ticketAssigned, ticketOverdue, slaBreached],
});
