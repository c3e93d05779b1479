// @hr-platform/web-client: the HR platform's gateway for browser pages, typed
// by the contracts (the schemas are under "@hr-platform/web-client/schemas/...").

export { type Client, Code, ConnectError } from "@connectrpc/connect";
export { errorInfoOf, fieldViolationsOf, reasonOf } from "./error-details.js";
export { createPlatform, type Platform, type PlatformOptions } from "./platform.js";
export { REQUEST_ID_HEADER } from "./signed-in-calls.js";
export { memoryTokens, type StoredTokens, type TokenStore } from "./token-store.js";
