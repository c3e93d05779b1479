// What `npm start` prints once every process listens: where each service is,
// which contexts (gRPC services) it serves, and how to call one by hand.
// Every server serves reflection, so buf curl needs no .proto files.

export interface BannerService {
  name: string;
  port: number;
  /** Where Prometheus scrapes it (GET /metrics); 0: its metrics are off. */
  metricsPort: number;
  /** Fully qualified gRPC services it serves, one per bounded context. */
  contexts: string[];
  /** One read call to show, e.g. { method: "hr.employee.v1.EmployeeService/ListEmployees", body: {...} }. */
  example?: { method: string; body: object };
}

/**
 * `seconds`: how long the start took, from the launcher's first line to every server SERVING;
 * `gatewayPort`: where the HTTP edge listens.
 */
export function banner(services: BannerService[], postgres: string, seconds: number, gatewayPort: number): string {
  const width = Math.max(...services.map((service) => service.name.length));
  const lines = ["", `HR platform is up in ${seconds.toFixed(1)} s. PostgreSQL: ${postgres}`, ""];
  for (const service of services) {
    lines.push(`  ${service.name.padEnd(width)}  127.0.0.1:${service.port}  ${service.contexts.join(", ")}`);
  }
  const token = `-H "authorization: Bearer $(npm run -s dev-token)"`;
  lines.push(
    "",
    "Caller token: npm run -s dev-token   (tenant demo-tenant, role hr_admin; e.g. -- --tenant acme --roles hr_admin)",
  );
  const shown = services.find((service) => service.example);
  if (shown?.example) {
    const { method, body } = shown.example;
    const json = JSON.stringify(body);
    lines.push(
      "Try (reflection is served: npx buf curl --protocol grpc --http2-prior-knowledge --list-methods http://127.0.0.1:PORT):",
      `  npx buf curl --protocol grpc --http2-prior-knowledge ${token} --data '${json}' http://127.0.0.1:${shown.port}/${method}`,
    );
  }
  const edge = `http://127.0.0.1:${gatewayPort}`;
  const json = `-H 'content-type: application/json'`;
  const login = `{"tenantId":"acme","loginName":"LOGIN_NAME","password":"correct horse battery staple"}`;
  lines.push(
    "Through the gateway over HTTP/JSON (LOGIN_NAME: what `npm run -s sign-in -- --tenant acme` printed):",
    `  TOKEN=$(curl -s ${json} ${edge}/hr.session.v1.SessionService/Login -d '${login}' | sed -E 's/.*"accessToken":"([^"]+)".*/\\1/')`,
    `  curl -s ${json} -H "authorization: Bearer $TOKEN" ${edge}/hr.selfservice.v1.SelfService/GetMyProfile -d '{}'`,
  );
  lines.push(`API reference (every method the gateway serves, in a browser): ${edge}/docs/`);
  const scraped = services.filter((service) => service.metricsPort > 0);
  if (scraped.length > 0) {
    lines.push("Prometheus metrics (GET /metrics, text format), one port per process:");
    for (const service of scraped) {
      lines.push(`  ${service.name.padEnd(width)}  http://127.0.0.1:${service.metricsPort}/metrics`);
    }
  }
  lines.push("Ctrl-C stops everything.", "");
  return lines.join("\n");
}
