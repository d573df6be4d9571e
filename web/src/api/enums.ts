// The API's closed sets of values, in the order the UI offers them. Each list is checked against the
// contract's union at compile time: a value added to or dropped from the API fails `npm run check`.
import type { Schemas } from "./client";

export type Status = Schemas["TicketOut"]["status"];
export type Severity = Schemas["TicketOut"]["severity"];

/** Compiles only when `list` names every member of `Union` (and nothing else). */
type Exhaustive<Union, List extends readonly Union[]> = [Exclude<Union, List[number]>] extends [never] ? List : never;
function allOf<Union>() {
  return <const List extends readonly Union[]>(list: Exhaustive<Union, List>): List => list;
}

export const STATUSES = allOf<Status>()(["new", "acknowledged", "in_progress", "resolved", "closed", "deferred", "canceled"]);
export const SEVERITIES = allOf<Severity>()(["critical", "high", "medium", "low"]);
export const FINISHED: readonly Status[] = ["resolved", "closed", "canceled"];
