import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "../../generated/prisma/talent/client.js";

/** The talent service's own database; no other service connects to it. */
export type TalentDatabase = PrismaClient;
/** The same database inside an interactive transaction. */
export type TalentTransaction = Prisma.TransactionClient;

export function openTalentDatabase(url: string, poolSize: number): TalentDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
