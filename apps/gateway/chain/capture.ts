import type { TrafficCapture } from "../capture/traffic-capture.js";
import type { EdgeInterceptor } from "./edge-interceptor.js";

/** Around the decoded call: its request and answer kept for its line when it is sampled; nothing when capture is off. */
export function capturing(capture: TrafficCapture | undefined): EdgeInterceptor {
  return {
    step: "capture",
    around: (call, next) => (capture ? capture.around(call.exposed.method, call.message, call.context, next) : next()),
  };
}
