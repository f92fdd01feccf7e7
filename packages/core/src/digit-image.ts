/**
 * Turns a photo or drawing of a digit into an MNIST-like 28x28 sample, following LeCun et al.'s preparation of
 * MNIST: grayscale, ink bright on dark (a light background is inverted), cropped to the ink, scaled to fit a
 * 20x20 box keeping its aspect ratio (area averaging, which anti-aliases like MNIST's), then placed in 28x28
 * with its centre of mass at the centre. Pure math over RGBA bytes: `trainer predict` runs it on images that jimp
 * decodes, the exported web page on its drawing pad's pixels (`digitSample`, for both).
 */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  /** Luminance 0–255, row-major. */
  readonly pixels: Float32Array;
}

/** RGBA bytes (an image library's bitmap, a canvas's ImageData) to luminance, transparent pixels composited over white. */
export function toGray(rgba: ArrayLike<number>, width: number, height: number): GrayImage {
  const pixels = new Float32Array(width * height);
  for (let i = 0; i < width * height; i++) {
    const r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2], a = rgba[4 * i + 3] / 255;
    const lum = 0.299 * r + 0.587 * g + 0.114 * b;
    pixels[i] = lum * a + 255 * (1 - a);
  }
  return { width, height, pixels };
}

/** Ink intensity 0–255 (ink bright): inverts when the border (the background) is light. */
export function toInk(img: GrayImage): GrayImage {
  const { width: w, height: h, pixels } = img;
  let border = 0, n = 0;
  for (let x = 0; x < w; x++) { border += pixels[x] + pixels[(h - 1) * w + x]; n += 2; }
  for (let y = 0; y < h; y++) { border += pixels[y * w] + pixels[y * w + w - 1]; n += 2; }
  const light = border / n > 127;
  const out = new Float32Array(w * h);
  // Stretch so the background is 0 and the strongest ink 255, whatever the contrast of the photo.
  let bg = light ? 255 : 0, ink = light ? 255 : 0;
  for (let i = 0; i < out.length; i++) out[i] = light ? 255 - pixels[i] : pixels[i];
  bg = median(out.filter((_, i) => isBorder(i, w, h)));
  // A loop, not Math.max(...out): spreading a photo's millions of pixels as arguments overflows the stack.
  for (let i = 0; i < out.length; i++) if (out[i] > ink) ink = out[i];
  const span = Math.max(1, ink - bg);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, Math.min(255, ((out[i] - bg) / span) * 255));
  return { width: w, height: h, pixels: out };
}

function isBorder(i: number, w: number, h: number): boolean {
  const x = i % w, y = (i - x) / w;
  return x === 0 || y === 0 || x === w - 1 || y === h - 1;
}

/** The median of the values (the mean of the middle two for an even count); NaN for none. */
function median(xs: Float32Array): number {
  const s = Float32Array.from(xs).sort();
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}


/** Bounding box of pixels above `threshold` (a fraction of the maximum), or null for a blank image. */
export function inkBox(img: GrayImage, threshold = 0.25): { x0: number; y0: number; x1: number; y1: number } | null {
  const { width: w, height: h, pixels } = img;
  let max = 0;
  for (const v of pixels) if (v > max) max = v;
  if (max <= 0) return null;
  const t = threshold * max;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    if (pixels[y * w + x] > t) {
      if (x < x0) x0 = x; if (x > x1) x1 = x; if (y < y0) y0 = y; if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1: x1 + 1, y1: y1 + 1 };
}

/** Area-averaging resample of the box [x0, x1) × [y0, y1) of `img` to width × height. */
export function resampleArea(img: GrayImage, box: { x0: number; y0: number; x1: number; y1: number }, width: number, height: number): Float32Array {
  const out = new Float32Array(width * height);
  const sx = (box.x1 - box.x0) / width, sy = (box.y1 - box.y0) / height;
  for (let oy = 0; oy < height; oy++) {
    const fy0 = box.y0 + oy * sy, fy1 = fy0 + sy;
    for (let ox = 0; ox < width; ox++) {
      const fx0 = box.x0 + ox * sx, fx1 = fx0 + sx;
      let sum = 0, area = 0;
      for (let y = Math.floor(fy0); y < Math.ceil(fy1); y++) {
        const wy = Math.min(fy1, y + 1) - Math.max(fy0, y);
        for (let x = Math.floor(fx0); x < Math.ceil(fx1); x++) {
          const wx = Math.min(fx1, x + 1) - Math.max(fx0, x);
          sum += wx * wy * img.pixels[y * img.width + x];
          area += wx * wy;
        }
      }
      out[oy * width + ox] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}

/** The whole preparation of RGBA pixels (row-major, 4 bytes a pixel): 784 bytes like an MNIST image, or null if there is no ink. */
export function digitSample(rgba: ArrayLike<number>, width: number, height: number): Uint8Array | null {
  return toMnist(toGray(rgba, width, height));
}

/** The preparation of a grayscale image; returns 784 bytes like an MNIST image, or null if the image has no ink. */
export function toMnist(img: GrayImage): Uint8Array | null {
  const ink = toInk(img);
  const box = inkBox(ink);
  if (!box) return null;
  const bw = box.x1 - box.x0, bh = box.y1 - box.y0;
  const scale = 20 / Math.max(bw, bh);
  const w = Math.max(1, Math.round(bw * scale)), h = Math.max(1, Math.round(bh * scale));
  const small = resampleArea(ink, box, w, h);
  let mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    const v = small[y * w + x];
    mass += v; cx += v * x; cy += v * y;
  }
  cx = mass > 0 ? cx / mass : (w - 1) / 2;
  cy = mass > 0 ? cy / mass : (h - 1) / 2;
  // Shift so the centre of mass lands on the centre of the 28x28 field, keeping the digit inside it.
  const ox = Math.min(28 - w, Math.max(0, Math.round(13.5 - cx)));
  const oy = Math.min(28 - h, Math.max(0, Math.round(13.5 - cy)));
  const out = new Uint8Array(784);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[(y + oy) * 28 + x + ox] = Math.round(small[y * w + x]);
  return out;
}
