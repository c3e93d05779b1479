import type { Logger } from "pino";
import { SelfServiceDefinition } from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { clientPolicyOf } from "../../runtime/client/client-config.js";
import { openChannel } from "../../runtime/client/service-client.js";
import type { RuntimeConfig } from "../../runtime/config.js";
import { type RunningServer, serve, startGrpcServer } from "../../runtime/server/grpc-server.js";
import { dataClients } from "./data-clients.js";
import { cancelMyLeave, myLeaveAccounts, myLeaveMovements, requestMyLeave } from "./my-leave.js";
import { myNotifications, watchMyNotifications } from "./my-notifications.js";
import { myProfile, updateMyProfile } from "./my-profile.js";
import { decideTeamLeave, teamLeaveRequests } from "./team-leave.js";

/**
 * The self-service application service: a signed-in person's own profile,
 * leave and notifications, and their team's leave requests, composed from
 * people, timeoff and inbox
 * with the caller's own token. Who may act on whose records (own, reports)
 * is decided here: the data services only know roles.
 */
export async function startSelfServiceServer(options: {
  port: number;
  /** gRPC target of the people service, e.g. "127.0.0.1:50051" or "dns:///people:50051". */
  peopleTarget: string;
  /** gRPC target of the timeoff service, e.g. "127.0.0.1:50055". */
  timeoffTarget: string;
  /** gRPC target of the inbox service, e.g. "127.0.0.1:50058". */
  inboxTarget: string;
  config: RuntimeConfig;
  logger: Logger;
}): Promise<RunningServer> {
  const { balancing } = options.config;
  const channels = {
    people: openChannel(options.peopleTarget, { balancing }),
    timeoff: openChannel(options.timeoffTarget, { balancing }),
    inbox: openChannel(options.inboxTarget, { balancing }),
    inboxStreams: openChannel(options.inboxTarget, { ownConnections: true, balancing }),
  };
  const data = dataClients(channels, clientPolicyOf(options.config));
  const server = await startGrpcServer({
    name: "self-service",
    port: options.port,
    config: options.config,
    logger: options.logger,
    services: [
      serve(SelfServiceDefinition, {
        getMyProfile: (_, context) => myProfile(data, context),
        updateMyProfile: (request, context) => updateMyProfile(data, request, context),
        listMyLeaveAccounts: (request, context) => myLeaveAccounts(data, request, context),
        listMyLeaveMovements: (request, context) => myLeaveMovements(data, request, context),
        requestMyLeave: (request, context) => requestMyLeave(data, request, context),
        cancelMyLeave: (request, context) => cancelMyLeave(data, request, context),
        listTeamLeaveRequests: (_, context) => teamLeaveRequests(data, context),
        approveTeamLeave: (request, context) => decideTeamLeave(data, "approveLeave", request, context),
        rejectTeamLeave: (request, context) => decideTeamLeave(data, "rejectLeave", request, context),
        listMyNotifications: (request, context) => myNotifications(data, request, context),
        watchMyNotifications: (request, context) => watchMyNotifications(data, request, context),
      }),
    ],
  });
  return {
    port: server.port,
    async stop() {
      await server.stop();
      channels.people.close();
      channels.timeoff.close();
      channels.inbox.close();
      channels.inboxStreams.close();
    },
  };
}
