import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BridgeError, ERROR_CODES, isBridgeError } from '../src/errors.ts';

describe('error codes', () => {
  it('every code is documented in docs/errors.md, and nothing else is', () => {
    const doc = readFileSync('docs/errors.md', 'utf8');
    const documented = [...doc.matchAll(/^\| (E_[A-Z0-9_]+) \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('carries code, message and frozen details, and serialises for the API', () => {
    const e = new BridgeError('E_PARAM_RANGE', 'too loud', { details: { id: 'x', value: 99 } });
    expect(isBridgeError(e, 'E_PARAM_RANGE')).toBe(true);
    expect(isBridgeError(e, 'E_PARAM_TYPE')).toBe(false);
    expect(Object.isFrozen(e.details)).toBe(true);
    expect(JSON.parse(JSON.stringify(e))).toEqual({ code: 'E_PARAM_RANGE', message: 'too loud', details: { id: 'x', value: 99 } });
  });
});
