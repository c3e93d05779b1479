import { v5 as uuidv5 } from "uuid";

/**
 * The namespace of the request ids a flow derives (RFC 9562 UUIDv5): fixed
 * for ever, since a changed one would give a redelivered event new ids, and
 * its commands would act a second time.
 */
const FLOW_REQUEST_IDS = "c7fbfbb1-8b45-4f9d-a3db-e9393724bcf6";

/**
 * The request id of one step a flow takes for one event: the same event and
 * step always give the same id, so a redelivered event replays the first
 * answer instead of acting twice, and different steps or events never share
 * one. `step` names what the command acts on (and, for a command that may be
 * retried after ABORTED, the etag it was sent with, since a request id
 * covers the whole request).
 */
export function requestIdFor(eventId: string, step: string): string {
  if (eventId === "" || step === "") throw new Error("a flow's request id needs an event id and a step");
  return uuidv5(`${eventId}\n${step}`, FLOW_REQUEST_IDS);
}
