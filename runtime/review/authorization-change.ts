import type { JsonObject, JsonValue } from "@bufbuild/protobuf";

/**
 * How an (hr.auth.v1.authorization) rule changed, in the words a reviewer
 * approves: which roles reach further or less far, whether the method went
 * public. Semantics as proto/hr/auth/v1/authorization.proto states them: a
 * role in `allow` reaches any resource of the tenant, in `allow_own` its
 * own resources only; `public` needs no token; `deny_own` forbids the
 * caller's own resources; a method without a rule refuses every call.
 */

export interface RuleChange {
  /** "loosened", "tightened", "loosened and tightened", or "changed" when only fields unknown here moved. */
  verdict: string;
  /** Why, one line per role or flag. */
  reasons: string[];
}

const KNOWN_FIELDS = new Set(["allow", "allow_own", "deny_own", "public"]);

/** The rule on one line, or what its absence means. */
export function describeRule(rule: JsonObject | undefined): string {
  if (rule === undefined) return "no rule (every call refused)";
  const parts = Object.keys(rule)
    .sort()
    .map((key) => {
      const value = rule[key];
      if (value === true) return key;
      if (Array.isArray(value)) return `${key}: [${value.join(", ")}]`;
      return `${key}: ${JSON.stringify(value)}`;
    });
  return parts.length === 0 ? "empty rule (nobody allowed)" : parts.join("; ");
}

export function compareRules(before: JsonObject | undefined, after: JsonObject | undefined): RuleChange {
  if (before === undefined)
    return { verdict: "loosened", reasons: ["a rule now exists: before it, every call was refused"] };
  if (after === undefined) return { verdict: "tightened", reasons: ["the rule is gone: every call is now refused"] };
  const loosened: string[] = [];
  const tightened: string[] = [];
  const roles = [...new Set([...roleList(before), ...roleList(after)])].sort();
  for (const role of roles) {
    const from = reach(before, role);
    const to = reach(after, role);
    if (from === to) continue;
    const line = `${role}: ${REACH_WORDS[from]} → ${REACH_WORDS[to]}`;
    (to > from ? loosened : tightened).push(line);
  }
  flag(before, after, "public", "public (no token needed)", loosened, tightened);
  // deny_own forbids: turning it on tightens.
  flag(before, after, "deny_own", "deny_own (not on one's own resources)", tightened, loosened);
  const unknown = [...new Set([...Object.keys(before), ...Object.keys(after)])]
    .filter((key) => !KNOWN_FIELDS.has(key) && JSON.stringify(before[key]) !== JSON.stringify(after[key]))
    .sort()
    .map((key) => `${key} changed: review by hand`);
  const verdict =
    loosened.length > 0 && tightened.length > 0
      ? "loosened and tightened"
      : loosened.length > 0
        ? "loosened"
        : tightened.length > 0
          ? "tightened"
          : "changed";
  return { verdict, reasons: [...loosened, ...tightened, ...unknown] };
}

/** 0: not allowed, 1: own resources only, 2: any resource of the tenant. */
type Reach = 0 | 1 | 2;
const REACH_WORDS: Readonly<Record<Reach, string>> = { 0: "not allowed", 1: "own resources", 2: "any resource" };

function roleList(rule: JsonObject): string[] {
  return [...strings(rule.allow), ...strings(rule.allow_own)];
}

function reach(rule: JsonObject, role: string): Reach {
  if (strings(rule.allow).includes(role)) return 2;
  if (strings(rule.allow_own).includes(role)) return 1;
  return 0;
}

function strings(value: JsonValue | undefined): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Files a boolean's change under `whenOn` when it was turned on, `whenOff` when turned off. */
function flag(before: JsonObject, after: JsonObject, key: string, words: string, whenOn: string[], whenOff: string[]) {
  const from = before[key] === true;
  const to = after[key] === true;
  if (from !== to) (to ? whenOn : whenOff).push(`${words}: ${from ? "on" : "off"} → ${to ? "on" : "off"}`);
}
