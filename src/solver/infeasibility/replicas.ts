// Why a replica problem has no answer. The model is separable except for the one CPU row, so two exact checks
// decide feasibility: each service's lowest feasible count is within max, and those counts fit the CPU.
import { requiredReplicas } from "../evaluate.js";
import type { ReplicaInstance } from "../instance.js";
import { formatNumber } from "../../kernel/quantity.js";

export function precheckReplicas(inst: ReplicaInstance): string | null {
  const tooMany = inst.services
    .map((s) => ({ s, need: Math.ceil((s.rate - s.beta) / s.alpha - 1e-9) }))
    .filter(({ s, need }) => need > s.max)
    .map(({ s, need }) => `rate ${formatNumber(s.rate)} needs ${need} replicas of ${s.name}; max is ${s.max}`);
  if (tooMany.length > 0) return tooMany.join("; ");
  const lowest = inst.services.map(requiredReplicas);
  const cpu = inst.services.reduce((a, s, i) => a + s.cpu * lowest[i]!, 0);
  if (cpu > inst.clusterCpu * (1 + 1e-12) + 1e-12) {
    const parts = inst.services
      .map((s, i) => ({ s, r: lowest[i]!, cpu: s.cpu * lowest[i]! }))
      .filter((p) => p.cpu > 0)
      .sort((a, b) => b.cpu - a.cpu);
    const shown = parts.slice(0, 5).map((p) => `${p.s.name} ${p.r}×${formatNumber(p.s.cpu)}`).join(", ");
    const more = parts.length > 5 ? `, and ${parts.length - 5} more` : "";
    return `cluster CPU: the fewest replicas that cover the rates (${shown}${more}) need ${formatNumber(cpu)} cores; the cluster has ${formatNumber(inst.clusterCpu)} free`;
  }
  return null;
}
