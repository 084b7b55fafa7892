/**
 * Validation against the official MediaMTX API definition, for tests of any package:
 * `const spec = loadSpec(); const errors = spec.validate('PathList', body)` (strict: invented
 * fields fail). `spec.properties('Path')` lists what the spec defines for a component.
 */
import fs from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { load } from 'js-yaml';
import { contractFile } from '@mmon/test-support';
import { componentRef, componentsToJsonSchema } from '../src/openapi';


export interface Spec {
  /** Error texts (empty when valid) of `value` against component `name`. */
  validate(name: string, value: unknown): string[];
  properties(name: string): string[];
}

export function loadSpec(opts: { strict?: boolean } = {}): Spec {
  const doc = load(fs.readFileSync(contractFile('mediamtx-control-api-v1.20.1.openapi.yaml'), 'utf8')) as { components: { schemas: Record<string, { properties?: object }> } };
  const ajv = new Ajv({ allErrors: true, strict: true });
  addFormats(ajv);
  ajv.addSchema(componentsToJsonSchema(doc, { strict: opts.strict ?? true }));
  const compiled = new Map<string, ValidateFunction>();
  return {
    validate(name, value) {
      let fn = compiled.get(name);
      if (!fn) {
        fn = ajv.compile(componentRef(name));
        compiled.set(name, fn);
      }
      if (fn(value)) return [];
      return (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
    properties(name) {
      return Object.keys(doc.components.schemas[name]?.properties ?? {});
    },
  };
}
