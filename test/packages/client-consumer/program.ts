import { randomUUID } from "node:crypto";
import {
  BadRequest,
  ClientError,
  callerOptions,
  createPlatformClient,
  DEFAULT_CLIENT_POLICY,
  ErrorInfo,
  errorReasonOf,
  openChannel,
  RichClientError,
  Status,
} from "@hr-platform/client";
import { EmployeeServiceDefinition } from "@hr-platform/client/hr/employee/v1/employee_service";
import { ErrorReason } from "@hr-platform/client/hr/employee/v1/error_reason";
import { DepartmentServiceDefinition } from "@hr-platform/client/hr/organization/v1/department_service";
import { startTeamService, TeamProfileDefinition } from "./team-service.js";

// An application team's program: it imports only @hr-platform/client, calls
// the running platform's people service, and prints what it saw as one JSON
// object. PEOPLE_TARGET and TOKEN (an HR administrator's) come from the
// environment, and DEAD_TARGET, an address where nothing listens.

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const token = env("TOKEN");
const channel = openChannel(env("PEOPLE_TARGET"));
const departments = createPlatformClient(DepartmentServiceDefinition, channel);
const employees = createPlatformClient(EmployeeServiceDefinition, channel);
const requestIds = {
  hire: `consumer-${randomUUID()}`,
  notFound: `consumer-${randomUUID()}`,
  viaTeam: `consumer-${randomUUID()}`,
};

/** How a call failed, as a team would read it. */
async function failure(call: Promise<unknown>) {
  try {
    await call;
    return { failed: false };
  } catch (error) {
    if (!(error instanceof ClientError)) throw error;
    const extra = error instanceof RichClientError ? error.extra : [];
    return {
      failed: true,
      clientError: true,
      richClientError: error instanceof RichClientError,
      code: Status[error.code],
      reason: errorReasonOf(error),
      errorInfoDomain: extra.find((d): d is ErrorInfo => d.$type === ErrorInfo.$type)?.domain,
      badFields: extra.flatMap((d) => (d.$type === BadRequest.$type ? d.fieldViolations.map((v) => v.field) : [])),
    };
  }
}

// A department, and an employee hired into it twice with one request_id.
const asHr = callerOptions({ token, requestId: requestIds.hire });
const { department } = await departments.createDepartment(
  { requestId: randomUUID(), name: "Engineering", code: `ENG-${randomUUID().slice(0, 8)}` },
  asHr,
);
if (department === undefined) throw new Error("CreateDepartment answered no department");
const hire = {
  requestId: randomUUID(),
  givenName: "Ada",
  familyName: "Lovelace",
  workEmail: `ada.${randomUUID().slice(0, 8)}@example.com`,
  jobTitle: "Engineer",
  departmentId: department.id,
  hireDate: "2025-03-01",
};
const first = (await employees.hireEmployee(hire, asHr)).employee;
const again = (await employees.hireEmployee(hire, asHr)).employee;
const read = (await employees.getEmployee({ id: first?.id }, asHr)).employee;

// A missing employee: NOT_FOUND with its ErrorInfo reason.
const notFound = await failure(
  employees.getEmployee({ id: randomUUID() }, callerOptions({ token, requestId: requestIds.notFound })),
);
// A refused request: INVALID_ARGUMENT with the fields named.
const invalid = await failure(employees.hireEmployee({ ...hire, requestId: randomUUID(), workEmail: "" }, asHr));
// A deadline already as good as gone.
const tooLate = await failure(
  employees.listEmployees({ pageSize: 10 }, callerOptions({ token, deadline: new Date(Date.now() + 1) })),
);

// Where nothing listens: a method the contract marks safe is tried
// maxAttempts times; the team's method, with no idempotency level, once.
const dead = openChannel(env("DEAD_TARGET"));
const retriesOfSafe: string[] = [];
const safe = await failure(
  createPlatformClient(DepartmentServiceDefinition, dead).getDepartment(
    { id: randomUUID() },
    { ...callerOptions({ token }), onRetryableError: (error) => retriesOfSafe.push(Status[error.code]) },
  ),
);
const retriesOfUnmarked: string[] = [];
const unmarked = await failure(
  createPlatformClient(TeamProfileDefinition, dead).profile(
    { id: randomUUID() },
    { ...callerOptions({ token }), onRetryableError: (error) => retriesOfUnmarked.push(Status[error.code]) },
  ),
);
dead.close();

// The team's own service reads the employee while serving a call of ours:
// our token, request id and deadline travel on through forwardFrom.
const team = await startTeamService(env("PEOPLE_TARGET"));
const teamChannel = openChannel(team.target);
const teamProfile = createPlatformClient(TeamProfileDefinition, teamChannel);
const deadline = new Date(Date.now() + 30_000);
const viaTeam = (
  await teamProfile.profile({ id: first?.id }, callerOptions({ token, requestId: requestIds.viaTeam, deadline }))
).employee;
const viaTeamMissing = await failure(
  teamProfile.profile({ id: randomUUID() }, callerOptions({ token, requestId: requestIds.notFound, deadline })),
);
teamChannel.close();
await team.stop();
channel.close();

console.log(
  JSON.stringify({
    resolvedFrom: import.meta.resolve("@hr-platform/client"),
    defaultPolicy: DEFAULT_CLIENT_POLICY,
    knownReason: ErrorReason.EMPLOYEE_NOT_FOUND,
    requestIds,
    department: { id: department.id, name: department.name },
    hired: { id: first?.id, name: `${first?.givenName} ${first?.familyName}`, departmentId: first?.departmentId },
    hiredAgainId: again?.id,
    readBack: { id: read?.id, workEmail: read?.workEmail, matches: read?.workEmail === hire.workEmail },
    notFound,
    invalid,
    tooLate,
    safe: { ...safe, retries: retriesOfSafe },
    unmarked: { ...unmarked, retries: retriesOfUnmarked },
    viaTeam: {
      id: viaTeam?.id,
      deadlineSentMs: deadline.getTime(),
      forwarded: team.forwarded,
      missing: viaTeamMissing,
    },
  }),
);
