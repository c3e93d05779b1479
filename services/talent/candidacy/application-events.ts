import { ApplicationAccepted, protobufPackage } from "../../../generated/proto/hr/candidacy/v1/application_events.js";
import { type DomainEvent, domainEvent } from "../../../runtime/events/envelope.js";
import type { EventSource } from "../../../runtime/events/outbox.js";
import type { Application } from "./application.js";

/** The candidacy context's events travel on the talent stream, about hr.candidacy.v1.Application. */
export const APPLICATION_EVENTS: EventSource = { stream: "talent", aggregateType: `${protobufPackage}.Application` };

/**
 * A full name split for a hire: the given name up to the last space, the
 * family name after it (none when the name is one word). A guess an HR user
 * can correct on the employee afterwards; the full name travels too.
 */
export function splitName(fullName: string): { givenName: string; familyName: string } {
  const name = fullName.trim().replace(/\s+/g, " ");
  const last = name.lastIndexOf(" ");
  return last < 0
    ? { givenName: name, familyName: "" }
    : { givenName: name.slice(0, last), familyName: name.slice(last + 1) };
}

/** What a saved change publishes: the move into HIRED; other moves publish nothing yet. */
export function changeEvents(changed: Application, before: Application): DomainEvent[] {
  if (changed.stage !== "hired" || before.stage === "hired") return [];
  return [
    domainEvent(ApplicationAccepted, `${protobufPackage}.ApplicationAccepted`, {
      applicationId: changed.id,
      jobOpeningId: changed.jobOpeningId,
      candidateName: changed.candidateName,
      ...splitName(changed.candidateName),
      candidateEmail: changed.candidateEmail,
    }),
  ];
}
