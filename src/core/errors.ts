// The typed errors live in the kernel so that the solver (below core) can throw them too; core and the layers
// above keep importing them from here.
export * from "../kernel/errors.js";
