import { createServer } from "node:http";
import type { Logger } from "pino";
import type { MetricsSettings } from "./metrics-config.js";
import { collectNodeMetrics, registry } from "./registry.js";
import { useTenantClasses } from "./server-metrics.js";

/** Where Prometheus scrapes. */
export const METRICS_PATH = "/metrics";

/**
 * Labels calls with the tenant classes (TENANT_CLASSES), and serves the
 * process's registry on `settings.port` (none when 0): `GET /metrics` in
 * Prometheus's text format, anything else 404. Plain HTTP on a port of its
 * own, so that a scrape never competes with business calls for the gRPC
 * server's admission, and a network policy can open it to the monitoring
 * system alone. A port already taken is logged as an error and the process
 * serves on without metrics: its calls matter more than its scrape, and
 * Prometheus shows the target down. The server does not keep the process
 * alive.
 */
export function startMetrics(settings: MetricsSettings, host: string, logger: Logger): void {
  useTenantClasses(settings.tenantClasses);
  if (settings.port === 0) return;
  collectNodeMetrics();
  const server = createServer((request, response) => {
    if (request.method !== "GET" || request.url?.split("?")[0] !== METRICS_PATH) {
      response.writeHead(404, { "content-type": "text/plain" }).end(`only GET ${METRICS_PATH} is served here\n`);
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
      (error: unknown) => {
        logger.error({ err: error }, "collecting metrics failed");
        response.writeHead(500, { "content-type": "text/plain" }).end("collecting metrics failed\n");
      },
    );
  });
  server.once("error", (error) => logger.error({ err: error, port: settings.port }, "metrics not served"));
  server.listen(settings.port, host, () => logger.info({ port: settings.port, path: METRICS_PATH }, "metrics served"));
  server.unref();
}
