import { convertSchema, componentsToJsonSchema } from '../src/openapi';
import { loadSpec } from './spec';

describe('convertSchema', () => {
  it('turns nullable types into type unions and nullable enums into enums with null', () => {
    expect(convertSchema({ type: 'string', nullable: true }, { strict: false })).toEqual({ type: ['string', 'null'] });
    expect(convertSchema({ type: 'string', enum: ['a'], nullable: true }, { strict: false })).toEqual({ type: ['string', 'null'], enum: ['a', null] });
  });

  it('wraps nullable $ref and allOf schemas in anyOf with null, pointing refs to definitions', () => {
    const out = convertSchema({ type: 'object', allOf: [{ $ref: '#/components/schemas/PathSource' }], nullable: true }, { strict: true });
    expect(out).toEqual({ anyOf: [{ type: 'object', allOf: [{ $ref: '#/definitions/PathSource' }] }, { type: 'null' }] });
  });

  it('drops number formats (uint adds minimum 0), keeps uuid, removes annotations and turns oneOf into anyOf', () => {
    const out = convertSchema(
      {
        type: 'object',
        properties: {
          n: { type: 'integer', format: 'uint64', deprecated: true, description: 'd' },
          i: { type: 'integer', format: 'int64' },
          d: { type: 'number', format: 'double' },
          id: { type: 'string', format: 'uuid' },
          p: { oneOf: [{ $ref: '#/components/schemas/A' }] },
        },
      },
      { strict: true },
    );
    expect(out).toEqual({
      type: 'object',
      additionalProperties: false,
      properties: {
        n: { type: 'integer', minimum: 0, description: 'd' },
        i: { type: 'integer' },
        d: { type: 'number' },
        id: { type: 'string', format: 'uuid' },
        p: { anyOf: [{ $ref: '#/definitions/A' }] },
      },
    });
  });

  it('sets additionalProperties only in strict mode', () => {
    expect(convertSchema({ type: 'object', properties: { a: { type: 'string' } } }, { strict: false })).toEqual({
      type: 'object',
      properties: { a: { type: 'string' } },
    });
  });

  it('collects all components under definitions', () => {
    const out = componentsToJsonSchema({ components: { schemas: { A: { type: 'string' } } } }, { strict: true });
    expect(out).toEqual({ $id: 'mediamtx-api', definitions: { A: { type: 'string' } } });
    expect(() => componentsToJsonSchema({}, { strict: true })).toThrow('components.schemas');
  });
});

describe('validation against the official definition', () => {
  const strict = loadSpec();
  const lax = loadSpec({ strict: false });
  const path = {
    name: 'a',
    online: true,
    onlineTime: null,
    source: { type: 'srtConn', id: 'x' },
    tracks2: [{ codec: 'H264', codecProps: { width: 1, height: 2, profile: 'High', level: '4' } }],
  };

  it('accepts a valid path, null source and null codecProps', () => {
    expect(strict.validate('Path', path)).toEqual([]);
    expect(strict.validate('Path', { ...path, source: null, tracks2: [{ codec: 'Opus', codecProps: null }] })).toEqual([]);
  });

  it('rejects invented fields in strict mode only', () => {
    expect(strict.validate('Path', { ...path, invented: 1 })).not.toEqual([]);
    expect(strict.validate('Path', { ...path, source: { type: 'srtConn', id: 'x', extra: true } })).not.toEqual([]);
    expect(lax.validate('Path', { ...path, invented: 1 })).toEqual([]);
  });

  it('rejects wrong types, unknown enum values, negative uint64 and bad uuids', () => {
    expect(strict.validate('Path', { ...path, online: 'yes' })).not.toEqual([]);
    expect(strict.validate('Path', { ...path, source: { type: 'carrierPigeon', id: '' } })).not.toEqual([]);
    expect(strict.validate('Path', { ...path, inboundBytes: -1 })).not.toEqual([]);
    expect(strict.validate('SRTConn', { id: 'not-a-uuid' })).not.toEqual([]);
  });
});
