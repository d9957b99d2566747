/**
 * Level of detail of the canvas. Below LOD_ZOOM a card's 13 px text is under 6 px on screen and
 * its widgets cannot be used, so cards draw a minimal body (header and title, status strip, port
 * handles) instead: far fewer elements for the browser to hit-test, lay out and paint per frame
 * of a pan over hundreds of cards.
 */
export const LOD_ZOOM = 0.45;
/** React Flow store selector: a boolean, so subscribers re-render only when the threshold is crossed. */
export const isLowDetail = (s: { transform: [number, number, number] }) => s.transform[2] < LOD_ZOOM;
/** Height a card's widget block is given while it is drawn without its widgets (flowModel's estimate). */
export const paramsBlockHeight = (params: number) => (params > 0 ? 12 + 26 * params : 0);
