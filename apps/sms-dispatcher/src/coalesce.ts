/**
 * Gathers single calls into groups for one `flush` each (one SQL statement, one Kafka write): an item waits at
 * most `delayMs` for others to join it, a group holds at most `maxItems`, and at most `maxInFlight` flushes run
 * at once; items that arrive while they run go in the next group as soon as one ends. `flush` answers each
 * item, in order; if it throws, every item of its group gets the error.
 */
export function createCoalescer<I, O>(
  flush: (items: I[]) => Promise<O[]>,
  options: { delayMs: number; maxItems: number; maxInFlight: number },
): (item: I) => Promise<O> {
  let queue: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let due = false;
  let inFlight = 0;

  function schedule(): void {
    if (queue.length === 0) return;
    if (due || queue.length >= options.maxItems) return run();
    timer ??= setTimeout(() => {
      timer = undefined;
      due = true;
      run();
    }, options.delayMs);
  }

  function run(): void {
    if (inFlight >= options.maxInFlight || queue.length === 0) return;
    clearTimeout(timer);
    timer = undefined;
    due = false;
    const group = queue.length <= options.maxItems ? queue : queue.slice(0, options.maxItems);
    queue = queue.length <= options.maxItems ? [] : queue.slice(options.maxItems);
    inFlight += 1;
    flush(group.map((g) => g.item)).then(
      (answers) => {
        for (let i = 0; i < group.length; i++) group[i]!.resolve(answers[i]!);
      },
      (error: unknown) => {
        for (const g of group) g.reject(error);
      },
    ).finally(() => {
      inFlight -= 1;
      // What arrived meanwhile has waited at least a flush: it goes now.
      if (queue.length > 0) due = true;
      schedule();
    });
    schedule();
  }

  return (item) =>
    new Promise<O>((resolve, reject) => {
      queue.push({ item, resolve, reject });
      schedule();
    });
}
