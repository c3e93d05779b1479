import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "../../generated/prisma/timeoff/client.js";

/** The timeoff service's own database; no other service connects to it. */
export type TimeoffDatabase = PrismaClient;
/** The same database inside an interactive transaction. */
export type TimeoffTransaction = Prisma.TransactionClient;

export function openTimeoffDatabase(url: string, poolSize: number): TimeoffDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
