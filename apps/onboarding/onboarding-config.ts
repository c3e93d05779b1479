import { targetVariable } from "../../runtime/client/client-config.js";
import { atLeastOne, configSlice, integer } from "../../runtime/config.js";
import { localTarget } from "../../runtime/platform.js";

/** Where the onboarding app finds the data services it composes, and how its worker paces itself. */
export const onboardingVariables = configSlice("onboarding", {
  ONBOARDING_PEOPLE_TARGET: targetVariable(
    localTarget("people"),
    "where people is (same forms as `DIRECTORY_PEOPLE_TARGET`)",
  ),
  ONBOARDING_IDENTITY_TARGET: targetVariable(localTarget("identity"), "where identity is"),
  ONBOARDING_TIMEOFF_TARGET: targetVariable(localTarget("timeoff"), "where timeoff is"),
  ONBOARDING_TALENT_TARGET: targetVariable(localTarget("talent"), "where talent is"),
  ONBOARDING_CASES_TARGET: targetVariable(localTarget("cases"), "where cases (the onboarding cases) is"),
  ONBOARDING_INBOX_TARGET: targetVariable(localTarget("inbox"), "where inbox (notifications) is"),
  // Cases started or retried in this process run at once (a nudge); the poll finds
  // the rest (due retries, another replica's cases, a restart's): every 5 s keeps the
  // cases service's call log to a line per 5 s when nothing happens.
  ONBOARDING_POLL_INTERVAL_MS: atLeastOne(5_000, "how often the worker looks for due onboarding steps"),
  ONBOARDING_RETRY_BASE_MS: atLeastOne(
    1_000,
    "wait before the first retry of a step that failed transiently; doubled each time",
  ),
  ONBOARDING_RETRY_MAX_MS: atLeastOne(300_000, "longest wait between two attempts of a step"),
  ONBOARDING_ANNUAL_LEAVE_HALF_DAYS: integer(
    50,
    "annual leave, in half days, opened for a person onboarded from an accepted application",
  ),
});

export type OnboardingSettings = ReturnType<typeof onboardingVariables.read>;
