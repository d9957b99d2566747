/**
 * Progress as people read it: node i/N, step k/K with an ETA while sampling, and model downloads
 * in MB and MB/s rather than raw byte counts. Pure functions over the run snapshot.
 */
import type { NodeStatus, RunSnapshot } from './runStore.ts';

const MB = 1024 * 1024;

/** "12.3 MB" (one decimal under 100 MB); files under 1 MB in KB ("39 KB"), so none reads "0.0 MB". */
export function formatMB(bytes: number): string {
  if (bytes < MB) return `${Math.max(0, Math.round(bytes / 1024))} KB`;
  const mb = bytes / MB;
  return `${mb < 100 ? mb.toFixed(1) : mb.toFixed(0)} MB`;
}

/** "12.3 / 45.0 MB", or "12 KB / 2.0 MB" when the units differ. */
function sizePair(loaded: number, total: number): string {
  const a = formatMB(loaded);
  const b = formatMB(total);
  const unit = b.slice(b.lastIndexOf(' '));
  return a.endsWith(unit) ? `${a.slice(0, -unit.length)} / ${b}` : `${a} / ${b}`;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Rate and time left of one node's progress, from when its progress began. */
function rateOf(status: NodeStatus, now: number): { perMs: number; etaMs?: number } | undefined {
  const p = status.progress;
  if (!p || status.progressSince === undefined) return undefined;
  const elapsed = now - status.progressSince;
  const done = p.value - (status.progressFrom ?? 0);
  if (elapsed <= 0 || done <= 0) return undefined;
  const perMs = done / elapsed;
  return { perMs, etaMs: p.max > p.value ? (p.max - p.value) / perMs : 0 };
}

/** One node's progress: "7/20", or for a download "12.3 / 45 MB · 3.2 MB/s". */
export function progressText(status: NodeStatus, now: number): string {
  const p = status.progress;
  if (!p) return '';
  if (p.unit !== 'bytes') return `${p.value}/${p.max}`;
  const rate = rateOf(status, now);
  return `${sizePair(p.value, p.max)}${rate ? ` · ${formatMB(rate.perMs * 1000)}/s` : ''}`;
}

/**
 * The toolbar's line during a run: "node 9/17 · denoise · step 7/20 · ETA 3 s", or
 * "node 1/17 · load · ↓ 12.3 / 45.0 MB · 3.2 MB/s · ETA 11 s" (↓: downloading).
 */
export function runProgressLine(snap: Pick<RunSnapshot, 'running' | 'nodes'>, now: number, title: (id: string) => string = (id) => id): string {
  const entries = Object.entries(snap.nodes);
  const total = entries.length;
  if (!snap.running) return '';
  if (total === 0) return 'Starting…';
  const finished = entries.filter(([, s]) => s.state === 'done' || s.state === 'cached' || s.state === 'error').length;
  const running = entries.filter(([, s]) => s.state === 'running');
  // The node whose progress says most: a download or the sampling loop, else the latest started.
  const withProgress = running.filter(([, s]) => s.progress).sort((a, b) => (b[1].startedAt ?? 0) - (a[1].startedAt ?? 0));
  const current = withProgress[0] ?? running.sort((a, b) => (b[1].startedAt ?? 0) - (a[1].startedAt ?? 0))[0];
  const parts = [`node ${Math.min(total, finished + 1)}/${total}`];
  if (current) {
    const [id, status] = current;
    parts.push(title(id));
    if (status.progress) {
      parts.push(status.progress.unit === 'bytes' ? `↓ ${progressText(status, now)}` : `step ${status.progress.value}/${status.progress.max}`);
      const eta = rateOf(status, now)?.etaMs;
      if (eta !== undefined && eta > 0) parts.push(`ETA ${formatDuration(eta)}`);
    }
  }
  return parts.join(' · ');
}

/** A download's line: "12.3 / 45 MB (27%) · 3.2 MB/s" (total and rate when known). */
export function downloadText(loaded: number, total: number | undefined, elapsedMs: number, fromBytes = 0): string {
  const size = total ? `${sizePair(loaded, total)} (${Math.floor((100 * loaded) / total)}%)` : formatMB(loaded);
  const rate = elapsedMs > 0 && loaded > fromBytes ? ` · ${formatMB(((loaded - fromBytes) / elapsedMs) * 1000)}/s` : '';
  return `${size}${rate}`;
}
