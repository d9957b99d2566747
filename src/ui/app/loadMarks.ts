/**
 * performance.mark names of the editor's start-up, in order: the browser benchmark
 * (tests/e2e/measure.ts) reads them to say where the time to interactive went.
 */
export const LOAD_MARKS = {
  /** The entry module runs: the worker is spawned now. */
  entry: 'latentloom:entry',
  /** The worker answered with its node types. */
  nodeTypes: 'latentloom:node-types',
  /** The app's chunk is evaluated and the autosave database is open. */
  appLoaded: 'latentloom:app-loaded',
  /** The first document (autosave or example) is in the store. */
  document: 'latentloom:document',
  /** The canvas with the document is committed to the DOM: the editor is interactive. */
  interactive: 'latentloom:interactive',
} as const;
