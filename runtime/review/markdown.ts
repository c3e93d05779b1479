// Small Markdown helpers for the review report.

/** Inline code; a backtick inside is rare in proto names but would break the span. */
export function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A fenced block of verbatim lines (tool output). */
export function fenced(lines: readonly string[]): string[] {
  return ["```text", ...lines, "```"];
}

/** A quoted comment, indented to sit under a list item; "(no comment)" when there is none. */
export function quoted(text: string | undefined, indent: string): string[] {
  if (text === undefined) return [`${indent}(no comment)`];
  return text.split("\n").map((line) => `${indent}> ${line}`.trimEnd());
}
