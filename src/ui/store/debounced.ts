/** A write that waits until changes have paused for `delayMs` (autosaves), or runs now on flush. */
export interface Debounced {
  /** (Re)starts the wait. */
  schedule(): void;
  /** Runs now whatever is waiting. */
  flush(): Promise<void>;
  /** Drops the wait. */
  cancel(): void;
}

export function debounced(write: () => Promise<void>, delayMs: number): Debounced {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    schedule() {
      cancel();
      timer = setTimeout(() => {
        timer = undefined;
        void write();
      }, delayMs);
    },
    flush() {
      cancel();
      return write();
    },
    cancel,
  };
}
