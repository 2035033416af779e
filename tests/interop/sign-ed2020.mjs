// Sign an unsigned credential with the legacy Ed25519Signature2020 suite (the Digital
// Credentials Consortium's fork of Digital Bazaar's suite and vc library), so badger's
// verifier of that suite is checked against a credential it did not produce.
//
// stdin:  {"credential": {...}, "seedHex": "<32-byte Ed25519 seed, hex>",
//          "controller": "<issuer id, e.g. a did:key>", "created": "ISO date" (optional)}
// stdout: {"credential": signed, "publicKeyMultibase": "z6Mk...", "verificationMethod": url}

import * as vc from '@digitalcredentials/vc';
import {Ed25519Signature2020} from '@digitalcredentials/ed25519-signature-2020';
import {Ed25519VerificationKey2020} from
  '@digitalcredentials/ed25519-verification-key-2020';

import {describeError, emit, makeDocumentLoader, readJsonStdin} from './lib.mjs';

async function main() {
  const input = await readJsonStdin();
  if(!/^[0-9a-fA-F]{64}$/.test(input.seedHex || '')) {
    throw new Error('seedHex must be 32 bytes of hex');
  }
  const seed = Uint8Array.from(Buffer.from(input.seedHex, 'hex'));
  const probe = await Ed25519VerificationKey2020.generate({seed});
  const vmId = `${input.controller}#${probe.publicKeyMultibase}`;
  const key = await Ed25519VerificationKey2020.generate({
    id: vmId, controller: input.controller, seed
  });
  const suite = new Ed25519Signature2020({
    key, date: input.created ? new Date(input.created) : undefined
  });
  const documentLoader = makeDocumentLoader(input.documents || {});
  const signed = await vc.issue({credential: input.credential, suite, documentLoader});
  emit({
    credential: signed,
    publicKeyMultibase: key.publicKeyMultibase,
    verificationMethod: vmId
  });
}

main().catch(err => {
  emit({error: describeError(err).join('; ') || String(err)});
  process.exitCode = 1;
});
