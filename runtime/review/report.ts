import { describeRule } from "./authorization-change.js";
import type { BufFindings } from "./buf.js";
import type { CallerGroup } from "./callers.js";
import type { ContractDiff, ElementChange } from "./contract-diff.js";
import type { ContractElement } from "./contract-model.js";
import { code, fenced, quoted } from "./markdown.js";
import type { OpenApiDiff } from "./openapi-diff.js";
import type { VersionVerdict } from "./package-releases.js";

/** Everything the report shows; rendering adds nothing that varies between runs (no times, no temp paths). */
export interface ReviewFindings {
  against: string;
  mergeBase: string;
  lint: BufFindings;
  breaking: BufFindings;
  /** The packages' version rule, given the breaking findings. */
  version: VersionVerdict;
  diff: ContractDiff;
  /** Per affected method's full name: the files that call it, by group. */
  callers: ReadonlyMap<string, Record<CallerGroup, string[]>>;
  /** Per client method name declared by more than one service: those methods' paths. */
  sharedClientNames: ReadonlyMap<string, string[]>;
  /** The committed OpenAPI document's change. */
  openApi: OpenApiDiff;
}

export function hasContractChange(diff: ContractDiff): boolean {
  return diff.elements.length > 0 || diff.methodOptions.length > 0 || diff.privacy.length > 0;
}

export function renderReport(findings: ReviewFindings): string {
  const { diff } = findings;
  const lines = [
    "# API review",
    "",
    `The working tree against ${code(findings.against)}, through their merge base ${code(findings.mergeBase)}.`,
    "",
    summary(findings),
    "",
    "## 1. buf lint",
    "",
    ...(findings.lint.length === 0 ? ["none"] : fenced(findings.lint)),
    "",
    "## 2. buf breaking against the merge base",
    "",
    ...(findings.breaking.length === 0 ? ["none"] : fenced(findings.breaking)),
    "",
    ...findings.version.messages.map((message) => `**Version:** ${message}.`),
    "",
    "## 3. Services, methods, messages, fields, enums and values",
    "",
    ...elementsSection(diff.elements),
    "## 4. Method options: idempotency level and authorization",
    "",
    ...methodOptionsSection(diff),
    "",
    "## 5. Privacy marks",
    "",
    ...privacySection(diff),
    "",
    "## 6. Error reasons",
    "",
    ...errorReasonsSection(diff),
    "",
    "## 7. Callers of changed or removed methods",
    "",
    ...callersSection(findings),
    "",
    "## 8. The OpenAPI document (generated/openapi.json)",
    "",
    ...openApiSection(findings.openApi),
  ];
  return `${lines.join("\n").trimEnd()}\n`;
}

function summary({ diff, breaking }: ReviewFindings): string {
  if (!hasContractChange(diff)) return "**No contract change** between the merge base and the working tree.";
  const count = (change: ElementChange["change"]) => diff.elements.filter((e) => e.change === change).length;
  return [
    `**${count("added")} added, ${count("removed")} removed, ${count("changed")} changed** elements;`,
    `${diff.methodOptions.length} method option change(s), ${diff.privacy.length} privacy mark change(s),`,
    `${breaking.length} breaking finding(s), ${diff.affectedMethods.length} method(s) whose callers to check.`,
  ].join(" ");
}

function elementsSection(changes: readonly ElementChange[]): string[] {
  if (changes.length === 0) return ["none", ""];
  const lines: string[] = [];
  let pkg: string | undefined;
  for (const change of changes) {
    if (change.element.package !== pkg) {
      if (pkg !== undefined) lines.push("");
      pkg = change.element.package;
      lines.push(`### ${pkg}`, "");
    }
    lines.push(...elementLines(change));
  }
  return [...lines, ""];
}

function elementLines(change: ElementChange): string[] {
  const { element } = change;
  const head = `- **${change.change}** ${element.kind} ${code(element.name)}`;
  if (change.change === "added")
    return [`${head}${shape(element)}`, "  - comment:", ...quoted(element.comment, "    ")];
  if (change.change === "removed") {
    return [`${head}${shape(element)}`, "  - comment before:", ...quoted(element.comment, "    ")];
  }
  const what = change.attributes.map((a) => `${a.name} ${code(a.before)} → ${code(a.after)}`);
  if (change.commentChanged) what.push("comment");
  const lines = [`${head}: ${what.join("; ")}`];
  if (change.commentChanged) {
    lines.push("  - comment before:", ...quoted(change.before?.comment, "    "));
    lines.push("  - comment after:", ...quoted(change.after?.comment, "    "));
  }
  return lines;
}

/** An element's attributes in a parenthesis, for an added or removed one. */
function shape(element: ContractElement): string {
  const parts = Object.entries(element.attributes)
    .filter(([, value]) => value !== "(none)")
    .map(([name, value]) => `${name} ${code(value)}`);
  return parts.length === 0 ? "" : ` (${parts.join(", ")})`;
}

function methodOptionsSection(diff: ContractDiff): string[] {
  if (diff.methodOptions.length === 0) return ["none"];
  const lines: string[] = [];
  for (const option of diff.methodOptions) {
    lines.push(`- ${code(option.method.path ?? option.method.name)}${option.isNew ? " (new method)" : ""}`);
    if (option.idempotency !== undefined) {
      lines.push(
        option.isNew
          ? `  - idempotency_level: ${code(option.idempotency.after)}`
          : `  - idempotency_level: ${code(option.idempotency.before)} → ${code(option.idempotency.after)}`,
      );
    }
    const rule = option.authorization;
    if (rule === undefined) continue;
    if (option.isNew) {
      lines.push(`  - authorization: ${code(describeRule(rule.after))}`);
      continue;
    }
    lines.push(`  - authorization: ${code(describeRule(rule.before))} → ${code(describeRule(rule.after))}`);
    lines.push(`  - **${rule.change.verdict}**`, ...rule.change.reasons.map((reason) => `    - ${reason}`));
  }
  return lines;
}

function privacySection(diff: ContractDiff): string[] {
  if (diff.privacy.length === 0) return ["none"];
  return diff.privacy.map((change) => {
    const parts = [
      ...change.added.map((mark) => `${mark} added${change.isNew ? " (new field)" : ""}`),
      ...change.removed.map(
        (mark) => `**${mark} removed: flagged**, logs and captures will now write this field's value`,
      ),
    ];
    return `- ${code(change.field.name)}: ${parts.join("; ")}`;
  });
}

function errorReasonsSection(diff: ContractDiff): string[] {
  if (diff.errorReasons.length === 0) return ["none"];
  return diff.errorReasons.map((reasons) => {
    const parts = [
      ...(reasons.added.length > 0 ? [`added ${reasons.added.map(code).join(", ")}`] : []),
      ...(reasons.removed.length > 0
        ? [`**removed ${reasons.removed.map(code).join(", ")}** (clients may switch on them)`]
        : []),
    ];
    return `- ${code(`${reasons.package}.ErrorReason`)}: ${parts.join("; ")}`;
  });
}

const GROUP_TITLES: Readonly<Record<CallerGroup, string>> = {
  apps: "apps",
  packages: "packages",
  services: "services",
  runtime: "runtime",
  test: "tests",
};

function callersSection(findings: ReviewFindings): string[] {
  const { affectedMethods } = findings.diff;
  if (affectedMethods.length === 0) return ["none"];
  const lines = [
    "Found by text: a call of the generated client's method (the rpc's name in lowerCamelCase, then `(`) or the method's path.",
    "",
  ];
  for (const { method, reasons } of affectedMethods) {
    lines.push(`### ${code(method.path ?? method.name)}`, "", `Why: ${reasons.join("; ")}.`, "");
    const shared = findings.sharedClientNames.get(method.clientName ?? "");
    if (shared !== undefined) {
      const others = shared.filter((path) => path !== method.path).map(code);
      lines.push(
        `${code(`.${method.clientName}(`)} is also the client name of ${others.join(", ")}: check each match.`,
        "",
      );
    }
    const callers = findings.callers.get(method.name);
    for (const [group, title] of Object.entries(GROUP_TITLES) as [CallerGroup, string][]) {
      const files = callers?.[group] ?? [];
      lines.push(`- ${title}: ${files.length === 0 ? "none" : files.map(code).join(", ")}`);
    }
    lines.push("");
  }
  return lines;
}

function openApiSection(diff: OpenApiDiff): string[] {
  if (diff.missing !== undefined) return [diff.missing];
  if (diff.lines.length === 0) return ["unchanged"];
  const lines = fenced(diff.lines, "diff");
  return diff.omitted > 0 ? [...lines, "", `${diff.omitted} more line(s) of diff not shown.`] : lines;
}
