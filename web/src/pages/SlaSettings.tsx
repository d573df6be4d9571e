// The project's SLA policy and business hours, for admins. Each save is a new version; tickets keep
// the version they started under.
import { useEffect, useMemo } from "preact/hooks";
import { BusinessHoursFields } from "../components/BusinessHoursFields";
import { SlaTargetsTable } from "../components/SlaTargetsTable";
import { exact } from "../format";
import { nameOf } from "../state/project";
import { createSlaPolicy } from "../state/slaPolicy";

export function SlaSettings() {
  const state = useMemo(createSlaPolicy, []);
  const policy = state.policy.value;

  useEffect(() => {
    document.title = "SLA policy · Ticketry";
    state.load();
  }, []);

  function save(event: Event) {
    event.preventDefault();
    state.save();
  }

  if (!state.loaded.value) return <p class="loading" role="status">Loading the SLA policy…</p>;
  if (state.forbidden.value) {
    return (
      <main id="main" class="page">
        <h1>SLA policy</h1>
        <p class="alert error" role="alert">Only the project's admins can see and change the SLA policy.</p>
      </main>
    );
  }
  return (
    <main id="main" class="page settings">
      <h1>SLA policy</h1>
      <p class="muted">
        {policy
          ? `Version ${policy.version}, saved ${policy.created_at ? exact(policy.created_at) : ""}${policy.created_by ? " by " + nameOf(policy.created_by) : ""}. Saving makes a new version: tickets keep the one they started under.`
          : "No SLA policy yet: tickets have no targets. Set targets per severity; leave a field empty for no target."}
      </p>
      <form onSubmit={save} novalidate>
        <SlaTargetsTable policy={state} />
        <BusinessHoursFields policy={state} />
        <label class="check">
          <input type="checkbox" checked={state.pause.value} onChange={(e) => (state.pause.value = (e.target as HTMLInputElement).checked)} />
          Pause the clocks while a ticket is deferred
        </label>
        <div class="row">
          <button type="submit" class="primary" disabled={state.saving.value}>
            {state.saving.value ? "Saving…" : "Save policy"}
          </button>
        </div>
      </form>
    </main>
  );
}
