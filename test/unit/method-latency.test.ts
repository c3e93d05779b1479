import { describe, expect, it } from "vitest";
import { MethodLatency } from "../../runtime/server/method-latency.js";

const GET = "/hr.employee.v1.EmployeeService/GetEmployee";

describe("a method's latency", () => {
  it("keeps what a call needs near its fast calls through a burst of slow ones, while the average follows the load", () => {
    const latency = new MethodLatency();
    for (let i = 0; i < 50; i++) latency.record(GET, 2);
    for (let i = 0; i < 20; i++) latency.record(GET, 600);
    // The average says a 500 ms deadline is hopeless; refusing on it would refuse every
    // such call, and refused calls never bring the samples that would lower it again.
    expect(latency.usualMs(GET)).toBeGreaterThan(500);
    expect(latency.neededMs(GET)).toBeLessThan(250);
  });

  it("falls back quickly once calls are fast again", () => {
    const latency = new MethodLatency();
    for (let i = 0; i < 200; i++) latency.record(GET, 600);
    for (let i = 0; i < 10; i++) latency.record(GET, 2);
    expect(latency.neededMs(GET)).toBeLessThan(20);
  });
});
