import { PieceAuth, Property } from '@activepieces/pieces-framework';
import { sessionOf, TicketryError } from './common/client';

const description = `Connect to a Ticketry API.

- **Base URL**: the API's address, e.g. the stage URL on AWS (\`https://abc123.execute-api.eu-west-1.amazonaws.com/api\`) or, for a local stack started with \`make run\`, the \`api_url\` of \`.local/stack.json\`.
- **API key**: a key made with \`POST /v1/ce/projects/{project_id}/api-keys\` (an automation key with the member role is a good fit: history then names the flow's automation).`;

export const ticketryAuth = PieceAuth.CustomAuth({
  displayName: 'Ticketry connection',
  description,
  required: true,
  props: {
    base_url: Property.ShortText({
      displayName: 'Base URL',
      description: 'The API base URL, without /v1 (e.g. https://abc123.execute-api.eu-west-1.amazonaws.com/api)',
      required: true,
    }),
    api_key: PieceAuth.SecretText({
      displayName: 'API key',
      description: 'A Ticketry API key',
      required: true,
    }),
  },
  validate: async ({ auth }) => {
    try {
      // One cheap authenticated read: who the key is, and the project it belongs to.
      const session = await sessionOf(auth, 10_000);
      if (!session.projects.length) return { valid: false, error: 'This API key reaches no Ticketry project' };
      return { valid: true };
    } catch (error) {
      return { valid: false, error: explain(error) };
    }
  },
});

function explain(error: unknown): string {
  if (error instanceof TicketryError) {
    if (error.status === 401) {
      return 'Ticketry refused the API key: it is not a Ticketry API key, or it is wrong, revoked or for another deployment';
    }
    if (error.status === 404 || error.status === 403) {
      return 'No Ticketry project answered for this key at this base URL: check the URL (it ends before /v1) and the key';
    }
    if (error.status !== null && error.status >= 300 && error.status < 400) {
      return 'The base URL redirects elsewhere: use the final address of the API';
    }
    return error.message;
  }
  return `Could not check the connection: ${(error as Error).message}`;
}
