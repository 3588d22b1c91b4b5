/**
 * Simulated racks for the integration tests (config bodies for `startStudio`). The recall and
 * tablet tests share them so a change of the simulated studio is made once.
 */

/** config/default.yaml's rack: eq (pty), comp (pty), switcher (tcp) and the hand-set passive EQ. */
export const RACK_WITH_PASSIVE_EQ = `audio: { backend: none }
outboard:
  - { id: eq1, profile: hb-seq4, serial: EQ-0001, port: sim }
  - { id: comp1, profile: hb-bc2, serial: BC-0001, port: sim }
  - { id: sw1, profile: hb-is6, serial: IS-0001, port: sim }
  - { id: peq1, profile: hb-peq1, serial: PEQ-0001, port: sim, required: false }
sim:
  units:
    - { model: eq, serial: EQ-0001 }
    - { model: comp, serial: BC-0001 }
    - { model: switcher, serial: IS-0001, transport: tcp }
    - { model: passive, serial: PEQ-0001 }
`;

/** The `outboard` and `sim` sections of an EQ with the given serial and a compressor over TCP. */
export function eqAndCompUnits(eqSerial = 'EQ-0001'): string {
  return `outboard:
  - { id: eq1, profile: hb-seq4, serial: ${eqSerial}, port: sim }
  - { id: comp1, profile: hb-bc2, serial: BC-0001, port: sim }
sim:
  units:
    - { model: eq, serial: ${eqSerial} }
    - { model: comp, serial: BC-0001, transport: tcp }
`;
}

/** An EQ with the given serial (swap it for a loaner) and a compressor over TCP, no audio. */
export function eqAndCompRack(eqSerial: string): string {
  return `audio: { backend: none }
${eqAndCompUnits(eqSerial)}`;
}
