import { ApplicationServiceDefinition } from "../../generated/proto/hr/candidacy/v1/application_service.js";
import { JobOpeningServiceDefinition } from "../../generated/proto/hr/requisition/v1/job_opening_service.js";
import { serve } from "../../runtime/server/grpc-server.js";
import type { DataService } from "../../runtime/service/data-service.js";
import { applicationRpc } from "./candidacy/application-rpc.js";
import { jobOpeningRpc } from "./requisition/job-opening-rpc.js";

/**
 * The talent data service: the requisition and candidacy contexts over one
 * database (each with its own tables; candidacy knows job openings only by id).
 */
export const talentService: DataService = {
  name: "talent",
  contexts: (db) => [
    serve(JobOpeningServiceDefinition, jobOpeningRpc(db)),
    serve(ApplicationServiceDefinition, applicationRpc(db)),
  ],
};
