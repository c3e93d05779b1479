import { type AdmissionConfig, configSlice, type Env, integer } from "../config.js";

/** Load shedding of business calls (admission.ts), in every server. */
export const admissionVariables = configSlice("all servers", {
  ADMISSION_MIN_LIMIT: integer(8, "the adaptive limit's floor"),
  ADMISSION_MAX_LIMIT: integer(
    256,
    "most business calls a process runs at once (the adaptive limit's ceiling); `0` turns load shedding off",
  ),
  ADMISSION_INITIAL_LIMIT: integer(32, "the limit a process starts with, before latency has taught it anything"),
  ADMISSION_QUEUE_SIZE: integer(
    128,
    "calls that may wait for a slot, shared fairly between tenants; beyond it a call is refused at once",
  ),
  ADMISSION_MAX_WAIT_MS: integer(1_000, "longest a call waits for a slot before it is refused"),
  ADMISSION_MIN_DEADLINE_MS: integer(
    5,
    "a call with less time left before its deadline is refused DEADLINE_EXCEEDED before any work",
  ),
});

export function readAdmissionConfig(env?: Env): AdmissionConfig {
  const v = admissionVariables.read(env);
  return {
    minLimit: v.ADMISSION_MIN_LIMIT,
    maxLimit: v.ADMISSION_MAX_LIMIT,
    initialLimit: v.ADMISSION_INITIAL_LIMIT,
    queueSize: v.ADMISSION_QUEUE_SIZE,
    maxWaitMs: v.ADMISSION_MAX_WAIT_MS,
    minDeadlineMs: v.ADMISSION_MIN_DEADLINE_MS,
  };
}
