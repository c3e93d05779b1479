import { Employee } from "../../generated/proto/hr/employee/v1/employee_service.js";
import type {
  GetMyProfileResponse,
  UpdateMyProfileRequest,
  UpdateMyProfileResponse,
} from "../../generated/proto/hr/selfservice/v1/self_service.js";
import { forwardCall } from "../../runtime/client/forward-call.js";
import { updateMaskPaths } from "../../runtime/server/update-mask.js";
import type { DataClients } from "./data-clients.js";
import { type SelfServiceCall, signedInEmployee } from "./signed-in-employee.js";

/** GetMyProfile: the employee record the caller's token names. */
export async function myProfile(data: DataClients, context: SelfServiceCall): Promise<GetMyProfileResponse> {
  const id = signedInEmployee(context.caller);
  return data.employees.getEmployee({ id }, forwardCall(context));
}

/**
 * UpdateMyProfile: people's UpdateEmployee on the caller's own record, with
 * the caller's token. People allows that to a non-HR caller for its own
 * name only, so this app and people enforce the same limit.
 */
export async function updateMyProfile(
  data: DataClients,
  request: UpdateMyProfileRequest,
  context: SelfServiceCall,
): Promise<UpdateMyProfileResponse> {
  const id = signedInEmployee(context.caller);
  const paths = updateMaskPaths(request.updateMask, ["given_name", "family_name"] as const);
  const { requestId, etag, givenName, familyName } = request;
  return data.employees.updateEmployee(
    {
      requestId,
      employee: Employee.fromPartial({ id, etag, givenName, familyName }),
      updateMask: [...paths],
    },
    forwardCall(context),
  );
}
