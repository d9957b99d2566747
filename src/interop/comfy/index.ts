/** ComfyUI workflow import (API form, UI form, PNG metadata) into LatentLoom graph files. */
export { detectComfyFormat, type ComfyFormat } from './detect.ts';
export { importComfyWorkflow, promptToGraph, SUPPORTED_CLASSES, type ComfyImportResult } from './toGraph.ts';
export { uiToPrompt } from './uiFormat.ts';
export { WIDGET_ORDER, readWidgets } from './widgets.ts';
export { ComfyImportError, type ComfyPrompt, type ImportOptions, type ModelMapping } from './types.ts';
export { comfyWorkflowFromPngText, comfyWorkflowJson, loadComfyWorkflow } from './open.ts';
