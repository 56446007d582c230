// Group commit for the elasticity loop's store writes. The first write goes out at once; writes submitted while
// a group is being written wait and go together as the next group, so an idle loop adds no latency and a burst
// of concurrent decisions costs a few statements per group instead of a few per decision. When a group write
// fails (e.g. one row's graph was removed meanwhile), each of its items is written on its own, so one bad row
// costs only itself, as it did before grouping.

/** Largest group: bounds one statement's size and one transaction's length. */
const MAX_GROUP = 500;

export class WriteGroups<T, R> {
  private queue: { item: T; resolve(r: R): void }[] = [];
  private writing = false;

  constructor(
    /** Writes a group; answers one result per item, in order. */
    private readonly writeMany: (items: T[]) => Promise<R[]>,
    /** Writes one item after its group failed; must not throw (it reports its own failure in R). */
    private readonly writeOne: (item: T) => Promise<R>,
    private readonly onGroupFailed: (err: unknown, size: number) => void,
  ) {}

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve) => {
      this.queue.push({ item, resolve });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.queue.splice(0, MAX_GROUP);
        let results: R[] | undefined;
        try {
          results = await this.writeMany(group.map((g) => g.item));
        } catch (err) {
          this.onGroupFailed(err, group.length);
        }
        if (results) group.forEach((g, i) => g.resolve(results[i]!));
        else for (const g of group) g.resolve(await this.writeOne(g.item));
      }
    } finally {
      this.writing = false;
    }
  }
}
