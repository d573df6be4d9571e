import type { ApiError } from "../api/client";

/** What the list shows instead of rows: why they could not be loaded, or that there are none. */
export function ListMessage({ error, filtered, projectId, onClear, onRetry }: {
  error: ApiError | null;
  filtered: boolean;
  projectId: string;
  onClear: () => void;
  onRetry: () => void;
}) {
  if (error) {
    return (
      <div class="empty" role="alert">
        <p>
          <strong>The tickets could not be loaded.</strong> {error.message}
        </p>
        {error.status === 400 ? (
          <button type="button" onClick={onClear}>Clear filters</button>
        ) : (
          <button type="button" onClick={onRetry}>Try again</button>
        )}
      </div>
    );
  }
  return (
    <div class="empty" role="status">
      {filtered ? (
        <>
          <p>No tickets match these filters.</p>
          <button type="button" onClick={onClear}>Clear filters</button>
        </>
      ) : (
        <>
          <p>No tickets yet.</p>
          <a class="button primary" href={`projects/${projectId}/new`}>Create the first ticket</a>
        </>
      )}
    </div>
  );
}
