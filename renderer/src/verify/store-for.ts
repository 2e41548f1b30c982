/** One verify store per window, kept across tab switches like the lesson runner. */
import type { Stores } from '../store/stores.js';
import { createVerifyStore, type VerifyStore } from './session.js';

const verifyStores = new WeakMap<Stores, VerifyStore>();

export function verifyStoreFor(stores: Stores): VerifyStore {
  let v = verifyStores.get(stores);
  if (v === undefined) {
    v = createVerifyStore(stores.api);
    verifyStores.set(stores, v);
  }
  return v;
}
