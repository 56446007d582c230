// The port through which the lifecycle turns descriptor text into a model: loadDescriptor plus the canonical
// hash, as one step, so an implementation may run the whole of it away from the caller's event loop (a
// 500 KB descriptor costs hundreds of ms of parsing and validation). The in-process one is the reference.
import { canonicalDescriptorHash } from "./hash.js";
import { loadDescriptor, type LoadOptions, type LoadResult } from "./load.js";

export type LoadedDescriptor = Extract<LoadResult, { ok: true }> & {
  /** canonicalDescriptorHash(document). */
  hash: string;
};

export type DescriptorLoadResult = LoadedDescriptor | Extract<LoadResult, { ok: false }>;

export interface DescriptorLoader {
  /** Never rejects for bad input: the findings come back as { ok: false }, as from loadDescriptor. */
  load(text: string, opts: LoadOptions): Promise<DescriptorLoadResult>;
}

/** Loads and hashes on the calling thread. */
export function loadAndHash(text: string, opts: LoadOptions): DescriptorLoadResult {
  const loaded = loadDescriptor(text, opts);
  return loaded.ok ? { ...loaded, hash: canonicalDescriptorHash(loaded.document) } : loaded;
}

export const inProcessLoader: DescriptorLoader = {
  load: (text, opts) => Promise.resolve(loadAndHash(text, opts)),
};
