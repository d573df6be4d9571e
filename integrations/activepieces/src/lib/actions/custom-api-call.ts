import { createCustomApiCallAction } from '@activepieces/pieces-common';
import { ticketryAuth } from '../auth';
import { connectionOf } from '../common/client';

export const customApiCallAction = createCustomApiCallAction({
  auth: ticketryAuth,
  baseUrl: (auth) => (auth ? `${connectionOf(auth).base_url}/v1/ce` : ''),
  authMapping: async (auth) => ({ Authorization: `Bearer ${connectionOf(auth).api_key}` }),
  description: 'Any Ticketry API request, e.g. /projects/{project_id}/workflow (the base URL ends with /v1/ce)',
});
