/**
 * Level of detail of the canvas. Below LOD_ZOOM a card's 13 px text is under 6 px on screen and
 * its widgets cannot be used, so cards draw a minimal body (header and title, status strip, port
 * handles) instead: far fewer elements for the browser to hit-test, lay out and paint per frame
 * of a pan over hundreds of cards.
 */
export const LOD_ZOOM = 0.45;
/**
 * Below FAR_ZOOM a card is under 44 px wide and its title under 3 px high: the cards and wires
 * are drawn on one canvas instead (FarCanvas: a box per card in its category and run state's
 * colours, the same wires), and React Flow's node and edge layers are not displayed. A pan then
 * repaints one canvas instead of hit-testing, layerizing and rastering thousands of elements.
 */
export const FAR_ZOOM = 0.2;
/** React Flow store selector: a boolean, so subscribers re-render only when the threshold is crossed. */
export const isLowDetail = (s: { transform: [number, number, number] }) => s.transform[2] < LOD_ZOOM;
/** The same for FAR_ZOOM. */
export const isFarDetail = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;
/** Height a card's widget block is given while it is drawn without its widgets (flowModel's estimate). */
export const paramsBlockHeight = (params: number) => (params > 0 ? 12 + 26 * params : 0);
