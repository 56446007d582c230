// HiGHS (npm "highs", wasm), through its persistent model API: sparse arrays in, status, values, best bound
// and gap out. The wasm module is loaded once per worker; each solve creates and disposes one native model.
// The package's types describe a CommonJS module (so TypeScript sees the loader at `.default.default`), while
// at run time Node loads the ESM build, whose default export is the loader itself. Accept either.
import * as highsPackage from "highs";
import type { LinearModel } from "../model/linear.js";
import type { Backend, BackendSolution, BackendSolveOptions } from "./backend.js";

type Loader = typeof highsPackage.default.default;
type Highs = Awaited<ReturnType<Loader>>;
const candidate = highsPackage.default as unknown as Loader & { default?: Loader };
const loadHighs: Loader = candidate.default ?? candidate;

/** Relative MIP gap under which HiGHS may call an answer optimal (its default 1e-4 is too loose for tests). */
const MIP_REL_GAP = 1e-7;

export async function loadHighsBackend(): Promise<Backend> {
  const highs = await loadHighs();
  return {
    name: "highs",
    solve: (model, options) => solveWithHighs(highs, model, options),
  };
}

function solveWithHighs(highs: Highs, model: LinearModel, options: BackendSolveOptions): BackendSolution {
  const n = model.columns.length;
  const none: BackendSolution = { status: "unknown", values: new Float64Array(0), objective: NaN, bound: null };
  if (n === 0) return model.rows.every((r) => r.lb <= 0 && r.ub >= 0) ? { ...none, status: "optimal", objective: model.offset, bound: model.offset } : { ...none, status: "infeasible" };
  const starts = new Int32Array(model.rows.length + 1);
  model.rows.forEach((r, i) => (starts[i + 1] = starts[i]! + r.indices.length));
  const m = highs.createModel({
    numCols: n,
    numRows: model.rows.length,
    offset: model.offset,
    colCost: Float64Array.from(model.columns, (c) => c.cost),
    colLower: Float64Array.from(model.columns, (c) => c.lb),
    colUpper: Float64Array.from(model.columns, (c) => c.ub),
    rowLower: Float64Array.from(model.rows, (r) => r.lb),
    rowUpper: Float64Array.from(model.rows, (r) => r.ub),
    matrix: {
      format: "csr",
      numRows: model.rows.length,
      numCols: n,
      starts,
      indices: Int32Array.from(model.rows.flatMap((r) => r.indices)),
      values: Float64Array.from(model.rows.flatMap((r) => r.coefs)),
    },
    integrality: Int32Array.from(model.columns, (c) => (c.kind === "continuous" ? 0 : 1)),
  });
  try {
    m.options.set({ output_flag: false, time_limit: Math.max(0.001, options.timeLimitMs / 1000), mip_rel_gap: MIP_REL_GAP });
    if (options.start) m.setSolution({ colValue: options.start });
    const status = m.run().modelStatus;
    const s = highs.constants.modelStatus;
    if (status === s.infeasible || status === s.unboundedOrInfeasible) return { ...none, status: "infeasible" };
    const dual = Number(m.info.get("mip_dual_bound"));
    const bound = Number.isFinite(dual) ? dual : null;
    const hasPrimal = Number(m.info.get("primal_solution_status")) === 2;
    if (!hasPrimal) return { ...none, bound };
    const values = Float64Array.from(m.getSolution().colValue);
    const objective = m.getObjectiveValue();
    return { status: status === s.optimal ? "optimal" : "feasible", values, objective, bound: status === s.optimal ? objective : bound };
  } finally {
    m.dispose();
  }
}
