/**
 * The blessed way to start calls together and look at them later: `calls`
 * are observed from the moment they are handed over (none can reject
 * unobserved, which vitest counts as a failed run), and the promise
 * resolves, never rejects, once all have settled, giving the same calls
 * back in order. Await each, or `expectError` it, afterwards:
 *
 *   const [read, write] = await settled([client.get(...), client.update(...)]);
 *   await expectError(write, Status.ABORTED);
 *
 * To hold one call in flight while the test does other things:
 *
 *   const inFlight = settled([client.get(...)]);
 *   ...other awaits...
 *   const [answer] = await inFlight;
 */
export async function settled<T extends readonly Promise<unknown>[]>(calls: readonly [...T]): Promise<T> {
  await Promise.allSettled(calls);
  return calls as T;
}
