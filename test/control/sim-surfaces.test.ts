import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startSimSurfaces } from '../../src/control/sim-surfaces.ts';
import { createNetMidiBinding } from '../../src/devices/midi/net-midi-binding.ts';
import { silentLogger } from '../../src/logger.ts';

describe('simulated surfaces for the simulated studio', () => {
  it('starts a process per `match: sim` MIDI surface (and its extender) that the network binding lists', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hb-sims-'));
    const sims = await startSimSurfaces({
      surfaces: [
        { id: 'xtouch', type: 'mcu', match: 'sim', extender: 'sim', map: 'xtouch', required: false },
        { id: 'knobs', type: 'midi', match: 'sim', map: 'knobs', required: false },
        { id: 'real', type: 'midi', match: 'BeatStep', map: 'knobs', required: false },
      ],
      socketDir: dir,
      log: silentLogger(),
    });
    const binding = createNetMidiBinding({ socketDir: dir });
    try {
      expect([...(await binding.list()).inputs].sort()).toEqual(['sim:knobs', 'sim:xtouch', 'sim:xtouch-ext']);
      expect(sims.controlSocket('xtouch')).toBe(path.join(dir, 'xtouch.ctl'));
    } finally {
      await binding.close();
      await sims.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
