// The ready stage of the timings (docs/elasticity.md#stage-times): after a scale call, the time at which Karmada's aggregated
// availableReplicas reached the target, from the adapter's Deployment watch. The same watch keeps the last
// status of every Deployment, which lets the reconcile skip API calls for services that have not drifted.
import type { ReplicaStatus } from "../ports/karmada.js";

export interface ReadyWait {
  key: string;
  target: number;
  /** Scale-up: ready when available ≥ target; scale-down: when desired and available are ≤ target. */
  up: boolean;
  observedAt: number;
  /** What caused the change (a reconcile's ready time is not a load response). */
  trigger: string;
  createdAt: number;
  actuatedAt?: number;
  decisionId?: number;
  readyAt?: number;
  done?: boolean;
}

export interface ReadyListener {
  /** Called once per wait when it is both actuated and ready. */
  (wait: ReadyWait & { actuatedAt: number; readyAt: number }): void;
}

export function deploymentKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

export class ReadinessTracker {
  private readonly waits = new Map<string, ReadyWait[]>();
  private readonly statuses = new Map<string, ReplicaStatus>();

  constructor(
    private readonly onReady: ReadyListener,
    private readonly now: () => number,
    private readonly trackMs: number,
  ) {}

  /** Last status the watch reported for a Deployment. */
  status(key: string): ReplicaStatus | undefined {
    return this.statuses.get(key);
  }

  /** Registered before the scale call: the watch may report readiness before the call returns. */
  expect(key: string, previous: number, target: number, observedAt: number, trigger: string): ReadyWait {
    const now = this.now();
    const up = target > previous;
    // A wait in the other direction can no longer be met as asked; so can one too old.
    const kept = (this.waits.get(key) ?? []).filter((w) => w.up === up && now - w.createdAt < this.trackMs);
    const wait: ReadyWait = { key, target, up, observedAt, trigger, createdAt: now };
    kept.push(wait);
    this.waits.set(key, kept);
    return wait;
  }

  cancel(wait: ReadyWait): void {
    const list = this.waits.get(wait.key)?.filter((w) => w !== wait);
    if (list?.length) this.waits.set(wait.key, list);
    else this.waits.delete(wait.key);
  }

  /** The scale call was accepted; `decisionId` is the stored record (undefined if storing failed). */
  actuated(wait: ReadyWait, at: number, decisionId: number | undefined): void {
    wait.actuatedAt = at;
    wait.decisionId = decisionId;
    // The status seen so far may already meet the target (e.g. the event arrived before the call returned).
    const status = this.statuses.get(wait.key);
    if (wait.readyAt === undefined && status && met(wait, status)) {
      wait.readyAt = at;
      this.cancel(wait);
    }
    this.fire(wait);
  }

  onStatus(namespace: string, deployment: string, status: ReplicaStatus): void {
    const key = deploymentKey(namespace, deployment);
    this.statuses.set(key, status);
    const list = this.waits.get(key);
    if (!list) return;
    const now = this.now();
    const open: ReadyWait[] = [];
    for (const wait of list) {
      if (met(wait, status)) {
        wait.readyAt = now;
        this.fire(wait);
      } else if (now - wait.createdAt < this.trackMs) {
        open.push(wait);
      }
    }
    if (open.length) this.waits.set(key, open);
    else this.waits.delete(key);
  }

  forget(key: string): void {
    this.waits.delete(key);
    this.statuses.delete(key);
  }

  private fire(wait: ReadyWait): void {
    if (wait.done || wait.readyAt === undefined || wait.actuatedAt === undefined) return;
    wait.done = true;
    this.onReady(wait as ReadyWait & { actuatedAt: number; readyAt: number });
  }
}

function met(wait: ReadyWait, status: ReplicaStatus): boolean {
  // A status from before the scale call shows the old desired count; wait for the one that carries ours.
  if (wait.up) return status.desired >= wait.target && status.available >= wait.target;
  return status.desired <= wait.target && status.available <= wait.target;
}
