import type { CompressorState } from './compressor-state.ts';
import { staticGainReductionDb } from './compressor-curve.ts';
import { DB_PER_LOG2_POWER, LOG2_PER_DB_AMPLITUDE } from './dsp/fast-math.ts';

/**
 * The compressor's general per-sample path: any channel count, stereo or mid/side, peak or RMS
 * detection on the optionally high-passed sidechain, any link amount, auto release, every glide
 * and the dry/wet mix, over frames [pos, pos + len). Reads the state into locals once per call
 * and writes the glides, detectors and block's largest reduction back. Compressor takes the
 * linked stereo shortcut instead when it applies (the same operations in the same order, so the
 * same bits).
 */
export function processSegment(state: CompressorState, channels: Float32Array[], pos: number, len: number): void {
  const math = state.math;
  const nch = state.channels;
  const ms = state.midSide === 1 && nch === 2;
  const end = pos + len;
  const env = state.env;
  const envSlow = state.envSlow;
  const meanSq = state.meanSq;
  const hs = state.hpState;
  const det = state.det;
  const gr = state.gr;
  const hp = state.hp;
  const hb0 = hp[0] as number;
  const hb1 = hp[1] as number;
  const hb2 = hp[2] as number;
  const ha1 = hp[3] as number;
  const ha2 = hp[4] as number;
  const useHp = state.scHpOn === 1;
  const rmsMode = state.detector === 1;
  const auto = state.autoRelease === 1;
  const aA = state.alphaAttack;
  const aR = auto ? state.alphaFastRelease : state.alphaRelease;
  const aSA = state.alphaSlowAttack;
  const aSR = state.alphaSlowRelease;
  const aRms = state.alphaRms;
  const link = state.link;
  const linked = link >= 1;
  // Glides, in locals.
  const thr = state.threshold;
  const slo = state.slope;
  const kne = state.knee;
  const mak = state.makeup;
  const mix = state.mix;
  let thrV = thr.value;
  let thrR = thr.remaining;
  let sloV = slo.value;
  let sloR = slo.remaining;
  let kneV = kne.value;
  let kneR = kne.remaining;
  let makV = mak.value;
  let makR = mak.remaining;
  let mixV = mix.value;
  let mixR = mix.remaining;
  let kneeStartSq = Math.pow(10, (thrV - kneV / 2) / 10);
  let maxGr = state.gainReductionDb;
  const c0 = channels[0] as Float32Array;
  const c1 = (nch > 1 ? channels[1] : channels[0]) as Float32Array;
  for (let i = pos; i < end; i++) {
    let paramsMoved = false;
    if (thrR > 0) {
      thrV += thr.step;
      if (--thrR === 0) thrV = thr.target;
      paramsMoved = true;
    }
    if (sloR > 0) {
      sloV += slo.step;
      if (--sloR === 0) sloV = slo.target;
    }
    if (kneR > 0) {
      kneV += kne.step;
      if (--kneR === 0) kneV = kne.target;
      paramsMoved = true;
    }
    if (makR > 0) {
      makV += mak.step;
      if (--makR === 0) makV = mak.target;
    }
    if (mixR > 0) {
      mixV += mix.step;
      if (--mixR === 0) mixV = mix.target;
    }
    if (paramsMoved) kneeStartSq = Math.pow(10, (thrV - kneV / 2) / 10);
    // Detector inputs (M/S encoded when compressing mid and side).
    if (ms) {
      const l = c0[i] as number;
      const r = c1[i] as number;
      det[0] = 0.5 * (l + r);
      det[1] = 0.5 * (l - r);
    } else {
      for (let c = 0; c < nch; c++) det[c] = (channels[c] as Float32Array)[i] as number;
    }
    let grMax = 0;
    let lvlMax = 0;
    for (let c = 0; c < nch; c++) {
      let d = det[c] as number;
      if (useHp) {
        const k = c * 2;
        const y = hb0 * d + (hs[k] as number);
        hs[k] = hb1 * d - ha1 * y + (hs[k + 1] as number);
        hs[k + 1] = hb2 * d - ha2 * y;
        d = y;
      }
      let lvlSq = d * d;
      if (rmsMode) {
        const m = aRms * (meanSq[c] as number) + (1 - aRms) * lvlSq;
        meanSq[c] = m;
        lvlSq = m;
      }
      if (linked) {
        // Fully linked: one detector on the loudest channel (one log and one exp per frame).
        if (lvlSq > lvlMax) lvlMax = lvlSq;
        continue;
      }
      let gc = 0;
      if (lvlSq > kneeStartSq && sloV > 0) {
        gc = staticGainReductionDb(DB_PER_LOG2_POWER * math.log2(lvlSq), thrV, sloV, kneV);
      }
      let e = env[c] as number;
      e = gc > e ? aA * e + (1 - aA) * gc : aR * e + (1 - aR) * gc;
      env[c] = e;
      if (auto) {
        let s = envSlow[c] as number;
        s = gc > s ? aSA * s + (1 - aSA) * gc : aSR * s + (1 - aSR) * gc;
        envSlow[c] = s;
        if (s > e) e = s;
      }
      gr[c] = e;
      if (e > grMax) grMax = e;
    }
    const wet = mixV;
    if (linked) {
      let gc = 0;
      if (lvlMax > kneeStartSq && sloV > 0) {
        gc = staticGainReductionDb(DB_PER_LOG2_POWER * math.log2(lvlMax), thrV, sloV, kneV);
      }
      let e = env[0] as number;
      e = gc > e ? aA * e + (1 - aA) * gc : aR * e + (1 - aR) * gc;
      env[0] = e;
      if (auto) {
        let s = envSlow[0] as number;
        s = gc > s ? aSA * s + (1 - aSA) * gc : aSR * s + (1 - aSR) * gc;
        envSlow[0] = s;
        if (s > e) e = s;
      }
      if (e > maxGr) maxGr = e;
      const g = e === 0 ? makV : math.exp2(-e * LOG2_PER_DB_AMPLITUDE) * makV;
      for (let c = 0; c < nch; c++) det[c] = g;
    } else {
      for (let c = 0; c < nch; c++) {
        const own = gr[c] as number;
        const applied = own + link * (grMax - own);
        if (applied > maxGr) maxGr = applied;
        det[c] = applied === 0 ? makV : math.exp2(-applied * LOG2_PER_DB_AMPLITUDE) * makV;
      }
    }
    if (ms) {
      const l = c0[i] as number;
      const r = c1[i] as number;
      const m = 0.5 * (l + r) * (det[0] as number);
      const s = 0.5 * (l - r) * (det[1] as number);
      const yl = m + s;
      const yr = m - s;
      c0[i] = wet === 1 ? yl : l + wet * (yl - l);
      c1[i] = wet === 1 ? yr : r + wet * (yr - r);
    } else {
      for (let c = 0; c < nch; c++) {
        const ch = channels[c] as Float32Array;
        const x = ch[i] as number;
        const y = x * (det[c] as number);
        ch[i] = wet === 1 ? y : x + wet * (y - x);
      }
    }
  }
  thr.value = thrV;
  thr.remaining = thrR;
  slo.value = sloV;
  slo.remaining = sloR;
  kne.value = kneV;
  kne.remaining = kneR;
  mak.value = makV;
  mak.remaining = makR;
  mix.value = mixV;
  mix.remaining = mixR;
  state.gainReductionDb = maxGr;
}
