import type { Metadata } from "nice-grpc";
import type {
  ListMyNotificationsRequest,
  ListMyNotificationsResponse,
  WatchMyNotificationsRequest,
  WatchMyNotificationsResponse,
} from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import { announceStreamOpen, STREAM_OPEN_HEADER } from "../../runtime/server/stream-open.js";
import type { DataClients } from "./data-clients.js";
import { type SelfServiceCall, signedInEmployee } from "./signed-in-employee.js";

/** As far as a deadline goes: the client caps it to MAX_DEADLINE_MS. */
const NO_DEADLINE = new Date(8.64e15);

/** ListMyNotifications: inbox's list, whose recipient is always the caller's token's employee. */
export async function myNotifications(
  data: DataClients,
  request: ListMyNotificationsRequest,
  context: SelfServiceCall,
): Promise<ListMyNotificationsResponse> {
  signedInEmployee(context.caller);
  const { pageSize, pageToken, unreadOnly, orderBy } = request;
  return data.notifications.listNotifications({ pageSize, pageToken, unreadOnly, orderBy }, forwardCall(context));
}

/**
 * WatchMyNotifications: inbox's watch relayed message by message, and its
 * stream-open header as soon as it arrives. Without a deadline from the
 * caller the stream lasts up to MAX_DEADLINE_MS, not the unary default.
 */
export async function* watchMyNotifications(
  data: DataClients,
  request: WatchMyNotificationsRequest,
  context: SelfServiceCall,
): AsyncGenerator<WatchMyNotificationsResponse> {
  signedInEmployee(context.caller);
  const forwarded = forwardCall(context);
  const options = {
    ...forwarded,
    deadline: forwarded.deadline ?? NO_DEADLINE,
    onHeader: (header: Metadata) => {
      if (header.get(STREAM_OPEN_HEADER) !== undefined) announceStreamOpen(context);
    },
  };
  const upstream = data.notifications.watchNotifications({ afterNotificationId: request.afterNotificationId }, options);
  for await (const { notification } of upstream) yield { notification };
}
