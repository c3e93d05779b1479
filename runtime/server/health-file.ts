import { create } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label,
  FieldDescriptorProto_Type,
  FileDescriptorProtoSchema,
} from "@bufbuild/protobuf/wkt";

/** The health service every server serves, as reflection lists it. */
export const HEALTH_SERVICE = "grpc.health.v1.Health";

const REQUEST = ".grpc.health.v1.HealthCheckRequest";
const RESPONSE = ".grpc.health.v1.HealthCheckResponse";
const field = (name: string, type: FieldDescriptorProto_Type, typeName?: string) => ({
  name,
  number: 1,
  label: FieldDescriptorProto_Label.OPTIONAL,
  type,
  typeName,
  jsonName: name,
});

/**
 * grpc/health/v1/health.proto as nice-grpc-server-health serves it (Check
 * and Watch), for reflection: the descriptor set is built from proto/, which
 * holds only our contracts, and `buf curl` (or any reflection client) describes a service only
 * from a file reflection gives them. Written out here because the package
 * ships generated code, not the descriptor.
 */
export const HEALTH_FILE = create(FileDescriptorProtoSchema, {
  name: "grpc/health/v1/health.proto",
  package: "grpc.health.v1",
  syntax: "proto3",
  messageType: [
    { name: "HealthCheckRequest", field: [field("service", FieldDescriptorProto_Type.STRING)] },
    {
      name: "HealthCheckResponse",
      field: [field("status", FieldDescriptorProto_Type.ENUM, `${RESPONSE}.ServingStatus`)],
      enumType: [
        {
          name: "ServingStatus",
          value: ["UNKNOWN", "SERVING", "NOT_SERVING", "SERVICE_UNKNOWN"].map((name, number) => ({ name, number })),
        },
      ],
    },
  ],
  service: [
    {
      name: "Health",
      method: [
        { name: "Check", inputType: REQUEST, outputType: RESPONSE },
        { name: "Watch", inputType: REQUEST, outputType: RESPONSE, serverStreaming: true },
      ],
    },
  ],
});
