// The cluster inventory lags behind our own scale calls (Karmada's resource summary is refreshed every few
// seconds), so a decision right after a scale-up would see the CPU it just took as still free and over-commit
// the cluster. The ledger holds each scale-up's CPU against its cluster until the inventory moves (its free CPU
// differs from when the hold was taken, so it now counts the new pods) or a time limit passes.
import type { ClusterCapacity } from "./types.js";

interface Hold {
  cpu: number;
  /** The inventory's free CPU when the hold was taken. */
  seenFree: number | undefined;
  until: number;
}

export class CapacityLedger implements ClusterCapacity {
  private readonly holds = new Map<string, Hold[]>();

  constructor(
    private readonly inventory: ClusterCapacity,
    private readonly now: () => number,
    private readonly holdMs = 30_000,
  ) {}

  cpuFree(cluster: string): number | undefined {
    const free = this.inventory.cpuFree(cluster);
    const list = this.holds.get(cluster);
    if (free === undefined || !list) return free;
    const now = this.now();
    const live = list.filter((h) => h.seenFree === free && h.until > now);
    if (live.length === 0) this.holds.delete(cluster);
    else if (live.length !== list.length) this.holds.set(cluster, live);
    return Math.max(0, free - live.reduce((sum, h) => sum + h.cpu, 0));
  }

  /** A scale-up took `cpu` cores on `cluster` (scale-downs are not credited: their pods stop later). */
  hold(cluster: string, cpu: number): void {
    if (!(cpu > 0)) return;
    const h: Hold = { cpu, seenFree: this.inventory.cpuFree(cluster), until: this.now() + this.holdMs };
    const list = this.holds.get(cluster);
    if (list) list.push(h);
    else this.holds.set(cluster, [h]);
  }
}
