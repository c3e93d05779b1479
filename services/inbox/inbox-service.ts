import { NotificationServiceDefinition } from "../../generated/proto/hr/notification/v1/notification_service.js";
import { ChannelListener } from "../../runtime/db/channel-listener.js";
import { serve } from "../../runtime/server/grpc-server.js";
import type { DataService } from "../../runtime/service/data-service.js";
import { NOTIFICATION_CHANNEL } from "./notification/notification-repository.js";
import { notificationRpc } from "./notification/notification-rpc.js";

/**
 * The inbox data service: the notification context over its own database.
 * Its live streams share one listening connection per process, closed (and
 * the streams ended) when the server stops.
 */
export const inboxService: DataService = {
  name: "inbox",
  contexts: (db, _settings, logger) => {
    const listener = new ChannelListener(NOTIFICATION_CHANNEL, db.pool.options, logger);
    return [{ ...serve(NotificationServiceDefinition, notificationRpc(db, listener)), close: () => listener.close() }];
  },
};
