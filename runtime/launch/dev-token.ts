import { parseArgs } from "node:util";
import { developmentToken } from "./development-token.js";

/**
 * Prints a caller token for calling the services by hand, signed with the
 * development private key (or AUTH_SIGNING_KEY_FILE):
 * `npm run -s dev-token -- --tenant acme --roles hr_admin`. It lives 15
 * minutes by default; a longer --ttl is accepted only by services started
 * with AUTH_MAX_TOKEN_LIFETIME_SECONDS raised as far.
 */
const { values } = parseArgs({
  options: {
    tenant: { type: "string", default: "demo-tenant" },
    user: { type: "string", default: "dev-user" },
    roles: { type: "string", default: "hr_admin" },
    employee: { type: "string" },
    ttl: { type: "string", default: "900" },
  },
});

const token = await developmentToken(
  {
    tenantId: values.tenant,
    userId: values.user,
    roles: values.roles.split(",").filter(Boolean),
    ...(values.employee ? { employeeId: values.employee } : {}),
  },
  Number(values.ttl),
);
process.stdout.write(`${token}\n`);
