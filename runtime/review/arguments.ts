/** What `npm run api:review -- --against <ref> | --since-release | --since-previous-release [--out <file>] [--fail-on-breaking]` was asked. */
export interface ReviewArguments {
  /**
   * What the working tree is compared with, through their merge base: a git
   * ref, or the commit that set the contracts package's current version
   * ("release") or the version before it ("previous-release"), see release-commits.ts.
   */
  against: { ref: string } | { since: "release" | "previous-release" };
  /** Where the report goes; standard output when unset. */
  out: string | undefined;
  /**
   * Exit 1 when the change may not ship as versioned: buf breaking found
   * something and a package under packages/ kept its major version, or a
   * package's version has no changelog entry (package-releases.ts).
   */
  failOnBreaking: boolean;
}

export const USAGE =
  "usage: npm run api:review -- (--against <ref> | --since-release | --since-previous-release) [--out <file>] [--fail-on-breaking]";

export function parseReviewArguments(args: readonly string[]): ReviewArguments {
  const bases: ReviewArguments["against"][] = [];
  let out: string | undefined;
  let failOnBreaking = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = () => {
      const next = args[++i];
      if (next === undefined || next.startsWith("--")) throw new Error(`${arg} needs a value\n${USAGE}`);
      return next;
    };
    if (arg === "--against") bases.push({ ref: value() });
    else if (arg === "--since-release") bases.push({ since: "release" });
    else if (arg === "--since-previous-release") bases.push({ since: "previous-release" });
    else if (arg === "--out") out = value();
    else if (arg === "--fail-on-breaking") failOnBreaking = true;
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  const [against, ...more] = bases;
  if (against === undefined) throw new Error(`what to compare with is required\n${USAGE}`);
  if (more.length > 0) throw new Error(`compare with one thing at a time\n${USAGE}`);
  return { against, out, failOnBreaking };
}
