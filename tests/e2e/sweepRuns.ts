/** Runs the Sweep tab's sweep in the editor (browser tests and benchmarks). */
import type { Page } from 'playwright-core';

const DONE = () => document.querySelector('[data-testid="sweep-progress"]')?.getAttribute('data-status') === 'done';

/** Sets the swept values (when given), presses Run sweep and waits until every point is over: the wall seconds. */
export async function runEditorSweep(page: Page, values: { first?: string; second?: string } = {}, timeoutMs = 280_000): Promise<number> {
  if (values.first !== undefined) await page.getByTestId('sweep-values-1').fill(values.first);
  if (values.second !== undefined) await page.getByTestId('sweep-values-2').fill(values.second);
  const started = Date.now();
  await page.getByTestId('sweep-run').click();
  await page.waitForFunction(DONE, null, { timeout: timeoutMs });
  return (Date.now() - started) / 1000;
}
