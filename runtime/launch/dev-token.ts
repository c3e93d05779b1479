import { parseArgs } from "node:util";
import { issueCallerToken } from "../auth/caller.js";
import { readRuntimeConfig } from "../config.js";

/**
 * Prints a caller token signed with the configured secret, for calling the
 * services by hand: `npm run -s dev-token -- --tenant acme --roles hr_admin`
 * (`--employee <id>` names the employee the caller is, for rules limited to
 * one's own records).
 */
const { values } = parseArgs({
  options: {
    tenant: { type: "string", default: "demo-tenant" },
    user: { type: "string", default: "dev-user" },
    roles: { type: "string", default: "hr_admin" },
    employee: { type: "string" },
    ttl: { type: "string", default: "3600" },
  },
});

const token = await issueCallerToken(
  {
    tenantId: values.tenant,
    userId: values.user,
    roles: values.roles.split(",").filter(Boolean),
    ...(values.employee ? { employeeId: values.employee } : {}),
  },
  readRuntimeConfig().auth,
  Number(values.ttl),
);
process.stdout.write(`${token}\n`);
