// A backend-neutral MILP (minimisation): columns with bounds, kind and cost; rows lb ≤ Σ coef·x ≤ ub tagged with
// the constraint family they belong to (so infeasibility diagnosis and tests can reason per family).
// Backends translate it to glpk.js JSON or HiGHS sparse arrays; tests can read it directly.

export type VarKind = "binary" | "integer" | "continuous";

export interface Column {
  name: string;
  kind: VarKind;
  lb: number;
  ub: number;
  cost: number;
}

export interface Row {
  name: string;
  family: string;
  /** Column indices and coefficients; no index twice. */
  indices: number[];
  coefs: number[];
  lb: number;
  ub: number;
}

export interface LinearModel {
  name: string;
  columns: Column[];
  rows: Row[];
  /** Constant added to the objective. */
  offset: number;
}

export class ModelBuilder {
  readonly columns: Column[] = [];
  readonly rows: Row[] = [];
  offset = 0;

  constructor(readonly name: string) {}

  addColumn(name: string, kind: VarKind, lb: number, ub: number, cost = 0): number {
    this.columns.push({ name, kind, lb, ub, cost });
    return this.columns.length - 1;
  }

  /** Adds lb ≤ Σ terms ≤ ub; terms on the same column are summed, zero coefficients dropped. */
  addRow(name: string, family: string, terms: Iterable<readonly [number, number]>, lb: number, ub: number): void {
    const merged = new Map<number, number>();
    for (const [col, coef] of terms) merged.set(col, (merged.get(col) ?? 0) + coef);
    const indices: number[] = [];
    const coefs: number[] = [];
    for (const [col, coef] of merged) {
      if (coef === 0) continue;
      indices.push(col);
      coefs.push(coef);
    }
    this.rows.push({ name, family, indices, coefs, lb, ub });
  }

  build(): LinearModel {
    return { name: this.name, columns: this.columns, rows: this.rows, offset: this.offset };
  }
}

/** Objective value of a point, offset included. */
export function objectiveOf(model: LinearModel, values: ArrayLike<number>): number {
  let z = model.offset;
  model.columns.forEach((c, j) => (z += c.cost * values[j]!));
  return z;
}

/** Rows a point violates by more than `tol` (scaled by the row's size); used by tests and sanity checks. */
export function violatedRows(model: LinearModel, values: ArrayLike<number>, tol = 1e-6): Row[] {
  return model.rows.filter((r) => {
    let a = 0;
    let scale = 1;
    r.indices.forEach((j, k) => {
      a += r.coefs[k]! * values[j]!;
      scale = Math.max(scale, Math.abs(r.coefs[k]!));
    });
    return a < r.lb - tol * scale || a > r.ub + tol * scale;
  });
}
