import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSurfaceMap, mergeUserLayer, parseSurfaceMap, resolveMapFile } from '../../src/control/surface-map-loader.ts';
import { userLayerSchema } from '../../src/control/surface-map-schema.ts';
import { isBridgeError } from '../../src/errors.ts';

const MAPS_DIR = path.resolve(import.meta.dirname, '../../config/surfaces');

function problems(text: string, type?: string): string[] {
  try {
    parseSurfaceMap(text, 'maps/test.yaml', type);
  } catch (err) {
    if (isBridgeError(err, 'E_SURFACE_MAP')) return err.message.split('\n');
    throw err;
  }
  return [];
}

describe('surface maps', () => {
  it('every shipped map in config/surfaces loads', async () => {
    const files = (await readdir(MAPS_DIR)).filter((f) => f.endsWith('.yaml'));
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) {
      const loaded = await loadSurfaceMap(path.join(MAPS_DIR, f));
      expect(loaded.map.version).toBe(1);
    }
    const xt = await loadSurfaceMap(resolveMapFile(MAPS_DIR, 'xtouch-mastering'), 'mcu');
    expect(xt.map.pages.map((p) => p.id)).toEqual(['eq', 'eq-freq', 'comp', 'output', 'outboard-eq']);
    expect(xt.map.pages[0]?.strips?.[2]).toMatchObject({ param: 'eq.band3.gainDb', step: 0.5 });
  });

  it('reports errors as file:line:column  path  message, all at once', () => {
    const text = `version: 1
type: midi
bindings:
  - { control: cc:0:16, param: eq.band1.gainDb, encodng: twosComplement }
  - { control: cc:0:17, param: eq.band1.gainDb, stepp: 1 }
  - control: cc:0:99:1
    param: eq.band2.gainDb
  - { control: cc:0:18, action: recall }
  - { control: cc:0:19, param: Not-An-Id }
`;
    const p = problems(text);
    expect(p).toHaveLength(5);
    expect(p[0]).toMatch(/^maps\/test\.yaml:4:\d+ {2}bindings\.0\.encodng {2}unknown key "encodng", did you mean "encoding"\?/);
    expect(p[1]).toMatch(/^maps\/test\.yaml:5:\d+ {2}bindings\.1\.stepp {2}unknown key "stepp", did you mean "step"\?/);
    expect(p[2]).toMatch(/^maps\/test\.yaml:6:\d+ {2}bindings\.2\.control {2}"cc:0:99:1" is not a control of a midi surface/);
    expect(p[3]).toMatch(/^maps\/test\.yaml:8:\d+ {2}bindings\.3\.slot {2}action "recall" needs a "slot"/);
    expect(p[4]).toMatch(/^maps\/test\.yaml:9:\d+ {2}bindings\.4\.param /);
  });

  it('checks control ids against the surface type, with the line of the control', () => {
    const p = problems(`version: 1
type: mcu
bindings:
  - { control: play, action: play }
  - { control: vpot17, param: eq.band1.gainDb }
  - { control: fader3, param: eq.band1.gainDb, mode: relative }
`);
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^maps\/test\.yaml:5:\d+ {2}bindings\.1\.control {2}"vpot17" is not a control of a mcu surface/);
    expect(p[1]).toMatch(/^maps\/test\.yaml:6:\d+ {2}bindings\.2\.control {2}"fader3" is an absolute control: mode must be absolute/);
  });

  it('the map type must match the configured surface type; page targets must exist; YAML syntax errors have lines', () => {
    expect(problems('version: 1\ntype: midi\n', 'mcu')[0]).toMatch(/^maps\/test\.yaml:2:1 {2}type {2}the map is for a "midi" surface/);
    expect(problems('version: 1\ntype: mcu\nbindings:\n  - { control: f1, action: page, target: nope }\n')[0]).toMatch(/:4:\d+ {2}bindings\.0\.target {2}no page "nope"/);
    expect(problems('version: 1\ntype: mcu\nbindings: [\n')[0]).toMatch(/^maps\/test\.yaml:\d+:\d+ /);
    expect(problems('version: 1\ntype: hid\n')[0]).toMatch(/hid {2}a surface of type hid needs a "hid" report map/);
  });

  it('the user layer replaces shipped bindings of the same control and learned strips replace slots', () => {
    const { map } = parseSurfaceMap(
      `version: 1
type: mcu
bindings:
  - { control: f1, action: recall, slot: 1 }
pages:
  - id: eq
    label: EQ
    strips: [{ param: eq.band1.gainDb }, { param: eq.band2.gainDb }]
    bindings:
      - { control: jog, param: eq.band1.freqHz }
`,
      'x.yaml',
    );
    const layer = userLayerSchema.parse({
      version: 1,
      bindings: [
        { control: 'f1', param: 'eq.band1.enabled', mode: 'toggle' },
        { control: 'jog', page: 'eq', param: 'eq.band2.freqHz' },
      ],
      strips: [{ page: 'eq', slot: 2, param: 'comp.thresholdDb' }, { page: 'eq', slot: 4, param: 'comp.ratio', control: 'fader' }],
    });
    const merged = mergeUserLayer(map, layer);
    expect(merged.bindings).toEqual([{ control: 'f1', param: 'eq.band1.enabled', mode: 'toggle' }]);
    expect(merged.pages[0]?.bindings).toEqual([{ control: 'jog', param: 'eq.band2.freqHz' }]);
    expect(merged.pages[0]?.strips?.map((s) => s.param ?? null)).toEqual(['eq.band1.gainDb', 'comp.thresholdDb', null, null]);
    expect(merged.pages[0]?.strips?.[3]).toEqual({ fader: 'comp.ratio' });
  });
});
