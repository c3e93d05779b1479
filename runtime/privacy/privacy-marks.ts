import { readFileSync } from "node:fs";
import {
  createFileRegistry,
  type DescExtension,
  type DescField,
  type DescMessage,
  type DescMethod,
  type FileRegistry,
  fromBinary,
  getOption,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const DESCRIPTOR_SET = new URL("../../generated/descriptor.binpb", import.meta.url);

/** What a marked field holds (proto/hr/privacy/v1/privacy.proto): personal data, or a credential. */
export type Sensitivity = "pii" | "secret";

/** What a marked field's value becomes wherever it is written. */
export const SCRUBBED: Readonly<Record<Sensitivity, string>> = {
  pii: "[scrubbed:pii]",
  secret: "[scrubbed:secret]",
};

/** Whether a JSON value is one of the markers, i.e. a field whose value was scrubbed. */
export function isScrubbed(value: unknown): value is string {
  return value === SCRUBBED.pii || value === SCRUBBED.secret;
}

/**
 * The privacy marks of the contracts: the field options `hr.privacy.v1.pii`
 * and `hr.privacy.v1.secret`, read from the descriptor set. Logs, captures
 * and replays ask this object, never a list of field names kept in code.
 */
export class PrivacyMarks {
  private readonly options: readonly [Sensitivity, DescExtension][];
  private readonly known = new WeakMap<DescField, Sensitivity | null>();
  private readonly methods = new Map<string, DescMethod>();

  constructor(readonly registry: FileRegistry) {
    this.options = (["secret", "pii"] as const).map((name) => {
      const option = registry.getExtension(`hr.privacy.v1.${name}`);
      if (option === undefined) throw new Error(`the descriptor set does not declare hr.privacy.v1.${name}`);
      return [name, option];
    });
    for (const file of registry.files) {
      for (const service of file.services) {
        for (const method of service.methods) this.methods.set(`/${service.typeName}/${method.name}`, method);
      }
    }
  }

  static fromDescriptorSet(descriptorSet: Uint8Array = readFileSync(DESCRIPTOR_SET)): PrivacyMarks {
    return new PrivacyMarks(createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet)));
  }

  /** The field's mark; a field marked both ways counts as a secret, the stricter. */
  of(field: DescField): Sensitivity | undefined {
    let mark = this.known.get(field);
    if (mark === undefined) {
      mark = this.options.find(([, option]) => getOption(field, option) === true)?.[0] ?? null;
      this.known.set(field, mark);
    }
    return mark ?? undefined;
  }

  /** The request type of a method by its path ("/hr.session.v1.SessionService/Login"). */
  inputOf(path: string): DescMessage | undefined {
    return this.methods.get(path)?.input;
  }

  /** The method a path names, when the descriptor set has it. */
  methodOf(path: string): DescMethod | undefined {
    return this.methods.get(path);
  }
}
