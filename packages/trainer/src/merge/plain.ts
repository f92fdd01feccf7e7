/**
 * Plain Hogwild! (Niu et al. 2011), host side: every worker's steps go straight to the shared parameters, with no
 * replica and nothing to merge (the kernel's MergeCode.PLAIN).
 */
import type { ProtocolHost } from '../merge-plan.ts';

export type Plain = { readonly kind: 'plain' };

export const PLAIN: Plain = { kind: 'plain' };

export const PLAIN_HOST: ProtocolHost<Plain, Plain> = {
  plan: () => ({ tail: 0, merge: PLAIN }),
  views: () => () => undefined,
  evalViews: false,
  engine: (wasm, _memory, view) => ({
    begin() {},
    train: (data, at, stop, lr) => wasm.train(view, data, at, stop, lr),
    finish: () => 0,
  }),
  describe: () => 'plain Hogwild, no replicas',
  short: () => '—',
};
