import { CompressionType, compressionRegistry } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { HogwildError as CoreError } from '@hogwild/core';
import { HogwildError, InputError, UsageError, registerArrowCodecs } from '../src/internal.ts';
import { withDecodeBudget } from '../src/codecs.ts';

describe('data errors', () => {
  it('are the HogwildError of @hogwild/core, which the package exports', () => {
    expect(HogwildError).toBe(CoreError);
    expect(new InputError('f.csv', 'is empty')).toMatchObject({ code: 'E_INPUT', kind: 'input', message: 'f.csv: is empty' });
    const u = new UsageError('--label: missing', { field: 'label' });
    expect(u).toBeInstanceOf(HogwildError);
    expect(u).toMatchObject({ code: 'E_USAGE', kind: 'usage', field: 'label' });
  });
  it('a compressed Arrow buffer that claims more than its file may hold is refused with E_INPUT, not an Error', async () => {
    registerArrowCodecs();
    const claiming = new Uint8Array(16);
    new DataView(claiming.buffer).setBigInt64(0, BigInt(100 * 2 ** 20), true);
    const lz4 = compressionRegistry.get(CompressionType.LZ4_FRAME)!;
    const e = await withDecodeBudget(0, async () => lz4.decode!(claiming.subarray(8))).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(HogwildError);
    expect(e).toMatchObject({ code: 'E_INPUT', kind: 'input', message: 'a compressed buffer claims 104857600 bytes decoded, beyond what the file may hold (64 MiB left)' });
  });
});
