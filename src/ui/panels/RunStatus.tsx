/**
 * The toolbar's status line: during a run, where it is (node i/N, the node, step k/K or the
 * download in MB and MB/s, an ETA); otherwise the last run's outcome. Re-renders on its own, so
 * progress never re-renders the editor shell.
 */
import { useEffect, useState } from 'react';
import { useRunSnapshot } from '../run/useRunStore.ts';
import { runProgressLine } from '../run/progress.ts';

/** `waiting`: this tab's runs wait in the queue behind another tab's (shown instead of the last outcome). */
export function RunStatus({ title, waiting }: { title?: (nodeId: string) => string; waiting?: string }) {
  const snap = useRunSnapshot();
  const [now, setNow] = useState(() => performance.now());
  // The ETA counts down between progress events too.
  useEffect(() => {
    if (!snap.running) return;
    const t = setInterval(() => setNow(performance.now()), 500);
    return () => clearInterval(t);
  }, [snap.running]);
  const line = snap.running ? runProgressLine(snap, Math.max(now, performance.now()), title) : waiting ?? snap.message;
  return <span title={line}>{line}</span>;
}
