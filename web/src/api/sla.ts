// The SLA policy: targets per severity, business hours, and whether deferred tickets pause the clocks.
import { http, inProject, type Schemas, send } from "./client";

export type SlaPolicy = Schemas["SlaPolicyOut"];
export type SlaPolicyIn = Schemas["SlaPolicyIn"];
export type Sla = Schemas["SlaOut"];
export type SlaTarget = Schemas["SlaTarget"];
export type TargetIn = Schemas["TargetIn"];
export type Weekday = Schemas["BusinessHoursOut"]["working_days"][number];

export function getSlaPolicy() {
  return send(() => http().GET("/v1/ce/projects/{project_id}/sla-policy", { params: { path: inProject() } }));
}

export function putSlaPolicy(body: SlaPolicyIn) {
  // The document's rule that targets counting business hours need business hours comes out as a union
  // that the client's read-only request typing cannot match; the shape is SlaPolicyIn's all the same.
  return send(() => http().PUT("/v1/ce/projects/{project_id}/sla-policy", { params: { path: inProject() }, body: body as never }));
}
