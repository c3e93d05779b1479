/** What `npm run api:review -- --against <ref> [--out <file>] [--fail-on-breaking]` was asked. */
export interface ReviewArguments {
  /** The ref the working tree is compared with, through their merge base. */
  against: string;
  /** Where the report goes; standard output when unset. */
  out: string | undefined;
  /**
   * Exit 1 when the change may not ship as versioned: buf breaking found
   * something and packages/contracts kept its major version, or the
   * package's version has no changelog entry (contracts-release.ts).
   */
  failOnBreaking: boolean;
}

export const USAGE = "usage: npm run api:review -- --against <ref> [--out <file>] [--fail-on-breaking]";

export function parseReviewArguments(args: readonly string[]): ReviewArguments {
  let against: string | undefined;
  let out: string | undefined;
  let failOnBreaking = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined || next.startsWith("--")) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--against") against = value();
    else if (arg === "--out") out = value();
    else if (arg === "--fail-on-breaking") failOnBreaking = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  if (against === undefined) throw new Error(`--against is required\n${USAGE}`);
  return { against, out, failOnBreaking };
}
