import type { ContextNames } from "./names.js";
import { addImport, appendItem, find, insertSortedLine, Refusal } from "./text-edits.js";

/**
 * Every place outside the new context's own files that names the contexts:
 * the data service that serves it, the launcher's banner, buf's lint
 * exceptions, the contract and authorization tests that enumerate services,
 * the test harness's client, the README's table and the test commands.
 * Each edit takes a file's text and returns it changed, or refuses.
 */
export interface Edit {
  path: string;
  apply(text: string): string;
}

const definition = (n: ContextNames) => `${n.Service}Definition`;
const definitionImport = (n: ContextNames, from: string) =>
  `import { ${definition(n)} } from "${from}generated/proto/hr/${n.context}/v1/${n.snake}_service.js";`;

export function wiringEdits(n: ContextNames, service: string): Edit[] {
  const serviceFile = `services/${service}/${service}-service.ts`;
  const underTest = `test/support/${service}-under-test.ts`;
  const matrix = "test/runtime/authorization-matrix.test.ts";
  return [
    {
      path: "buf.yaml",
      apply: (text) =>
        insertSortedLine(
          text,
          "buf.yaml",
          "ENUM_VALUE_PREFIX:",
          /^ {6}- proto\/hr\/[a-z0-9]+\/v\d+\/[a-z_]+\.proto$/,
          `      - proto/hr/${n.context}/v1/error_reason.proto`,
        ),
    },
    {
      path: serviceFile,
      apply(text) {
        const contexts = find(text, /contexts:\s*\(/, serviceFile);
        const db = /contexts:\s*\((\w+)/.exec(text.slice(contexts))?.[1] ?? "db";
        const list = find(text, "[", serviceFile, find(text, "=>", serviceFile, contexts));
        let changed = appendItem(text, list, `serve(${definition(n)}, ${n.aggregate}Rpc(${db}))`);
        changed = addImport(changed, serviceFile, definitionImport(n, "../../"));
        return addImport(changed, serviceFile, `import { ${n.aggregate}Rpc } from "./${n.context}/${n.kebab}-rpc.js";`);
      },
    },
    {
      path: underTest,
      apply(text) {
        if (new RegExp(`\\b${n.aggregates}:`).test(text)) {
          throw new Refusal(`${underTest} has a client named ${n.aggregates} already: choose another --aggregate`);
        }
        const returned = find(text, /return\s*\{\s*\.\.\.service\b/, underTest);
        const open = find(text, "{", underTest, returned);
        const changed = appendItem(text, open, `${n.aggregates}: testClient(${definition(n)}, service.channel)`);
        return addImport(changed, underTest, definitionImport(n, "../../"));
      },
    },
    {
      path: matrix,
      apply(text) {
        if (new RegExp(`\\b${definition(n)}\\b`).test(text)) {
          throw new Refusal(`${matrix} imports a ${definition(n)} already: choose another --aggregate`);
        }
        const started = /const \[([^\]]*)\] = await Promise\.all/
          .exec(text)?.[1]
          ?.split(",")
          .map((s) => s.trim());
        if (!started?.includes(service)) throw new Refusal(`${matrix} does not start the ${service} service`);
        const definitions = "const DEFINITIONS = ";
        let changed = appendItem(text, find(text, definitions, matrix) + definitions.length, definition(n));
        const table = "for (const [service, channel] of ";
        changed = appendItem(
          changed,
          find(changed, table, matrix) + table.length,
          `[${definition(n)}, ${service}.channel]`,
        );
        return addImport(changed, matrix, definitionImport(n, "../../"));
      },
    },
    {
      path: "test/contracts/authorization.test.ts",
      apply: (text) =>
        insertSortedLine(
          text,
          "test/contracts/authorization.test.ts",
          "expect([...services].sort()).toEqual([",
          /^\s+"hr\.[a-z0-9]+\.v\d+\.\w+",$/,
          `      "${n.serviceFullName}",`,
        ),
    },
    {
      path: "test/contracts/error-reasons.test.ts",
      apply: (text) =>
        insertSortedLine(
          text,
          "test/contracts/error-reasons.test.ts",
          'it("finds the enums of every context, app and the edge"',
          /^\s+"[a-z0-9]+",$/,
          `        "${n.context}",`,
        ),
    },
    {
      path: "test/contracts/personal-fields.test.ts",
      apply(text) {
        const file = "test/contracts/personal-fields.test.ts";
        const member = /^\s+"hr\.[a-z0-9]+\.v\d+\.\w+\.(next_)?page_token",$/;
        const request = `    "${n.protoPackage}.List${n.Aggregates}Request.page_token",`;
        const response = `    "${n.protoPackage}.List${n.Aggregates}Response.next_page_token",`;
        const withRequest = insertSortedLine(text, file, "const NOT_PERSONAL", member, request);
        return insertSortedLine(withRequest, file, "const NOT_PERSONAL", member, response);
      },
    },
    {
      path: "runtime/launch/start.ts",
      apply(text) {
        const file = "runtime/launch/start.ts";
        const entry = find(text, `entry: "services/${service}/main"`, file);
        const contexts = find(text, "contexts: [", file, entry);
        const next = text.indexOf("entry:", entry + 1);
        if (next >= 0 && next < contexts) throw new Refusal(`${file}: the ${service} entry lists no contexts`);
        return appendItem(text, contexts + "contexts: ".length, `"${n.serviceFullName}"`);
      },
    },
    {
      path: "README.md",
      apply(text) {
        const row = new RegExp(`^\\| \`services/${service}\` \\|.*\\|$`, "m").exec(text);
        if (row === null) throw new Refusal(`README.md: no row for services/${service} in the table of services`);
        const end = row.index + row[0].length - " |".length;
        return `${text.slice(0, end)}, \`${n.serviceFullName}\`${text.slice(end)}`;
      },
    },
    {
      path: "docs/tests.md",
      apply(text) {
        const lines = text.split("\n");
        const last = lines.findLastIndex((l) => l.startsWith("npm test -- test/contexts/"));
        if (last < 0) throw new Refusal("docs/tests.md: no `npm test -- test/contexts/...` line");
        const command = `npm test -- ${n.context}`.padEnd(49);
        lines.splice(last + 1, 0, `${command}# the ${n.context} context: test/contexts and test/conventions`);
        return lines.join("\n");
      },
    },
    // The people server's own list of what it serves, checked by health and reflection.
    ...(service === "people" ? [peopleReflection(n)] : []),
  ];
}

function peopleReflection(n: ContextNames): Edit {
  const path = "test/runtime/health-and-reflection.test.ts";
  const member = /^\s+"(grpc|hr)\.[\w.]+",$/;
  const anchors = ["expect(names.sort()).toEqual([", 'expect(listed.out.trim().split("\\n").sort()).toEqual(['];
  return {
    path,
    apply: (text) =>
      anchors.reduce((changed, anchor) => {
        const line = `      "${n.serviceFullName}",`;
        return insertSortedLine(changed, path, anchor, member, line);
      }, text),
  };
}
