// The TypeScript types of the service's API, made from its OpenAPI document with
// openapi-typescript: `node generate.mjs <openapi.json file or URL> [<schema.d.ts>]`, by default
// into generated/schema.d.ts, where tsconfig.json looks for them.
//
// Its Node API rather than its command line, for the uploads alone: the command line types a
// `format: binary` part as a string, while a browser sends a Blob (or a File, which is one).
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import openapiTS, { astToString } from "openapi-typescript";
import ts from "typescript";

const here = dirname(fileURLToPath(import.meta.url));
const [input, output = join(here, "generated", "schema.d.ts")] = process.argv.slice(2);
if (input === undefined) {
  console.error("usage: node generate.mjs <openapi.json file or URL> [<schema.d.ts>]");
  process.exit(2);
}
const source = /^https?:\/\//.test(input) ? new URL(input) : pathToFileURL(input);
const blob = ts.factory.createTypeReferenceNode("Blob");
const nullable = ts.factory.createUnionTypeNode([
  blob,
  ts.factory.createLiteralTypeNode(ts.factory.createNull()),
]);
const ast = await openapiTS(source, {
  transform(schema) {
    if (schema.format !== "binary") {
      return undefined;
    }
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    return types.includes("null") ? nullable : blob;
  },
});
await mkdir(dirname(output), { recursive: true });
await writeFile(output, astToString(ast));
