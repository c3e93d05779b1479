import type { Notification as NotificationModel } from "../../../generated/prisma/inbox/client.js";
import { type Sql, sql } from "../../../runtime/db/sql.js";
import { type Stored, Table, timestamp } from "../../../runtime/db/table.js";
import { etagMismatch } from "../../../runtime/domain/domain-error.js";
import { type Notification, type NotificationKind, notificationSubject } from "./notification.js";

/** The channel a send notifies in its transaction; its payload names the recipient (see recipientKey). */
export const NOTIFICATION_CHANNEL = "inbox_notifications";

/** List options; a page token is bound to them. */
export interface NotificationFilter {
  unreadOnly: boolean;
  newestFirst: boolean;
}

const notifications = new Table<NotificationModel>("notifications", {
  ...{ id: "id", tenantId: "tenant_id", recipientEmployeeId: "recipient_employee_id", sequence: "sequence" },
  ...{ kind: "kind", title: "title", body: "body", subject: "subject", version: "version" },
  ...{ readTime: timestamp("read_time"), createTime: timestamp("create_time") },
});
const COLUMNS = notifications.selectList();

const GET = sql(`SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2::uuid`);
const GET_OWN = sql(`
  SELECT ${COLUMNS} FROM notifications
  WHERE tenant_id = $1 AND recipient_employee_id = $2::uuid AND id = $3::uuid`);
const LOCK = sql(`SELECT ${COLUMNS} FROM notifications WHERE tenant_id = $1 AND id = $2::uuid FOR UPDATE`);
// Both orders walk the unique (tenant, recipient, sequence) index; $4 is the last sequence of the previous page.
const LIST = (order: "ASC" | "DESC") =>
  sql(`
  SELECT ${COLUMNS} FROM notifications
  WHERE tenant_id = $1 AND recipient_employee_id = $2::uuid
    AND ($3::boolean IS FALSE OR read_time IS NULL)
    AND ($4::int IS NULL OR sequence ${order === "ASC" ? ">" : "<"} $4::int)
  ORDER BY sequence ${order} LIMIT $5`);
const LIST_OLDEST_FIRST = LIST("ASC");
const LIST_NEWEST_FIRST = LIST("DESC");
const LAST_SEQUENCE = sql(`
  SELECT COALESCE(max(sequence), 0) AS sequence FROM notifications
  WHERE tenant_id = $1 AND recipient_employee_id = $2::uuid`);
// A recipient's sends take turns (a transaction-scoped lock on the recipient),
// so sequences commit in the order they are numbered: a watcher that has seen
// n can read "after n" and miss none. Other recipients do not wait.
const LOCK_RECIPIENT = sql("SELECT pg_advisory_xact_lock(hashtextextended($1 || '/' || $2, 0))");
const INSERT = sql(`
  WITH n AS (SELECT * FROM json_populate_record(null::notifications, $1::json)),
  inserted AS (
    INSERT INTO notifications (id, tenant_id, recipient_employee_id, sequence, kind, title, body, subject,
      read_time, version, create_time)
    SELECT n.id, n.tenant_id, n.recipient_employee_id,
      COALESCE((SELECT max(x.sequence) FROM notifications x
        WHERE x.tenant_id = n.tenant_id AND x.recipient_employee_id = n.recipient_employee_id), 0) + 1,
      n.kind, n.title, n.body, n.subject, n.read_time, n.version, n.create_time
    FROM n RETURNING sequence
  )
  SELECT sequence, pg_notify('${NOTIFICATION_CHANNEL}', $2) FROM inserted`);
const SAVE = sql(`
  UPDATE notifications SET read_time = $3::timestamptz, version = $4
  WHERE tenant_id = $1 AND id = $2::uuid AND version = $5`);

/** The NOTIFY payload of a recipient's notifications: JSON, so no tenant id can be mistaken for a separator. */
export function recipientKey(tenantId: string, recipientEmployeeId: string): string {
  return JSON.stringify([tenantId, recipientEmployeeId]);
}

/**
 * Loads and saves Notification aggregates; every query is scoped by tenant,
 * and the reads a recipient makes by recipient too. Bound to the pool for
 * reads, or to a command's transaction.
 */
export class NotificationRepository {
  constructor(private readonly sql: Sql) {}

  /** The notification if it is the recipient's (another person's is as absent as another tenant's). */
  async getOwn(tenantId: string, recipientEmployeeId: string, id: string): Promise<Notification | undefined> {
    const [row] = await this.sql.rows<Stored<NotificationModel>>(GET_OWN, [tenantId, recipientEmployeeId, id]);
    return row && toDomain(row);
  }

  async get(tenantId: string, id: string): Promise<Notification | undefined> {
    const [row] = await this.sql.rows<Stored<NotificationModel>>(GET, [tenantId, id]);
    return row && toDomain(row);
  }

  /** Locks the notification's row until the transaction ends, so marks on it take turns. */
  async lock(tenantId: string, id: string): Promise<Notification | undefined> {
    const [row] = await this.sql.rows<Stored<NotificationModel>>(LOCK, [tenantId, id]);
    return row && toDomain(row);
  }

  /** One page of the recipient's notifications after the sequence `after` in the filter's order. */
  async list(
    tenantId: string,
    recipient: string,
    filter: NotificationFilter,
    after: number | undefined,
    limit: number,
  ) {
    const statement = filter.newestFirst ? LIST_NEWEST_FIRST : LIST_OLDEST_FIRST;
    const values = [tenantId, recipient, filter.unreadOnly, after ?? null, limit];
    return (await this.sql.rows<Stored<NotificationModel>>(statement, values)).map(toDomain);
  }

  /** The sequence of the recipient's latest notification; 0 when there is none. */
  async lastSequence(tenantId: string, recipient: string): Promise<number> {
    const [row] = await this.sql.rows<{ sequence: number }>(LAST_SEQUENCE, [tenantId, recipient]);
    return row?.sequence ?? 0;
  }

  /**
   * Inserts a new notification as the recipient's next one and notifies the
   * channel in the same transaction (PostgreSQL delivers it on commit only),
   * so a watcher hears of exactly the notifications that exist.
   */
  async insert(notification: Notification): Promise<Notification> {
    const { tenantId, recipientEmployeeId } = notification;
    await this.sql.rows(LOCK_RECIPIENT, [tenantId, recipientEmployeeId]);
    const values = [notifications.json(notification), recipientKey(tenantId, recipientEmployeeId)];
    const [row] = await this.sql.rows<{ sequence: number }>(INSERT, values);
    return { ...notification, sequence: row?.sequence ?? 0 };
  }

  /** Saves a mark if the notification is still at `before.version` (ABORTED otherwise). */
  async save(changed: Notification, before: Notification): Promise<void> {
    const values = [changed.tenantId, changed.id, changed.readTime, changed.version, before.version];
    if ((await this.sql.count(SAVE, values)) === 0) throw etagMismatch(notificationSubject(changed.id));
  }
}

function toDomain(row: Stored<NotificationModel>): Notification {
  return { ...row, kind: row.kind as NotificationKind };
}
