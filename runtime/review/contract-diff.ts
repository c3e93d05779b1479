import type { JsonObject } from "@bufbuild/protobuf";
import { compareRules, type RuleChange } from "./authorization-change.js";
import { type ContractElement, type ContractModel, KIND_ORDER } from "./contract-model.js";

/** What changed between two contracts, each list in a stable order (package, kind, name). */
export interface ContractDiff {
  elements: ElementChange[];
  methodOptions: MethodOptionChange[];
  privacy: PrivacyChange[];
  errorReasons: ErrorReasonChange[];
  /** Methods whose callers a reviewer should look at: changed or removed, or their request or response changed. */
  affectedMethods: AffectedMethod[];
}

export interface AttributeChange {
  name: string;
  before: string;
  after: string;
}

export interface ElementChange {
  change: "added" | "removed" | "changed";
  element: ContractElement;
  before: ContractElement | undefined;
  after: ContractElement | undefined;
  attributes: AttributeChange[];
  commentChanged: boolean;
}

export interface MethodOptionChange {
  method: ContractElement;
  /** True for a method the base did not have: its options are shown, not compared. */
  isNew: boolean;
  idempotency: { before: string; after: string } | undefined;
  authorization: { before: JsonObject | undefined; after: JsonObject | undefined; change: RuleChange } | undefined;
}

export interface PrivacyChange {
  field: ContractElement;
  isNew: boolean;
  added: string[];
  removed: string[];
}

export interface ErrorReasonChange {
  package: string;
  added: string[];
  removed: string[];
}

export interface AffectedMethod {
  method: ContractElement;
  reasons: string[];
}

export function diffContracts(before: ContractModel, after: ContractModel): ContractDiff {
  const keys = [...new Set([...before.keys(), ...after.keys()])];
  const elements: ElementChange[] = [];
  for (const key of keys) {
    const change = compareElement(before.get(key), after.get(key));
    if (change !== undefined) elements.push(change);
  }
  elements.sort((a, b) => compareOrder(a.element, b.element));
  const present = (model: ContractModel) => [...model.values()].sort(compareOrder);
  const afterElements = present(after);
  return {
    elements,
    methodOptions: afterElements.flatMap((method) => methodOptionChange(before.get(keyOfElement(method)), method)),
    privacy: afterElements.flatMap((field) => privacyChange(before.get(keyOfElement(field)), field)),
    errorReasons: errorReasonChanges(elements),
    affectedMethods: affectedMethods(before, after, elements),
  };
}

function keyOfElement(element: ContractElement): string {
  return `${element.kind} ${element.name}`;
}

export function compareOrder(a: ContractElement, b: ContractElement): number {
  return (
    a.package.localeCompare(b.package) ||
    KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

function compareElement(before: ContractElement | undefined, after: ContractElement | undefined) {
  if (before === undefined && after === undefined) return undefined;
  if (before === undefined || after === undefined) {
    const element = (after ?? before) as ContractElement;
    const change = after === undefined ? "removed" : "added";
    return { change, element, before, after, attributes: [], commentChanged: false } satisfies ElementChange;
  }
  const names = [...new Set([...Object.keys(before.attributes), ...Object.keys(after.attributes)])];
  const attributes = names
    .map((name) => ({ name, before: before.attributes[name] ?? "(none)", after: after.attributes[name] ?? "(none)" }))
    .filter((attribute) => attribute.before !== attribute.after);
  const commentChanged = (before.comment ?? "") !== (after.comment ?? "");
  if (attributes.length === 0 && !commentChanged) return undefined;
  return { change: "changed", element: after, before, after, attributes, commentChanged } satisfies ElementChange;
}

function methodOptionChange(before: ContractElement | undefined, after: ContractElement): MethodOptionChange[] {
  if (after.kind !== "method") return [];
  const beforeIdempotency = before?.idempotency ?? "(new method)";
  const afterIdempotency = after.idempotency ?? "";
  const idempotency =
    before === undefined || beforeIdempotency !== afterIdempotency
      ? { before: beforeIdempotency, after: afterIdempotency }
      : undefined;
  const sameRule = JSON.stringify(before?.authorization) === JSON.stringify(after.authorization);
  const authorization =
    before === undefined || !sameRule
      ? {
          before: before?.authorization,
          after: after.authorization,
          change: compareRules(before?.authorization, after.authorization),
        }
      : undefined;
  if (idempotency === undefined && authorization === undefined) return [];
  return [{ method: after, isNew: before === undefined, idempotency, authorization }];
}

function privacyChange(before: ContractElement | undefined, after: ContractElement): PrivacyChange[] {
  if (after.kind !== "field") return [];
  const was = before?.privacy ?? [];
  const is = after.privacy ?? [];
  const added = is.filter((mark) => !was.includes(mark));
  const removed = was.filter((mark) => !is.includes(mark));
  if (added.length === 0 && removed.length === 0) return [];
  return [{ field: after, isNew: before === undefined, added, removed }];
}

/** Values of each package's ErrorReason enum added or removed: the reasons clients switch on. */
function errorReasonChanges(elements: readonly ElementChange[]): ErrorReasonChange[] {
  const byPackage = new Map<string, ErrorReasonChange>();
  for (const { change, element } of elements) {
    if (element.kind !== "enum value" || change === "changed") continue;
    if (!element.name.startsWith(`${element.package}.ErrorReason.`)) continue;
    let entry = byPackage.get(element.package);
    if (entry === undefined) {
      entry = { package: element.package, added: [], removed: [] };
      byPackage.set(element.package, entry);
    }
    const value = element.name.slice(`${element.package}.ErrorReason.`.length);
    (change === "added" ? entry.added : entry.removed).push(value);
  }
  return [...byPackage.values()];
}

/** The type a field or enum value belongs to, or the type itself. */
function typeOf(element: ContractElement): string | undefined {
  if (element.kind === "field" || element.kind === "enum value")
    return element.name.slice(0, element.name.lastIndexOf("."));
  if (element.kind === "message" || element.kind === "enum") return element.name;
  return undefined;
}

function affectedMethods(before: ContractModel, after: ContractModel, elements: readonly ElementChange[]) {
  // Types whose wire shape changed (a comment alone changes nothing for a caller).
  const changedTypes = new Set<string>();
  for (const change of elements) {
    if (change.change === "changed" && change.attributes.length === 0) continue;
    const type = typeOf(change.element);
    if (type !== undefined) changedTypes.add(type);
  }
  const affected: AffectedMethod[] = [];
  for (const change of elements) {
    if (change.element.kind !== "method" || change.change === "added") continue;
    const reasons =
      change.change === "removed"
        ? ["removed"]
        : [
            ...change.attributes.map((a) => `${a.name} ${a.before} → ${a.after}`),
            ...(change.commentChanged ? ["comment changed"] : []),
          ];
    affected.push({ method: change.element, reasons });
  }
  for (const method of [...after.values()].sort(compareOrder)) {
    const was = before.get(keyOfElement(method));
    // New methods have no callers to review yet.
    if (method.kind !== "method" || was === undefined) continue;
    const reasons: string[] = [];
    if (was.idempotency !== method.idempotency) reasons.push("idempotency_level changed");
    if (JSON.stringify(was.authorization) !== JSON.stringify(method.authorization)) {
      reasons.push("authorization rule changed");
    }
    const [request, response] = method.references;
    for (const [role, type] of [
      ["request", request],
      ["response", response],
    ] as const) {
      const through = type === undefined ? undefined : changedTypeReached(type, after, changedTypes);
      if (through !== undefined) reasons.push(`${role} ${type} changes (${through})`);
    }
    if (reasons.length === 0) continue;
    const entry = affected.find((a) => a.method.name === method.name);
    if (entry !== undefined) entry.reasons.push(...reasons);
    else affected.push({ method, reasons });
  }
  return affected.sort((a, b) => compareOrder(a.method, b.method));
}

/** The first changed type `type` is or contains (through its fields, transitively), or undefined. */
function changedTypeReached(type: string, model: ContractModel, changed: ReadonlySet<string>): string | undefined {
  const seen = new Set<string>();
  const queue = [type];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (seen.has(next)) continue;
    seen.add(next);
    if (changed.has(next)) return next;
    queue.push(...(model.get(`message ${next}`)?.references ?? []));
  }
  return undefined;
}
