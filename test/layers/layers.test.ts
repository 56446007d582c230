// The dependency rule of src/ holds, and the check really catches a wrong import.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkSource, checkTree, formatViolation } from "./rule.js";

const SRC = fileURLToPath(new URL("../../src", import.meta.url));

describe("layers", () => {
  it("src/ follows cli → api | adapters | sim → core → solver, kernel below all", () => {
    expect(checkTree(SRC).map(formatViolation)).toEqual([]);
  });
});

describe("the check", () => {
  it("fails on the solver importing core (the import the kernel replaced)", () => {
    const v = checkSource("solver/input.ts", `import { InvalidArgumentError } from "../core/errors.js";\n`);
    expect(v.map(formatViolation)).toEqual([
      `src/solver/input.ts:1: "../core/errors.js": solver may not import core (allowed: kernel)`,
    ]);
  });

  it("fails on core reaching up into an adapter, a re-export or a dynamic import", () => {
    const text = [
      `import type { Pool } from "pg";`,
      `import { KarmadaClient } from "../../adapters/karmada/client.js";`,
      `export { serve } from "../../cli/serve-app.js";`,
      `const m = await import("../../api/server.js");`,
    ].join("\n");
    expect(checkSource("core/graphs/deploy.ts", text).map((v) => [v.line, v.message])).toEqual([
      [2, "core may not import adapters (allowed: solver, kernel, observability)"],
      [3, "core may not import cli (allowed: solver, kernel, observability)"],
      [4, "core may not import api (allowed: solver, kernel, observability)"],
    ]);
  });

  it("fails on peers importing each other and on the kernel importing anything", () => {
    expect(checkSource("api/server.ts", `import { Sim } from "../sim/index.js";`)).toHaveLength(1);
    expect(checkSource("kernel/ids.ts", `import { x } from "../core/errors.js";`)).toHaveLength(1);
    expect(checkSource("core/x.ts", `import { x } from "../../../outside.js";`)[0]?.message).toBe("imports from outside src/");
  });

  it("accepts imports downwards, within a layer, of packages, and ignores comments", () => {
    const text = [
      `import { parseQuantity } from "../kernel/quantity.js";`,
      `import { solve } from "./solver.js";`,
      `import { readFile } from "node:fs/promises";`,
      `// see import { x } from "../cli/main.js"`,
    ].join("\n");
    expect(checkSource("solver/input.ts", text)).toEqual([]);
    expect(checkSource("cli/main.ts", `import { startServer } from "../api/server.js";`)).toEqual([]);
  });
});
