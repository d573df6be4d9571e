import { useEffect, useMemo } from "preact/hooks";
import type { Delivery } from "../api/people";
import { createEmailSettings, KINDS } from "../state/emailSettings";

/** Which ticket emails you get in this project, and whether each comes at once or in an hourly digest. */
export function EmailSettings({ projectName }: { projectName: string }) {
  const state = useMemo(createEmailSettings, []);
  const settings = state.settings.value;
  useEffect(() => {
    state.load();
  }, []);
  return (
    <section aria-labelledby="email-title">
      <h2 id="email-title" class="section-title">Email in {projectName}</h2>
      <p class="muted">Your inbox shows every event of the tickets you watch; these settings choose what is also emailed.</p>
      {state.failure.value && <p class="alert error" role="alert">{state.failure.value}</p>}
      {settings && (
        <table class="data-table email-settings" aria-labelledby="email-title" aria-busy={state.saving.value ? "true" : "false"}>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Email</th>
              <th scope="col">Sent</th>
            </tr>
          </thead>
          <tbody>
            {KINDS.map(([kind, label]) => (
              <tr key={kind}>
                <th scope="row">{label}</th>
                <td>
                  <input type="checkbox" aria-label={`Email when: ${label}`} checked={settings.notifications[kind]} disabled={state.saving.value}
                    onChange={(event) => state.setWanted(kind, (event.target as HTMLInputElement).checked)} />
                </td>
                <td>
                  <select aria-label={`How: ${label}`} value={settings.notification_delivery[kind]} disabled={!settings.notifications[kind] || state.saving.value}
                    onChange={(event) => state.setDelivery(kind, (event.target as HTMLSelectElement).value as Delivery)}>
                    <option value="each">As it happens</option>
                    <option value="hourly">Hourly digest</option>
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
