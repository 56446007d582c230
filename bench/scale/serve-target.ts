// The scale bench's `smo serve` target: the real binary in its own process, driven over gRPC.
import { startServeSmo } from "../elasticity/smo-serve.js";
import type { ScaleTarget } from "./main.js";

export async function startServeScaleTarget(opts: { dir: string; kubeconfig: string; db: string }): Promise<ScaleTarget> {
  return startServeSmo({ kubeconfig: opts.kubeconfig, db: opts.db });
}
