/**
 * Maps `items` through `call`, at most `size` calls in flight at once, and
 * returns the answers in the order of the items. Fanning out to a data
 * service one call per item must not open hundreds of calls at once.
 */
export async function inBatches<Item, Answer>(
  items: readonly Item[],
  size: number,
  call: (item: Item) => Promise<Answer>,
): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (let i = 0; i < items.length; i += size) {
    answers.push(...(await Promise.all(items.slice(i, i + size).map(call))));
  }
  return answers;
}
