import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { validateXML as ValidateXml } from 'xmllint-wasm';

/**
 * XML schema validation of every incoming SAML message, with the SAML 2.0,
 * XML-DSig and XML-Encryption schemas that @authenio/samlify-xmllint-wasm
 * ships, run by xmllint compiled to WebAssembly (the library that package
 * wraps). Its own wrapper is not used because it prints every invalid message
 * to the console: anyone could write into the server's output that way, past
 * the logger and its redaction. Here an invalid message is only an error.
 * Messages with a DTD are refused before parsing: SAML messages never carry
 * one (bindings §3.1), and refusing them keeps entity tricks out of every parser.
 */
const require = createRequire(import.meta.url);
const schemaPackage = dirname(require.resolve('@authenio/samlify-xmllint-wasm/package.json'));
// Resolved from the schema package, which is what depends on it; loaded with the first message.
let validator: typeof ValidateXml | undefined;
function xmllint(): typeof ValidateXml {
  validator ??= (createRequire(join(schemaPackage, 'package.json'))('xmllint-wasm') as { validateXML: typeof ValidateXml }).validateXML;
  return validator;
}

const FILES = ['saml-schema-protocol-2.0.xsd', 'datatypes.dtd', 'saml-schema-assertion-2.0.xsd', 'xmldsig-core-schema.xsd', 'XMLSchema.dtd', 'xenc-schema.xsd'];
let loaded: { schema: string; preload: Array<{ fileName: string; contents: string }> } | null = null;

function schemas(): NonNullable<typeof loaded> {
  if (!loaded) {
    const files = FILES.map((fileName) => ({ fileName, contents: readFileSync(join(schemaPackage, 'schemas', fileName), 'utf8') }));
    loaded = { schema: files[0]!.contents, preload: files.slice(1) };
  }
  return loaded;
}

/** samlify's validator contract: resolves when valid, rejects (without saying more) when not. */
export async function validateSamlXml(xml: string): Promise<true> {
  if (/<!DOCTYPE/i.test(xml)) throw new Error('ERR_DTD_NOT_ALLOWED');
  const { schema, preload } = schemas();
  const result = await xmllint()({ xml: [{ fileName: 'message.xml', contents: xml }], extension: 'schema', schema: [schema], preload });
  if (!result.valid) throw new Error('ERR_INVALID_XML');
  return true;
}
