// hdaGraph.hdaGraphIntent: the four NEPHELE flags plus smo's placement and scaling extensions.
import { DEFAULT_MAX_REPLICAS } from "../options.js";
import type { Ctx } from "../fields.js";
import { at, readBoolean, readEnum, readNumber, readObject, warnUnknownFields } from "../fields.js";
import type { GraphIntentDraft } from "../draft.js";
import type { ResolvedOptions } from "../options.js";
import type { Path } from "../paths.js";
import { INTENT_FLAGS } from "../schema.js";
import { describe } from "../values.js";

export function checkGraphIntent(ctx: Ctx, value: unknown, path: Path, legacy: boolean, opts: ResolvedOptions): GraphIntentDraft {
  const intent: GraphIntentDraft = {
    security: false,
    highAvailability: false,
    highPerformance: false,
    energyEfficiency: false,
    useStaticPlacement: false,
  };
  if (legacy && typeof value === "string") {
    // 0.3.0 wrote the graph intent as free text ("Low latency"); nothing in it can be acted upon.
    ctx.issues.warning(path, `imVersion 0.3.0 free-text intent ${describe(value)} is not interpreted; every graph intent is taken as disabled`);
    return intent;
  }
  const obj = readObject(ctx, value, path, "an object of intent flags ({security: {enabled: false}, …})");
  if (!obj) return intent;
  warnUnknownFields(ctx, obj, path, "graphIntent");

  for (const flag of INTENT_FLAGS) {
    const flagObj = readObject(ctx, at(obj, flag), [...path, flag], "an object {enabled: true|false}");
    if (!flagObj) continue;
    warnUnknownFields(ctx, flagObj, [...path, flag], flag === "highAvailability" ? "highAvailability" : "flag");
    intent[flag] = readBoolean(ctx, at(flagObj, "enabled"), [...path, flag, "enabled"], { required: true }) ?? false;
    if (flag === "highAvailability") checkOverallReplicas(ctx, flagObj, [...path, flag], intent);
  }

  intent.useStaticPlacement = readBoolean(ctx, at(obj, "useStaticPlacement"), [...path, "useStaticPlacement"]) ?? false;
  const placement = readEnum(ctx, at(obj, "placementStrategy"), [...path, "placementStrategy"], opts.placementStrategies);
  if (placement !== undefined) intent.placementStrategy = placement;
  const scaling = readEnum(ctx, at(obj, "scalingStrategy"), [...path, "scalingStrategy"], opts.scalingStrategies);
  if (scaling !== undefined) intent.scalingStrategy = scaling;
  return intent;
}

/** Non-standard but seen in real files (demo2, demo4): graph-wide replica bounds. */
function checkOverallReplicas(ctx: Ctx, ha: Record<string, unknown>, path: Path, intent: GraphIntentDraft): void {
  const min = readNumber(ctx, at(ha, "minReplicasOverall"), [...path, "minReplicasOverall"], { integer: true, min: 1, max: ctx.maxReplicas ?? DEFAULT_MAX_REPLICAS });
  const max = readNumber(ctx, at(ha, "maxReplicasOverall"), [...path, "maxReplicasOverall"], { integer: true, min: 1, max: ctx.maxReplicas ?? DEFAULT_MAX_REPLICAS });
  if (min !== undefined) intent.minReplicasOverall = min;
  if (max !== undefined) intent.maxReplicasOverall = max;
  if (min !== undefined && max !== undefined && max < min) {
    ctx.issues.error([...path, "maxReplicasOverall"], `expected an integer ≥ minReplicasOverall (${min}), found number ${max}`);
  }
}
