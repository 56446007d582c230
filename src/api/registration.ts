import type { DescService } from "@bufbuild/protobuf";
import type { ServiceImpl } from "@connectrpc/connect";

/** A service descriptor with its implementation, as both servers mount it. */
export interface ServiceRegistration<S extends DescService = DescService> {
  service: S;
  impl: Partial<ServiceImpl<S>>;
}

/**
 * Pairs a descriptor with its impl while the types still match, then erases them for lists. Methods left
 * out answer UNIMPLEMENTED.
 */
export function registration<S extends DescService>(service: S, impl: Partial<ServiceImpl<S>>): ServiceRegistration {
  return { service, impl } as unknown as ServiceRegistration;
}
