import { asciiArt, inspectFile, sampleImage } from '../inspect.ts';
import { printable } from '@hogwild/core';

export function inspectCommand(file: string, o: { json?: boolean; show?: number }): void {
  const info = inspectFile(file);
  if (o.json) {
    process.stdout.write(JSON.stringify(info) + '\n');
  } else {
    switch (info.format) {
      case 'idx':
        process.stdout.write(`${file}: IDX${info.gzip ? ' (gzip)' : ''}, ${info.dtype}, dims ${info.dims.join('x')}\n`);
        break;
      case 'arrow': {
        const hist = Object.entries(info.labels).map(([k, v]) => `${k}${info.classes ? ` ${printable(info.classes[Number(k)], 40)}` : ''}:${v}`).join(' ');
        const names = info.featureNames;
        process.stdout.write(
          `${file}: Arrow IPC, ${info.rows} rows\n  features  FixedSizeList<${info.features.type}>[${info.features.length}], shape ${info.shape.join('x')}\n` +
          (names ? `  names     ${printable(names.slice(0, 8).join(', '), 200)}${names.length > 8 ? `, … (${names.length})` : ''}\n` : '') +
          `  label     uint8: ${hist}\n  source    ${printable(info.source)}\n`,
        );
        break;
      }
      case 'mat': {
        const rows = info.variables.map((v) =>
          `  ${printable(v.name, 64).padEnd(16)} ${(v.complex ? 'complex ' : '') + v.class}`.padEnd(36) + `${v.dims.join('x').padEnd(14)} ${v.supported ? 'supported' : 'not supported'}`);
        process.stdout.write(`${file}: MAT-file version ${info.version}, ${info.variables.length} variable(s)\n${rows.join('\n')}\n`);
        break;
      }
    }
  }
  if (o.show !== undefined) {
    const img = sampleImage(file, o.show);
    const title = `sample ${o.show}${img.label !== undefined ? `, label ${img.label}` : ''}`;
    process.stdout.write(`${title}\n${asciiArt(img.pixels, img.height, img.width)}\n`);
  }
}
