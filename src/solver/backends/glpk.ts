// GLPK (glpk.js 5, wasm). Import the node build: the bare "glpk.js" entry is the browser build with a web worker.
// GLPK does not report its best bound, so when it stops at the time limit the gap is measured against the LP
// relaxation (an upper bound on the true gap).
import GLPK, { type LP } from "glpk.js/node";
import type { LinearModel } from "../model/linear.js";
import type { Backend, BackendSolution, BackendSolveOptions } from "./backend.js";

type Glpk = Awaited<ReturnType<typeof GLPK>>;

export async function loadGlpk(): Promise<Backend> {
  const glpk = await GLPK();
  return {
    name: "glpk",
    solve: (model, options) => solveWithGlpk(glpk, model, options),
  };
}

function solveWithGlpk(glpk: Glpk, model: LinearModel, options: BackendSolveOptions): BackendSolution {
  const n = model.columns.length;
  const none: BackendSolution = { status: "unknown", values: new Float64Array(0), objective: NaN, bound: null };
  if (n === 0) return model.rows.every((r) => r.lb <= 0 && r.ub >= 0) ? { ...none, status: "optimal", objective: model.offset, bound: model.offset } : { ...none, status: "infeasible" };
  const started = performance.now();
  const lp = toGlpk(glpk, model);
  const solveOptions = { msglev: glpk.GLP_MSG_OFF, presol: true, tmlim: Math.max(0.001, options.timeLimitMs / 1000) };
  const { result } = glpk.solve(lp, solveOptions);
  const values = () => Float64Array.from(model.columns, (_, j) => result.vars[`c${j}`] ?? 0);
  switch (result.status) {
    case glpk.GLP_OPT:
      return { status: "optimal", values: values(), objective: result.z + model.offset, bound: result.z + model.offset };
    case glpk.GLP_FEAS: {
      // The bound costs one more LP solve; allow it a quarter of the limit even when the limit is used up.
      const remaining = Math.max(200, options.timeLimitMs / 4, options.timeLimitMs - (performance.now() - started));
      return { status: "feasible", values: values(), objective: result.z + model.offset, bound: relaxationBound(glpk, lp, remaining, model.offset) };
    }
    case glpk.GLP_NOFEAS:
      return { ...none, status: "infeasible" };
    default:
      return none;
  }
}

function relaxationBound(glpk: Glpk, lp: LP, timeLimitMs: number, offset: number): number | null {
  const relaxed: LP = { ...lp, binaries: [], generals: [] };
  const { result } = glpk.solve(relaxed, { msglev: glpk.GLP_MSG_OFF, presol: true, tmlim: timeLimitMs / 1000 });
  return result.status === glpk.GLP_OPT ? result.z + offset : null;
}

function toGlpk(glpk: Glpk, model: LinearModel): LP {
  const name = (j: number) => `c${j}`;
  return {
    name: model.name,
    // Every column is listed here, in order, so glpk.js numbers them as we do.
    objective: { direction: glpk.GLP_MIN, name: "obj", vars: model.columns.map((c, j) => ({ name: name(j), coef: c.cost })) },
    subjectTo: model.rows.map((r, i) => ({
      name: `r${i}`,
      vars: r.indices.map((j, k) => ({ name: name(j), coef: r.coefs[k]! })),
      bnds: bounds(glpk, r.lb, r.ub),
    })),
    bounds: model.columns.map((c, j) => ({ name: name(j), ...bounds(glpk, c.lb, c.ub) })),
    binaries: model.columns.flatMap((c, j) => (c.kind === "binary" ? [name(j)] : [])),
    generals: model.columns.flatMap((c, j) => (c.kind === "integer" ? [name(j)] : [])),
  };
}

function bounds(glpk: Glpk, lb: number, ub: number): { type: number; lb: number; ub: number } {
  const hasLb = Number.isFinite(lb);
  const hasUb = Number.isFinite(ub);
  if (hasLb && hasUb) return { type: lb === ub ? glpk.GLP_FX : glpk.GLP_DB, lb, ub };
  if (hasLb) return { type: glpk.GLP_LO, lb, ub: 0 };
  if (hasUb) return { type: glpk.GLP_UP, lb: 0, ub };
  return { type: glpk.GLP_FR, lb: 0, ub: 0 };
}
