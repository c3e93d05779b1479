import type { TrafficCapture } from "../capture/traffic-capture.js";
import type { EdgeInterceptor } from "./edge-interceptor.js";

/**
 * Around the decoded call: its request and answer kept for its line when it
 * is sampled; nothing when capture is off, nor for a server stream (a live
 * watch has no one answer to keep, nor one to replay).
 */
export function capturing(capture: TrafficCapture | undefined): EdgeInterceptor {
  return {
    step: "capture",
    around: (call, next) => {
      const { method } = call.exposed;
      if (capture === undefined || method.methodKind !== "unary") return next();
      return capture.around(method, call.message, call.context, next);
    },
  };
}
