// ClusterService.ListMembers: the smo processes on this database and the projects each owns (docs/ha.md).
import type { ServiceImpl } from "@connectrpc/connect";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { MemberSchema, type ClusterService } from "../../gen/smo/v1/cluster_pb.js";
import type { ApiDeps } from "./deps.js";

export function createMembersHandler(deps: ApiDeps): Pick<ServiceImpl<typeof ClusterService>, "listMembers"> {
  return {
    async listMembers() {
      const members = deps.members ? await deps.members() : [];
      return {
        members: members.map((m) =>
          create(MemberSchema, {
            id: m.id,
            address: m.address,
            startedAt: timestampFromDate(m.startedAt),
            heartbeatAt: timestampFromDate(m.heartbeatAt),
            projects: m.projects,
            self: m.self,
          }),
        ),
      };
    },
  };
}
