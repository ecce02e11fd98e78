import { indexAfterRestore, type Applier, type StateMachine } from './applier.js';

/** `-dev`: commands are applied at once, nothing is written to disk. */
export class MemoryApplier<C, R> implements Applier<C, R> {
  #index = 0;
  constructor(private readonly fsm: StateMachine<C, R>) {}

  get lastIndex(): number {
    return this.#index;
  }

  apply(command: C): Promise<R> {
    try {
      return Promise.resolve(this.fsm.apply(++this.#index, command));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  async restore(snapshot: unknown): Promise<void> {
    this.fsm.restore(snapshot);
    // Restore does not rewind the log: the next command still gets a higher index.
    this.#index = indexAfterRestore(this.#index, this.fsm);
  }

  async close(): Promise<void> {}
}
