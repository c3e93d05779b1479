import { readFileSync } from "node:fs";
import {
  createFileRegistry,
  type DescMessage,
  type DescMethodServerStreaming,
  type DescMethodUnary,
  fromBinary,
} from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { isApplicationPackage } from "../../runtime/application-contracts.js";
import { authorizationRules } from "../../runtime/auth/authorization-rules.js";

const DESCRIPTOR_SET = new URL("../../generated/descriptor.binpb", import.meta.url);

/** A method the edge serves: its descriptor, its gRPC path, and whether its rule lets anyone call it. */
export interface ExposedMethod {
  method: DescMethodUnary<DescMessage, DescMessage>;
  /** "/hr.session.v1.SessionService/Login", as rules and configuration name it. */
  path: string;
  /** The contract's rule says `public: true` (sign-in): no token is asked for. */
  public: boolean;
}

/** A server-streaming method the edge serves (a live watch): Connect server streaming over HTTP. */
export interface ExposedStream {
  method: DescMethodServerStreaming<DescMessage, DescMessage>;
  path: string;
  public: boolean;
}

/**
 * Every unary and server-streaming method of every application service in
 * the descriptor set, read when the gateway starts: a new service or version
 * needs no gateway code, only its contract. Data services' methods are never
 * listed, so the edge answers them 404 like any unknown path. Client and
 * bidirectional streams are left out (`skipped`): HTTP/1.1 cannot carry them.
 */
export function exposedMethods(descriptorSet: Uint8Array = readFileSync(DESCRIPTOR_SET)): {
  methods: ExposedMethod[];
  streams: ExposedStream[];
  skipped: string[];
} {
  const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, descriptorSet));
  const rules = authorizationRules(descriptorSet);
  const methods: ExposedMethod[] = [];
  const streams: ExposedStream[] = [];
  const skipped: string[] = [];
  for (const file of registry.files) {
    if (!isApplicationPackage(file.proto.package)) continue;
    for (const service of file.services) {
      for (const method of service.methods) {
        const path = `/${service.typeName}/${method.name}`;
        const isPublic = rules.methods.get(path)?.public === true;
        if (method.methodKind === "server_streaming") {
          streams.push({
            method: method as DescMethodServerStreaming<DescMessage, DescMessage>,
            path,
            public: isPublic,
          });
          continue;
        }
        if (method.methodKind !== "unary") {
          skipped.push(path);
          continue;
        }
        // DescMethod is not a discriminated union: the check above is what makes it a unary one.
        const unary = method as DescMethodUnary<DescMessage, DescMessage>;
        methods.push({ method: unary, path, public: isPublic });
      }
    }
  }
  return { methods, streams, skipped };
}
