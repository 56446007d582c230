// A budget on the document as it would be once its aliases are expanded, measured on the composed YAML tree
// before toJS builds anything. The 1 MiB cap on the text does not bound the data: 99 aliases of a 1 MiB
// scalar are a 100 MB document (85 s to deploy, stored, then every ListGraphs slowed). Each node's expanded
// size is computed once (memoised), so the walk is linear in the text even when aliases nest.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";

/** Nodes (scalars and collections, aliases counted as what they expand to) a descriptor may hold. */
export const MAX_EXPANDED_NODES = 200_000;
/** Characters of scalar text once expanded: twice the 1 MiB accepted as text. */
export const MAX_EXPANDED_CHARS = 2 * 1024 * 1024;

interface Size {
  nodes: number;
  chars: number;
}

/** Why the document is too large once expanded, or undefined. Depth is bounded beforehand (depth.ts). */
export function expansionProblem(doc: Document.Parsed): string | undefined {
  const memo = new Map<unknown, Size>();
  const inProgress = new Set<unknown>();
  const over = (s: Size): boolean => s.nodes > MAX_EXPANDED_NODES || s.chars > MAX_EXPANDED_CHARS;

  const measure = (node: unknown): Size => {
    const known = memo.get(node);
    if (known) return known;
    // A cyclic alias: counted once here, refused later as non-JSON data (plain-data rule).
    if (inProgress.has(node)) return { nodes: 1, chars: 0 };
    inProgress.add(node);
    let size: Size = { nodes: 1, chars: 0 };
    if (isAlias(node)) {
      const target = node.resolve(doc);
      size = target ? measure(target) : size;
    } else if (isScalar(node)) {
      const value = node.source ?? node.value;
      size = { nodes: 1, chars: typeof value === "string" ? value.length : String(value).length };
    } else if (isMap(node) || isSeq(node)) {
      for (const item of node.items as unknown[]) {
        const parts = isPair(item) ? [item.key, item.value] : [item];
        for (const part of parts) {
          if (part === null || part === undefined) continue;
          const s = measure(part);
          size = { nodes: size.nodes + s.nodes, chars: size.chars + s.chars };
        }
        if (over(size)) break;
      }
    }
    inProgress.delete(node);
    memo.set(node, size);
    return size;
  };

  const total = doc.contents ? measure(doc.contents as Node) : { nodes: 0, chars: 0 };
  if (total.nodes > MAX_EXPANDED_NODES) {
    return `the document expands to more than ${MAX_EXPANDED_NODES} nodes once its aliases are resolved`;
  }
  if (total.chars > MAX_EXPANDED_CHARS) {
    return `the document expands to more than ${MAX_EXPANDED_CHARS} characters once its aliases are resolved`;
  }
  return undefined;
}
