import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "../../generated/prisma/people/client.js";

/** The people service's own database; no other service connects to it. */
export type PeopleDatabase = PrismaClient;
/** The same database inside an interactive transaction. */
export type PeopleTransaction = Prisma.TransactionClient;

export function openPeopleDatabase(url: string, poolSize: number): PeopleDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
