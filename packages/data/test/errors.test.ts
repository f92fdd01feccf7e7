import { describe, expect, it } from 'vitest';
import { HogwildError as CoreError } from '@hogwild/core';
import { HogwildError, InputError, UsageError } from '../src/index.ts';

describe('data errors', () => {
  it('are the HogwildError of @hogwild/core, which the package exports', () => {
    expect(HogwildError).toBe(CoreError);
    expect(new InputError('f.csv', 'is empty')).toMatchObject({ code: 'E_INPUT', kind: 'input', message: 'f.csv: is empty' });
    const u = new UsageError('--label: missing', { field: 'label' });
    expect(u).toBeInstanceOf(HogwildError);
    expect(u).toMatchObject({ code: 'E_USAGE', kind: 'usage', field: 'label' });
  });
});
