// Sign an unsigned credential with DataIntegrityProof / eddsa-rdfc-2022 (Digital Bazaar stack),
// so badger's verifier can be checked against a credential it did not produce.
//
// stdin:  {"credential": {...}, "seedHex": "<32-byte Ed25519 seed, hex>",
//          "controller": "<issuer id>", "verificationMethod": "<vm url>" (optional,
//          default <controller>#<publicKeyMultibase>), "created": "ISO date" (optional),
//          "documents": {...} (optional)}
// stdout: {"credential": signed, "publicKeyMultibase": "z6Mk...", "verificationMethod": url}

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
  const seed = Uint8Array.from(Buffer.from(input.seedHex, 'hex'));
  const probe = await Ed25519Multikey.generate({seed});
  const vmId = input.verificationMethod ||
    `${input.controller}#${probe.publicKeyMultibase}`;
  const keyPair = await Ed25519Multikey.generate({
    id: vmId, controller: input.controller, seed
  });
  const suite = new DataIntegrityProof({
    signer: keyPair.signer(),
    cryptosuite: eddsaRdfc2022CryptoSuite,
    date: input.created ? new Date(input.created) : undefined
  });
  const documentLoader = makeDocumentLoader(input.documents || {});
  const signed = await vc.issue({credential: input.credential, suite, documentLoader});
  emit({
    credential: signed,
    publicKeyMultibase: keyPair.publicKeyMultibase,
    verificationMethod: vmId
  });
}

main().catch(err => {
  emit({error: describeError(err).join('; ') || String(err)});
  process.exitCode = 1;
});
