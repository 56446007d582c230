// The kernel: what every layer may use (typed errors, quantities, identifiers). It imports nothing from src/.
export * from "./errors.js";
export * from "./quantity.js";
export * from "./ids.js";
