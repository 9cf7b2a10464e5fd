/**
 * Run `task(0)` to `task(count - 1)`, at most `concurrency` at a time, in order of index. After a failure no further
 * task starts; the first failure is rethrown once the tasks already started are done.
 */
export async function inTurns(
  count: number,
  concurrency: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < count && failure === undefined) {
      const index = next++;
      await task(index).catch((error: unknown) => {
        failure ??= { error };
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(count, concurrency) }, lane));
  if (failure) throw failure.error;
}
