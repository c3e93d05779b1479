import { LeaveAccountServiceDefinition } from "../../../generated/proto/hr/timeoff/v1/leave_account_service.js";
import { rawClient } from "../raw-client.js";
import type { RawChannel } from "../raw-grpc-client.js";
import { HOT_ACCOUNTS, SPREAD_ACCOUNTS, type TimeoffSeed, WORKING_DAYS } from "../seed/timeoff.js";
import { type Case, check } from "./case.js";

// timeoff's write path. RequestLeave locks its account's row, checks the
// balance against the latest state and writes the request, its movement and
// its idempotency record in one transaction; spread over many accounts there
// is little contention, on a few hot ones calls queue on the row locks.

export function timeoffCases(channel: RawChannel, seed: TimeoffSeed): Record<"spread" | "hot" | "approve", Case> {
  const leave = rawClient(LeaveAccountServiceDefinition, channel);
  const servers = ["timeoff"];

  /** Call i asks for the (i / accounts)-th working day on account i % accounts: never an overlap. */
  const requestLeave = (accounts: readonly string[]) => async (i: number) => {
    const day = WORKING_DAYS[Math.floor(i / accounts.length)];
    if (day === undefined) throw new Error("out of working days: fewer seconds or more accounts");
    const answer = await leave.requestLeave({
      ...{ requestId: `leave-${accounts.length}-${i}`, id: accounts[i % accounts.length] ?? "", etag: "" },
      ...{ startDate: day, endDate: day, halfDay: false, note: "" },
    });
    check(answer.leaveRequest?.startDate === day, "RequestLeave");
  };

  return {
    spread: { name: `RequestLeave spread (${SPREAD_ACCOUNTS} accounts)`, servers, call: requestLeave(seed.spread) },
    hot: { name: `RequestLeave hot (${HOT_ACCOUNTS} accounts)`, servers, call: requestLeave(seed.hot) },
    approve: {
      name: "ApproveLeave (each pending request once)",
      servers,
      call: async (i) => {
        const pending = seed.approvals[i];
        if (pending === undefined) throw new Error("out of seeded pending requests");
        const answer = await leave.approveLeave({
          requestId: `approve-${i}`,
          id: pending.accountId,
          etag: "",
          leaveRequestId: pending.leaveRequestId,
        });
        check(answer.leaveRequest?.id === pending.leaveRequestId, "ApproveLeave");
      },
    },
  };
}
