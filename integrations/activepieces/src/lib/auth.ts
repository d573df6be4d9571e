import { PieceAuth, Property } from '@activepieces/pieces-framework';
import { keyProjectId, projectPath, request, TicketryError } from './common/client';

const description = `Connect to a Ticketry API.

- **Base URL**: the API's address, e.g. the stage URL on AWS (\`https://abc123.execute-api.eu-west-1.amazonaws.com/api\`) or, for a local stack started with \`make run\`, the \`api_url\` of \`.local/stack.json\`.
- **API key**: a key made with \`POST /v1/ce/projects/{project_id}/api-keys\` (an automation key with the member role is a good fit: history then names the flow's automation). Keys start with \`tkt_\`.`;

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
      description: 'A Ticketry API key (tkt_…)',
      required: true,
    }),
  },
  validate: async ({ auth }) => {
    try {
      const projectId = keyProjectId(String((auth as { api_key?: string }).api_key ?? '').trim());
      if (!projectId) {
        return { valid: false, error: 'This is not a Ticketry API key: keys look like tkt_<project>_<id>_<secret>' };
      }
      // One cheap authenticated read: the project the key belongs to.
      await request(auth, 'GET', projectPath(projectId), { timeoutMs: 10_000 });
      return { valid: true };
    } catch (error) {
      return { valid: false, error: explain(error) };
    }
  },
});

function explain(error: unknown): string {
  if (error instanceof TicketryError) {
    if (error.status === 401) return 'Ticketry refused the API key (wrong, revoked or for another deployment)';
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
