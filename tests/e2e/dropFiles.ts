/** Drops files on an element as the browser would on a drag from the desktop (a real DataTransfer). */
import type { Page } from 'playwright-core';

export interface DroppedFile {
  name: string;
  mimeType: string;
  buffer: Buffer | Uint8Array;
}

export async function dropFiles(page: Page, selector: string, files: DroppedFile[], at?: { x: number; y: number }): Promise<void> {
  const payload = files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: Buffer.from(f.buffer).toString('base64') }));
  const box = await page.locator(selector).first().boundingBox();
  if (!box) throw new Error(`dropFiles: ${selector} is not visible`);
  const point = at ?? { x: box.x + box.width / 2, y: box.y + box.height / 2 };
  const dataTransfer = await page.evaluateHandle((list) => {
    const dt = new DataTransfer();
    for (const f of list) {
      const bin = atob(f.base64);
      const bytes = new Uint8Array(bin.length);
      for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
      dt.items.add(new File([bytes], f.name, { type: f.mimeType }));
    }
    return dt;
  }, payload);
  const init = { dataTransfer, clientX: point.x, clientY: point.y, bubbles: true, cancelable: true };
  await page.locator(selector).first().dispatchEvent('dragenter', init);
  await page.locator(selector).first().dispatchEvent('dragover', init);
  await page.locator(selector).first().dispatchEvent('drop', init);
}
