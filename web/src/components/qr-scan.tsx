/**
 * Reading a QR code on the verify page: the camera (getUserMedia) read by the browser's BarcodeDetector where it has
 * one, else by jsQR (bundled with the web build, loaded only when needed) on video frames; or an image file (a photo
 * or a screenshot: works without a camera). It only hands the decoded text to `onText`: what that text may open is
 * decided by qr-target.ts. Must never navigate, fetch, or keep the camera on after a code is read or the page is left.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/index.js';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource | ImageBitmap): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorCtor {
  new (opts: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

type JsQR = (data: Uint8ClampedArray, width: number, height: number, opts?: { inversionAttempts?: 'dontInvert' | 'onlyInvert' | 'attemptBoth' | 'invertFirst' }) => { data: string } | null;
type Decoder = (source: HTMLVideoElement | ImageBitmap, width: number, height: number) => Promise<string | null>;

/** Largest side an image is scaled to before decoding in JavaScript (a 12-megapixel photo would take seconds). */
const MAX_SIDE = 1600;

/** The browser's detector when it reads QR codes, else jsQR over a canvas. */
async function makeDecoder(): Promise<Decoder> {
  const BD = (globalThis as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector;
  if (BD) {
    try {
      if ((await BD.getSupportedFormats()).includes('qr_code')) {
        const d = new BD({ formats: ['qr_code'] });
        return async (src) => (await d.detect(src))[0]?.rawValue ?? null;
      }
    } catch {
      // fall through to jsQR
    }
  }
  // a CommonJS module marked __esModule: bundlers hand its function back as `default`, typed one level deeper
  const mod = (await import('jsqr')) as unknown as { default: JsQR | { default: JsQR } };
  const jsQR = typeof mod.default === 'function' ? mod.default : mod.default.default;
  const canvas = document.createElement('canvas');
  const g = canvas.getContext('2d', { willReadFrequently: true });
  return async (src, width, height) => {
    if (!g || !width || !height) return null;
    const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    g.drawImage(src, 0, 0, canvas.width, canvas.height);
    const img = g.getImageData(0, 0, canvas.width, canvas.height);
    return jsQR(img.data, img.width, img.height, { inversionAttempts: 'attemptBoth' })?.data ?? null;
  };
}

export function QrScan({ onText }: { onText: (text: string) => void }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<number | null>(null);
  const [scanning, setScanning] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const stop = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    setScanning(false);
  };
  useEffect(() => stop, []);

  const startCamera = async () => {
    setMessage(null);
    if (!navigator.mediaDevices?.getUserMedia) {
      setMessage(t('verify.qr.noCamera'));
      return;
    }
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      stream.current = s;
      setScanning(true);
      const v = video.current!;
      v.srcObject = s;
      await v.play();
      const decode = await makeDecoder();
      const tick = async () => {
        if (!stream.current) return;
        let text: string | null = null;
        try {
          if (v.readyState >= 2) text = await decode(v, v.videoWidth, v.videoHeight);
        } catch {
          text = null;
        }
        if (text) {
          stop();
          onText(text);
          return;
        }
        timer.current = window.setTimeout(() => void tick(), 200);
      };
      void tick();
    } catch (e) {
      stop();
      setMessage(t('verify.qr.cameraFailed', { message: (e as Error).message || String(e) }));
    }
  };

  const readImage = async (f: File | null | undefined) => {
    setMessage(null);
    if (!f) return;
    try {
      const bitmap = await createImageBitmap(f);
      const text = await (await makeDecoder())(bitmap, bitmap.width, bitmap.height);
      bitmap.close();
      if (text) onText(text);
      else setMessage(t('verify.qr.notFound'));
    } catch {
      setMessage(t('verify.qr.notFound'));
    }
  };

  return (
    <div class="qr-scan">
      <div class="actions">
        {scanning ? (
          <button type="button" class="btn btn-secondary" onClick={stop}>
            {t('verify.qr.stop')}
          </button>
        ) : (
          <button type="button" class="btn btn-secondary" onClick={() => void startCamera()}>
            {t('verify.qr.camera')}
          </button>
        )}
        <label for="qr-image">{t('verify.qr.file')}</label>
        <input
          id="qr-image"
          type="file"
          accept="image/*"
          onChange={(e) => {
            const input = e.target as HTMLInputElement;
            void readImage(input.files?.[0]).finally(() => (input.value = ''));
          }}
        />
      </div>
      <video ref={video} hidden={!scanning} muted playsInline aria-label={t('verify.qr.video')} />
      {scanning && <p class="muted">{t('verify.qr.scanning')}</p>}
      {message && (
        <p class="alert alert-warn" role="alert">
          {message}
        </p>
      )}
    </div>
  );
}
