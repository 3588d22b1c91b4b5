import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { envOverrides, formatProblem, loadConfig, parseConfig, type ConfigProblem } from '../../src/config/load-config.ts';
import { BridgeError } from '../../src/errors.ts';

function problemsOf(fn: () => unknown): { code: string; problems: ConfigProblem[] } {
  try {
    fn();
  } catch (err) {
    if (err instanceof BridgeError) return { code: err.code, problems: (err.details.problems as ConfigProblem[]) ?? [] };
    throw err;
  }
  throw new Error('expected the config to be refused');
}

describe('config loading', () => {
  it('accepts the shipped default and example configs', async () => {
    const d = await loadConfig('config/default.yaml');
    expect(d.config.version).toBe(1);
    expect(d.config.server.port).toBe(8080);
    const e = await loadConfig('config/examples/studio.yaml');
    expect(e.config.outboard.map((u) => u.serial)).toEqual(['SEQ-2291', 'BC-0412']);
    expect(e.config.surfaces.map((s) => s.type)).toEqual(['mcu', 'powermate']);
  });

  it('lists every problem with file:line:column, path and expectation', () => {
    const text = [
      'version: 1', //                 1
      'server:', //                    2
      '  port: 99999', //              3  too big
      'engine:', //                    4
      '  sampelRate: 48000', //        5  unknown key, near miss
      'outboard:', //                  6
      '  - id: eq1', //                7
      '    profile: stepped-eq', //    8
      '    port: /dev/ttyUSB0', //     9  serial missing (reported at the item)
      'audio:', //                     10
      '  backend: coreaudio', //       11 not an option
    ].join('\n');
    const { code, problems } = problemsOf(() => parseConfig(text, 'studio.yaml'));
    expect(code).toBe('E_CONFIG_INVALID');
    const lines = problems.map(formatProblem);
    expect(problems.map((p) => [p.line, p.path])).toEqual([
      [3, 'server.port'],
      [5, 'engine.sampelRate'],
      [7, 'outboard.0.serial'],
      [11, 'audio.backend'],
    ]);
    expect(lines[0]).toMatch(/^studio\.yaml:3:9 {2}server\.port {2}.+ {2}\(<= 65535\)$/);
    expect(lines[1]).toContain('did you mean "sampleRate"?');
    expect(lines[2]).toContain('required key is missing');
    expect(lines[3]).toContain('"simulated", "portaudio", "none"');
  });

  it('reports YAML syntax errors with their position', () => {
    const { code, problems } = problemsOf(() => parseConfig('version: 1\nserver: [\n', 'x.yaml'));
    expect(code).toBe('E_CONFIG_PARSE');
    expect(problems[0]?.file).toBe('x.yaml');
    expect(problems[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('refuses duplicate keys', () => {
    const { code } = problemsOf(() => parseConfig('version: 1\nlogLevel: info\nlogLevel: debug\n', 'x.yaml'));
    expect(code).toBe('E_CONFIG_PARSE');
  });

  it('applies environment overrides and freezes the result', () => {
    const o = envOverrides({ HYBRID_BRIDGE_PORT: '9123', HYBRID_BRIDGE_HOST: '0.0.0.0', HYBRID_BRIDGE_DATA_DIR: '/tmp/hb' });
    const c = parseConfig('version: 1\n', 'x.yaml', o).config;
    expect(c.server).toEqual({ host: '0.0.0.0', port: 9123 });
    expect(c.dataDir).toBe('/tmp/hb');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.engine.chain)).toBe(true);
    expect(() => {
      (c.server as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it('validates an override like the file (a bad env port is a config error)', () => {
    const { problems } = problemsOf(() => parseConfig('version: 1\n', 'x.yaml', { port: 70000 }));
    expect(problems[0]?.path).toBe('server.port');
  });

  it('says when the file cannot be read', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'hb-cfg-'));
    await expect(loadConfig(path.join(dir, 'nope.yaml'))).rejects.toMatchObject({ code: 'E_CONFIG_NOT_FOUND' });
    const f = path.join(dir, 'ok.yaml');
    await writeFile(f, 'version: 1\n');
    expect((await loadConfig(f)).baseDir).toBe(dir);
  });
});
