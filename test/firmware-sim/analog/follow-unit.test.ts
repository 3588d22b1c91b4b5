import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AnalogModel } from '../../../firmware-sim/analog/analog-model.ts';
import { followUnit } from '../../../firmware-sim/analog/follow-unit.ts';
import { ControlServer } from '../../../firmware-sim/units/control-server.ts';
import { SimUnit } from '../../../firmware-sim/units/sim-unit.ts';

describe('followUnit', () => {
  it('feeds a unit state (and every later change) into an analog model through the control socket', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'hb-follow-'));
    const unit = new SimUnit({ model: 'comp', serial: 'BC-F', tcp: '127.0.0.1:0' });
    await unit.start();
    const ctl = new ControlServer(unit, path.join(dir, 'bc.ctl'));
    await ctl.listen();
    const seen: Record<string, number>[] = [];
    const model: AnalogModel = { prepare() {}, process() {}, reset() {}, setAnalog() {}, setParams: (v) => void seen.push({ ...v }) };
    const f = await followUnit(path.join(dir, 'bc.ctl'), model);
    expect(seen[0]).toMatchObject({ ratio: 2, thresholdDb: -10 });
    unit.panel('ratio', 6);
    while (seen.at(-1)?.ratio !== 6) await new Promise((r) => setTimeout(r, 5));
    expect(seen.at(-1)).toMatchObject({ ratio: 6 });
    f.close();
    await ctl.close();
    await unit.stop();
    rmSync(dir, { recursive: true, force: true });
  });
});
