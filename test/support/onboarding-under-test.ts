import type { Logger } from "pino";
import { loginSecretOf } from "../../apps/onboarding/login-password.js";
import { startOnboardingServer } from "../../apps/onboarding/onboarding-server.js";
import { OnboardingServiceDefinition } from "../../generated/proto/hr/onboarding/v1/onboarding_service.js";
import { openChannel } from "../../runtime/client/service-client.js";
import type { RunningServer } from "../../runtime/server/grpc-server.js";
import { testConfig, testKeys, testLogger, testSigner } from "./callers.js";
import { type CasesUnderTest, startCases } from "./cases-under-test.js";
import { type IdentityUnderTest, startIdentity } from "./identity-under-test.js";
import { type InboxUnderTest, startInbox } from "./inbox-under-test.js";
import { type PeopleUnderTest, startPeople } from "./people-under-test.js";
import { testClient } from "./service-under-test.js";
import { startTalent, type TalentUnderTest } from "./talent-under-test.js";
import { startTimeoff, type TimeoffUnderTest } from "./timeoff-under-test.js";

/** The data services the onboarding app composes, each a real server over its own fresh database. */
export interface OnboardingDataServices {
  people: PeopleUnderTest;
  identity: IdentityUnderTest;
  timeoff: TimeoffUnderTest;
  talent: TalentUnderTest;
  cases: CasesUnderTest;
  inbox: InboxUnderTest;
}

export async function startOnboardingDataServices(): Promise<OnboardingDataServices> {
  const [people, identity, timeoff, talent, cases, inbox] = await Promise.all([
    startPeople(),
    startIdentity(),
    startTimeoff(),
    startTalent(),
    startCases(),
    startInbox(),
  ]);
  return { people, identity, timeoff, talent, cases, inbox };
}

export function targetsOf(data: OnboardingDataServices) {
  const { people, identity, timeoff, talent, cases, inbox } = data;
  return {
    people: people.address,
    identity: identity.address,
    timeoff: timeoff.address,
    talent: talent.address,
    cases: cases.address,
    inbox: inbox.address,
  };
}

/** A real onboarding app on a free port over `data`, its worker polling often and retrying fast. */
export async function startOnboarding(
  data: OnboardingDataServices,
  options: {
    logger?: Logger;
    env?: Record<string, string | undefined>;
    retryBaseMs?: number;
    loginSecret?: Uint8Array;
  } = {},
) {
  const server: RunningServer = await startOnboardingServer({
    port: 0,
    targets: targetsOf(data),
    signer: testSigner,
    // As in production: every replica derives the same key from the signing key they share.
    loginSecret: options.loginSecret ?? loginSecretOf(testKeys.signingKeyFile),
    pollIntervalMs: 100,
    annualLeaveHalfDays: 50,
    retry: { baseMs: options.retryBaseMs ?? 50, maxMs: 1_000 },
    config: testConfig,
    logger: options.logger ?? testLogger(),
    env: options.env ?? {},
  });
  const channel = openChannel(`127.0.0.1:${server.port}`);
  return {
    server,
    onboarding: testClient(OnboardingServiceDefinition, channel),
    async stop() {
      channel.close();
      await server.stop();
    },
  };
}

export type OnboardingUnderTest = Awaited<ReturnType<typeof startOnboarding>>;
