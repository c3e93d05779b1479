/**
 * Every spelling of a new context's names that its files use, derived once
 * from the context name ("training") and its aggregate ("Training",
 * "JobOpening"), so templates never derive a name twice in two ways.
 */
export interface ContextNames {
  /** The context: proto package segment, service folder, test file names ("requisition"). */
  context: string;
  /** The aggregate root as a type ("JobOpening"). */
  Aggregate: string;
  /** Plural of the aggregate as a type ("JobOpenings"): List methods. */
  Aggregates: string;
  /** First letter lower-cased: Prisma's client property and ts-proto's message fields ("jobOpening"). */
  aggregate: string;
  /** Plural, first letter lower-cased: the list response field and the test client ("jobOpenings"). */
  aggregates: string;
  /** snake_case: proto fields and files ("job_opening"). */
  snake: string;
  /** Plural snake_case: the table and the list response field ("job_openings"). */
  snakes: string;
  /** UPPER_SNAKE: enum values and error reasons ("JOB_OPENING"). */
  SCREAMING: string;
  /** kebab-case: the context's TypeScript files ("job-opening"). */
  kebab: string;
  /** As test names and comments say it ("job opening"), and its plural. */
  noun: string;
  nouns: string;
  /** The proto package ("hr.requisition.v1") and the service's full name. */
  protoPackage: string;
  Service: string;
  serviceFullName: string;
}

export const CONTEXT_NAME = /^[a-z]{2,30}$/;
export const AGGREGATE_NAME = /^[A-Z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$/;

/** "Training" from "training": the default aggregate name. */
export function pascalCase(context: string): string {
  return context.charAt(0).toUpperCase() + context.slice(1);
}

/** English plural of the last word, the common rules only ("Opening" → "Openings", "Survey" → "Surveys", "Policy" → "Policies"). */
export function plural(word: string): string {
  if (/[^aeiou]y$/i.test(word)) return `${word.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(word)) return `${word}es`;
  return `${word}s`;
}

function wordsOf(pascal: string): string[] {
  return pascal.match(/[A-Z][a-z0-9]*/g) ?? [pascal];
}

export function contextNames(context: string, Aggregate: string): ContextNames {
  const Aggregates = plural(Aggregate);
  const lower = (words: string[]) => words.map((w) => w.toLowerCase());
  const words = lower(wordsOf(Aggregate));
  const pluralWords = lower(wordsOf(Aggregates));
  const Service = `${Aggregate}Service`;
  const protoPackage = `hr.${context}.v1`;
  return {
    context,
    Aggregate,
    Aggregates,
    aggregate: Aggregate.charAt(0).toLowerCase() + Aggregate.slice(1),
    aggregates: Aggregates.charAt(0).toLowerCase() + Aggregates.slice(1),
    snake: words.join("_"),
    snakes: pluralWords.join("_"),
    SCREAMING: words.join("_").toUpperCase(),
    kebab: words.join("-"),
    noun: words.join(" "),
    nouns: pluralWords.join(" "),
    protoPackage,
    Service,
    serviceFullName: `${protoPackage}.${Service}`,
  };
}
