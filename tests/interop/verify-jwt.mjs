// Verify a VC-JWT (OB 3.0 §8.2) with jose against a supplied JWKS or JWK.
//
// stdin:  {"jwt": "<compact JWS>", "jwks": {"keys": [...]}} or {"jwt": ..., "jwk": {...}},
//         "now": "ISO date" (optional; nbf/exp are checked against it)
// stdout: {"verified": bool, "error": string|null, "payload": {...}|null,
//          "protectedHeader": {...}|null, "claimsMatch": bool|null}
//
// Key selection: header `kid` equal to a JWK's `kid`, or a URL whose fragment is that `kid`
// (`https://issuer/.well-known/jwks.json#<kid>`), or the header's embedded `jwk` if that exact
// key is in the supplied set. Then jose does the signature and time checks.

import * as jose from 'jose';

import {describeError, emit, issuerId, readJsonStdin} from './lib.mjs';

const ALGS = ['RS256', 'ES256', 'EdDSA', 'Ed25519'];

function sameKey(a, b) {
  const members = ['kty', 'crv', 'x', 'y', 'n', 'e'];
  return members.every(m => a[m] === b[m]);
}

function selectJwk(header, input) {
  const keys = input.jwks ? input.jwks.keys || [] : input.jwk ? [input.jwk] : [];
  if(header.jwk) {
    const match = keys.find(k => sameKey(k, header.jwk));
    if(!match) {
      throw new Error('embedded jwk is not in the supplied key set');
    }
    return match;
  }
  const {kid} = header;
  if(typeof kid !== 'string') {
    if(keys.length === 1) {
      return keys[0];
    }
    throw new Error('no kid and several keys');
  }
  const fragment = kid.includes('#') ? kid.slice(kid.indexOf('#') + 1) : null;
  const matches = keys.filter(k => k.kid === kid || (fragment !== null && k.kid === fragment));
  if(matches.length !== 1) {
    throw new Error(`no unique key for kid ${kid}`);
  }
  return matches[0];
}

function toSeconds(iso) {
  return Math.floor(new Date(iso).getTime() / 1000);
}

/** The OB 3.0 VC-JWT claim rules: iss/jti/nbf/sub/exp must restate the credential. */
function claimsMatch(payload) {
  if(payload.vc) {
    return true; // VCDM 1.1 style; not produced by badger
  }
  const subjectId = payload.credentialSubject && payload.credentialSubject.id;
  return payload.iss === issuerId(payload) &&
    payload.jti === payload.id &&
    payload.nbf === toSeconds(payload.validFrom) &&
    (subjectId === undefined || payload.sub === subjectId) &&
    (payload.validUntil === undefined || payload.exp === toSeconds(payload.validUntil));
}

async function main() {
  const input = await readJsonStdin();
  const header = jose.decodeProtectedHeader(input.jwt);
  const allowed = new Set(['alg', 'kid', 'jwk', 'typ']);
  const extra = Object.keys(header).filter(k => !allowed.has(k));
  if(extra.length) {
    throw new Error(`JOSE header parameters not allowed: ${extra.join(', ')}`);
  }
  if(header.typ !== undefined && header.typ !== 'JWT') {
    throw new Error(`typ must be JWT, got ${header.typ}`);
  }
  const jwk = selectJwk(header, input);
  const key = await jose.importJWK(jwk, header.alg);
  const options = {algorithms: ALGS};
  if(input.now) {
    options.currentDate = new Date(input.now);
  }
  const {payload, protectedHeader} = await jose.jwtVerify(input.jwt, key, options);
  const match = claimsMatch(payload);
  emit({
    verified: match,
    error: match ? null : 'JWT claims do not restate the credential',
    payload,
    protectedHeader,
    claimsMatch: match
  });
}

main().catch(err => {
  emit({
    verified: false,
    error: describeError(err).join('; ') || String(err),
    payload: null,
    protectedHeader: null,
    claimsMatch: null
  });
});
