import { parseArgs } from "node:util";
import { ensureDevelopmentKeys } from "../auth/development-keys.js";
import { issueCallerToken, loadTokenSigner } from "../auth/token-signer.js";
import { readRuntimeConfig } from "../config.js";

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

const env = { ...process.env };
if (!env.AUTH_SIGNING_KEY_FILE) {
  const keys = await ensureDevelopmentKeys();
  env.AUTH_SIGNING_KEY_FILE = keys.signingKeyFile;
  env.AUTH_JWKS_FILE ||= keys.jwksFile;
}
const token = await issueCallerToken(
  {
    tenantId: values.tenant,
    userId: values.user,
    roles: values.roles.split(",").filter(Boolean),
    ...(values.employee ? { employeeId: values.employee } : {}),
  },
  await loadTokenSigner(env.AUTH_SIGNING_KEY_FILE, env),
  readRuntimeConfig(env).auth,
  Number(values.ttl),
);
process.stdout.write(`${token}\n`);
