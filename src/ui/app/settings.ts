/** localStorage keys of the editor's settings that other parts read too. */

/** The wasm thread setting ('auto' or a count): the toolbar writes it, the worker connection reads it per run. */
export const THREADS_KEY = 'latentloom.threads';
