import { callerOptions, createPlatformClient, openChannel } from "@hr-platform/client";
import { EmployeeServiceDefinition } from "@hr-platform/client/hr/employee/v1/employee_service";

// Calls a team could get wrong: each line marked "wrong" must fail to
// type-check (the test checks every marked line errors, and no other does).

const employees = createPlatformClient(EmployeeServiceDefinition, openChannel("127.0.0.1:1"));
const options = callerOptions({ token: "t" });
await employees.hireEmployee({ requestId: "r", givenNam: "Ada" }, options); // wrong: no field givenNam
await employees.getEmployee({ id: 42 }, options); // wrong: id is a string
const { employee } = await employees.getEmployee({ id: "e" }, options);
console.log(employee?.salary); // wrong: an Employee has no salary
await employees.fireEmployee({ id: "e" }, options); // wrong: no such method
callerOptions({ tokn: "t" }); // wrong: no option tokn
await employees.getEmployee({ id: "e" }, { deadline: "soon" }); // wrong: a deadline is a Date or milliseconds
