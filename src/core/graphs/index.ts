export { GraphLifecycle } from "./lifecycle.js";
export type {
  AlertOutcome,
  DashboardBuilder,
  DashboardTarget,
  DeployRequest,
  DeployResult,
  GraphLifecycleOptions,
  GraphView,
  IncomingAlert,
  LifecycleHooks,
  PlacementSolver,
  ReplaceRequest,
  ReplaceResult,
  ServiceView,
} from "./types.js";
export { alertName, rulesForService } from "./alerts.js";
export { validateProject } from "./deploy.js";
export { STATIC_STRATEGY, strategyOf } from "./placement.js";
export type { OutboxAction } from "./actions.js";
