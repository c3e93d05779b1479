import {
  LoginCreated,
  LoginDisabled,
  protobufPackage,
} from "../../../generated/proto/hr/identity/v1/account_events.js";
import { type DomainEvent, domainEvent } from "../../../runtime/events/envelope.js";
import type { EventSource } from "../../../runtime/events/outbox.js";
import type { Account } from "./account.js";
import { rolesToProto } from "./account-proto.js";

/** The identity context's events travel on the identity stream, about hr.identity.v1.Account. */
export const ACCOUNT_EVENTS: EventSource = { stream: "identity", aggregateType: `${protobufPackage}.Account` };

/** What a saved new account publishes. */
export function createdEvents(created: Account): DomainEvent[] {
  return [
    domainEvent(LoginCreated, `${protobufPackage}.LoginCreated`, {
      accountId: created.id,
      employeeId: created.employeeId ?? "",
      loginName: created.loginName,
      roles: rolesToProto(created.roles),
    }),
  ];
}

/** What a saved change publishes: disabling; other changes publish nothing yet. */
export function changeEvents(changed: Account, before: Account): DomainEvent[] {
  if (changed.status !== "disabled" || before.status === "disabled") return [];
  return [
    domainEvent(LoginDisabled, `${protobufPackage}.LoginDisabled`, {
      accountId: changed.id,
      employeeId: changed.employeeId ?? "",
    }),
  ];
}
