// A FIFO async mutex: PGlite is one PostgreSQL session, so one caller at a time may use it, and a
// transaction keeps it from BEGIN to COMMIT/ROLLBACK.

export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves with a release function once every earlier holder has released. */
  acquire(): Promise<() => void> {
    let unlock!: () => void;
    const held = new Promise<void>((resolve) => (unlock = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    return previous.then(() => {
      let released = false;
      return () => {
        if (!released) {
          released = true;
          unlock();
        }
      };
    });
  }
}
