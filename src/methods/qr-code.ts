import { lazyModule } from '../app/lazy.ts';

/** qrcode (with its PNG encoder) is loaded when someone first enrols an app or a phone, not by every server at start-up. */
const qrcode = lazyModule(async () => (await import('qrcode')).default);

/** An enrolment link as an SVG QR code: medium error correction, a quiet zone of two modules. */
export async function qrSvg(text: string): Promise<string> {
  return (await qrcode()).toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
}
