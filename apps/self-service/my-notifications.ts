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
 * WatchMyNotifications: inbox's watch relayed message by message, after a
 * first message without a notification once inbox says the stream listens
 * (its stream-open header), so that a client over any transport (a browser
 * through the edge included) knows when it is live. Without a deadline from
 * the caller the stream lasts up to MAX_DEADLINE_MS, not the unary default.
 */
export async function* watchMyNotifications(
  data: DataClients,
  request: WatchMyNotificationsRequest,
  context: SelfServiceCall,
): AsyncGenerator<WatchMyNotificationsResponse> {
  signedInEmployee(context.caller);
  const forwarded = forwardCall(context);
  let listening: () => void = () => {};
  const open = new Promise<"open">((resolve) => {
    listening = () => resolve("open");
  });
  const onHeader = (header: Metadata) => {
    if (header.get(STREAM_OPEN_HEADER) !== undefined) listening();
  };
  const options = { ...forwarded, deadline: forwarded.deadline ?? NO_DEADLINE, onHeader };
  const request_ = { afterNotificationId: request.afterNotificationId };
  const upstream = data.notificationWatches.watchNotifications(request_, options)[Symbol.asyncIterator]();
  try {
    let next = upstream.next();
    // inbox sends its header before any message: whichever comes first, the stream is open.
    if ((await Promise.race([open, next.then(() => "message" as const)])) === "open") {
      announceStreamOpen(context);
      yield {};
    }
    for (let step = await next; step.done !== true; step = await next) {
      yield { notification: step.value.notification };
      next = upstream.next();
    }
  } finally {
    await upstream.return?.();
  }
}
