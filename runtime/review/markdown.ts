// Small Markdown helpers for the review report.

/** Inline code; a backtick inside is rare in proto names but would break the span. */
export function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A fenced block of verbatim lines (tool output), its fence longer than any run of backticks inside. */
export function fenced(lines: readonly string[], language = "text"): string[] {
  const longest = Math.max(2, ...lines.flatMap((line) => (line.match(/`+/g) ?? []).map((run) => run.length)));
  const fence = "`".repeat(longest + 1);
  return [`${fence}${language}`, ...lines, fence];
}

/** A quoted comment, indented to sit under a list item; "(no comment)" when there is none. */
export function quoted(text: string | undefined, indent: string): string[] {
  if (text === undefined) return [`${indent}(no comment)`];
  return text.split("\n").map((line) => `${indent}> ${line}`.trimEnd());
}
