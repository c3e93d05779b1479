import { createFileRegistry, fromBinary, getOption, hasOption } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

/**
 * The authorization rules the contracts declare: the method option
 * `hr.auth.v1.authorization` of every method of every service in the
 * descriptor set built from proto/, read once when a server starts. Role
 * values become the names tokens carry ("ROLE_HR_ADMIN" → "hr_admin").
 */

const OPTION = "hr.auth.v1.authorization";
const ROLE_ENUM = "hr.auth.v1.Role";

export interface AuthorizationRule {
  /** Token roles allowed on any resource of the caller's tenant. */
  allow: ReadonlySet<string>;
  /** Token roles allowed on the caller's own resources only. */
  allowOwn: ReadonlySet<string>;
  /** Nobody may call the method on their own resources (separation of duties). */
  denyOwn: boolean;
  /** Anyone may call it without a token (sign-in methods). */
  public: boolean;
}

export interface AuthorizationRules {
  /** Every role a rule can name, as tokens carry it. */
  roles: readonly string[];
  /** Every method by path ("/hr.employee.v1.EmployeeService/GetEmployee"): its rule, or undefined when it declares none. */
  methods: ReadonlyMap<string, AuthorizationRule | undefined>;
}

/** How far a caller's roles reach on one method: anything of its tenant, its own resources only, or nothing. */
export type AccessScope = "any" | "own";

/** The option's value as @bufbuild/protobuf decodes it (field names in lowerCamelCase, enums as numbers). */
interface DeclaredRule {
  allow: number[];
  allowOwn: number[];
  denyOwn: boolean;
  public: boolean;
}

export function authorizationRules(descriptorSet: Uint8Array): AuthorizationRules {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
  const option = registry.getExtension(OPTION);
  const roleEnum = registry.getEnum(ROLE_ENUM);
  if (option === undefined || roleEnum === undefined) throw new Error(`the descriptor set does not declare ${OPTION}`);
  const declared = roleEnum.values.filter((value) => value.number !== 0);
  const roleName = (value: number, method: string): string => {
    const found = declared.find((role) => role.number === value);
    // A rule naming ROLE_UNSPECIFIED or an unknown value is a contract defect: refuse to start.
    if (found === undefined) throw new Error(`${method}: authorization names no known role (${value})`);
    return found.name.replace(/^ROLE_/, "").toLowerCase();
  };

  const methods = new Map<string, AuthorizationRule | undefined>();
  for (const file of registry.files) {
    for (const service of file.services) {
      for (const method of service.methods) {
        const path = `/${service.typeName}/${method.name}`;
        if (!hasOption(method, option)) {
          methods.set(path, undefined);
          continue;
        }
        const rule = getOption(method, option) as unknown as DeclaredRule;
        methods.set(path, {
          allow: new Set(rule.allow.map((value) => roleName(value, path))),
          allowOwn: new Set(rule.allowOwn.map((value) => roleName(value, path))),
          denyOwn: rule.denyOwn,
          public: rule.public,
        });
        if (rule.public && (rule.allow.length > 0 || rule.allowOwn.length > 0 || rule.denyOwn)) {
          throw new Error(`${path}: a public authorization rule names no roles`);
        }
      }
    }
  }
  return { roles: declared.map((role) => roleName(role.number, ROLE_ENUM)), methods };
}

/** The scope a caller with `roles` gets from `rule`; undefined when none of its roles is allowed. */
export function scopeOf(rule: AuthorizationRule, roles: readonly string[]): AccessScope | undefined {
  if (roles.some((role) => rule.allow.has(role))) return "any";
  if (roles.some((role) => rule.allowOwn.has(role))) return "own";
  return undefined;
}
