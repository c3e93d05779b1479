import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { type FileDescriptorProto, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { HEALTH_FILE } from "./health-file.js";

/** The runtime's own refusal reasons: every server may send them, so every server describes them. */
const RUNTIME_REASONS_PACKAGE = "hr.runtime.v1";

/**
 * The part of the descriptor set (built from all of proto/) that one server's
 * reflection may serve: the files of the packages of the services it serves
 * (a context's contract, its ErrorReason enum included), and every file they
 * import, transitively; and health's file, which proto/ does not hold, when
 * health is served; and hr.runtime.v1's reasons (OVERLOADED), which any
 * server may answer whatever it serves. Reflection answers from the set it
 * is given, so a whole set would describe, by file name or symbol, the
 * contracts of every other process (another context's methods, messages and
 * enums) to anyone who reaches this port. A service the set does not define
 * (a test's own) adds nothing.
 */
export function servedFiles(descriptorSet: Uint8Array, serviceNames: readonly string[]): Uint8Array {
  const files = [...fromBinary(FileDescriptorSetSchema, descriptorSet).file, HEALTH_FILE];
  const byName = new Map(files.map((file) => [file.name, file]));
  const wanted = new Set(serviceNames);
  const kept = new Set<string>();
  const keep = (file: FileDescriptorProto | undefined) => {
    if (file === undefined || kept.has(file.name)) return;
    kept.add(file.name);
    for (const dependency of file.dependency) keep(byName.get(dependency));
  };
  // The served services' packages whole: their error reasons live in a file no service imports.
  const packages = new Set(
    files
      .filter((file) => file.service.some((service) => wanted.has(`${file.package}.${service.name}`)))
      .map((file) => file.package),
  );
  packages.add(RUNTIME_REASONS_PACKAGE);
  for (const file of files) if (packages.has(file.package)) keep(file);
  // Files keep the order of the set: each file's imports come before it.
  return toBinary(
    FileDescriptorSetSchema,
    create(FileDescriptorSetSchema, { file: files.filter((file) => kept.has(file.name)) }),
  );
}
