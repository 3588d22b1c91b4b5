import { describe, expect, it } from 'vitest';
import { requireTool } from '../../support/require-tool.ts';
import { leakedAfterSettling, resourceSnapshot } from './support/resources.ts';
import { startStudio } from './support/studio.ts';

const socat = requireTool('socat');

describe.skipIf(!socat.ok)(`stop() leaves nothing behind${socat.ok ? '' : ` (${socat.reason})`}`, () => {
  it('no file descriptor, timer, socket, child process or store listener survives start, traffic, faults and stop', async () => {
    const before = resourceSnapshot();
    const s = await startStudio(
      [
        { id: 'eq1', model: 'eq', serial: 'EQ-leak' },
        { id: 'comp1', model: 'comp', serial: 'BC-leak', transport: 'tcp' },
      ],
      { keepaliveMs: 50 },
    );
    const store = s.store;
    s.store.set('outboard.eq1.ch1.band2.gainDb', 3, 'api');
    s.sims.get('comp1')?.setInputLevel(-3);
    s.sims.get('eq1')?.garbage(100);
    await s.sims.get('comp1')?.unplug();
    await s.manager.whenStatus('comp1', 'reconnecting');
    await s.sims.get('comp1')?.replug();
    await s.manager.whenStatus('comp1', 'online');
    await s.manager.recall('eq1', { 'ch2.band1.gainDb': -1 });
    await s.stop();
    expect(store.listenerCount('change') + store.listenerCount('batch')).toBe(0);
    expect(await leakedAfterSettling(before)).toEqual({});
  });
});
