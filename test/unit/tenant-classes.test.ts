import { describe, expect, it } from "vitest";
import { metricsVariables } from "../../runtime/metrics/metrics-config.js";
import { tenantClassOf, useTenantClasses } from "../../runtime/metrics/server-metrics.js";

// TENANT_CLASSES: the bounded label a tenant's calls carry in metrics instead of its id.

describe("tenant classes", () => {
  it("reads tenant=class pairs, and labels every other tenant standard and a call without caller none", () => {
    const { TENANT_CLASSES } = metricsVariables.read({
      TENANT_CLASSES: "acme=enterprise, globex = enterprise,,initech=trial",
    });
    expect([...TENANT_CLASSES]).toEqual([
      ["acme", "enterprise"],
      ["globex", "enterprise"],
      ["initech", "trial"],
    ]);
    useTenantClasses(TENANT_CLASSES);
    try {
      expect(["acme", "initech", "umbrella", undefined].map(tenantClassOf)).toEqual([
        "enterprise",
        "trial",
        "standard",
        "none",
      ]);
    } finally {
      useTenantClasses(new Map());
    }
  });

  it("refuses a value that is no list of pairs, or a class a label should not hold, naming the variable", () => {
    for (const bad of ["acme", "acme=", "=enterprise", "acme=Enterprise", "acme=none", "acme=a=b", "acme=gold class"]) {
      expect(() => metricsVariables.read({ TENANT_CLASSES: bad }), bad).toThrow(
        /^TENANT_CLASSES must list tenant=class pairs/,
      );
    }
  });
});
