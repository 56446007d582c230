// Messages between the descriptor loader and its worker threads.
import type { LoadOptions } from "../../core/hdag/load.js";
import type { DescriptorLoadResult } from "../../core/hdag/loader.js";

export interface DescriptorJob {
  id: number;
  text: string;
  options: LoadOptions;
}

/** As DescriptorLoadResult, with the model and the document as JSON text. */
export type DescriptorReply =
  | { ok: true; model: string; document: string; hash: string; warnings: Extract<DescriptorLoadResult, { ok: true }>["warnings"] }
  | Extract<DescriptorLoadResult, { ok: false }>;
