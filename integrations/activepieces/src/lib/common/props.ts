/* Props shared by the actions and triggers: project, ticket, statuses, severities, people. */
import { Property } from '@activepieces/pieces-framework';
import { ticketryAuth } from '../auth';
import { api, sessionOf, TicketryError } from './client';
import { FINAL_STATUSES, SEVERITIES, Status, STATUSES } from './contract';

const label = (value: string) => value.charAt(0).toUpperCase() + value.slice(1).replace(/_/g, ' ');

export const statusOptions = STATUSES.map((status) => ({ label: label(status), value: status }));
export const severityOptions = SEVERITIES.map((severity) => ({ label: label(severity), value: severity }));

type Option = { label: string; value: string };

function disabled(placeholder: string) {
  return { disabled: true, options: [] as Option[], placeholder };
}

/** The projects the connection reaches, as the API's session lists them: a key reaches the one
 * project it belongs to, which the dropdown offers (and preselects). */
export async function projectOptions(auth: unknown): Promise<Option[]> {
  const session = await sessionOf(auth);
  if (!session.projects.length) throw new TicketryError('This API key reaches no Ticketry project', null);
  return session.projects.map((project) => ({ label: `${project.name} (${project.key})`, value: project.id }));
}

export const projectId = () =>
  Property.Dropdown({
    auth: ticketryAuth,
    displayName: 'Project',
    description: 'The Ticketry project (the one the connection\'s key belongs to)',
    required: true,
    refreshers: [],
    options: async ({ auth }) => {
      if (!auth) return disabled('Connect your Ticketry account first');
      try {
        const options = await projectOptions(auth);
        return { disabled: false, options };
      } catch (error) {
        return disabled((error as Error).message);
      }
    },
  });

export const ticketId = (description = 'The ticket\'s id, or its key such as OPS-42') =>
  Property.ShortText({ displayName: 'Ticket', description, required: true });

/** Members and teams of the project (listing them needs an admin key); with a lesser key, the
 * key's own member. `extra` comes first (e.g. "Unassigned"). */
export async function assigneeOptions(auth: unknown, project: string, extra: Option[] = []): Promise<{ options: Option[]; placeholder?: string }> {
  try {
    const path = { project_id: project };
    const [members, teams] = await Promise.all([
      api.get(auth, '/v1/ce/projects/{project_id}/members', { path }),
      api.get(auth, '/v1/ce/projects/{project_id}/teams', { path }),
    ]);
    return {
      options: [
        ...extra,
        ...members.data.map((m) => ({ label: `${m.name} <${m.email}>`, value: m.user_id })),
        ...teams.data.map((t) => ({ label: `Team: ${t.name}`, value: `team:${t.id}` })),
      ],
    };
  } catch (error) {
    if (!(error instanceof TicketryError) || error.status !== 403) throw error;
  }
  const options = [...extra];
  try {
    const me = await api.get(auth, '/v1/ce/projects/{project_id}/me', { path: { project_id: project } });
    options.push({ label: `${me.name} <${me.email}> (this key's member)`, value: me.user_id });
  } catch (error) {
    if (!(error instanceof TicketryError) || error.status !== 403) throw error;
  }
  return {
    options,
    placeholder: 'Listing members and teams needs an admin key: use a custom value (a user id or team:<id>)',
  };
}

export const UNASSIGNED = '__unassigned__';

export const assignee = (params: { displayName?: string; description?: string; unassign?: boolean; searchValues?: boolean } = {}) =>
  Property.Dropdown({
    auth: ticketryAuth,
    displayName: params.displayName ?? 'Assignee',
    description: params.description ?? 'A member or a team of the project',
    required: false,
    refreshers: ['project_id'],
    options: async ({ auth, project_id }) => {
      if (!auth) return disabled('Connect your Ticketry account first');
      if (!project_id) return disabled('Choose a project first');
      const extra: Option[] = [];
      if (params.unassign) extra.push({ label: 'Nobody (unassign)', value: UNASSIGNED });
      if (params.searchValues) {
        extra.push({ label: 'Unassigned tickets', value: 'none' }, { label: 'Assigned to me (the key\'s member)', value: 'me' });
      }
      try {
        const { options, placeholder } = await assigneeOptions(auth, String(project_id), extra);
        return { disabled: false, options, placeholder };
      } catch (error) {
        return disabled((error as Error).message);
      }
    },
  });

export const severity = (required = false, description = 'How bad it is') =>
  Property.StaticDropdown({ displayName: 'Severity', description, required, options: { options: severityOptions } });

export const severities = (description = 'Only tickets of these severities') =>
  Property.StaticMultiSelectDropdown({ displayName: 'Severities', description, required: false, options: { options: severityOptions } });

export const statuses = (displayName: string, description: string, required = false, defaultValue?: Status[]) =>
  Property.StaticMultiSelectDropdown({
    displayName,
    description,
    required,
    defaultValue,
    options: { options: statusOptions },
  });

export const tags = (description = 'Tags (lowercase, at most 20, each 1–64 characters)') =>
  Property.Array({ displayName: 'Tags', description, required: false });

/** The statuses the workflow lets the ticket move to now (all statuses until a ticket is named). */
export const workflowStatus = () =>
  Property.Dropdown({
    auth: ticketryAuth,
    displayName: 'Status',
    description: 'Moves the project\'s workflow allows from the ticket\'s current status',
    required: false,
    refreshers: ['project_id', 'ticket_id'],
    options: async ({ auth, project_id, ticket_id }) => {
      if (!auth || !project_id || !ticket_id) {
        return { disabled: false, options: statusOptions, placeholder: 'Any status (name a ticket to see its allowed moves)' };
      }
      try {
        const ticket = await api.get(auth, '/v1/ce/projects/{project_id}/tickets/{ticket_id}', {
          path: { project_id: String(project_id), ticket_id: String(ticket_id) },
        });
        const allowed: readonly Status[] = ticket.allowed_transitions ?? STATUSES;
        return {
          disabled: false,
          options: statusOptions.filter((o) => allowed.includes(o.value)),
          placeholder: allowed.length ? `From ${ticket.status}` : `${ticket.status}: the workflow allows no move from here`,
        };
      } catch {
        // The ticket may be a value of an earlier step, unknown until the flow runs.
        return { disabled: false, options: statusOptions };
      }
    },
  });

export { FINAL_STATUSES };

/** Text props come in as anything the builder allows; empty means "not given". */
export function given(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

export function stringList(value: unknown): string[] {
  if (!given(value)) return [];
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((item) => item !== '');
}
