import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

/**
 * The ErrorInfo reasons each proto package declares: the value names of its
 * `ErrorReason` enum, read from the descriptor set built from proto/. A
 * reason a server sends must be one of them, so the contract lists every
 * failure mode a client can see.
 */
export type DeclaredReasons = ReadonlyMap<string, ReadonlySet<string>>;

export function declaredReasons(descriptorSet: Uint8Array): DeclaredReasons {
  const reasons = new Map<string, Set<string>>();
  for (const file of fromBinary(FileDescriptorSetSchema, descriptorSet).file) {
    for (const enumType of file.enumType) {
      if (enumType.name !== "ErrorReason") continue;
      const declared = reasons.get(file.package) ?? new Set<string>();
      for (const value of enumType.value) if (value.number !== 0) declared.add(value.name);
      reasons.set(file.package, declared);
    }
  }
  return reasons;
}

/** The proto package of a method path, e.g. "/hr.employee.v1.EmployeeService/HireEmployee" → "hr.employee.v1". */
export function packageOf(methodPath: string): string {
  const service = methodPath.split("/")[1] ?? "";
  return service.slice(0, service.lastIndexOf("."));
}
