/** The analysis worker: validates huge graphs and finds their zones off the editor's main thread. */
import { handleAnalysisRequest, type AnalysisRequest, type AnalysisWorkerState } from './protocol.ts';

const state: AnalysisWorkerState = {};
self.onmessage = (event: MessageEvent<AnalysisRequest>) => {
  self.postMessage(handleAnalysisRequest(state, event.data));
};
