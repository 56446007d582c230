// The solver's view of the members: ready only, free capacity, GPU override, energy cost, capacity held by
// the graph being re-placed added back.
import { describe, expect, it } from "vitest";
import { ClusterInventory, defaultProfile } from "../../src/core/clusters/index.js";
import type { ClusterRecord } from "../../src/core/ports/store.js";
import { InvalidArgumentError } from "../../src/core/errors.js";

function cluster(name: string, over: Partial<ClusterRecord> = {}): ClusterRecord {
  return {
    name,
    ready: true,
    cpuAllocatable: 16,
    cpuFree: 10,
    memoryAllocatableBytes: 64 * 2 ** 30,
    memoryFreeBytes: 32 * 2 ** 30,
    gpus: 0,
    gpusFree: 0,
    labels: {},
    profile: defaultProfile(),
    syncedAt: new Date(),
    ...over,
  };
}

describe("ClusterInventory.solverView", () => {
  it("keeps ready members, sorted, with free capacity and the profile's energy cost", () => {
    const view = ClusterInventory.solverView([
      cluster("b", { profile: { ...defaultProfile(), energyCost: 2.5 } }),
      cluster("a"),
      cluster("down", { ready: false }),
    ]);
    expect(view).toEqual([
      { name: "a", cpu: 10, memoryBytes: 32 * 2 ** 30, gpu: 0, energyCost: 1 },
      { name: "b", cpu: 10, memoryBytes: 32 * 2 ** 30, gpu: 0, energyCost: 2.5 },
    ]);
  });

  it("applies the GPU override (free = override − in use) and leaves out excluded members", () => {
    const view = ClusterInventory.solverView(
      [
        cluster("g", { gpus: 4, gpusFree: 3, profile: { ...defaultProfile(), gpus: 2 } }),
        cluster("h", { gpus: 4, gpusFree: 3 }),
        cluster("x"),
      ],
      { exclude: ["x"] },
    );
    expect(view.map((c) => [c.name, c.gpu])).toEqual([
      ["g", 1],
      ["h", 3],
    ]);
  });

  it("adds back what the re-placed graph holds, so staying put is not counted twice", () => {
    const view = ClusterInventory.solverView([cluster("a", { cpuFree: 0.5 })], {
      held: new Map([["a", { cpu: 1.5, memoryBytes: 2 ** 30, gpu: 0 }]]),
    });
    expect(view[0]).toMatchObject({ cpu: 2, memoryBytes: 33 * 2 ** 30 });
  });
});

describe("ClusterInventory.setProfile validation", () => {
  it("rejects negative costs, a PUE below 1 and a fractional GPU override with field paths", async () => {
    const inventory = new ClusterInventory({
      karmada: {} as never,
      store: {} as never,
      logger: { child: () => ({}) } as never,
    });
    const err = await inventory
      .setProfile("m", { energyCost: -1, carbonIntensity: 0, pue: 0.5, location: "", gpus: 1.5 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as InvalidArgumentError).violations.map((v) => v.field)).toEqual(["profile.energy_cost", "profile.pue", "profile.gpus"]);
  });
});
