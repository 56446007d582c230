import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** smo's package.json, found by walking up from this module (works from src/ under tsx and from dist/). */
export function packageInfo(): { name: string; version: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "smo") return { name: pkg.name, version: pkg.version ?? "0.0.0" };
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return { name: "smo", version: "unknown" };
    dir = parent;
  }
}
