import type { ContextNames } from "../names.js";

/** services/<service>/<context>/<aggregate>.ts: the aggregate root, pure (no Prisma, no gRPC, no I/O). */
export function domainSource(n: ContextNames): string {
  const A = n.Aggregate;
  return `import { ErrorReason } from "../../../generated/proto/hr/${n.context}/v1/error_reason.js";
import { failedPrecondition } from "../../../runtime/domain/domain-error.js";
import { FieldChecks } from "../../../runtime/domain/validation.js";

/**
 * ${A}, the aggregate root of the ${n.context} context: active → archived
 * (final and read-only). Pure: the caller passes \`now\`; every command
 * returns a new object and leaves its input as it was (the repository's
 * version check compares against it).
 */

export type ${A}Status = "active" | "archived";

export interface ${A} {
  id: string;
  tenantId: string;
  title: string;
  note: string;
  status: ${A}Status;
  version: number;
  createTime: string;
  updateTime: string;
}

export interface New${A} {
  id: string;
  tenantId: string;
  title: string;
  note: string;
}

/** Fields Update${A} may change; \`undefined\` leaves a field as it is. */
export interface ${A}Changes {
  title?: string;
  note?: string;
}

const subject = (id: string): string => \`${n.snakes}/\${id}\`;

export function create${A}(input: New${A}, now: string): ${A} {
  const checks = new FieldChecks();
  const title = checkTitle(checks, input.title);
  const note = checkNote(checks, input.note);
  checks.throwIfAny();
  const { id, tenantId } = input;
  return { id, tenantId, title, note, status: "active", version: 1, createTime: now, updateTime: now };
}

export function update${A}(current: ${A}, changes: ${A}Changes, now: string): ${A} {
  const checks = new FieldChecks();
  const title = changes.title === undefined ? current.title : checkTitle(checks, changes.title);
  const note = changes.note === undefined ? current.note : checkNote(checks, changes.note);
  checks.throwIfAny();
  refuseArchived(current);
  return { ...current, title, note, version: current.version + 1, updateTime: now };
}

export function archive${A}(current: ${A}, now: string): ${A} {
  refuseArchived(current);
  return { ...current, status: "archived", version: current.version + 1, updateTime: now };
}

function refuseArchived(current: ${A}): void {
  if (current.status === "archived") {
    const message = \`${n.noun} \${current.id} is ARCHIVED and read-only\`;
    throw failedPrecondition(ErrorReason.${n.SCREAMING}_ARCHIVED, subject(current.id), message);
  }
}

function checkTitle(checks: FieldChecks, raw: string): string {
  const title = raw.trim();
  checks.text("title", title, { min: 1, max: 200 });
  return title;
}

/**
 * A note spans lines: line breaks (stored as "\\n") and tabs are allowed,
 * other control characters are not, as everywhere else.
 */
function checkNote(checks: FieldChecks, raw: string): string {
  const note = raw.replace(/\\r\\n?/g, "\\n").trim();
  checks.text("note", note.replace(/[\\n\\t]/g, " "), { min: 0, max: 2000 });
  return note;
}
`;
}
