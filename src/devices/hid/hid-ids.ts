/** USB ids of the HID surfaces we know (reference §3.1-3.3). */
export const GRIFFIN_VID = 0x077d;
export const POWERMATE_PIDS = Object.freeze({ powermate: 0x0410, soundKnob: 0x04aa });

export const CONTOUR_VID = 0x0b33;
export const SHUTTLE_PIDS = Object.freeze({ shuttleProV1: 0x0010, shuttleXpress: 0x0020, shuttleProV2: 0x0030 });

export const ELGATO_VID = 0x0fd9;

/** `077d:0410` style, lower-case hex. */
export function usbId(vendorId: number, productId: number): string {
  return `${vendorId.toString(16).padStart(4, '0')}:${productId.toString(16).padStart(4, '0')}`;
}
