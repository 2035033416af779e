// Verify an eddsa-rdfc-2022 Data Integrity credential with the Digital Bazaar stack.
//
// stdin:  {"credential": {...}, "documents": {url: doc, ...}, "now": "ISO date" (optional)}
// stdout: {"verified": bool, "error": string|null, "errors": [...], "status": {...}|null,
//          "requested": [urls the loader was asked for]}
//
// Safe mode is on (the default of vc 7 / jsonld-signatures 11): an undefined term makes
// verification fail instead of being silently dropped from the signed data (PITFALLS 1).

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022CryptoSuite} from
  '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';

import {
  decodeEncodedList, describeError, emit, getBit, issuerId, makeDocumentLoader, readJsonStdin
} from './lib.mjs';

function suite() {
  return new DataIntegrityProof({cryptosuite: eddsaRdfc2022CryptoSuite});
}

function asArray(value) {
  if(value === undefined || value === null) {
    return [];
  }
  return Array.isArray(value) ? value : [value];
}

/**
 * checkStatus for BitstringStatusListEntry, from supplied documents only.
 * The list credential must itself verify and be issued by the credential's issuer;
 * an unavailable list means "status unknown", reported as NOT verified.
 */
function makeCheckStatus(documents, now) {
  return async ({credential, documentLoader}) => {
    const results = [];
    for(const entry of asArray(credential.credentialStatus)) {
      if(entry.type !== 'BitstringStatusListEntry') {
        return {verified: false, error: {message: `unsupported status type ${entry.type}`}};
      }
      const url = entry.statusListCredential;
      if(!Object.hasOwn(documents, url)) {
        return {verified: false, error: {message: `status unknown: list ${url} not available`}};
      }
      const list = documents[url];
      const listResult = await vc.verifyCredential({
        credential: list, suite: suite(), documentLoader, now
      });
      if(!listResult.verified) {
        return {
          verified: false,
          error: {message: 'status list credential does not verify: ' +
            describeError(listResult.error).join('; ')}
        };
      }
      if(!asArray(list.type).includes('BitstringStatusListCredential')) {
        return {verified: false, error: {message: 'not a BitstringStatusListCredential'}};
      }
      if(issuerId(list) !== issuerId(credential)) {
        return {verified: false, error: {message: 'status list issuer differs'}};
      }
      const subject = list.credentialSubject || {};
      if(!asArray(subject.statusPurpose).includes(entry.statusPurpose)) {
        return {verified: false, error: {message: 'statusPurpose mismatch'}};
      }
      const indexText = String(entry.statusListIndex);
      if(!/^\d+$/.test(indexText)) {
        return {verified: false, error: {message: 'statusListIndex is not an integer'}};
      }
      let set;
      try {
        set = getBit(decodeEncodedList(subject.encodedList), Number(indexText));
      } catch(e) {
        return {verified: false, error: {message: e.message}};
      }
      results.push({purpose: entry.statusPurpose, index: Number(indexText), set});
      if(set) {
        return {
          verified: false,
          results,
          error: {message: `credential status '${entry.statusPurpose}' is set`}
        };
      }
    }
    return {verified: true, results};
  };
}

async function main() {
  const input = await readJsonStdin();
  const documents = input.documents || {};
  const documentLoader = makeDocumentLoader(documents);
  const now = input.now ? new Date(input.now) : undefined;
  const result = await vc.verifyCredential({
    credential: input.credential,
    suite: suite(),
    documentLoader,
    checkStatus: makeCheckStatus(documents, now),
    now
  });
  const errors = [
    ...describeError(result.error),
    ...asArray(result.results).flatMap(r => describeError(r.error)),
    ...(result.statusResult ? describeError(result.statusResult.error) : [])
  ];
  emit({
    verified: result.verified === true,
    error: errors.length ? errors[0] : null,
    errors: [...new Set(errors)],
    status: result.statusResult || null,
    requested: documentLoader.requested
  });
}

main().catch(err => {
  emit({verified: false, error: describeError(err).join('; ') || String(err), crashed: true});
  process.exitCode = 2;
});
