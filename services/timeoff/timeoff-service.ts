import { LeaveAccountServiceDefinition } from "../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { serve } from "../../runtime/server/grpc-server.js";
import type { DataService } from "../../runtime/service/data-service.js";
import { leaveAccountRpc } from "./leave-account/leave-account-rpc.js";

/** The timeoff data service: the timeoff context (leave accounts) over its own database. */
export const timeoffService: DataService = {
  name: "timeoff",
  contexts: (db) => [serve(LeaveAccountServiceDefinition, leaveAccountRpc(db))],
};
