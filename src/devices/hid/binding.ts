/**
 * The HID bus seam: raw HID reports (node-hid: hidraw / IOHID / Windows HID), Linux evdev
 * input devices (the Griffin PowerMate has no hidraw node on Linux: the HID core ignores it and
 * the kernel `powermate` driver exposes evdev instead, reference §3.1), and Elgato Stream Decks
 * (through `@elgato-stream-deck/node`, which parses their reports itself).
 *
 * Rules shared by every implementation:
 * - `list*()` reject with `E_BUS_UNAVAILABLE` and a one-line reason when that part of the bus
 *   cannot work (addon missing, no /dev/input); they never throw synchronously.
 * - devices are found by vendor/product id or name, never by path order;
 * - an unplugged device emits `error` on its open handle (node-hid's behaviour) and vanishes
 *   from the next `list*()`;
 * - nothing is delivered synchronously from inside a call into the binding.
 */

export interface HidDeviceInfo {
  readonly path: string;
  readonly vendorId: number;
  readonly productId: number;
  readonly product?: string;
  readonly manufacturer?: string;
  readonly serialNumber?: string;
  readonly interface?: number;
  readonly usagePage?: number;
  readonly usage?: number;
}

export interface HidDeviceHandle {
  /** Input reports, without a report id byte for devices that use none. */
  onReport(listener: (report: Uint8Array) => void): void;
  /** Once, when the device fails or is unplugged. */
  onError(listener: (reason: string) => void): void;
  write(report: Uint8Array): Promise<void>;
  sendFeatureReport(report: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface EvdevDeviceInfo {
  /** `/dev/input/eventN` */
  readonly path: string;
  readonly name: string;
  readonly vendorId: number;
  readonly productId: number;
}

/** One `struct input_event` (linux/input.h), without the timestamp. */
export interface EvdevEvent {
  readonly type: number;
  readonly code: number;
  readonly value: number;
}

export interface EvdevHandle {
  onEvent(listener: (event: EvdevEvent) => void): void;
  onError(listener: (reason: string) => void): void;
  write(event: EvdevEvent): Promise<void>;
  close(): Promise<void>;
}

export interface StreamDeckInfo {
  readonly path: string;
  /** Library model id: `original`, `mini`, `xl`, `plus`, `neo`, `pedal`, … */
  readonly model: string;
  readonly serialNumber?: string;
}

export type StreamDeckControlKind = 'button' | 'encoder';

export interface StreamDeckHandle {
  readonly model: string;
  readonly productName: string;
  readonly keyCount: number;
  readonly encoderCount: number;
  /** The touch strip of a Plus/Neo, if any. */
  readonly lcd?: { readonly width: number; readonly height: number };
  onDown(listener: (kind: StreamDeckControlKind, index: number) => void): void;
  onUp(listener: (kind: StreamDeckControlKind, index: number) => void): void;
  onRotate(listener: (index: number, amount: number) => void): void;
  onError(listener: (reason: string) => void): void;
  fillKeyColor(index: number, r: number, g: number, b: number): Promise<void>;
  /** Raw RGB (3 bytes per pixel) into the LCD strip at x, y. */
  fillLcdRegion(x: number, y: number, width: number, height: number, rgb: Uint8Array): Promise<void>;
  setBrightness(percent: number): Promise<void>;
  clearPanel(): Promise<void>;
  close(): Promise<void>;
}

export interface HidBinding {
  readonly kind: string;
  listHid(): Promise<HidDeviceInfo[]>;
  openHid(path: string): Promise<HidDeviceHandle>;
  listEvdev(): Promise<EvdevDeviceInfo[]>;
  openEvdev(path: string): Promise<EvdevHandle>;
  listStreamDecks(): Promise<StreamDeckInfo[]>;
  openStreamDeck(path: string): Promise<StreamDeckHandle>;
  close(): Promise<void>;
}

/** What `hybrid-bridge devices` prints for the HID bus. */
export interface HidProbe {
  readonly available: boolean;
  readonly reason?: string;
  readonly devices: { path: string; vendorId: number; productId: number; product?: string; via: 'hid' | 'evdev' | 'streamdeck' }[];
  /** Per part (hid / evdev / streamdeck) reasons when that part cannot work. */
  readonly problems: string[];
}

/** evdev constants used here (linux/input-event-codes.h). */
export const EV = { SYN: 0x00, KEY: 0x01, REL: 0x02, MSC: 0x04 } as const;
export const REL_DIAL = 0x07;
export const BTN_0 = 0x100;
export const MSC_PULSELED = 0x01;
