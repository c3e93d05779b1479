import { PrismaPg } from "@prisma/adapter-pg";
import { type Prisma, PrismaClient } from "../../generated/prisma/identity/client.js";

/** The identity service's own database; no other service connects to it. */
export type IdentityDatabase = PrismaClient;
/** The same database inside an interactive transaction. */
export type IdentityTransaction = Prisma.TransactionClient;

export function openIdentityDatabase(url: string, poolSize: number): IdentityDatabase {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: poolSize }) });
}
