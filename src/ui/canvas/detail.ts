/** Level of detail of the canvas: below FAR_ZOOM, text and widgets are too small to use. */
export const FAR_ZOOM = 0.2;
export const isFar = (s: { transform: [number, number, number] }) => s.transform[2] < FAR_ZOOM;
/** Height a card's widget block is given while it is drawn without its widgets (flowModel's estimate). */
export const paramsBlockHeight = (params: number) => (params > 0 ? 12 + 26 * params : 0);
