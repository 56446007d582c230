// Runs vitest and ends with the one plain summary line this workplace's CI reads:
// "N passed, N failed, N skipped". vitest's own summary is kept above it for people.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const out = join(mkdtempSync(join(tmpdir(), "smo-vitest-")), "report.json");
const args = [
  "vitest", "run", "--config", "test/vitest.config.ts",
  "--reporter=default", "--reporter=json", `--outputFile.json=${out}`,
  ...process.argv.slice(2),
];
const run = spawnSync("npx", args, { stdio: "inherit", env: { ...process.env, NO_COLOR: "1" } });
if (!existsSync(out)) {
  console.log("0 passed, 1 failed, 0 skipped");
  console.error(`vitest wrote no report (exit ${run.status})`);
  process.exit(run.status || 1);
}
const report = JSON.parse(readFileSync(out, "utf8"));
const passed = report.numPassedTests ?? 0;
let failed = report.numFailedTests ?? 0;
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A suite that fails to load, or whose beforeAll/afterAll throws, has no failed test (its tests are reported as
// skipped) but must still fail the run: count it as one failure.
const brokenSuites = (report.testResults ?? []).filter(
  (r) => r.status === "failed" && !(r.assertionResults ?? []).some((a) => a.status === "failed"),
);
failed += brokenSuites.length;
for (const s of brokenSuites) console.error(`suite failed to load: ${s.name}: ${s.message ?? ""}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || run.status !== 0 ? 1 : 0);
