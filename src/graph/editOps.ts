/** All edit operations (immer recipes) in one namespace: `import { edits } from 'latentloom'`. */
export * from './edits.ts';
export * from './zoneEdits.ts';
export * from './subgraphEdits.ts';
