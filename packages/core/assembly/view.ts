// Reading and writing a view's descriptor (its words are named in src/descriptor.ts, which the host writes by).
import { LAYER0, LAYER_WORDS } from '../src/descriptor';

/** Word k of the view. */
// @ts-ignore: decorator
@inline export function word(net: usize, k: i32): i32 {
  return load<i32>(net + (<usize>k << 2));
}

// @ts-ignore: decorator
@inline export function setWord(net: usize, k: i32, value: i32): void {
  store<i32>(net + (<usize>k << 2), value);
}

/** Word f (a LayerWord) of layer l. */
// @ts-ignore: decorator
@inline export function field(net: usize, l: i32, f: i32): usize {
  return <usize>load<i32>(net + (<usize>(LAYER0 + l * LAYER_WORDS + f) << 2));
}
