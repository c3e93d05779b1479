/**
 * Options of every interactive transaction. Commands on one aggregate can
 * queue on its lock (a row lock, a tenant's tree lock), so in a burst a
 * transaction may wait for many others: allow longer than Prisma's defaults
 * (2 s to start, 5 s to finish), yet less than the 12 s deadline of a call.
 */
export const TRANSACTION_OPTIONS = { maxWait: 10_000, timeout: 10_000 };
