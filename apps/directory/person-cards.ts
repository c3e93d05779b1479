import type { PersonCard as PersonCardV1 } from "../../generated/proto/hr/directory/v1/directory_service.js";
import type { PersonCard as PersonCardV2 } from "../../generated/proto/hr/directory/v2/directory_service.js";
import type { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";

// How each version of the contract shows a person: the one thing v1 and v2
// of hr.directory differ in (see proto/hr/directory/v2). Only what a
// colleague may see of the employee record.

/** v1: the name as one display string, given name first. */
export function personCardV1(e: Employee): PersonCardV1 {
  return { id: e.id, displayName: `${e.givenName} ${e.familyName}`, jobTitle: e.jobTitle, workEmail: e.workEmail };
}

/** v2: the name in its parts, for the client to compose in its reader's order. */
export function personCardV2(e: Employee): PersonCardV2 {
  return {
    id: e.id,
    name: { givenName: e.givenName, familyName: e.familyName },
    jobTitle: e.jobTitle,
    workEmail: e.workEmail,
  };
}
