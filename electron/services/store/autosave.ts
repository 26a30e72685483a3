// Autosave: after an edit, save once the user has paused for `delayMs`; flush on close.
// The host calls touch() on each edit; `save` reads the current document and writes it (one transaction).
export class Autosaver {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending = false;
  lastError: Error | null = null;

  constructor(
    private readonly save: () => void,
    private delayMs: number,
    private readonly onError: (e: Error) => void = () => {},
  ) {}

  /** Changes the delay; 0 turns autosave off (pending edits wait for flush or an explicit save). */
  setDelay(ms: number): void {
    this.delayMs = ms;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending && ms > 0) this.schedule();
  }

  touch(): void {
    this.pending = true;
    if (this.delayMs > 0) this.schedule();
  }

  get isPending(): boolean {
    return this.pending;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.flush(), this.delayMs);
  }

  /** Saves now if an edit is pending. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (!this.pending) return;
    this.pending = false;
    try {
      this.save();
      this.lastError = null;
    } catch (e) {
      this.pending = true;
      this.lastError = e as Error;
      this.onError(e as Error);
    }
  }

  /** Marks everything saved (after an explicit save) without saving. */
  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending = false;
  }

  dispose(): void {
    this.clear();
  }
}
