// Benchmark eddsa-rdfc-2022 sign/verify with the Digital Bazaar stack, the JS reference figures
// printed beside badger's by bench/ob3_bench.py (same machine, same core, same credentials).
//
// stdin:  {"credentials": [unsigned credential, ...] (the FIRST one is the warm-up, the rest
//          are timed; all distinct), "seedHex": "<32-byte Ed25519 seed, hex>",
//          "controller": "<issuer id>", "verificationMethod": "<vm url>" (optional, default
//          <controller>#<publicKeyMultibase>), "documents": {url: controller doc, ...}}
// stdout: {"sign_ms": avg per credential, "verify_ms": avg per credential, "n": timed count}
//         or {"error": "..."} (exit code 1), e.g. when a signed credential does not verify.

import {performance} from 'node:perf_hooks';

import * as vc from '@digitalbazaar/vc';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {describeError, emit, makeDocumentLoader, readJsonStdin} from './lib.mjs';

async function main() {
  const input = await readJsonStdin();
  if(!/^[0-9a-fA-F]{64}$/.test(input.seedHex || '')) {
    throw new Error('seedHex must be 32 bytes of hex');
  }
  const credentials = input.credentials;
  if(!Array.isArray(credentials) || credentials.length < 2) {
    throw new Error('credentials must hold a warm-up credential and at least one more');
  }
  const seed = Uint8Array.from(Buffer.from(input.seedHex, 'hex'));
  const probe = await Ed25519Multikey.generate({seed});
  const vmId = input.verificationMethod ||
    `${input.controller}#${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate({
    id: vmId, controller: input.controller, seed
  });
  const signer = keyPair.signer();
  const documentLoader = makeDocumentLoader(input.documents || {});
  const signSuite = () => new DataIntegrityProof({
    signer, cryptosuite: eddsaRdfc2022CryptoSuite
  });
  const verifySuite = () => new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});

  // Copies made up front so cloning is not timed.
  const [warmup, ...timed] = credentials.map(c => structuredClone(c));
  const n = timed.length;

  const warmSigned = await vc.issue({credential: warmup, suite: signSuite(), documentLoader});
  let t0 = performance.now();
  const signed = [];
  for(const credential of timed) {
    signed.push(await vc.issue({credential, suite: signSuite(), documentLoader}));
  }
  const signMs = (performance.now() - t0) / n;

  const check = async credential => {
    const result = await vc.verifyCredential({credential, suite: verifySuite(), documentLoader});
    if(!result.verified) {
      throw new Error('signed credential does not verify: ' +
        describeError(result.error).join('; '));
    }
  };
  await check(warmSigned);
  t0 = performance.now();
  for(const credential of signed) {
    await check(credential);
  }
  const verifyMs = (performance.now() - t0) / n;

  emit({sign_ms: signMs, verify_ms: verifyMs, n});
}

main().catch(err => {
  emit({error: describeError(err).join('; ') || String(err)});
  process.exitCode = 1;
});
