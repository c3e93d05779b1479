import { prismaConfigFor } from "../../../runtime/db/prisma-config.js";
export default prismaConfigFor("cases");
